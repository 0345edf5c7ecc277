// Random mutations (bit flips, truncations, splices, overwritten length fields) of real
// and generated captures: reading and decoding must finish, and the only error allowed is
// PcapFormatError.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { decodeFrame, formatPacketLine, packetToJson } from '../../../src/core/decode';
import { PcapFormatError, readFrames, readFramesFromBuffer, type RawFrame, type ReadSummary } from '../../../src/core/pcap';
import { openFrames, readFramesReusingFrame } from '../../../src/core/pcap/read';
import { hasSharedFixtures } from '../../helpers/env';
import { writeSyntheticCaptures } from '../decode/synthetic';
import { pcapFixtures } from './fixtures';

const FRAME_CAP = 5000;

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'splice'; at: number; bytes: number[] }
  | { kind: 'delete'; at: number; len: number }
  | { kind: 'u32'; at: number; value: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 64 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 64 }) }),
  // Length fields that lie: small, huge, off by a little.
  fc.record({ kind: fc.constant('u32' as const), at: fc.nat(), value: fc.oneof(fc.constantFrom(0, 1, 11, 12, 13, 0xffffffff, 0x7fffffff, 262145, 1048577), fc.nat()) }),
);

function apply(buf: Uint8Array, muts: Mutation[]): Uint8Array {
  let b = Buffer.from(buf);
  for (const m of muts) {
    if (b.length === 0) break;
    const at = m.at % b.length;
    if (m.kind === 'flip') b[at] ^= 1 << m.bit;
    else if (m.kind === 'truncate') b = b.subarray(0, at);
    else if (m.kind === 'splice') b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]);
    else if (m.kind === 'delete') b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.len)]);
    else if (at + 4 <= b.length) b.writeUInt32LE(m.value >>> 0, at);
  }
  return b;
}

function decodeAll(read: (cb: Parameters<typeof readFramesFromBuffer>[2]) => unknown): void {
  let n = 0;
  try {
    read((f) => {
      const p = decodeFrame(f);
      formatPacketLine(p);
      JSON.stringify(packetToJson(p));
      return ++n < FRAME_CAP ? undefined : false;
    });
  } catch (e) {
    if (!(e instanceof PcapFormatError)) throw e;
    assert.ok(Number.isInteger(e.offset) && e.offset >= 0, `offset ${e.offset}`);
  }
}

