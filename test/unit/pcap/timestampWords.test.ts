// pcapng timestamps as two 32-bit words, computed in doubles: the same as BigInt arithmetic
// for every second count and fraction a pcap can hold, at the resolutions writers use.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { timestampWords } from '../../../src/core/pcap/writer';

function byBigInt(sec: number, frac: number, units: number): [number, number] {
  const c = BigInt(sec) * BigInt(units) + BigInt(frac);
  return [Number(c >> 32n), Number(c & 0xffffffffn)];
}

describe('pcap/timestampWords', function () {
  it('agrees with BigInt for any 32-bit second and in-range fraction (µs, ns, 2^-30, 2^-32)', function () {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.constantFrom(1e6, 1e9, 2 ** 30, 2 ** 32, 1e3), fc.double({ min: 0, max: 1, noNaN: true }), (sec, units, f) => {
        const frac = Math.min(units - 1, Math.floor(f * units));
        assert.deepEqual(timestampWords(sec, frac, units), byBigInt(sec, frac, units));
      }),
      { numRuns: 20000 },
    );
  });

  it('edges: zero, the last second, the last fraction; outside the fast range it falls back to BigInt', function () {
    for (const [sec, frac, units] of [
      [0, 0, 1e9],
      [2 ** 32 - 1, 1e9 - 1, 1e9],
      [1795600000, 102339300, 1e9],
      [65535, 2 ** 32 - 1, 2 ** 32],
      [65536, 0, 2 ** 32],
    ]) assert.deepEqual(timestampWords(sec, frac, units), byBigInt(sec, frac, units), `${sec}.${frac} at ${units}/s`);
    assert.deepEqual(timestampWords(2 ** 33, 5, 1e6), byBigInt(2 ** 33, 5, 1e6).map((w, k) => (k === 0 ? w % 2 ** 32 : w)));
  });
});
