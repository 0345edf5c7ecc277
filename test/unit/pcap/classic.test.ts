import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PcapFileWriter, PcapFormatError, PcapWriter, readFrames, readFramesFromBuffer, type RawFrame } from '../../../src/core/pcap';
import { ether, ipv4, udp } from '../../helpers/frames';
import { hasSharedFixtures, requireOrSkip } from '../../helpers/env';
import { pcapFixtures } from './fixtures';

function frame(k: number): Uint8Array {
  return ether({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' }, ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 'udp', id: k }, udp({ sport: 1000 + k, dport: 53 }, new Uint8Array(k))));
}

function collect(buf: Uint8Array): { frames: Array<Omit<RawFrame, 'data'> & { bytes: number[] }>; summary: ReturnType<typeof readFramesFromBuffer> } {
  const frames: Array<Omit<RawFrame, 'data'> & { bytes: number[] }> = [];
  const summary = readFramesFromBuffer(buf, 'test.pcap', (f) => {
    const { data, ...rest } = f;
    frames.push({ ...rest, bytes: [...data] });
  });
  return { frames, summary };
}

describe('classic pcap reader', function () {
  for (const variant of [
    { nanosecond: false, bigEndian: false },
    { nanosecond: true, bigEndian: false },
    { nanosecond: false, bigEndian: true },
    { nanosecond: true, bigEndian: true },
  ]) {
    it(`reads back what the writer wrote (${variant.nanosecond ? 'ns' : 'µs'}, ${variant.bigEndian ? 'big' : 'little'}-endian)`, function () {
      const w = new PcapWriter({ linkType: 1, ...variant });
      const t0 = 1764080525.054113;
      for (let k = 0; k < 5; k++) w.add(t0 + k * 0.25, frame(k), k === 2 ? 1500 : undefined);
      const { frames, summary } = collect(w.toBuffer());
      assert.equal(summary.format, 'pcap');
      assert.equal(summary.frames, 5);
      assert.deepEqual(summary.linkTypes, [1]);
      assert.deepEqual(summary.warnings, []);
      assert.equal(summary.truncatedAt, undefined);
      frames.forEach((f, k) => {
        assert.equal(f.n, k + 1);
        assert.ok(Math.abs(f.ts - (t0 + k * 0.25)) < 1e-6, `ts ${f.ts}`);
        assert.equal(f.caplen, frame(k).length);
        assert.equal(f.wirelen, k === 2 ? 1500 : frame(k).length);
        assert.equal(f.linkType, 1);
        assert.equal(f.ifIndex, 0);
        assert.deepEqual(f.bytes, [...frame(k)]);
      });
      assert.equal(frames[0].offset, 24);
      assert.equal(frames[1].offset, 24 + 16 + frame(0).length);
    });
  }

  it('keeps nanoseconds from a nanosecond file', function () {
    const w = new PcapWriter({ linkType: 1, nanosecond: true });
    // A small epoch value so that a double holds every nanosecond digit.
    w.add(1000.123456789, frame(0));
    const { frames } = collect(w.toBuffer());
    assert.ok(Math.abs(frames[0].ts - 1000.123456789) < 1e-12);
    // The 789 ns are in the file (the µs writer would have rounded them away).
    const buf = w.toBuffer();
    assert.equal(buf.readUInt32LE(24 + 4), 123456789);
  });

  it('stops when the callback returns false', function () {
    const w = new PcapWriter({ linkType: 1 });
    for (let k = 0; k < 10; k++) w.add(k, frame(k));
    let seen = 0;
    const summary = readFramesFromBuffer(w.toBuffer(), 'x', () => (++seen === 3 ? false : undefined));
    assert.equal(seen, 3);
    assert.equal(summary.frames, 3);
  });

  it('reads a file through small chunks the same as from memory', function () {
    const w = new PcapWriter({ linkType: 1 });
    for (let k = 0; k < 3000; k++) w.add(k, frame(k % 700));
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pcap-')), 'big.pcap');
    w.writeFile(file);
    const a: string[] = [];
    const b: string[] = [];
    readFrames(file, (f) => void a.push(`${f.n} ${f.offset} ${Buffer.from(f.data).toString('hex')}`));
    readFramesFromBuffer(fs.readFileSync(file), file, (f) => void b.push(`${f.n} ${f.offset} ${Buffer.from(f.data).toString('hex')}`));
    assert.equal(a.length, 3000);
    assert.deepEqual(a, b);
    assert.ok(fs.statSync(file).size > 1024 * 1024, 'the file spans several 1 MiB chunks');
  });

  it('reports a truncated last record with its byte offset and keeps the frames before it', function () {
    const w = new PcapWriter({ linkType: 1 });
    for (let k = 0; k < 3; k++) w.add(k, frame(k));
    const buf = w.toBuffer();
    const cut = buf.subarray(0, buf.length - 5);
    const { frames, summary } = collect(cut);
    assert.equal(frames.length, 2);
    const lastOffset = 24 + 2 * 16 + frame(0).length + frame(1).length;
    assert.equal(summary.truncatedAt, lastOffset);
    assert.match(summary.warnings[0], new RegExp(`at byte ${lastOffset}`));
  });

  it('rejects a bad magic number naming file and offset', function () {
    const buf = Buffer.alloc(64, 0x41);
    assert.throws(
      () => readFramesFromBuffer(buf, 'junk.pcap', () => undefined),
      (e: unknown) => e instanceof PcapFormatError && e.file === 'junk.pcap' && e.offset === 0 && /junk\.pcap: not a pcap or pcapng file \(magic 0x41414141\) at byte 0/.test(e.message),
    );
  });

  it('rejects an impossible captured length before allocating for it', function () {
    const w = new PcapWriter({ linkType: 1 });
    w.add(0, frame(0));
    w.add(1, frame(1));
    const buf = w.toBuffer();
    const second = 24 + 16 + frame(0).length;
    buf.writeUInt32LE(0x7fffffff, second + 8);
    assert.throws(
      () => readFramesFromBuffer(buf, 'lie.pcap', () => undefined),
      (e: unknown) => e instanceof PcapFormatError && e.offset === second && /impossible captured length 2147483647/.test(e.message),
    );
  });

  it('reads every lab fixture with as many frames as tcpdump printed', function () {
    requireOrSkip(this, hasSharedFixtures(), 'shared lab fixtures (../shared/fixtures/lab)');
    const files = pcapFixtures();
    assert.ok(files.length >= 40, `found ${files.length} fixture pcaps`);
    for (const file of files) {
      const txt = file.replace(/\.pcap$/, '.tcpdump.txt');
      if (!fs.existsSync(txt)) continue;
      const lines = fs.readFileSync(txt, 'utf8').split('\n').filter((l) => /^\d{4}-\d\d-\d\d /.test(l));
      const summary = readFrames(file, () => undefined);
      assert.equal(summary.frames, lines.length, file);
      assert.equal(summary.truncatedAt, undefined, file);
    }
  });
});

describe('PcapFileWriter (streaming to disk)', function () {
  for (const opts of [{}, { nanosecond: true, bigEndian: true }]) {
    it(`writes the same bytes as the in-memory writer ${JSON.stringify(opts)}`, function () {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pcapw-')), 'w.pcap');
      const streamed = new PcapFileWriter(file, { linkType: 1, ...opts });
      const memory = new PcapWriter({ linkType: 1, ...opts });
      // Enough data to flush the 1 MiB buffer a few times.
      for (let k = 0; k < 6000; k++) {
        streamed.add(1000 + k / 7, frame(k % 600), k % 3 === 0 ? 9000 : undefined);
        memory.add(1000 + k / 7, frame(k % 600), k % 3 === 0 ? 9000 : undefined);
      }
      streamed.close();
      assert.ok(fs.readFileSync(file).equals(memory.toBuffer()));
    });
  }
});

describe('classic pcap reader warnings', function () {
  it('caps repeated warnings but always reports truncation', function () {
    const w = new PcapWriter({ linkType: 1 });
    for (let k = 0; k < 200; k++) w.add(k, new Uint8Array(20));
    const buf = w.toBuffer();
    // Fractional timestamps of 2e6 µs in every record, and a cut last record.
    for (let at = 24; at < buf.length; at += 16 + 20) buf.writeUInt32LE(2_000_000, at + 4);
    const s = readFramesFromBuffer(buf.subarray(0, buf.length - 1), 'many.pcap', () => undefined);
    assert.equal(s.frames, 199);
    assert.ok(s.warnings.length <= 52, `${s.warnings.length} warnings`);
    assert.ok(s.warnings.includes('further warnings suppressed'));
    assert.match(s.warnings[s.warnings.length - 1], /file truncated/);
  });
});
