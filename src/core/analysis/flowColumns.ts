// The state of one capture point's flows while its pcap is read, column by column: a
// flow is an id, and every number it keeps lives at that id in a typed array. Packets
// then update numbers in place, with no object per flow whose field types V8 would have
// to track (a field turning from integer to double, or from undefined to a string,
// throws away the optimised code of every function that touched it, and in a fresh
// process compiling that code again costs about as much as reading the packets). Strings and
// objects, which change rarely, sit in plain arrays beside them. Flow objects for the
// correlation are made once the capture is read (see Flow in flowTable.ts).

import { grown, growth, type PacketRecords } from './packetRecords';

/** Per-flow counters, at id * COUNTS + one of these. Each request / client counter is
 *  followed by its reply / server one (countPacket() adds 1 for a reply; REQ_ACKS counts
 *  requests only). */
export const REQ = 0;
export const REP = 1;
export const REQ_DUP = 2;
export const REP_DUP = 3;
export const SYNS = 4;
export const SYN_ACKS = 5;
export const REQ_ACKS = 6;
export const FIN_C = 7;
export const FIN_S = 8;
export const RST_C = 9;
export const RST_S = 10;
export const RETRANS_C = 11;
export const RETRANS_S = 12;
export const ICMP_TO_CLIENT = 13;
export const ICMP_FROM_CLIENT = 14;
export const COUNTS = 16;

/** Small distinct lists per flow, at id * LISTS + one of these. */
export const REQ_DSTS = 0;
export const DUP_DSTS = 1;
export const REPLY_SRCS = 2;
export const REQ_SRC_MACS = 3;
export const REQ_DST_MACS = 4;
export const DUP_DST_MACS = 5;
export const REP_SRC_MACS = 6;
export const REP_DST_MACS = 7;
export const ENCAP_DSTS = 8;
const LISTS = 9;

/** Last value pushed to a list, per flow (most packets repeat it: the push is skipped). */
export const LAST_REQ_DST = 0;
export const LAST_REP_SRC = 1;
export const LAST_REQ_SRC_MAC = 2;
export const LAST_REP_DST_MAC = 3;
export const LAST_DUP_DST_MAC = 4;
const LASTS = 5;

/** Addressing of the last record per flow and direction, at id * 3 + one of these. */
export const ADDR_REQ = 0;
export const ADDR_DUP = 1;
export const ADDR_REP = 2;

/** What a packet is to its flow: request, forwarded copy of a request, reply, copy of a
 *  reply (kind = reply * 2 + copy). The fast path remembers the addresses of the last
 *  packet of each kind per flow, as numbers (KEY slots per kind). */
export const KINDS = 4;
export const KEY = 8;

export function kindOf(reply: boolean, dup: boolean): number {
  return (reply ? 2 : 0) + (dup ? 1 : 0);
}

/** Record bookkeeping per flow, at id * RECS + one of these: where the head and the tail
 *  ring start (-1: not yet), and how many packets slot() placed. The head's and the tail's
 *  lengths, the ring's oldest position and the packets skipped all follow from that count. */
const HEAD_START = 0;
const TAIL_START = 1;
const PLACED = 2;
const RECS = 3;

/** Signatures of the last RING packets per flow (forwarded-copy detection); a power of two. */
export const RING = 8;

/** Packet records kept per flow and point: the first MAX_HEAD and the last MAX_TAIL (the
 *  rest is only counted), so a long connection still shows its start and its end. */
export const MAX_HEAD = 12;
export const MAX_TAIL = 4;

const MAX_SMALL = 6;

/** The empty list every flow starts with. */
export const NONE: string[] = Object.freeze([]) as unknown as string[];

/** Lists of one value, shared by every flow whose list holds just that value (nearly all
 *  of them: the same VIP, the same MACs), so a flow's lists cost no memory of their own.
 *  Lists are therefore never changed in place: pushSmall() returns a new one. Bounded. */
const singletons = new Map<string, string[]>();
const MAX_SINGLETONS = 1 << 16;

/** `list` with `v` added when it lacks it and holds fewer than MAX_SMALL values. */
export function pushSmall(list: string[], v: string | undefined): string[] {
  if (v === undefined || list.length >= MAX_SMALL || list.includes(v)) return list;
  if (list.length > 0) return [...list, v];
  let one = singletons.get(v);
  if (one === undefined) {
    one = Object.freeze([v]) as unknown as string[];
    if (singletons.size < MAX_SINGLETONS) singletons.set(v, one);
  }
  return one;
}

