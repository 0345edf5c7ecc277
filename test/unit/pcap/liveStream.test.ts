import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { PcapFormatError, PcapWriter, readFrames, readLiveStream, type RawFrame } from '../../../src/core/pcap';
import { hasCommand, hasSharedFixtures, requireOrSkip } from '../../helpers/env';
import { ether, ipv4, udp } from '../../helpers/frames';
import { pcapFixtures } from './fixtures';

const key = (f: RawFrame) => `${f.n} ${f.ts.toFixed(6)} ${f.caplen} ${f.wirelen} ${f.linkType} ${f.offset} ${Buffer.from(f.data).toString('hex')}`;

function fileFrames(file: string): string[] {
  const out: string[] = [];
  readFrames(file, (f) => void out.push(key(f)));
  return out;
}

async function streamFrames(input: Readable, name = 'stream'): Promise<{ frames: string[]; summary: Awaited<ReturnType<typeof readLiveStream>> }> {
  const frames: string[] = [];
  const summary = await readLiveStream(input, name, (f) => void frames.push(key(f)));
  return { frames, summary };
}

function sample(count: number): Buffer {
  const w = new PcapWriter({ linkType: 1 });
  for (let k = 0; k < count; k++) {
    w.add(1764080525 + k / 1000, ether({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' }, ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 'udp', id: k }, udp({ sport: 1000, dport: 9000 }, new Uint8Array(k % 50)))));
  }
  return w.toBuffer();
}

describe('live pcap stream (pcap-parser)', function () {
  this.timeout(20000);

  it('emits the same frames as the file reader for every lab fixture, fed in small chunks', async function () {
    requireOrSkip(this, hasSharedFixtures(), 'shared lab fixtures (../shared/fixtures/lab)');
    for (const file of pcapFixtures()) {
      const expected = fileFrames(file);
      const { frames, summary } = await streamFrames(fs.createReadStream(file, { highWaterMark: 97 }), file);
      assert.deepEqual(frames, expected, file);
      assert.equal(summary.truncatedAt, undefined);
      assert.equal(summary.frames, expected.length);
    }
  });

  it('reads what a real `tcpdump -w -` writes to its stdout', async function () {
    requireOrSkip(this, hasCommand('tcpdump'), 'tcpdump');
    requireOrSkip(this, hasSharedFixtures(), 'shared lab fixtures (../shared/fixtures/lab)');
    const file = pcapFixtures().find((f) => f.endsWith('dr-healthy/pcap/director-eth0.pcap'))!;
    const td = spawn('tcpdump', ['-n', '-r', file, '-U', '-w', '-'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const { frames } = await streamFrames(td.stdout, 'tcpdump');
    assert.deepEqual(frames, fileFrames(file));
  });

  it('reports a stream cut in the middle of a record with the byte offset', async function () {
    const buf = sample(5);
    const cut = buf.subarray(0, buf.length - 3);
    const { frames, summary } = await streamFrames(Readable.from([cut.subarray(0, 50), cut.subarray(50)]));
    assert.equal(frames.length, 4);
    const lastOffset = Number(frames[3].split(' ')[5]) + 16 + Number(frames[3].split(' ')[2]);
    assert.equal(summary.truncatedAt, lastOffset);
    assert.match(summary.warnings[0], new RegExp(`at byte ${lastOffset}`));
  });

  it('rejects a stream that is not microsecond pcap', async function () {
    const ns = Buffer.from(sample(1));
    ns.writeUInt32LE(0xa1b23c4d, 0);
    await assert.rejects(readLiveStream(Readable.from([ns]), 'ns-stream', () => undefined), (e: unknown) => e instanceof PcapFormatError && /ns-stream: not a microsecond pcap stream/.test(e.message));
  });

  it('rejects a record that claims an impossible length before buffering it', async function () {
    const input = new PassThrough();
    const header = sample(0);
    const rec = Buffer.alloc(16 + 100);
    rec.writeUInt32LE(0x7fffffff, 8);
    rec.writeUInt32LE(0x7fffffff, 12);
    const done = readLiveStream(input, 'lying', () => undefined);
    input.write(Buffer.concat([header, rec]));
    // The stream stays open, as a live tcpdump would: the error must not wait for its end.
    await assert.rejects(done, (e: unknown) => e instanceof PcapFormatError && e.offset === 24 && /impossible captured length/.test(e.message));
  });

  it('stops when the callback returns false', async function () {
    let seen = 0;
    const s = await readLiveStream(Readable.from([sample(10)]), 'x', () => (++seen === 3 ? false : undefined));
    assert.equal(s.frames, 3);
    assert.equal(seen, 3);
    assert.equal(s.truncatedAt, undefined, 'stopping early is not a truncation');
    assert.deepEqual(s.warnings, []);
  });
});
