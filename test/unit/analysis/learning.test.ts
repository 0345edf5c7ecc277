// AddressLearning counts as numbers what the analysis reads back as text: it must give the
// Maps (same keys, counts and first-seen order, same bounds) that counting the text does.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { AddressLearning, ipv4Number, ipv4Text, macNumber, macText } from '../../../src/core/analysis/learning';

/** The text model: what the tallies mean, counted in Maps of text. */
class TextModel {
  srcMacByIp = new Map<string, string>();
  acceptCounts = new Map<string, number>();
  ipCounts = new Map<string, number>();
  macCounts = new Map<string, number>();

  packet(src: string | undefined, dst: string | undefined, srcMac: string | undefined, dstMac: string | undefined, bits: number): void {
    if (src !== undefined && srcMac !== undefined && this.srcMacByIp.size < 256 && !this.srcMacByIp.has(src)) this.srcMacByIp.set(src, srcMac);
    if (src !== undefined && dst !== undefined) {
      count(this.ipCounts, src);
      count(this.ipCounts, dst);
      if ((bits & 0x12) === 0x02) count(this.acceptCounts, dst);
      else if ((bits & 0x12) === 0x12) count(this.acceptCounts, src);
    }
    if (srcMac !== undefined) count(this.macCounts, srcMac);
    if (dstMac !== undefined && (parseInt(dstMac.slice(0, 2), 16) & 1) === 0) count(this.macCounts, dstMac);
  }
}

function count(m: Map<string, number>, k: string): void {
  const c = m.get(k);
  if (c !== undefined) m.set(k, c + 1);
  else if (m.size < 1024) m.set(k, 1);
}

interface Pkt {
  src: number;
  dst: number;
  srcMac?: [number, number];
  dstMac?: [number, number];
  bits: number;
  /** Decoded (text) rather than the fast path; v6: with IPv6 addresses (text keys only). */
  decoded: boolean;
  v6: boolean;
}

// Few distinct values, so keys repeat; many, so the bounds are reached.
const addr = (n: number) => fc.oneof(fc.integer({ min: 0, max: n }).map((i) => (0xc0000200 + i) | 0), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));
const mac = fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));
const smallMac = fc.tuple(fc.constantFrom(0x0200, 0x0100, 0xffff), fc.integer({ min: 0, max: 5 }));
const pkt = (n: number): fc.Arbitrary<Pkt> =>
  fc.record({
    src: addr(n),
    dst: addr(n),
    srcMac: fc.option(fc.oneof(smallMac, mac), { nil: undefined }),
    dstMac: fc.option(fc.oneof(smallMac, mac), { nil: undefined }),
    bits: fc.constantFrom(0x02, 0x12, 0x10, 0x18, 0x04, 0),
    decoded: fc.boolean(),
    v6: fc.integer({ min: 0, max: 9 }).map((x) => x < 2),
  });

function v6(n: number): string {
  return `2001:db8::${(n >>> 0).toString(16)}`;
}

function feed(packets: Pkt[]): { numbers: AddressLearning; model: TextModel } {
  const numbers = new AddressLearning();
  const model = new TextModel();
  for (const p of packets) {
    const src = p.v6 ? v6(p.src) : ipv4Text(p.src);
    const dst = p.v6 ? v6(p.dst) : ipv4Text(p.dst);
    const srcMac = p.srcMac && macText(p.srcMac[0], p.srcMac[1]);
    const dstMac = p.dstMac && macText(p.dstMac[0], p.dstMac[1]);
    model.packet(src, dst, srcMac, dstMac, p.bits);
    if (p.decoded || p.v6) numbers.packet(src, dst, srcMac, dstMac, p.bits);
    else numbers.frame(p.src, p.dst, p.srcMac?.[0] ?? -1, p.srcMac?.[1] ?? 0, p.dstMac?.[0] ?? -1, p.dstMac?.[1] ?? 0, p.bits);
  }
  return { numbers, model };
}

function assertSame(numbers: AddressLearning, model: TextModel): void {
  assert.deepStrictEqual([...numbers.srcMacByIp()], [...model.srcMacByIp]);
  assert.deepStrictEqual([...numbers.acceptCounts()], [...model.acceptCounts]);
  assert.deepStrictEqual([...numbers.ipCounts()], [...model.ipCounts]);
  assert.deepStrictEqual([...numbers.macCounts()], [...model.macCounts]);
}

describe('analysis: address learning by numbers', () => {
  it('turns numbers and text into each other exactly, and refuses other forms', () => {
    for (const n of [0, 1, 0x7fffffff, -1, 0xc0000264 | 0]) assert.equal(ipv4Number(ipv4Text(n)), n);
    assert.equal(ipv4Text(0xc0000264 | 0), '192.0.2.100');
    assert.deepStrictEqual(macNumber(macText(0x0200, 0xc000020b)), [0x0200, 0xc000020b | 0]);
    assert.equal(macText(0x0200, 0xc000020b | 0), '02:00:c0:00:02:0b');
    for (const bad of ['1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.256', '::1', '', '1.2.3.-0']) assert.equal(ipv4Number(bad), undefined, bad);
    for (const bad of ['02:00:C0:00:02:0B', '02:00:c0:00:02', '0200c000020b', '02-00-c0-00-02-0b']) assert.equal(macNumber(bad), undefined, bad);
  });

  it('gives the Maps counting the text gives: keys, counts, first-seen order (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(pkt(20), { maxLength: 300 }), (packets) => {
        const { numbers, model } = feed(packets);
        assertSame(numbers, model);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps the same bounds: 1024 counted keys, 256 source MACs', () => {
    const packets: Pkt[] = [];
    for (let i = 0; i < 1500; i++) packets.push({ src: i, dst: 0x0a000001, srcMac: [0x0200, i], dstMac: [0x0200, 1], bits: 0x02, decoded: i % 7 === 0, v6: i % 11 === 0 });
    const { numbers, model } = feed(packets);
    assert.equal(numbers.ipCounts().size, 1024);
    assert.equal(numbers.srcMacByIp().size, 256);
    assertSame(numbers, model);
  });
});
