// `lvs-trace decode FILE [--json]`: one line per packet, tcpdump-like text or JSON.
import { decodeFrame, formatPacketLine, packetToJson, readPackets, type Packet } from '../../core/decode';
import { PcapFormatError, readLiveStream, type ReadSummary } from '../../core/pcap';
import { parseArgs } from '../args';
import type { CliCommand } from '../command';
import { StdoutWriter } from '../output';

export const decodeCommand: CliCommand = {
  name: 'decode',
  usage: 'decode FILE|- [--json]',
  summary: 'print the packets of a pcap/pcapng file, or of `tcpdump -w -` on stdin (-)',
  async run(args: string[]): Promise<number> {
    const parsed = parseArgs(args, { flags: ['json'] });
    if (parsed.positionals.length !== 1) {
      process.stderr.write('usage: lvs-trace decode FILE|- [--json]\n');
      return 2;
    }
    const file = parsed.positionals[0];
    const json = parsed.flags.has('json');
    const out = new StdoutWriter();
    try {
      const print = (p: Packet): void | false => {
        out.line(json ? JSON.stringify(packetToJson(p)) : formatPacketLine(p));
        if (out.closed) return false;
      };
      // `-`: a live pcap stream on stdin, e.g. `tcpdump -U -w - | lvs-trace decode -`.
      const summary: ReadSummary =
        file === '-'
          ? await readLiveStream(process.stdin, 'stdin', (f) => {
              const r = print(decodeFrame(f));
              out.flush(); // show packets as they arrive
              return r;
            })
          : readPackets(file, print);
      out.flush();
      for (const w of summary.warnings) process.stderr.write(`lvs-trace decode: ${file}: warning: ${w}\n`);
      return 0;
    } catch (e) {
      out.flush();
      if (e instanceof PcapFormatError) {
        process.stderr.write(`lvs-trace decode: ${e.message}\n`);
        return 1;
      }
      throw e;
    }
  },
};