/** Values that flows hold by reference (their lists, the last texts pushed), as small
 *  integer ids: each flow then keeps numbers in typed arrays, which grow by a byte copy and
 *  which the garbage collector neither traces nor guards with a write barrier per store
 *  (as reference columns, 14 slots per flow were a tenth of the flow table's time). */
class Interned<T> {
  private readonly values: T[] = [];
  private readonly ids = new Map<T, number>();

  constructor(...first: T[]) {
    for (const v of first) this.idOf(v);
  }

  idOf(v: T): number {
    let id = this.ids.get(v);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(v);
      this.ids.set(v, id);
    }
    return id;
  }

  value(id: number): T {
    return this.values[id];
  }
}

/** Entries of FlowColumns.firsts, and Int32 slots per entry: direction, source and
 *  destination address, the server's port, the MACs as three words, 1 when set, which MACs;
 *  then the seven values recallFirst() copies. */
const FIRSTS = 1024;
const FIRST = 16;

/** Per direction (ADDR_*), what noteAddresses() sets on its first copy: two last texts, a
 *  lastPorts slot (0 request destination, 1 reply source) and three lists; -1: none. */
// prettier-ignore
const FIRST_SLOTS = Int8Array.of(
  LAST_REQ_DST, LAST_REQ_SRC_MAC, 0, REQ_DSTS, REQ_SRC_MACS, REQ_DST_MACS,
  LAST_DUP_DST_MAC, -1, -1, DUP_DSTS, DUP_DST_MACS, -1,
  LAST_REP_SRC, LAST_REP_DST_MAC, 1, REPLY_SRCS, REP_SRC_MACS, REP_DST_MACS,
);

function firstSlot(dir: number, srcIp: number, dstIp: number, port: number, mac0: number, mac1: number, mac2: number): number {
  const h = Math.imul(srcIp ^ Math.imul(dstIp, 0x9e3779b1) ^ port ^ mac0 ^ mac1 ^ mac2, 0x85ebca6b);
  return (h ^ (h >>> 16) ^ dir) & (FIRSTS - 1);
}

/** lastValues' id of '' (undefined is 0). */
const EMPTY_TEXT = 1;

export class FlowColumns {
  count = 0;
  private cap = 0;
  first = new Float64Array(0);
  last = new Float64Array(0);
  /** Client's initial sequence number when its SYN was seen (TCP), else -1. */
  gen = new Float64Array(0);
  /** End of the highest sequence range seen, client then server (-1: none yet). */
  seqEnd = new Float64Array(0);
  counts = new Int32Array(0);
  ring = new Uint32Array(0);
  /** Per flow, the ring's fill and next position in one byte: below RING, both are that
   *  value; from RING on, the ring is full and the next position is the value - RING. */
  ringState = new Uint8Array(0);
  /** Per flow, two masks of the ring's signatures (bit `sig & 31` each): of those written in
   *  the ring's current lap, and in the lap before. Every signature in the ring has its bit
   *  in one of them, so a packet whose bit is in neither is no copy, without a scan of the
   *  ring (that way for about two packets in three). */
  ringBits = new Int32Array(0);
  recs = new Int32Array(0);
  cport = new Int32Array(0);
  /** 0 TCP, 1 UDP. */
  udp = new Uint8Array(0);
  /** Replaced by a new connection from the same client port. */
  retired = new Uint8Array(0);
  /** Status of the first HTTP response seen (health checks); 0: none. */
  httpStatus = new Int16Array(0);
  /** Ports of the last request destination and reply source pushed (see LAST_*). */
  lastPorts = new Int32Array(0);
  client: string[] = [];
  icmpNote: Array<string | undefined> = [];
  /** Per flow and list (id * LISTS + which): the list's id in `listValues` (0: NONE). Lists
   *  are never changed in place (see pushSmall()), so one id stands for one list. */
  private lists = new Int32Array(0);
  private readonly listValues = new Interned<string[]>(NONE);
  /** Per flow and LAST_*: the text's id in `lastValues` (0: undefined, 1: ''). */
  private lasts = new Int32Array(0);
  private readonly lastValues = new Interned<string | undefined>(undefined, '');
  /** Per flow and direction (ADDR_*): id of the last record's Addressing (-1: none). */
  addr = new Int32Array(0);
  /** Per flow, bit `1 << dir` per direction (ADDR_*) once anything of fresh() changed. */
  private touched = new Uint8Array(0);
  /** Per flow and kind: source and destination address, ports, the MACs as three words,
   *  which MACs the frame has + 1 (0: nothing kept, see consumeFrame()) and the Addressing id
   *  of the packet they describe (see sameAddresses()). */
  keys = new Int32Array(0);
  /** See recallFirst(): direct-mapped by addresses (many clients' flows interleave). */
  private readonly firsts = new Int32Array(FIRSTS * FIRST);

