// `lvs-trace lint FILE... [--json]`: keepalived.conf / ipvsadm rules diagnostics.
// Text: `file:line:col: severity code message`; --json: one array of
// {code, severity, file, line, column, message} (1-based). Exit 1 on any error.
import { parseArgs } from '../args';
import type { CliCommand } from '../command';
import { lintFiles } from '../../core/config';

export const lintCommand: CliCommand = {
  name: 'lint',
  usage: 'lint FILE... [--json]',
  summary: 'check keepalived.conf / ipvsadm rules for LVS mistakes',
  async run(args) {
    const p = parseArgs(args, { flags: ['json'] });
    if (p.positionals.length === 0) throw new Error('no file given: lvs-trace lint FILE... [--json]');
    const diags = lintFiles(p.positionals);
    if (p.flags.has('json')) {
      const rows = diags.map((d) => ({ code: d.code, severity: d.severity, file: d.file, line: d.range.start.line + 1, column: d.range.start.character + 1, message: d.message }));
      process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    } else {
      for (const d of diags) process.stdout.write(`${d.file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} ${d.code} ${d.message}\n`);
    }
    return diags.some((d) => d.severity === 'error') ? 1 : 0;
  },
};
