// What a real server's own capture says about who it is (see learnRealServerAddresses and
// learnMacs): which addresses accept connections, which addresses and MACs are busiest, and
// each source address's MAC, from the first packets of its capture. Counted as numbers: the
// fast path has the addresses as bytes, and formatting them and hashing the text for each of
// 20,000 packets per real server cost more than the rest of reading them. Text keys remain
// for what has no number form here (IPv6). Read back as Maps of text in first-seen order,
// the order the callers break ties by.

import { formatIpv4, formatMac } from '../decode/addresses';

const scratch = new Uint8Array(6);

/** Dotted quad of an IPv4 address held as 32 bits. */
export function ipv4Text(addr: number): string {
  scratch[0] = addr >>> 24;
  scratch[1] = addr >>> 16;
  scratch[2] = addr >>> 8;
  scratch[3] = addr;
  return formatIpv4(scratch, 0);
}

/** aa:bb:cc:dd:ee:ff of a MAC held as its high 16 bits and low 32. */
export function macText(hi: number, lo: number): string {
  scratch[0] = hi >>> 8;
  scratch[1] = hi;
  scratch[2] = lo >>> 24;
  scratch[3] = lo >>> 16;
  scratch[4] = lo >>> 8;
  scratch[5] = lo;
  return formatMac(scratch, 0);
}

/** The 32 bits of a dotted quad exactly as ipv4Text() writes it, else undefined. */
export function ipv4Number(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let addr = 0;
  for (const part of parts) {
    const b = Number(part);
    if (!Number.isInteger(b) || b < 0 || b > 255 || String(b) !== part) return undefined;
    addr = (addr << 8) | b;
  }
  return addr;
}

const MAC_TEXT = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** [hi, lo] of a MAC exactly as macText() writes it, else undefined. */
export function macNumber(text: string): [number, number] | undefined {
  if (!MAC_TEXT.test(text)) return undefined;
  const b = text.split(':').map((x) => parseInt(x, 16));
  return [(b[0] << 8) | b[1], (b[2] << 24) | (b[3] << 16) | (b[4] << 8) | b[5]];
}

/** NUMBER: an IPv4 address (lo) or a MAC (hi, lo); TEXT: anything else. */
const TEXT = 1;

/**
 * Keys in first-seen order, at most `max`, each with a count and optionally a value: a pair
 * of 32-bit numbers (open addressing over typed arrays, no boxing) or a text.
 */
class OrderedKeys {
  size = 0;
  readonly kind: Uint8Array;
  readonly hi: Int32Array;
  readonly lo: Int32Array;
  readonly counts: Int32Array;
  readonly texts: Array<string | undefined>;
  /** Position + 1 per hash slot; 0: empty. */
  private readonly slots: Int32Array;
  private readonly byText = new Map<string, number>();

  constructor(readonly max: number) {
    this.kind = new Uint8Array(max);
    this.hi = new Int32Array(max);
    this.lo = new Int32Array(max);
    this.counts = new Int32Array(max);
    this.texts = new Array<string | undefined>(max).fill(undefined);
    let n = 16;
    while (n < 2 * max) n *= 2;
    this.slots = new Int32Array(n);
  }

  /** The position of key (hi, lo), added when new and there is room (`added` then says
   *  so); -1: new and no room. Text keys live in `byText`, never in `slots`. */
  find(hi: number, lo: number): number {
    const mask = this.slots.length - 1;
    const h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
    let s = (h ^ (h >>> 15)) & mask;
    for (;;) {
      const p = this.slots[s] - 1;
      if (p < 0) {
        if (this.size >= this.max) return -1;
        const at = this.size++;
        this.hi[at] = hi;
        this.lo[at] = lo;
        this.slots[s] = at + 1;
        this.added = true;
        return at;
      }
      if (this.hi[p] === hi && this.lo[p] === lo) {
        this.added = false;
        return p;
      }
      s = (s + 1) & mask;
    }
  }

  findText(text: string): number {
    const p = this.byText.get(text);
    if (p !== undefined) {
      this.added = false;
      return p;
    }
    if (this.size >= this.max) return -1;
    const at = this.size++;
    this.kind[at] = TEXT;
    this.texts[at] = text;
    this.byText.set(text, at);
    this.added = true;
    return at;
  }

  /** Whether the last find() added its key. */
  added = false;

  text(p: number, asText: (hi: number, lo: number) => string): string {
    return this.kind[p] === TEXT ? (this.texts[p] as string) : asText(this.hi[p], this.lo[p]);
  }
}

