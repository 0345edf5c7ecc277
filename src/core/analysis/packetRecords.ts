// The packet records of one capture point, column by column: a record is an index into
// typed arrays. Addresses and MACs are shared: a record holds the id of an Addressing,
// most of which serve every record of a flow and direction. Hundreds of thousands of
// records then cost a few typed arrays (grown by copying bytes) instead of as many
// objects, or arrays of references, for the garbage collector to copy and trace.

/** Who a packet went from and to. Consecutive packets of a flow share one (see same()). */
export interface Addressing {
  src: string;
  dst: string;
  srcMac: string | undefined;
  dstMac: string | undefined;
  /** IP-in-IP / GRE outer addresses when the packet was encapsulated. */
  outerSrc: string | undefined;
  outerDst: string | undefined;
}

/** `bigger` holding `a`'s values first. */
export function grown<T extends Float64Array | Uint32Array | Int32Array | Int16Array | Uint8Array>(a: T, bigger: T): T {
  bigger.set(a);
  return bigger;
}

/** How many times larger a column of `rows` rows grows. 4 rather than 2: fewer steps, so
 *  less copied into new memory (each copy touches fresh pages, a page fault each: ~3 µs of
 *  kernel time per 4 KiB). Past a million rows 2, so that a huge capture does not reserve
 *  4 times what it needs. */
export function growth(rows: number): number {
  return rows < 1 << 20 ? 4 : 2;
}

/** Sources whose addressings are shared (beyond: each flow has its own, as before). */
const MAX_SHARED_ADDRESSINGS = 1 << 16;

/** A record's `word`: the IP ID in the high 16 bits, then the two direction bits, then the
 *  TCP flag bits + 2 (1: UDP, 0: ICMP) in the low 9. One store per packet instead of four
 *  columns (each another array to grow, copy and fault in). */
const REPLY = 1 << 9;
const DUP = 1 << 10;
const FLAG_BITS = 0x1ff;

/** A record's `word` (see above). */
export function packetWord(reply: boolean, dup: boolean, flagBits: number, ipId: number): number {
  return (ipId << 16) | (dup ? DUP : 0) | (reply ? REPLY : 0) | (flagBits + 2);
}

export class PacketRecords {
  size = 0;
  private cap = 0;
  /** 1-based packet number in the file. */
  n = new Uint32Array(0);
  /** Raw capture time (the lane's clock shift is applied by the reader). */
  ts = new Float64Array(0);
  /** IP ID, direction and TCP flags (see packetWord()). */
  word = new Int32Array(0);
  /** 32-bit TCP numbers (and ICMP type/code): half the bytes of doubles to grow and copy. */
  seq = new Uint32Array(0);
  ack = new Uint32Array(0);
  len = new Int32Array(0);
  /** Source port << 16 | destination port (0: ICMP), as the fast path reads them. */
  ports = new Int32Array(0);
  /** Id of the record's Addressing in `addressings` (the fast path sets it directly: see
   *  PointTable.consumeFrame()). */
  addrId = new Int32Array(0);
  /** Every distinct Addressing (see addressingId()), and the ids by their values. */
  private readonly addressings: Addressing[] = [];
  /** Source -> destination -> ids of the Addressings with those two (a few at most). */
  private readonly addressingIds = new Map<string, Map<string, number[]>>();
  /** Notes of the few records that have one (ICMP), e.g. `ICMP port unreachable`. */
  private readonly notes = new Map<number, string>();

  /** Reserves `count` consecutive records; returns the first index. */
  alloc(count: number): number {
    const at = this.size;
    this.size += count;
    if (this.size > this.cap) this.grow(Math.max(1024, this.size * growth(this.size)));
    return at;
  }

  private grow(cap: number): void {
    this.ts = grown(this.ts, new Float64Array(cap));
    this.n = grown(this.n, new Uint32Array(cap));
    this.word = grown(this.word, new Int32Array(cap));
    this.seq = grown(this.seq, new Uint32Array(cap));
    this.ack = grown(this.ack, new Uint32Array(cap));
    this.len = grown(this.len, new Int32Array(cap));
    this.ports = grown(this.ports, new Int32Array(cap));
    this.addrId = grown(this.addrId, new Int32Array(cap));
    this.cap = cap;
  }

