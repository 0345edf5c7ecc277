// `lvs-trace export FOLDER --out FILE.pcapng`: every capture point merged into one pcapng
// for Wireshark, in time order, one interface per point, our annotations as packet
// comments (what "LVS: Export Capture as pcapng" writes in VS Code).
import * as fs from 'node:fs';
import { analyzeCapture } from '../../core/analysis/index';
import { writeMergedPcapng } from '../../core/analysis/mergedPcapng';
import { optionValue, parseArgs } from '../args';
import type { CliCommand } from '../command';

export const exportCommand: CliCommand = {
  name: 'export',
  usage: 'export FOLDER --out FILE.pcapng',
  analysesCaptures: true,
  summary: 'merge a capture folder into one annotated pcapng for Wireshark',
  async run(args: string[]): Promise<number> {
    const parsed = parseArgs(args, { options: ['out'] });
    const out = optionValue(parsed, 'out');
    if (parsed.positionals.length !== 1 || !out) {
      process.stderr.write('usage: lvs-trace export FOLDER --out FILE.pcapng\n');
      return 2;
    }
    const folder = parsed.positionals[0];
    if (fs.existsSync(out) && fs.statSync(out).isDirectory()) throw new Error(`--out ${out} is a folder; name the pcapng file to write`);
    const result = await analyzeCapture(folder);
    const unreadable = result.findings.find((f) => f.code === 'capture-unreadable' && f.severity === 'error');
    if (unreadable) throw new Error(unreadable.message);
    const { packets, comments, points, problems } = writeMergedPcapng(result, out);
    for (const p of problems) process.stderr.write(`warning: ${p}\n`);
    process.stdout.write(`${out}: ${packets} packets from ${points} capture points, ${comments} with our comments\n`);
    return problems.length ? 1 : 0;
  },
};
