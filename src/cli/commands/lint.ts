// `lvs-trace lint FILE... [--json]`: keepalived.conf / ipvsadm rules diagnostics.
// Text: `file:line:col: severity code message`; --json: one array of
// {code, severity, file, line, column, message} (1-based). Exit 1 on any error; 2 when a
// file cannot be read or is neither language (its diagnostics are printed all the same).
// Messages quote the files, which may hold control bytes (ESC sequences): they are
// printed escaped (`\x1b`), never raw to the terminal.
import { parseCommandArgs, type CliCommand } from '../command';
import { lintFiles } from '../../core/config';
import { languageFileNames } from '../../core/config/detect';

/** The diagnostics that say a file could not be linted at all. */
const INPUT_ERRORS = new Set(['file-unreadable', 'unknown-language']);

/** C0/C1 controls, DEL, and the line/paragraph separators and bidi overrides that reorder a terminal line. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `\x1b`-style escapes for what a terminal would interpret. */
export function escapeForTerminal(s: string): string {
  return s.replace(UNSAFE, (c) => {
    const n = c.charCodeAt(0);
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
  });
}

export const lintCommand: CliCommand = {
  name: 'lint',
  usage: 'lint FILE... [--json]',
  summary: 'check keepalived.conf / ipvsadm rules for LVS mistakes',
  args: [['FILE...', 'keepalived.conf files and/or ipvsadm rules; the directors\' keepalived.conf are compared too']],
  options: [{ name: 'json', text: 'one JSON array of {code, severity, file, line, column, message} instead of text' }],
  notes: [
    'Text: one `file:line:column: severity code message` line per diagnostic.',
    `Files are told apart by name: ${languageFileNames.keepalived.join(', ')} (keepalived), ${languageFileNames.ipvsadm.join(', ')} (ipvsadm rules), else by what they hold.`,
  ],
  exitStatus: [
    [0, 'no diagnostic at error level'],
    [1, 'a diagnostic at error level'],
    [2, 'usage error, or a file cannot be read or is neither keepalived.conf nor ipvsadm rules'],
  ],
  async run(args) {
    const p = parseCommandArgs(lintCommand, args);
    if (p.positionals.length === 0) throw new Error('no file given: lvs-trace lint FILE... [--json]');
    const diags = lintFiles(p.positionals);
    if (p.flags.has('json')) {
      const rows = diags.map((d) => ({ code: d.code, severity: d.severity, file: d.file, line: d.range.start.line + 1, column: d.range.start.character + 1, message: d.message }));
      // JSON.stringify escapes C0 controls but not DEL, C1 or bidi characters: \u escapes keep the same JSON value.
      const json = JSON.stringify(rows, null, 2).replace(/[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
      process.stdout.write(`${json}\n`);
    } else {
      for (const d of diags) process.stdout.write(`${escapeForTerminal(d.file)}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} ${d.code} ${escapeForTerminal(d.message)}\n`);
    }
    if (diags.some((d) => INPUT_ERRORS.has(d.code))) return 2;
    return diags.some((d) => d.severity === 'error') ? 1 : 0;
  },
};