  /** The id of an Addressing with these values: `last` when it has them (consecutive
   *  packets of a flow and direction mostly do), else a new one's. */
  addressingId(last: number, src: string, dst: string, srcMac: string | undefined, dstMac: string | undefined, outerSrc: string | undefined, outerDst: string | undefined): number {
    if (last >= 0) {
      const a = this.addressings[last];
      if (a.src === src && a.dst === dst && a.srcMac === srcMac && a.dstMac === dstMac && a.outerSrc === outerSrc && a.outerDst === outerDst) return last;
    }
    // Flows of one client share their addressing: one object for all of them, found by
    // source and destination (strings the decoder's caches share), then the rest compared.
    let byDst = this.addressingIds.get(src);
    if (byDst === undefined) {
      byDst = new Map();
      if (this.addressingIds.size < MAX_SHARED_ADDRESSINGS) this.addressingIds.set(src, byDst);
    }
    let ids = byDst.get(dst);
    if (ids === undefined) {
      ids = [];
      byDst.set(dst, ids);
    }
    for (let k = 0; k < ids.length; k++) {
      const a = this.addressings[ids[k]];
      if (a.srcMac === srcMac && a.dstMac === dstMac && a.outerSrc === outerSrc && a.outerDst === outerDst) return ids[k];
    }
    this.addressings.push({ src, dst, srcMac, dstMac, outerSrc, outerDst });
    const id = this.addressings.length - 1;
    if (ids.length < 16) ids.push(id);
    return id;
  }

  /** Fills record i (its addressing comes after, see setAddr()). */
  set(i: number, n: number, word: number, seq: number, ack: number, len: number, ports: number, ts: number): void {
    this.n[i] = n;
    this.word[i] = word;
    this.seq[i] = seq;
    this.ack[i] = ack;
    this.len[i] = len;
    this.ports[i] = ports;
    this.ts[i] = ts;
  }

  setAddr(i: number, addressingId: number): void {
    this.addrId[i] = addressingId;
  }

  /** Who record i went from and to. */
  addr(i: number): Addressing {
    return this.addressings[this.addrId[i]];
  }

  /** Notes belong to ICMP records (a record reused for another packet keeps its stale
   *  entry: note() asks only ICMP records, so packets need not clear it). */
  setNote(i: number, note: string): void {
    this.notes.set(i, note);
  }

  note(i: number): string | undefined {
    return this.notes.size > 0 && (this.word[i] & FLAG_BITS) === 0 ? this.notes.get(i) : undefined;
  }

  reply(i: number): boolean {
    return (this.word[i] & REPLY) !== 0;
  }

  dup(i: number): boolean {
    return (this.word[i] & DUP) !== 0;
  }

  /** TCP flag bits; -1 UDP; -2 ICMP (then seq/ack hold the ICMP type/code). */
  flagBits(i: number): number {
    return (this.word[i] & FLAG_BITS) - 2;
  }

  ipId(i: number): number {
    return this.word[i] >>> 16;
  }

  /** Ports as the hop shows them (ICMP has none). */
  sport(i: number): number | undefined {
    return (this.word[i] & FLAG_BITS) === 0 ? undefined : this.ports[i] >>> 16;
  }

  dport(i: number): number | undefined {
    return (this.word[i] & FLAG_BITS) === 0 ? undefined : this.ports[i] & 0xffff;
  }

  /** Hash of what identifies the packet at every point (see sameKey()). */
  sig(i: number): number {
    return packetSig(this.reply(i), this.ipId(i), this.seq[i], this.ack[i], this.flagBits(i), this.len[i]);
  }

  /** Same packet (as far as IPVS leaves it alone) as record j of `o`? */
  sameKey(i: number, o: PacketRecords, j: number): boolean {
    // The words once the copy bit is left out: IP ID, direction and flags.
    return ((this.word[i] ^ o.word[j]) & ~DUP) === 0 && this.seq[i] === o.seq[j] && this.ack[i] === o.ack[j] && this.len[i] === o.len[j];
  }
}

/** 32-bit hash of the fields sameKey() compares. */
export function packetSig(reply: boolean, ipId: number, seq: number, ack: number, flagBits: number, len: number): number {
  let h = Math.imul(ipId + 1, 0x9e3779b1) ^ seq;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b) ^ ack;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) ^ ((flagBits & 0xff) << 16) ^ len;
  return (reply ? h ^ 0x5bd1e995 : h) >>> 0;
}