const ipAsText = (_hi: number, lo: number): string => ipv4Text(lo);

/** A real server's capture's tallies (see the file's comment). */
export class AddressLearning {
  /** Address -> times it accepted a TCP connection (SYN to it, SYN-ACK from it). */
  private readonly accepts = new OrderedKeys(1024);
  /** Address -> packets from or to it (the fallback when nothing was accepted). */
  private readonly ips = new OrderedKeys(1024);
  /** Unicast MAC -> IP frames it sent or received. */
  private readonly macs = new OrderedKeys(1024);
  /** Source address -> the first source MAC seen with it. */
  private readonly srcMacs = new OrderedKeys(256);
  private readonly srcMacHi = new Int32Array(256);
  private readonly srcMacLo = new Int32Array(256);
  private readonly srcMacText: Array<string | undefined> = new Array<string | undefined>(256).fill(undefined);

  /** One IPv4 frame of the fast path; MACs as (hi, lo), hi -1 when there is none. */
  frame(src: number, dst: number, srcMacHi: number, srcMacLo: number, dstMacHi: number, dstMacLo: number, tcpFlagBits: number): void {
    if (srcMacHi >= 0) {
      const p = this.srcMacs.find(0, src);
      if (p >= 0 && this.srcMacs.added) {
        this.srcMacHi[p] = srcMacHi;
        this.srcMacLo[p] = srcMacLo;
      }
    }
    this.count(this.ips.find(0, src), this.ips);
    this.count(this.ips.find(0, dst), this.ips);
    if ((tcpFlagBits & 0x12) === 0x02) this.count(this.accepts.find(0, dst), this.accepts);
    else if ((tcpFlagBits & 0x12) === 0x12) this.count(this.accepts.find(0, src), this.accepts);
    if (srcMacHi >= 0) this.count(this.macs.find(srcMacHi, srcMacLo), this.macs);
    // Group bit clear: unicast.
    if (dstMacHi >= 0 && ((dstMacHi >>> 8) & 1) === 0) this.count(this.macs.find(dstMacHi, dstMacLo), this.macs);
  }

  /** The same for a decoded packet (addresses as text: numbers where they have that form). */
  packet(src: string | undefined, dst: string | undefined, srcMac: string | undefined, dstMac: string | undefined, tcpFlagBits: number): void {
    if (src !== undefined && srcMac !== undefined) {
      const p = this.findIp(this.srcMacs, src);
      if (p >= 0 && this.srcMacs.added) {
        const m = macNumber(srcMac);
        if (m) {
          this.srcMacHi[p] = m[0];
          this.srcMacLo[p] = m[1];
        } else this.srcMacText[p] = srcMac;
      }
    }
    if (src !== undefined && dst !== undefined) {
      this.count(this.findIp(this.ips, src), this.ips);
      this.count(this.findIp(this.ips, dst), this.ips);
      if ((tcpFlagBits & 0x12) === 0x02) this.count(this.findIp(this.accepts, dst), this.accepts);
      else if ((tcpFlagBits & 0x12) === 0x12) this.count(this.findIp(this.accepts, src), this.accepts);
    }
    if (srcMac !== undefined) this.count(this.findMac(srcMac), this.macs);
    if (dstMac !== undefined && (parseInt(dstMac.slice(0, 2), 16) & 1) === 0) this.count(this.findMac(dstMac), this.macs);
  }

  private count(p: number, keys: OrderedKeys): void {
    if (p >= 0) keys.counts[p]++;
  }

  private findIp(keys: OrderedKeys, text: string): number {
    const n = ipv4Number(text);
    return n !== undefined ? keys.find(0, n) : keys.findText(text);
  }

  private findMac(text: string): number {
    const m = macNumber(text);
    return m ? this.macs.find(m[0], m[1]) : this.macs.findText(text);
  }

  acceptCounts(): Map<string, number> {
    return counted(this.accepts, ipAsText);
  }

  ipCounts(): Map<string, number> {
    return counted(this.ips, ipAsText);
  }

  macCounts(): Map<string, number> {
    return counted(this.macs, macText);
  }

  srcMacByIp(): Map<string, string> {
    const out = new Map<string, string>();
    const k = this.srcMacs;
    for (let p = 0; p < k.size; p++) out.set(k.text(p, ipAsText), this.srcMacText[p] ?? macText(this.srcMacHi[p], this.srcMacLo[p]));
    return out;
  }
}

function counted(k: OrderedKeys, asText: (hi: number, lo: number) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (let p = 0; p < k.size; p++) out.set(k.text(p, asText), k.counts[p]);
  return out;
}
