// `lvs-trace analyze FOLDER [--json] [--all]`: follow each connection of a capture folder across
// the hosts and print where it went and what went wrong. Exit 1 when there is an error finding.
import { analyzeCapture } from '../../core/analysis/index';
import { analysisText } from '../../core/analysis/text';
import { parseArgs } from '../args';
import type { CliCommand } from '../command';

export const analyzeCommand: CliCommand = {
  name: 'analyze',
  usage: 'analyze FOLDER [--json] [--all]',
  summary: 'follow each connection of a capture folder across hosts and report findings',
  async run(args: string[]): Promise<number> {
    const parsed = parseArgs(args, { flags: ['json', 'all'] });
    if (parsed.positionals.length !== 1) {
      process.stderr.write('usage: lvs-trace analyze FOLDER [--json] [--all]\n');
      return 2;
    }
    const result = await analyzeCapture(parsed.positionals[0]);
    if (parsed.flags.has('json')) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else process.stdout.write(analysisText(result, { all: parsed.flags.has('all') }));
    return result.findings.some((f) => f.severity === 'error') ? 1 : 0;
  },
};
