import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PcapFormatError, PcapngWriter, readFrames, readFramesFromBuffer, type RawFrame, type ReadSummary } from '../../../src/core/pcap';
import { hasCommand, requireOrSkip } from '../../helpers/env';
import { ether, ipv4, sll2, udp } from '../../helpers/frames';

const ip = (k: number) => ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 'udp', id: k }, udp({ sport: 1000 + k, dport: 9000 }, new Uint8Array(k % 5)));
const eth = (k: number) => ether({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' }, ip(k));

function readAll(buf: Uint8Array): { frames: Array<RawFrame & { bytes: string }>; summary: ReadSummary } {
  const frames: Array<RawFrame & { bytes: string }> = [];
  const summary = readFramesFromBuffer(buf, 'test.pcapng', (f) => void frames.push({ ...f, bytes: Buffer.from(f.data).toString('hex') }));
  return { frames, summary };
}

/** Three interfaces with different link types and timestamp resolutions. */
function multiInterface(bigEndian: boolean): Buffer {
  const w = new PcapngWriter({ bigEndian });
  const e = w.addInterface({ linkType: 1, name: 'eth0' }); // default µs
  const r = w.addInterface({ linkType: 101, name: 'tunl0', tsresol: 9 }); // ns
  const s = w.addInterface({ linkType: 276, name: 'any', tsresol: 0x80 | 10 }); // 2^-10 s
  w.addRawBlock(0x80000001, new Uint8Array([9, 9, 9])); // local-use block: skipped
  w.add(e, 1700000000.25, eth(0));
  w.add(r, 1700000000.5, ip(1), { wirelen: 1500 });
  w.addRawBlock(4, new Uint8Array(4)); // name resolution block: skipped
  w.add(s, 1700000000.75, sll2({ packetType: 4 }, ip(2)));
  w.add(e, 1700000001, eth(3));
  return w.toBuffer();
}

describe('pcapng reader', function () {
  for (const bigEndian of [false, true]) {
    it(`reads several interfaces with their own link types and resolutions (${bigEndian ? 'big' : 'little'}-endian)`, function () {
      const { frames, summary } = readAll(multiInterface(bigEndian));
      assert.equal(summary.format, 'pcapng');
      assert.deepEqual(summary.linkTypes, [1, 101, 276]);
      assert.deepEqual(summary.warnings, []);
      assert.deepEqual(frames.map((f) => [f.n, f.linkType, f.ifIndex]), [[1, 1, 0], [2, 101, 1], [3, 276, 2], [4, 1, 0]]);
      assert.deepEqual(frames.map((f) => f.ts), [1700000000.25, 1700000000.5, 1700000000.75, 1700000001]);
      assert.equal(frames[1].wirelen, 1500);
      assert.equal(frames[1].caplen, ip(1).length);
      assert.equal(frames[0].bytes, Buffer.from(eth(0)).toString('hex'));
      assert.equal(frames[2].bytes, Buffer.from(sll2({ packetType: 4 }, ip(2))).toString('hex'));
    });
  }

  it('honours if_tsoffset and reads simple packet blocks', function () {
    // Hand-made little-endian section: SHB, IDB (snaplen 20, tsoffset 100 s), SPB.
    const blocks: Buffer[] = [];
    const block = (type: number, body: Buffer) => {
      const b = Buffer.alloc(12 + body.length);
      b.writeUInt32LE(type, 0);
      b.writeUInt32LE(b.length, 4);
      body.copy(b, 8);
      b.writeUInt32LE(b.length, b.length - 4);
      blocks.push(b);
    };
    const shb = Buffer.alloc(16);
    shb.writeUInt32LE(0x1a2b3c4d, 0);
    shb.writeUInt16LE(1, 4);
    shb.writeInt32LE(-1, 8);
    shb.writeInt32LE(-1, 12);
    block(0x0a0d0d0a, shb);
    const idb = Buffer.alloc(8 + 12 + 4);
    idb.writeUInt16LE(1, 0);
    idb.writeUInt32LE(20, 4);
    idb.writeUInt16LE(14, 8); // if_tsoffset
    idb.writeUInt16LE(8, 10);
    idb.writeUInt32LE(100, 12);
    block(1, idb);
    const frame = Buffer.from(eth(0));
    const spbBody = Buffer.alloc(4 + ((frame.length + 3) & ~3));
    spbBody.writeUInt32LE(frame.length, 0);
    frame.copy(spbBody, 4);
    block(3, spbBody);
    const epb = Buffer.alloc(20 + 4);
    epb.writeUInt32LE(0, 0);
    epb.writeUInt32LE(0, 4);
    epb.writeUInt32LE(5000000, 8); // 5 s in µs
    epb.writeUInt32LE(4, 12);
    epb.writeUInt32LE(4, 16);
    block(6, epb);
    const { frames } = readAll(Buffer.concat(blocks));
    assert.equal(frames.length, 2);
    assert.equal(frames[0].caplen, 20, 'SPB captured length is capped by the interface snaplen');
    assert.equal(frames[0].wirelen, frame.length);
    assert.equal(frames[1].ts, 105);
  });

  it('starts a new numbering of interfaces and a new byte order with each section', function () {
    const a = new PcapngWriter({ bigEndian: false });
    a.add(a.addInterface({ linkType: 1 }), 1, eth(0));
    const b = new PcapngWriter({ bigEndian: true });
    b.add(b.addInterface({ linkType: 101 }), 2, ip(1));
    const { frames, summary } = readAll(Buffer.concat([a.toBuffer(), b.toBuffer()]));
    assert.deepEqual(frames.map((f) => [f.n, f.linkType, f.ifIndex, f.ts]), [[1, 1, 0, 1], [2, 101, 0, 2]]);
    assert.deepEqual(summary.linkTypes, [1, 101]);
  });

  it('reports a truncated block with its offset and keeps the packets before it', function () {
    const buf = multiInterface(false);
    const { frames: all } = readAll(buf);
    const cut = buf.subarray(0, all[3].offset + 10);
    const { frames, summary } = readAll(cut);
    assert.equal(frames.length, 3);
    assert.equal(summary.truncatedAt, all[3].offset);
    assert.match(summary.warnings.join('\n'), new RegExp(`at byte ${all[3].offset}`));
  });

  it('a file cut inside its section header block is not a capture, as a classic pcap cut in its header is not', function () {
    const w = new PcapngWriter({ application: 'long enough an application name for a section header block of more than 100 bytes' });
    w.add(w.addInterface({ linkType: 1 }), 1, eth(0));
    const whole = w.toBuffer();
    const shbLength = whole.readUInt32LE(4);
    assert.ok(shbLength > 100);
    for (const size of [4, 11, 12, 100, shbLength - 1]) {
      assert.throws(
        () => readAll(whole.subarray(0, size)),
        (e: unknown) => e instanceof PcapFormatError && /file ends inside its pcapng section header block/.test(e.message) && e.offset === size,
        `cut at ${size}`,
      );
    }
    // Cut right after it: a section without interfaces or packets, read as such.
    assert.equal(readAll(whole.subarray(0, shbLength)).frames.length, 0);
    const classic = Buffer.alloc(20);
    classic.writeUInt32LE(0xa1b2c3d4, 0);
    assert.throws(() => readFramesFromBuffer(classic, 'cut.pcap', () => undefined), /file ends inside its pcap file header/);
  });

  it('rejects corrupt blocks naming the file and offset', function () {
    const buf = multiInterface(false);
    const { frames } = readAll(buf);
    const at = frames[1].offset;
    const bad = (mutate: (b: Buffer) => void, re: RegExp, offset: number) => {
      const b = Buffer.from(buf);
      mutate(b);
      assert.throws(
        () => readFramesFromBuffer(b, 'cap.pcapng', () => undefined),
        (e: unknown) => e instanceof PcapFormatError && e.file === 'cap.pcapng' && e.offset === offset && re.test(e.message),
      );
    };
    bad((b) => b.writeUInt32LE(b.readUInt32LE(at + 4) + 2, at + 4), /not a multiple of 4/, at + 4);
    bad((b) => b.writeUInt32LE(8, at + 4), /total length 8/, at + 4);
    const total = buf.readUInt32LE(at + 4);
    bad((b) => b.writeUInt32LE(total + 4, at + total - 4), /trailing length differs/, at + total - 4);
    bad((b) => b.writeUInt32LE(7, at + 8), /interface 7/, at + 8);
    bad((b) => b.writeUInt32LE(0x12345678, 8), /byte-order magic/, 8);
    bad((b) => b.writeUInt32LE(0x7fffff00, at + 4), /impossible block length/, at + 4);
  });

  it('writes per-packet comments that tshark reads back', function () {
    requireOrSkip(this, hasCommand('tshark'), 'tshark');
    const w = new PcapngWriter();
    const e = w.addInterface({ linkType: 1, name: 'director-eth0' });
    w.add(e, 1700000000, eth(0), { comment: 'rs-no-reply: 192.0.2.11 never answered' });
    w.add(e, 1700000001, eth(1));
    w.add(e, 1700000002, eth(2), { comment: 'ünïcode, tabs\tand "quotes"' });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pcapng-')), 'comments.pcapng');
    w.writeFile(file);
    const out = execFileSync('tshark', ['-n', '-r', file, '-T', 'fields', '-e', 'frame.number', '-e', 'frame.comment', '-e', 'frame.interface_name'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const rows = out.trim().split('\n').map((l) => l.split('\t'));
    assert.deepEqual(rows.map((r) => r[0]), ['1', '2', '3']);
    assert.equal(rows[0][1], 'rs-no-reply: 192.0.2.11 never answered');
    assert.equal(rows[1][1], '');
    assert.equal(rows[0][2], 'director-eth0');
    // tshark escapes the tab in field output.
    assert.equal(rows[2][1].replace(/\\t/g, '\t'), 'ünïcode, tabs\tand "quotes"');
    assert.equal(readFrames(file, () => undefined).frames, 3);
  });
});
