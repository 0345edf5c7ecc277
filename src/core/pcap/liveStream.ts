// The live stream `tcpdump -U -w -` writes (classic microsecond pcap), read incrementally
// with `pcap-parser`, the package the user asked for. pcap-parser buffers whatever a record
// header claims, so every header is checked against MAX_CAPLEN before its body arrives;
// byte offsets and truncation are tracked here because pcap-parser reports neither.
import type { Readable } from 'node:stream';
import * as pcapParser from 'pcap-parser';
import { PcapFormatError } from './errors';
import type { FrameCallback, ReadSummary } from './frame';
import { MAX_CAPLEN } from './limits';
import { RepeatedWarning } from './warnings';

const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;

/**
 * Emit the frames of a pcap stream as they arrive. Resolves with a summary when the stream
 * ends (or when onFrame returns false: the stream is then paused and left to the caller);
 * rejects with PcapFormatError on a bad magic number or an impossible record length.
 */
export function readLiveStream(input: Readable, name: string, onFrame: FrameCallback): Promise<ReadSummary> {
  return new Promise((resolve, reject) => {
    const summary: ReadSummary = { format: 'pcap', frames: 0, linkTypes: [], warnings: [] };
    let received = 0;
    let consumed = 0;
    let linkType = -1;
    let caplenLimit = MAX_CAPLEN;
    let snaplen = 0;
    // As in the file readers (ClassicFrames.oddLengths()): used as captured, one warning each.
    const overSnaplen = new RepeatedWarning(
      (n, at, caplen, snap) => `packet ${n} (record at byte ${at}): captured length ${caplen} is bigger than the stream's snapshot length ${snap}; all ${caplen} captured bytes are used`,
    );
    const overWirelen = new RepeatedWarning(
      (n, at, caplen, wirelen) => `packet ${n} (record at byte ${at}): original length ${wirelen} is smaller than the captured length ${caplen}; taken as ${caplen}`,
    );
    let settled = false;
    let stopped = false; // the caller said stop: unread bytes are not a truncation

    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      input.removeListener('data', count);
      overSnaplen.update(summary);
      overWirelen.update(summary);
      if (err) {
        input.destroy();
        reject(err);
        return;
      }
      if (linkType < 0) {
        reject(new PcapFormatError(name, received, `stream ended after ${received} bytes, before a complete pcap header`));
        return;
      }
      if (received > consumed && !stopped) {
        summary.truncatedAt = consumed;
        summary.warnings.push(`stream truncated: record at byte ${consumed} is cut off by the end of the stream at byte ${received}`);
      }
      resolve(summary);
    };
    const count = (chunk: Buffer) => {
      received += chunk.length;
    };
    input.on('data', count);

    const parser = pcapParser.parse(input);
    parser.on('globalHeader', (h) => {
      linkType = h.linkLayerType & 0xffff;
      snaplen = h.snapshotLength;
      if (snaplen > 0) caplenLimit = snaplen;
      summary.linkTypes.push(linkType);
      consumed = GLOBAL_HEADER;
    });
    parser.on('packetHeader', (h) => {
      if (h.capturedLength > MAX_CAPLEN) {
        finish(new PcapFormatError(name, consumed, `impossible captured length ${h.capturedLength} (limit ${MAX_CAPLEN})`));
      }
    });
    parser.on('packet', ({ header, data }) => {
      if (settled) return;
      const offset = consumed;
      consumed += RECORD_HEADER + header.capturedLength;
      if (header.capturedLength > caplenLimit) overSnaplen.add(summary, summary.frames + 1, offset, header.capturedLength, snaplen);
      if (header.capturedLength > header.originalLength) overWirelen.add(summary, summary.frames + 1, offset, header.capturedLength, header.originalLength);
      const keepGoing = onFrame({
        n: ++summary.frames,
        ts: header.timestampSeconds + header.timestampMicroseconds * 1e-6,
        tsNanos: header.timestampMicroseconds * 1000,
        caplen: header.capturedLength,
        wirelen: header.originalLength < header.capturedLength ? header.capturedLength : header.originalLength,
        linkType,
        ifIndex: 0,
        data,
        offset,
      });
      if (keepGoing === false) {
        stopped = true;
        input.pause();
        finish();
      }
    });
    parser.on('error', (e) => {
      const magic = /unknown magic number: ([0-9a-f]+)/.exec(e.message);
      const problem = magic
        ? `not a microsecond pcap stream (magic 0x${magic[1]}; nanosecond and pcapng streams are not supported live)`
        : e.message;
      finish(new PcapFormatError(name, 0, problem));
    });
    parser.on('end', () => finish());
    input.on('error', (e) => finish(e));
  });
}