  /** A new flow; returns its id. */
  add(udp: boolean, client: string, cport: number, gen: number): number {
    const id = this.count++;
    if (this.count > this.cap) this.grow(Math.max(256, this.cap * growth(this.cap)));
    this.first[id] = Infinity;
    this.gen[id] = gen;
    this.seqEnd[2 * id] = -1;
    this.seqEnd[2 * id + 1] = -1;
    this.recs[id * RECS + HEAD_START] = -1;
    this.recs[id * RECS + TAIL_START] = -1;
    this.cport[id] = cport;
    this.udp[id] = udp ? 1 : 0;
    this.lastPorts[2 * id] = -1;
    this.lastPorts[2 * id + 1] = -1;
    // Appended in id order: the arrays stay dense.
    this.client[id] = client;
    this.icmpNote[id] = undefined;
    this.lasts[id * LASTS + LAST_REQ_DST] = EMPTY_TEXT;
    this.lasts[id * LASTS + LAST_REP_SRC] = EMPTY_TEXT;
    this.addr[3 * id] = -1;
    this.addr[3 * id + 1] = -1;
    this.addr[3 * id + 2] = -1;
    return id;
  }

  private grow(cap: number): void {
    this.first = grown(this.first, new Float64Array(cap));
    this.last = grown(this.last, new Float64Array(cap));
    this.gen = grown(this.gen, new Float64Array(cap));
    this.seqEnd = grown(this.seqEnd, new Float64Array(2 * cap));
    this.counts = grown(this.counts, new Int32Array(COUNTS * cap));
    this.ring = grown(this.ring, new Uint32Array(RING * cap));
    this.ringState = grown(this.ringState, new Uint8Array(cap));
    this.ringBits = grown(this.ringBits, new Int32Array(2 * cap));
    this.recs = grown(this.recs, new Int32Array(RECS * cap));
    this.cport = grown(this.cport, new Int32Array(cap));
    this.udp = grown(this.udp, new Uint8Array(cap));
    this.retired = grown(this.retired, new Uint8Array(cap));
    this.httpStatus = grown(this.httpStatus, new Int16Array(cap));
    this.lastPorts = grown(this.lastPorts, new Int32Array(2 * cap));
    this.addr = grown(this.addr, new Int32Array(3 * cap));
    this.touched = grown(this.touched, new Uint8Array(cap));
    this.keys = grown(this.keys, new Int32Array(KINDS * KEY * cap));
    this.lists = grown(this.lists, new Int32Array(LISTS * cap));
    this.lasts = grown(this.lasts, new Int32Array(LASTS * cap));
    this.cap = cap;
  }

  count1(id: number, which: number): void {
    this.counts[id * COUNTS + which]++;
  }

  get(id: number, which: number): number {
    return this.counts[id * COUNTS + which];
  }

  list(id: number, which: number): string[] {
    return this.listValues.value(this.lists[id * LISTS + which]);
  }

  push(id: number, which: number, v: string | undefined): void {
    const at = id * LISTS + which;
    const list = this.listValues.value(this.lists[at]);
    const next = pushSmall(list, v);
    if (next !== list) this.lists[at] = this.listValues.idOf(next);
  }

  lastText(id: number, which: number): string | undefined {
    return this.lastValues.value(this.lasts[id * LASTS + which]);
  }

  setLastText(id: number, which: number, v: string | undefined): void {
    this.lasts[id * LASTS + which] = this.lastValues.idOf(v);
  }

