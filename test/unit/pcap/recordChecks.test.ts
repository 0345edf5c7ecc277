// Records whose lengths disagree with their file (captured length over the snapshot length
// or over the original length), pcapng blocks skipped with a bad trailer, and the exact
// integer timestamp fraction (tsNanos) every reader gives.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { decodeFrame, readPackets } from '../../../src/core/decode';
import { PcapFormatError, PcapngWriter, PcapWriter, readFrames, readFramesFromBuffer, readLiveStream, type RawFrame, type ReadSummary } from '../../../src/core/pcap';
import { readFramesReusingFrame } from '../../../src/core/pcap/read';
import { arp, ether, ipv4, tcp } from '../../helpers/frames';

const M1 = '02:00:c0:00:02:01';
const M2 = '02:00:c0:00:02:02';
/** 42 bytes. */
const ARP = ether({ src: M1, dst: 'ff:ff:ff:ff:ff:ff' }, arp({ op: 'request', senderMac: M1, senderIp: '192.0.2.1', targetMac: '00:00:00:00:00:00', targetIp: '192.0.2.100' }));
/** 74 bytes: a SYN with MSS, SACK-permitted, timestamps and window scale. */
const SYN = ether({ src: M1, dst: M2 }, ipv4({ src: '198.51.100.10', dst: '192.0.2.100', proto: 'tcp', ttl: 63 }, tcp({ sport: 48844, dport: 80, seq: 1684289252, flags: 'S', mss: 1460, sackOk: true, ts: [2691579074, 0], ws: 7 })));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-records-'));

function writeTemp(name: string, buf: Uint8Array): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, buf);
  return file;
}

interface Read {
  frames: Array<{ n: number; caplen: number; wirelen: number; bytes: number; tsNanos?: number; ts: number }>;
  summary: ReadSummary;
}

const keep = (out: Read['frames']) => (f: RawFrame) => void out.push({ n: f.n, caplen: f.caplen, wirelen: f.wirelen, bytes: f.data.length, tsNanos: f.tsNanos, ts: f.ts });

/** The same file through the fresh-frame reader (from memory and from disk) and the reused-frame reader. */
function readAllWays(name: string, buf: Uint8Array): Read[] {
  const file = writeTemp(name, buf);
  const a: Read['frames'] = [];
  const b: Read['frames'] = [];
  const c: Read['frames'] = [];
  return [
    { summary: readFramesFromBuffer(buf, file, keep(a)), frames: a },
    { summary: readFrames(file, keep(b)), frames: b },
    { summary: readFramesReusingFrame(file, keep(c)), frames: c },
  ];
}

