// `lvs-trace analyze FOLDER [--json] [--all]`: follow each connection of a capture folder across
// the hosts and print where it went and what went wrong. Exit 1 when there is an error finding.
import { analyzeCapture } from '../../core/analysis/index';
import { analysisJsonPieces } from '../../core/analysis/json';
import { analysisText } from '../../core/analysis/text';
import { parseArgs } from '../args';
import type { CliCommand } from '../command';
import { StdoutWriter } from '../output';

export const analyzeCommand: CliCommand = {
  name: 'analyze',
  usage: 'analyze FOLDER [--json] [--all]',
  analysesCaptures: true,
  summary: 'follow each connection of a capture folder across hosts and report findings',
  async run(args: string[]): Promise<number> {
    const parsed = parseArgs(args, { flags: ['json', 'all'] });
    if (parsed.positionals.length !== 1) {
      process.stderr.write('usage: lvs-trace analyze FOLDER [--json] [--all]\n');
      return 2;
    }
    const result = await analyzeCapture(parsed.positionals[0]);
    if (parsed.flags.has('json')) {
      // Piece by piece: a big capture's JSON is longer than one string may be.
      const out = new StdoutWriter();
      for (const piece of analysisJsonPieces(result)) {
        out.write(piece);
        if (out.closed) break;
      }
      out.write('\n');
      out.flush();
    } else process.stdout.write(analysisText(result, { all: parsed.flags.has('all') }));
    return result.findings.some((f) => f.severity === 'error') ? 1 : 0;
  },
};
