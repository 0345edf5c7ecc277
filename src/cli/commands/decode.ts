// `lvs-trace decode FILE [--json]`: one line per packet, tcpdump-like text or JSON.
import * as fs from 'node:fs';
import { decodeFrame, formatPacketLine, packetToJson, type Packet } from '../../core/decode';
import { describeFileError, isFileError } from '../../core/fileErrors';
import { PcapFormatError, readLiveStream, type RawFrame, type ReadSummary } from '../../core/pcap';
import { openFrames } from '../../core/pcap/read';
import { parseCommandArgs, type CliCommand } from '../command';
import { StdoutWriter } from '../output';

/** The classic pcap header: a stream that fails inside it is no pcap stream at all. */
const PCAP_HEADER = 24;

export const decodeCommand: CliCommand = {
  name: 'decode',
  usage: 'decode FILE|- [--json]',
  summary: 'print the packets of a pcap/pcapng file, or of `tcpdump -w -` on stdin (-)',
  args: [
    ['FILE', 'a pcap or pcapng file'],
    ['-', 'a live classic pcap stream on stdin, e.g. `tcpdump -U -w - | lvs-trace decode -`'],
  ],
  options: [{ name: 'json', text: 'one JSON object per packet instead of tcpdump-like text' }],
  notes: ['The text is laid out as `tcpdump -nn -e -tttt -S` prints it, times in UTC.'],
  exitStatus: [
    [0, 'every packet printed (a file cut short in its last packet is a warning)'],
    [1, 'the file turned corrupt after its header: the packets before the damage are printed'],
    [2, 'usage error, or the file cannot be read or is not a pcap/pcapng file'],
  ],
  async run(args: string[]): Promise<number> {
    const parsed = parseCommandArgs(decodeCommand, args);
    if (parsed.positionals.length !== 1) {
      process.stderr.write('usage: lvs-trace decode FILE|- [--json]\n');
      return 2;
    }
    const file = parsed.positionals[0];
    const json = parsed.flags.has('json');
    const out = new StdoutWriter();
    const print = (p: Packet): void | false => {
      out.line(json ? JSON.stringify(packetToJson(p)) : formatPacketLine(p));
      if (out.closed) return false;
    };
    let summary: ReadSummary;
    if (file === '-') {
      // `-`: a live pcap stream on stdin, e.g. `tcpdump -U -w - | lvs-trace decode -`.
      try {
        summary = await readLiveStream(process.stdin, 'stdin', (f) => {
          const r = print(decodeFrame(f));
          out.flush(); // show packets as they arrive
          return r;
        });
      } catch (e) {
        out.flush();
        if (!(e instanceof PcapFormatError)) throw e;
        process.stderr.write(`lvs-trace decode: ${e.message}\n`);
        return e.offset < PCAP_HEADER ? 2 : 1;
      }
    } else {
      let frames: ReturnType<typeof openFrames>;
      try {
        if (fs.statSync(file).isDirectory()) return fail(`${file}: is a folder, not a file`);
        // Reads the file header: throws when this is not a capture at all.
        frames = openFrames(file, true);
      } catch (e) {
        if (e instanceof PcapFormatError) return fail(e.message);
        if (isFileError(e)) return fail(describeFileError(file, e));
        throw e;
      }
      try {
        const onFrame = (f: RawFrame): void | false => print(decodeFrame(f));
        while (frames.read(onFrame, 512));
        summary = frames.summary;
      } catch (e) {
        out.flush();
        if (e instanceof PcapFormatError) {
          process.stderr.write(`lvs-trace decode: ${e.message}\n`);
          return 1;
        }
        if (isFileError(e)) return fail(describeFileError(file, e));
        throw e;
      } finally {
        frames.close();
      }
    }
    out.flush();
    for (const w of summary.warnings) process.stderr.write(`lvs-trace decode: ${file}: warning: ${w}\n`);
    return 0;
  },
};

function fail(message: string): number {
  process.stderr.write(`lvs-trace decode: ${message}\n`);
  return 2;
}
