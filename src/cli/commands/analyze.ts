// `lvs-trace analyze FOLDER [--json]`: follow each connection of a capture folder across
// the hosts and print where it went and what went wrong. Exit 1 when there is an error finding.
import { analyzeCapture } from '../../core/analysis/index';
import { analysisText } from '../../core/analysis/text';
import { parseArgs } from '../args';
import type { CliCommand } from '../command';

export const analyzeCommand: CliCommand = {
  name: 'analyze',
  usage: 'analyze FOLDER [--json]',
  summary: 'follow each connection of a capture folder across hosts and report findings',
  async run(args: string[]): Promise<number> {
    const parsed = parseArgs(args, { flags: ['json'] });
    if (parsed.positionals.length !== 1) {
      process.stderr.write('usage: lvs-trace analyze FOLDER [--json]\n');
      return 2;
    }
    const result = await analyzeCapture(parsed.positionals[0]);
    if (parsed.flags.has('json')) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else process.stdout.write(analysisText(result));
    return result.findings.some((f) => f.severity === 'error') ? 1 : 0;
  },
};