  /** Whether the last packet of this kind in the flow had exactly these addresses, ports
   *  and MACs: then this one leaves the flow's lists as they are and shares its addressing
   *  (kindAddr). */
  sameAddresses(id: number, kind: number, srcIp: number, dstIp: number, ports: number, mac0: number, mac1: number, mac2: number, macKind: number): boolean {
    const k = (id * KINDS + kind) * KEY;
    const keys = this.keys;
    return (
      keys[k] === srcIp &&
      keys[k + 1] === dstIp &&
      keys[k + 2] === ports &&
      keys[k + 3] === mac0 &&
      keys[k + 4] === mac1 &&
      keys[k + 5] === mac2 &&
      keys[k + 6] === macKind + 1
    );
  }

  setAddresses(id: number, kind: number, srcIp: number, dstIp: number, ports: number, mac0: number, mac1: number, mac2: number, macKind: number, addressingId: number): void {
    const k = (id * KINDS + kind) * KEY;
    const keys = this.keys;
    keys[k] = srcIp;
    keys[k + 1] = dstIp;
    keys[k + 2] = ports;
    keys[k + 3] = mac0;
    keys[k + 4] = mac1;
    keys[k + 5] = mac2;
    keys[k + 6] = macKind + 1;
    keys[k + 7] = addressingId;
  }

  /** A packet of this kind came the long way (decoded): the next one checks in full. */
  forgetAddresses(id: number, kind: number): void {
    this.keys[(id * KINDS + kind) * KEY + 6] = 0;
  }

  /** The k-th value (0–5, see FIRST_SLOTS) noteAddresses() sets on a flow's first copy in
   *  direction `dir`: an id in `lasts` (k 0, 1), a port in `lastPorts` (k 2) or a list id
   *  in `lists` (k 3–5); `fallback` when the direction has no such value. */
  private firstValue(id: number, dir: number, k: number, fallback: number): number {
    const slot = FIRST_SLOTS[dir * 6 + k];
    if (slot < 0) return fallback;
    return k < 2 ? this.lasts[id * LASTS + slot] : k === 2 ? this.lastPorts[2 * id + slot] : this.lists[id * LISTS + slot];
  }

  private setFirstValue(id: number, dir: number, k: number, v: number): void {
    const slot = FIRST_SLOTS[dir * 6 + k];
    if (slot < 0) return;
    if (k < 2) this.lasts[id * LASTS + slot] = v;
    else if (k === 2) this.lastPorts[2 * id + slot] = v;
    else this.lists[id * LISTS + slot] = v;
  }

  /** Whether what noteAddresses() keeps for first copies of requests (ADDR_REQ), forwarded
   *  copies (ADDR_DUP) or replies (ADDR_REP) is still as add() made it: a text undefined
   *  (or '' for the two add() sets), a port -1, a list NONE, the addressing -1. Whatever
   *  changes those (noteAddresses(), recallFirst(), an ICMP error's reply source) says so
   *  with touch(). */
  fresh(id: number, dir: number): boolean {
    return (this.touched[id] & (1 << dir)) === 0;
  }

  /** Direction `dir` (ADDR_*) of the flow is no longer fresh(). */
  touch(id: number, dir: number): void {
    this.touched[id] |= 1 << dir;
  }

  /** A fresh flow's first copy of a direction with the same addresses, server port and MACs
   *  as one before it ends up with the same lists, last values and addressing (all ids of
   *  values interned by value): copied from `firsts`, without formatting or looking anything
   *  up. Returns the addressing id, -1 when not there. Call only when fresh(id, dir). */
  recallFirst(id: number, dir: number, srcIp: number, dstIp: number, port: number, mac0: number, mac1: number, mac2: number, macKind: number): number {
    const f = firstSlot(dir, srcIp, dstIp, port, mac0, mac1, mac2) * FIRST;
    const m = this.firsts;
    if (m[f + 7] !== 1 || m[f] !== dir || m[f + 1] !== srcIp || m[f + 2] !== dstIp || m[f + 3] !== port || m[f + 4] !== mac0 || m[f + 5] !== mac1 || m[f + 6] !== mac2 || m[f + 8] !== macKind) return -1;
    for (let k = 0; k < 6; k++) this.setFirstValue(id, dir, k, m[f + 9 + k]);
    this.touch(id, dir);
    return (this.addr[3 * id + dir] = m[f + 15]);
  }

