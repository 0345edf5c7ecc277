// `lvs-trace export FOLDER --out FILE.pcapng`: every capture point merged into one pcapng
// for Wireshark, in time order, one interface per point, our annotations as packet
// comments (what "LVS: Export Capture as pcapng" writes in VS Code).
import * as fs from 'node:fs';
import { analyzeCapture } from '../../core/analysis/index';
import { exportTargetProblem, writeMergedPcapng } from '../../core/analysis/mergedPcapng';
import { optionValue } from '../args';
import { parseCommandArgs, type CliCommand } from '../command';
import { captureFolderArg } from './analyze';

export const exportCommand: CliCommand = {
  name: 'export',
  usage: 'export FOLDER --out FILE.pcapng',
  analysesCaptures: true,
  summary: 'merge a capture folder into one annotated pcapng for Wireshark',
  args: [['FOLDER', 'a capture folder (capture.json and the pcaps it lists), or its capture.json']],
  options: [{ name: 'out', value: 'FILE', text: 'the pcapng file to write (replaced whole at the end; never one of the capture\'s own files)' }],
  exitStatus: [
    [0, 'written, every capture point whole'],
    [1, 'written, but a capture point was left out (missing) or cut short (corrupt); the warnings name it'],
    [2, 'usage error, the capture cannot be read, or FILE cannot be written'],
  ],
  async run(args: string[]): Promise<number> {
    const parsed = parseCommandArgs(exportCommand, args);
    const out = optionValue(parsed, 'out');
    if (parsed.positionals.length !== 1 || !out) {
      process.stderr.write('usage: lvs-trace export FOLDER --out FILE.pcapng\n');
      return 2;
    }
    const folder = captureFolderArg(parsed.positionals[0]);
    if (fs.existsSync(out) && fs.statSync(out).isDirectory()) throw new Error(`--out ${out} is a folder; name the pcapng file to write`);
    const result = await analyzeCapture(folder);
    const unreadable = result.findings.find((f) => f.code === 'capture-unreadable' && f.severity === 'error');
    if (unreadable) throw new Error(unreadable.message.includes(folder) ? unreadable.message : `${folder}: ${unreadable.message}`);
    const refused = exportTargetProblem(result, out);
    if (refused) throw new Error(`--out ${out} ${refused}`);
    const { packets, comments, points, problems } = writeMergedPcapng(result, out);
    for (const p of problems) process.stderr.write(`warning: ${p}\n`);
    process.stdout.write(`${out}: ${packets} packets from ${points} capture points, ${comments} with our comments\n`);
    return problems.length ? 1 : 0;
  },
};