describe('fuzzing the reader and decoder with mutated captures', function () {
  this.timeout(60000);
  const corpus: Array<{ name: string; bytes: Uint8Array }> = [];
  before(function () {
    for (const s of writeSyntheticCaptures()) corpus.push({ name: s.name, bytes: fs.readFileSync(s.file) });
    if (hasSharedFixtures()) {
      // Every link type of the lab fixtures, smallest files first to keep runs fast.
      const seen = new Set<string>();
      for (const f of pcapFixtures().sort((a, b) => fs.statSync(a).size - fs.statSync(b).size)) {
        const bytes = fs.readFileSync(f);
        const key = bytes.subarray(20, 24).toString('hex');
        if (seen.has(key) && corpus.length > 20) continue;
        seen.add(key);
        corpus.push({ name: f, bytes });
      }
    }
  });

  it('never throws anything but PcapFormatError and never hangs (in memory)', function () {
    fc.assert(
      fc.property(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 6 }), (pick, muts) => {
        const input = corpus[pick % corpus.length];
        const bytes = apply(input.bytes, muts);
        decodeAll((cb) => readFramesFromBuffer(bytes, input.name, cb));
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300), seed: Number(process.env.FUZZ_SEED ?? 20261125) },
    );
  });

  it('behaves the same through the chunked file reader', function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pcap-fuzz-'));
    const file = path.join(dir, 'mutated.pcap');
    fc.assert(
      fc.property(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 4 }), (pick, muts) => {
        const input = corpus[pick % corpus.length];
        const bytes = apply(input.bytes, muts);
        fs.writeFileSync(file, bytes);
        const fromFile: string[] = [];
        const fromMemory: string[] = [];
        let errFile = '';
        let errMemory = '';
        try {
          readFrames(file, (f) => void fromFile.push(`${f.n}:${f.offset}:${f.caplen}`));
        } catch (e) {
          if (!(e instanceof PcapFormatError)) throw e;
          errFile = e.message.replace(file, 'F');
        }
        try {
          readFramesFromBuffer(bytes, file, (f) => void fromMemory.push(`${f.n}:${f.offset}:${f.caplen}`));
        } catch (e) {
          if (!(e instanceof PcapFormatError)) throw e;
          errMemory = e.message.replace(file, 'F');
        }
        assert.deepEqual(fromFile, fromMemory);
        assert.equal(errFile, errMemory);
      }),
      { numRuns: 60, seed: Number(process.env.FUZZ_SEED ?? 20261125) },
    );
  });

  it('reads the same in batches (openFrames) as in one go: frames, summary, error', function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pcap-batch-'));
    const file = path.join(dir, 'mutated.pcap');
    const outcome = (read: (cb: (f: RawFrame) => void) => ReadSummary | undefined) => {
      const frames: string[] = [];
      let summary: ReadSummary | undefined;
      let error = '';
      try {
        summary = read((f) => void frames.push(`${f.n}:${f.offset}:${f.caplen}:${f.ts}:${Buffer.from(f.data).toString('hex')}`));
      } catch (e) {
        if (!(e instanceof PcapFormatError)) throw e;
        error = e.message;
      }
      return { frames, summary: summary && { ...summary }, error };
    };
    fc.assert(
      fc.property(fc.nat(), fc.array(mutation, { maxLength: 3 }), fc.integer({ min: 1, max: 40 }), fc.boolean(), (pick, muts, batch, reuse) => {
        const input = corpus[pick % corpus.length];
        fs.writeFileSync(file, apply(input.bytes, muts));
        const whole = outcome((cb) => (reuse ? readFramesReusingFrame(file, cb) : readFrames(file, cb)));
        let failed = false;
        const batched = outcome((cb) => {
          let frames: ReturnType<typeof openFrames>;
          try {
            frames = openFrames(file, reuse);
          } catch (e) {
            // Not a capture at all (the header): nothing to close.
            failed = true;
            throw e;
          }
          try {
            // Each read() but the last delivers a frame or more: bounded even when broken.
            for (let turn = 0; turn <= whole.frames.length + 1; turn++) {
              let more: boolean;
              try {
                more = frames.read(cb, batch);
              } catch (e) {
                // After an error the file is done: read() says so instead of trying again.
                failed = true;
                assert.equal(frames.read(cb, batch), false);
                throw e;
              }
              if (!more) return frames.summary;
            }
            assert.fail(`still more frames after ${whole.frames.length + 2} batches`);
          } finally {
            frames.close();
          }
        });
        assert.deepEqual(batched, whole);
        assert.equal(failed, whole.error !== '');
      }),
      { numRuns: 80, seed: Number(process.env.FUZZ_SEED ?? 20261125) },
    );
  });

  it('decodes arbitrary bytes under every link type without throwing', function () {
    const linkTypes = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 9999];
    fc.assert(
      fc.property(fc.constantFrom(...linkTypes), fc.uint8Array({ maxLength: 200 }), (linkType, data) => {
        const p = decodeFrame({ n: 1, ts: 0, caplen: data.length, wirelen: data.length, linkType, ifIndex: 0, data, offset: 0 });
        formatPacketLine(p);
        JSON.stringify(packetToJson(p));
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300) * 3 },
    );
  });

  it('rejects or truncates a capture whose length fields lie, without buffering towards them', function () {
    // A classic header followed by a record that claims 200 KiB but holds 10 bytes.
    const head = Buffer.alloc(24 + 16 + 10);
    head.writeUInt32LE(0xa1b2c3d4, 0);
    head.writeUInt16LE(2, 4);
    head.writeUInt16LE(4, 6);
    head.writeUInt32LE(262144, 16);
    head.writeUInt32LE(1, 20);
    head.writeUInt32LE(200 * 1024, 24 + 8);
    head.writeUInt32LE(200 * 1024, 24 + 12);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pcap-lie-'));
    const file = path.join(dir, 'lie.pcap');
    fs.writeFileSync(file, head);
    const s = readFrames(file, () => undefined);
    assert.equal(s.frames, 0);
    assert.equal(s.truncatedAt, 24);
  });
});