describe('pcap readers: record lengths, skipped blocks, exact timestamps', function () {
  describe('captured length bigger than the snapshot length', function () {
    it('classic pcap: one warning with packet number, offset and count; every byte kept', function () {
      const w = new PcapWriter({ linkType: 1, snaplen: 64 });
      w.add(1764080525, ARP);
      w.add(1764080525.1, ARP);
      w.add(1764080525.2, SYN);
      w.add(1764080525.3, ARP);
      w.add(1764080525.4, SYN);
      for (const r of readAllWays('snap.pcap', w.toBuffer())) {
        assert.equal(r.summary.warnings.length, 1, r.summary.warnings.join('\n'));
        // Record 3 starts after the 24-byte header and two 16 + 42-byte records.
        assert.equal(r.summary.warnings[0], "packet 3 (record at byte 140): captured length 74 is bigger than the file's snapshot length 64; all 74 captured bytes are used (2 packets like this in the file)");
        assert.deepEqual(r.frames.map((f) => [f.caplen, f.bytes]), [[42, 42], [42, 42], [74, 74], [42, 42], [74, 74]]);
      }
      // The decoder sees the options past the snapshot length.
      const got: Array<number | undefined> = [];
      readPackets(writeTemp('snap.pcap', w.toBuffer()), (p) => void got.push(p.tcp?.tsval));
      assert.deepEqual(got, [undefined, undefined, 2691579074, undefined, 2691579074]);
    });

    it('reports once per file however many records (not once per record)', function () {
      const w = new PcapWriter({ linkType: 1, snaplen: 64 });
      for (let k = 0; k < 300; k++) w.add(1764080525 + k, SYN);
      for (const r of readAllWays('many.pcap', w.toBuffer())) {
        assert.deepEqual(r.summary.warnings, ["packet 1 (record at byte 24): captured length 74 is bigger than the file's snapshot length 64; all 74 captured bytes are used (300 packets like this in the file)"]);
      }
    });

    it('a zero snapshot length sets no limit', function () {
      const w = new PcapWriter({ linkType: 1, snaplen: 0 });
      w.add(1764080525, SYN);
      for (const r of readAllWays('zero.pcap', w.toBuffer())) assert.deepEqual(r.summary.warnings, []);
    });

    it("pcapng: the interface's snapshot length, with the block offset", function () {
      const w = new PcapngWriter();
      const big = w.addInterface({ linkType: 1 });
      const small = w.addInterface({ linkType: 1, snaplen: 64 });
      w.add(big, 1764080525, SYN);
      w.add(small, 1764080525.1, ARP);
      w.add(small, 1764080525.2, SYN);
      const buf = w.toBuffer();
      const offsets: number[] = [];
      readFramesFromBuffer(buf, 'x', (f) => void offsets.push(f.offset));
      for (const r of readAllWays('snap.pcapng', buf)) {
        assert.deepEqual(r.summary.warnings, [`packet 3 (block at byte ${offsets[2]}): captured length 74 is bigger than its interface's snapshot length 64; all 74 captured bytes are used`]);
        assert.deepEqual(r.frames.map((f) => f.bytes), [74, 42, 74]);
      }
    });

    it('a live stream warns the same way', async function () {
      const w = new PcapWriter({ linkType: 1, snaplen: 64 });
      w.add(1764080525, ARP);
      w.add(1764080525.1, SYN);
      const frames: number[] = [];
      const summary = await readLiveStream(Readable.from([w.toBuffer()]), 'stdin', (f) => void frames.push(f.data.length));
      assert.deepEqual(frames, [42, 74]);
      assert.deepEqual(summary.warnings, ["packet 2 (record at byte 82): captured length 74 is bigger than the stream's snapshot length 64; all 74 captured bytes are used"]);
    });
  });

  describe('captured length bigger than the original length', function () {
    it('classic pcap: warned once with a count, wirelen raised to caplen', function () {
      const w = new PcapWriter({ linkType: 1 });
      w.add(1764080525, ARP);
      w.add(1764080525.1, ARP);
      w.add(1764080525.2, SYN, 60);
      w.add(1764080525.3, SYN, 70);
      w.add(1764080525.4, SYN);
      for (const r of readAllWays('wire.pcap', w.toBuffer())) {
        assert.deepEqual(r.summary.warnings, ['packet 3 (record at byte 140): original length 60 is smaller than the captured length 74; taken as 74 (2 packets like this in the file)']);
        assert.deepEqual(r.frames.map((f) => f.wirelen), [42, 42, 74, 74, 74]);
      }
    });

    it('pcapng and the live stream too', async function () {
      const w = new PcapngWriter();
      const e = w.addInterface({ linkType: 1 });
      w.add(e, 1764080525, SYN, { wirelen: 60 });
      const buf = w.toBuffer();
      const offsets: number[] = [];
      readFramesFromBuffer(buf, 'x', (f) => void offsets.push(f.offset));
      for (const r of readAllWays('wire.pcapng', buf)) {
        assert.deepEqual(r.summary.warnings, [`packet 1 (block at byte ${offsets[0]}): original length 60 is smaller than the captured length 74; taken as 74`]);
        assert.equal(r.frames[0].wirelen, 74);
      }
      const p = new PcapWriter({ linkType: 1 });
      p.add(1764080525, SYN, 60);
      const summary = await readLiveStream(Readable.from([p.toBuffer()]), 'stdin', () => undefined);
      assert.deepEqual(summary.warnings, ['packet 1 (record at byte 24): original length 60 is smaller than the captured length 74; taken as 74']);
    });

    it('both problems in one record: two warnings', function () {
      const w = new PcapWriter({ linkType: 1, snaplen: 64 });
      w.add(1764080525, SYN, 60);
      const [r] = readAllWays('both.pcap', w.toBuffer());
      assert.equal(r.summary.warnings.length, 2);
      assert.match(r.summary.warnings[0], /snapshot length 64/);
      assert.match(r.summary.warnings[1], /original length 60/);
    });
  });

  describe('pcapng blocks skipped unread', function () {
    /** SHB, IDB, EPB, an unknown block of `bodyLen` bytes, EPB; and where the unknown block is. */
    function withUnknownBlock(bodyLen: number): { buf: Buffer; at: number; total: number } {
      const w = new PcapngWriter();
      const e = w.addInterface({ linkType: 1 });
      w.add(e, 1764080525, ARP);
      w.addRawBlock(0xbad, new Uint8Array(bodyLen).fill(0x41));
      w.add(e, 1764080526, SYN);
      const buf = w.toBuffer();
      // Walk the blocks: the unknown one is the fourth.
      let at = 0;
      for (let k = 0; k < 3; k++) at += buf.readUInt32LE(at + 4);
      assert.equal(buf.readUInt32LE(at), 0xbad);
      return { buf, at, total: buf.readUInt32LE(at + 4) };
    }

    it('checks the trailer: a mismatch is a format error naming the block and the byte', function () {
      const { buf, at, total } = withUnknownBlock(16);
      assert.equal(total, 28);
      buf.writeUInt32LE(999, at + total - 4);
      const file = writeTemp('trailer.pcapng', buf);
      for (const read of [() => readFramesFromBuffer(buf, file, () => undefined), () => readFrames(file, () => undefined), () => readFramesReusingFrame(file, () => undefined)]) {
        assert.throws(read, (e: unknown) => {
          assert.ok(e instanceof PcapFormatError);
          assert.equal(e.offset, at + total - 4);
          assert.equal(e.message, `${file}: corrupt block: trailing length differs from leading length; the type 0x00000bad block at byte ${at} has length 28 in its header and 999 in its trailer at byte ${at + total - 4}`);
          return true;
        });
      }
    });

    it('skips a big block with a good trailer without loading it, from a file', function () {
      // Bigger than the reader's window: its trailer is read by seeking.
      const { buf, at, total } = withUnknownBlock(3 * 1024 * 1024);
      const file = writeTemp('big.pcapng', buf);
      const frames: number[] = [];
      const summary = readFrames(file, (f) => void frames.push(f.caplen));
      assert.deepEqual(frames, [42, 74]);
      assert.deepEqual(summary.warnings, []);
      buf.writeUInt32LE(total + 4, at + total - 4);
      writeTemp('big.pcapng', buf);
      const seen: number[] = [];
      assert.throws(() => readFrames(file, (f) => void seen.push(f.caplen)), /trailing length differs/);
      assert.deepEqual(seen, [42]);
    });
  });

  describe('tsNanos: the exact integer fraction', function () {
    it('classic µs and ns records, reused and fresh frames alike', function () {
      for (const nanosecond of [false, true]) {
        const w = new PcapWriter({ linkType: 1, nanosecond });
        const fracs = nanosecond ? [0, 1, 123456789, 999999999] : [0, 1, 123456, 999999];
        for (let k = 0; k < fracs.length; k++) w.add(1795616525, ARP);
        const buf = w.toBuffer();
        fracs.forEach((frac, k) => buf.writeUInt32LE(frac, 24 + k * 58 + 4));
        const want = fracs.map((f) => (nanosecond ? f : f * 1000));
        for (const r of readAllWays(`frac-${nanosecond}.pcap`, buf)) {
          assert.deepEqual(r.frames.map((f) => f.tsNanos), want);
          for (const f of r.frames) assert.equal(Math.round(f.ts - (f.tsNanos ?? 0) / 1e9), 1795616525);
        }
      }
    });

    it('the decoder carries it through a reused frame', function () {
      const w = new PcapWriter({ linkType: 1, nanosecond: true });
      w.add(1795616525, ARP);
      const buf = w.toBuffer();
      buf.writeUInt32LE(999999999, 28);
      const got: Array<number | undefined> = [];
      readFramesReusingFrame(writeTemp('reuse.pcap', buf), (f) => void got.push(decodeFrame(f).tsNanos));
      assert.deepEqual(got, [999999999]);
    });

    it('pcapng at every resolution that holds a date of today in 64 bits: agrees with BigInt arithmetic', function () {
      // 10^-10 s is the finest decimal one (2^64 / 10^10 s is 2028); 2^-32 s lasts to 2106.
      const resolutions = [6, 9, 3, 0, 10, 0x80 | 10, 0x80 | 20, 0x80 | 30, 0x80 | 32];
      const w = new PcapngWriter();
      for (const tsresol of resolutions) w.addInterface({ linkType: 1, tsresol });
      const per = 40;
      for (let k = 0; k < per; k++) for (let i = 0; i < resolutions.length; i++) w.add(i, 0, ARP);
      const buf = w.toBuffer();
      const offsets: number[] = [];
      readFramesFromBuffer(buf, 'x', (f) => void offsets.push(f.offset));
      const units = resolutions.map((r) => (r & 0x80 ? 2n ** BigInt(r & 0x7f) : 10n ** BigInt(r)));
      const secs = fc.sample(fc.integer({ min: 0, max: 2 ** 32 - 1 }), per * resolutions.length);
      const unitFracs = fc.sample(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), per * resolutions.length);
      const expected: Array<[number, number]> = [];
      offsets.forEach((at, k) => {
        const u = units[k % resolutions.length];
        // Edges first (0, the last unit of a second), then random instants.
        const frac = k < 2 * resolutions.length ? (k < resolutions.length ? 0n : u - 1n) : BigInt(Math.floor(unitFracs[k] * Number(u))) % u;
        const maxSec = (2n ** 64n - 1n - frac) / u;
        const sec = k < 2 * resolutions.length ? 1795616525n : BigInt(secs[k]) % (maxSec + 1n);
        const count = sec * u + frac;
        buf.writeUInt32LE(Number((count >> 32n) & 0xffffffffn), at + 12);
        buf.writeUInt32LE(Number(count & 0xffffffffn), at + 16);
        expected.push([Number(sec), Number((frac * 1000000000n) / u)]);
      });
      const got: Array<[number, number]> = [];
      readFramesFromBuffer(buf, 'x', (f) => {
        const ns = f.tsNanos ?? -1;
        got.push([Math.round(f.ts - ns / 1e9), ns]);
      });
      got.forEach((g, k) => assert.deepEqual(g, expected[k], `frame ${k + 1}, tsresol ${resolutions[k % resolutions.length]}`));
    });
  });
});
