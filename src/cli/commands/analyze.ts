// `lvs-trace analyze FOLDER [--json] [--all]`: follow each connection of a capture folder across
// the hosts and print where it went and what went wrong. Exit 1 when there is an error finding,
// 2 when the capture could not be read at all.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeCapture } from '../../core/analysis/index';
import { analysisJsonPieces } from '../../core/analysis/json';
import type { AnalysisResult } from '../../core/analysis/result';
import { analysisText } from '../../core/analysis/text';
import { parseCommandArgs, type CliCommand } from '../command';
import { StdoutWriter } from '../output';

/** The capture folder a FOLDER argument names: the folder itself, or the folder of the
 *  capture.json file given instead. */
export function captureFolderArg(arg: string): string {
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(arg);
  } catch {
    return arg; // the analysis names what is missing
  }
  if (stat.isDirectory()) return arg;
  if (path.basename(arg) === 'capture.json') return path.dirname(arg);
  throw new Error(`${arg} is a file, not a capture folder (a folder holding capture.json and its pcaps; to print the packets of one pcap, use lvs-trace decode)`);
}

/** The capture could not be read at all: no capture.json, or no capture point readable. */
export function captureUnreadable(result: AnalysisResult): boolean {
  return result.findings.some((f) => f.code === 'capture-unreadable' && f.severity === 'error');
}

export const analyzeCommand: CliCommand = {
  name: 'analyze',
  usage: 'analyze FOLDER [--json] [--all]',
  analysesCaptures: true,
  summary: 'follow each connection of a capture folder across hosts and report findings',
  args: [['FOLDER', 'a capture folder (capture.json and the pcaps it lists), or its capture.json']],
  options: [
    { name: 'json', text: 'the whole analysis as JSON (findings, connections with their hops, lanes, stats)' },
    { name: 'all', text: 'list every connection, not only those a finding names (text only)' },
  ],
  exitStatus: [
    [0, 'no finding at error level'],
    [1, 'a finding at error level'],
    [2, 'usage error, or the capture cannot be read (no capture.json, or no capture point readable)'],
  ],
  async run(args: string[]): Promise<number> {
    const parsed = parseCommandArgs(analyzeCommand, args);
    if (parsed.positionals.length !== 1) {
      process.stderr.write('usage: lvs-trace analyze FOLDER [--json] [--all]\n');
      return 2;
    }
    const result = await analyzeCapture(captureFolderArg(parsed.positionals[0]));
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
    if (captureUnreadable(result)) return 2;
    return result.findings.some((f) => f.severity === 'error') ? 1 : 0;
  },
};