  /** Keeps what noteAddresses() made of a fresh flow's first copy of a direction, for
   *  recallFirst(). */
  rememberFirst(id: number, dir: number, srcIp: number, dstIp: number, port: number, mac0: number, mac1: number, mac2: number, macKind: number): void {
    const f = firstSlot(dir, srcIp, dstIp, port, mac0, mac1, mac2) * FIRST;
    const m = this.firsts;
    m[f] = dir;
    m[f + 1] = srcIp;
    m[f + 2] = dstIp;
    m[f + 3] = port;
    m[f + 4] = mac0;
    m[f + 5] = mac1;
    m[f + 6] = mac2;
    m[f + 7] = 1;
    m[f + 8] = macKind;
    for (let k = 0; k < 6; k++) m[f + 9 + k] = this.firstValue(id, dir, k, 0);
    m[f + 15] = this.addr[3 * id + dir];
  }

  /** The Addressing id sameAddresses() matched. */
  addrOfKind(id: number, kind: number): number {
    return this.keys[(id * KINDS + kind) * KEY + 7];
  }

  headStart(id: number): number {
    return this.recs[id * RECS + HEAD_START];
  }

  headLen(id: number): number {
    return Math.min(this.recs[id * RECS + PLACED], MAX_HEAD);
  }

  tailStart(id: number): number {
    return this.recs[id * RECS + TAIL_START];
  }

  tailLen(id: number): number {
    return Math.min(Math.max(this.recs[id * RECS + PLACED] - MAX_HEAD, 0), MAX_TAIL);
  }

  /** The tail ring's oldest record (0 until the ring is full). */
  tailPos(id: number): number {
    const past = this.recs[id * RECS + PLACED] - MAX_HEAD - MAX_TAIL;
    return past > 0 ? past % MAX_TAIL : 0;
  }

  /** Packets not kept as records (between head and tail). */
  skipped(id: number): number {
    return Math.max(this.recs[id * RECS + PLACED] - MAX_HEAD - MAX_TAIL, 0);
  }

  /** Returns true when the signature was already among the flow's last RING (the packet
   *  is a forwarded copy); cooked captures mark copies this host sent (`sllType` 4). */
  seen(id: number, sig: number, sllType: number): boolean {
    const at = id * RING;
    const state = this.ringState[id];
    const bits = this.ringBits;
    const bit = 1 << (sig & 31);
    if ((sllType < 0 || sllType === 4) && ((bits[2 * id] | bits[2 * id + 1]) & bit) !== 0) {
      const end = at + (state < RING ? state : RING);
      for (let k = at; k < end; k++) if (this.ring[k] === sig) return true;
    }
    const pos = state & (RING - 1);
    this.ring[at + pos] = sig;
    if (pos === 0) {
      // A new lap: the last one's mask becomes the older.
      bits[2 * id + 1] = bits[2 * id];
      bits[2 * id] = bit;
    } else {
      bits[2 * id] |= bit;
    }
    this.ringState[id] = state < 2 * RING - 1 ? state + 1 : RING;
    return false;
  }

  /** Retransmission check on first copies (seq ranges never shrink in order). */
  retrans(id: number, reply: boolean, flagBits: number, seq: number, len: number): boolean {
    if (flagBits < 0) return false;
    if ((flagBits & 2) !== 0) return this.get(id, reply ? SYN_ACKS : SYNS) > 0;
    if (len === 0) return false;
    const end = seq + len;
    const at = 2 * id + (reply ? 1 : 0);
    const high = this.seqEnd[at];
    if (high >= 0 && end <= high && end > high - 0x40000000) return true;
    if (end > high) this.seqEnd[at] = end;
    return false;
  }

  /** The record slot for the flow's next packet: a new one in the head or the tail, else
   *  the oldest tail record, reused (a flow never holds more than MAX_HEAD + MAX_TAIL). */
  slot(id: number, store: PacketRecords): number {
    const r = id * RECS;
    const recs = this.recs;
    const placed = recs[r + PLACED];
    recs[r + PLACED] = placed + 1;
    if (placed < MAX_HEAD) {
      if (placed === 0) recs[r + HEAD_START] = store.alloc(MAX_HEAD);
      return recs[r + HEAD_START] + placed;
    }
    if (placed === MAX_HEAD) recs[r + TAIL_START] = store.alloc(MAX_TAIL);
    return recs[r + TAIL_START] + ((placed - MAX_HEAD) % MAX_TAIL);
  }
}
