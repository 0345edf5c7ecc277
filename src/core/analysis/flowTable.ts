// The flow table of one capture point: what that host saw, reduced to compact state
// as the packets stream by (packets are never kept: their bytes are only valid during
// the reader's callback). Memory grows with connections, not packets: each flow keeps
// counters, a few distinct addresses/MACs and at most MAX_HEAD + MAX_TAIL packet records
// for the hop-by-hop view. While the pcap is read a flow is an id into FlowColumns; the
// Flow objects the correlation works on are made when it asks for them (allFlows()).

import { formatIpv4, formatMac } from '../decode/addresses';
import type { InnerPacket, Packet } from '../decode/packet';
import type { RawFrame } from '../pcap/frame';
import type { ServiceMap } from './endpoints';
import * as F from './flowColumns';
import { FlowColumns, kindOf, MAX_TAIL } from './flowColumns';
import { AddressLearning } from './learning';
import { PacketRecords, packetSig, packetWord } from './packetRecords';

export { MAX_HEAD, MAX_TAIL } from './flowColumns';

export const FIN = 1;
export const SYN = 2;
export const RST = 4;
export const ACK = 16;

const MAX_OTHER_FLOWS = 20000;
const MAX_ARP = 5000;
/** Packets of a real server's capture used to learn its own address and MAC. */
const LEARN_PACKETS = 20000;
const FLOW_CACHE = 4096;

/** `ip:port` texts, one string per endpoint: the flows' lists then share the same string
 *  objects, so the correlation's lookups and comparisons of them are cheap. Bounded. */
const endpointTexts = new Map<string, Map<number, string>>();
let endpointTextCount = 0;
const MAX_ENDPOINT_TEXTS = 1 << 16;

export function endpointText(ip: string, port: number): string {
  let byPort = endpointTexts.get(ip);
  if (byPort === undefined) {
    if (endpointTextCount >= MAX_ENDPOINT_TEXTS) {
      endpointTexts.clear();
      endpointTextCount = 0;
    }
    byPort = new Map();
    endpointTexts.set(ip, byPort);
  }
  let text = byPort.get(port);
  if (text === undefined) {
    text = `${ip}:${port}`;
    byPort.set(port, text);
    endpointTextCount++;
  }
  return text;
}

/** A TCP connection or UDP conversation between one client endpoint and our side, at one
 *  point: a view of its row in the point's FlowColumns (read once the capture is read).
 *  A view, not a copy: tens of thousands of flows then cost a few small objects instead of
 *  as many 40-field copies for the garbage collector to move. */
export class Flow {
  constructor(
    readonly point: number,
    /** The point's packet records this flow's indices point into. */
    readonly store: PacketRecords,
    /** The point's flow columns, and this flow's row in them (code that reads every flow
     *  of an analysis once, before the JIT has compiled it, reads them there directly:
     *  each getter below is a call, and compiled on its own once it is hot). */
    readonly cols: FlowColumns,
    readonly row: number,
  ) {}

  get first(): number {
    return this.cols.first[this.row];
  }
  get last(): number {
    return this.cols.last[this.row];
  }
  /** First copies of requests (client -> server) and replies at this point. */
  get req(): number {
    return this.cols.get(this.row, F.REQ);
  }
  get rep(): number {
    return this.cols.get(this.row, F.REP);
  }
  /** Second copies (in/out pair inside one capture). */
  get reqDup(): number {
    return this.cols.get(this.row, F.REQ_DUP);
  }
  get repDup(): number {
    return this.cols.get(this.row, F.REP_DUP);
  }
  get syn(): number {
    return this.cols.get(this.row, F.SYNS);
  }
  get synAck(): number {
    return this.cols.get(this.row, F.SYN_ACKS);
  }
  /** Request packets with ACK and without SYN: the client completed the handshake. */
  get reqAck(): number {
    return this.cols.get(this.row, F.REQ_ACKS);
  }
  get finC(): number {
    return this.cols.get(this.row, F.FIN_C);
  }
  get finS(): number {
    return this.cols.get(this.row, F.FIN_S);
  }
  get rstC(): number {
    return this.cols.get(this.row, F.RST_C);
  }
  get rstS(): number {
    return this.cols.get(this.row, F.RST_S);
  }
  get retransC(): number {
    return this.cols.get(this.row, F.RETRANS_C);
  }
  get retransS(): number {
    return this.cols.get(this.row, F.RETRANS_S);
  }
  /** ICMP errors sent towards the client quoting this flow / sent by the client. */
  get icmpToClient(): number {
    return this.cols.get(this.row, F.ICMP_TO_CLIENT);
  }
  get icmpFromClient(): number {
    return this.cols.get(this.row, F.ICMP_FROM_CLIENT);
  }
  get icmpNote(): string | undefined {
    return this.cols.icmpNote[this.row];
  }
  /** Distinct `ip:port` the requests were addressed to (first copies / forwarded copies). */
  get reqDsts(): string[] {
    return this.cols.list(this.row, F.REQ_DSTS);
  }
  get dupDsts(): string[] {
    return this.cols.list(this.row, F.DUP_DSTS);
  }
  /** Distinct `ip:port` replies came from. */
  get replySrcs(): string[] {
    return this.cols.list(this.row, F.REPLY_SRCS);
  }
  get reqSrcMacs(): string[] {
    return this.cols.list(this.row, F.REQ_SRC_MACS);
  }
  get reqDstMacs(): string[] {
    return this.cols.list(this.row, F.REQ_DST_MACS);
  }
  get dupDstMacs(): string[] {
    return this.cols.list(this.row, F.DUP_DST_MACS);
  }
  get repSrcMacs(): string[] {
    return this.cols.list(this.row, F.REP_SRC_MACS);
  }
  get repDstMacs(): string[] {
    return this.cols.list(this.row, F.REP_DST_MACS);
  }
  /** Outer destinations of encapsulated requests (TUN: the real server). */
  get encapDsts(): string[] {
    return this.cols.list(this.row, F.ENCAP_DSTS);
  }
  /** Status code of the first HTTP response seen (health checks). */
  get httpStatus(): number | undefined {
    const v = this.cols.httpStatus[this.row];
    return v > 0 ? v : undefined;
  }
  /** Records (indices into `store`): the first MAX_HEAD from `headStart`, then a ring of
   *  the last MAX_TAIL (see recordIndices()). */
  get headStart(): number {
    return this.cols.headStart(this.row);
  }
  get headLen(): number {
    return this.cols.headLen(this.row);
  }
  /** Packets not kept as records (between head and tail). */
  get skipped(): number {
    return this.cols.skipped(this.row);
  }
  /** Replaced by a new connection from the same client port. */
  get retired(): boolean {
    return this.cols.retired[this.row] === 1;
  }
  get proto(): 'tcp' | 'udp' {
    return this.cols.udp[this.row] === 1 ? 'udp' : 'tcp';
  }
  get client(): string {
    return this.cols.client[this.row];
  }
  get cport(): number {
    return this.cols.cport[this.row];
  }
  /** Client's initial sequence number when its SYN was seen (TCP), else -1. */
  get gen(): number {
    return this.cols.gen[this.row];
  }

  /** Records kept (head and tail). */
  recordCount(): number {
    return this.headLen + this.cols.tailLen(this.row);
  }

  /** The k-th record index in capture order (0 <= k < recordCount()), without a list. */
  recordAt(k: number): number {
    const headLen = this.headLen;
    return k < headLen ? this.headStart + k : this.cols.tailStart(this.row) + ((this.cols.tailPos(this.row) + k - headLen) % MAX_TAIL);
  }

  /** Head and tail record indices in capture order. */
  recordIndices(): number[] {
    const out: number[] = [];
    const n = this.recordCount();
    for (let k = 0; k < n; k++) out.push(this.recordAt(k));
    return out;
  }

  /** Every value above as a plain object (tests, debugging). */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { point: this.point };
    for (const k of FLOW_FIELDS) out[k] = this[k];
    return out;
  }
}

const FLOW_FIELDS = [
  'first', 'last', 'req', 'rep', 'reqDup', 'repDup', 'syn', 'synAck', 'reqAck', 'finC', 'finS', 'rstC', 'rstS', 'retransC', 'retransS',
  'icmpToClient', 'icmpFromClient', 'icmpNote', 'reqDsts', 'dupDsts', 'replySrcs', 'reqSrcMacs', 'reqDstMacs', 'dupDstMacs', 'repSrcMacs',
  'repDstMacs', 'encapDsts', 'httpStatus', 'headStart', 'headLen', 'skipped', 'retired', 'proto', 'client', 'cport', 'gen',
] as const;

export interface ArpEvent {
  point: number;
  n: number;
  ts: number;
  op: 'request' | 'reply' | number;
  senderIp: string;
  senderMac: string;
  targetIp: string;
  /** Linux cooked capture packet type (4 = sent by this host). */
  sllType?: number;
}

export interface VrrpSegment {
  start: number;
  end: number;
  startN: number;
  endN: number;
}

/** VRRP advertisements from one sender for one VRID, at one point. */
export interface VrrpSender {
  point: number;
  vrid: number;
  src: string;
  srcMac?: string;
  version: number;
  count: number;
  first: number;
  last: number;
  firstN: number;
  lastN: number;
  priorities: number[];
  intervalSec: number;
  /** Priority-0 advert (master resigning). */
  resignedAt?: { ts: number; n: number };
  /** Spans of continuous adverts with priority > 0. */
  segments: VrrpSegment[];
}

export interface FragNeededEvent {
  point: number;
  n: number;
  ts: number;
  src: string;
  dst: string;
  mtu?: number;
  quoted: InnerPacket;
}

const tcpLetterBits: Record<string, number> = { F: FIN, S: SYN, R: RST, P: 8, '.': ACK, U: 32, E: 64, W: 128 };

/** `S.` -> SYN|ACK: for encapsulated packets, whose flags the decoder gives as letters. */
export function flagBitsFromLetters(flags: string | undefined): number {
  if (!flags) return 0;
  let bits = 0;
  for (const c of flags) bits |= tcpLetterBits[c] ?? 0;
  return bits;
}

/** The status of an HTTP response starting at `off` (before `end`), if it is one. */
function readHttpStatus(d: Uint8Array, off: number, end: number): number | undefined {
  if (off < 0 || end < off + 12) return undefined;
  // "HTTP/1.x NNN"
  if (d[off] !== 0x48 || d[off + 1] !== 0x54 || d[off + 2] !== 0x54 || d[off + 3] !== 0x50 || d[off + 4] !== 0x2f) return undefined;
  const a = d[off + 9] - 48;
  const b = d[off + 10] - 48;
  const c = d[off + 11] - 48;
  if (a < 1 || a > 5 || b < 0 || b > 9 || c < 0 || c > 9) return undefined;
  return a * 100 + b * 10 + c;
}

const icmpNames: Record<string, string> = {
  '3/0': 'net unreachable',
  '3/1': 'host unreachable',
  '3/2': 'protocol unreachable',
  '3/3': 'port unreachable',
  '3/4': 'fragmentation needed',
  '3/13': 'administratively prohibited',
  '11/0': 'time exceeded',
};

export function icmpText(type: number, code: number): string {
  return `ICMP ${icmpNames[`${type}/${code}`] ?? `type ${type} code ${code}`}`;
}

/** Everything one capture point saw. */

/** Everything one capture point saw. */
export class PointTable {
  /** Every flow's state, by flow id. */
  private readonly cols = new FlowColumns();
  /** Current flow id per client address and port (service traffic), nested per protocol so
   *  the per-packet lookup builds no key string; other traffic by canonical address pair. */
  private readonly tcpFlows = new Map<string, Map<number, number>>();
  private readonly udpFlows = new Map<string, Map<number, number>>();
  private readonly flows = new Map<string, number>();
  /** Flows replaced by a new connection from the same client port. */
  private readonly done: number[] = [];
  /** allFlows(), and the packet count it was made at (a packet may change any flow). */
  private flowList: Flow[] | undefined = undefined;
  private flowListAt = -1;
  readonly arp: ArpEvent[] = [];
  /** MAC -> IPv4 addresses it claimed as ARP sender. */
  readonly macClaims = new Map<string, Set<string>>();
  readonly vrrp = new Map<string, VrrpSender>();
  readonly fragNeeded: FragNeededEvent[] = [];
  /** Packet records of every flow at this point. */
  readonly records = new PacketRecords();
  /** Real servers: who this host is, from its first packets (see AddressLearning). */
  private readonly learning: AddressLearning | undefined;
  packets = 0;
  first = Infinity;
  last = 0;
  otherFlows = 0;
  ignored = 0;
  /** Flow cache of the fast path, direct-mapped by addresses and ports (like a route
   *  cache): most packets belong to a flow seen a moment ago, and a hit skips the service
   *  and flow lookups by string. A slot is four Int32 side by side (one cache line, one array
   *  for the JIT to check): both addresses, both ports, and the entry: (flow id + 1) * 4,
   *  + 2 when that direction is the reply, + 1 for UDP; 0: empty. */
  private readonly cache = new Int32Array(FLOW_CACHE * 4);
  /** The direction flowOf() resolved. */
  private resolvedReply = false;
  /** A DataView of the reader's buffer the fast path reads (see consumeFrame()). */
  private viewOf: Uint8Array | undefined = undefined;
  private view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

  constructor(
    readonly point: number,
    private readonly services: ServiceMap,
    countIps: boolean,
  ) {
    this.learning = countIps ? new AddressLearning() : undefined;
  }

  /** Source IP -> source MAC (first seen), bounded: real servers only, like the three below.
   *  Each read of these four builds the Map from the tallies: read once (they are used once
   *  per analysis, after the capture is read). */
  get srcMacByIp(): Map<string, string> {
    return this.learning?.srcMacByIp() ?? new Map();
  }

  /** Address -> times it accepted a TCP connection (SYN to it, SYN-ACK from it). */
  get acceptCounts(): Map<string, number> {
    return this.learning?.acceptCounts() ?? new Map();
  }

  /** Address -> IP packets from or to it (the fallback). */
  get ipCounts(): Map<string, number> {
    return this.learning?.ipCounts() ?? new Map();
  }

  /** Unicast MAC -> IP frames it sent or received (its own NIC's MAC wins). */
  get macCounts(): Map<string, number> {
    return this.learning?.macCounts() ?? new Map();
  }

  /** Every flow of this point, retired ones first (made once per state of the table). */
  allFlows(): Flow[] {
    if (this.flowList && this.flowListAt === this.packets) return this.flowList;
    // Map.forEach: no iterator object per flow (this runs once, before the JIT optimises it).
    const list: Flow[] = [];
    const add = (id: number): void => void list.push(new Flow(this.point, this.records, this.cols, id));
    this.done.forEach(add);
    this.flows.forEach(add);
    this.tcpFlows.forEach((byPort) => byPort.forEach(add));
    this.udpFlows.forEach((byPort) => byPort.forEach(add));
    this.flowList = list;
    this.flowListAt = this.packets;
    return this.flowList;
  }

  consume(p: Packet): void {
    this.packets++;
    const ts = p.ts;
    if (ts < this.first) this.first = ts;
    if (ts > this.last) this.last = ts;
    if (p.arp) return this.consumeArp(p);
    if (p.vrrp) return this.consumeVrrp(p);
    const proto = p.proto;
    if (proto === 'icmp' || proto === 'icmp6') return this.consumeIcmp(p);
    // Who this host is (real servers): learnt from the first packets, enough to tell.
    if (this.learning !== undefined && this.packets <= LEARN_PACKETS) this.learning.packet(p.src, p.dst, p.srcMac, p.dstMac, p.tcp?.flagBits ?? 0);
    let l4: Packet | InnerPacket = p;
    let flagBits: number;
    let outerSrc: string | undefined;
    let outerDst: string | undefined;
    if ((proto === 'ipip' || proto === 'gre') && p.inner && (p.inner.proto === 'tcp' || p.inner.proto === 'udp')) {
      l4 = p.inner;
      outerSrc = p.src;
      outerDst = p.dst;
      flagBits = l4.proto === 'tcp' ? flagBitsFromLetters(l4.flags) : -1;
    } else if (proto === 'tcp') {
      flagBits = p.tcp ? p.tcp.flagBits : flagBitsFromLetters(p.flags);
    } else if (proto === 'udp') {
      flagBits = -1;
    } else {
      this.ignored++;
      return;
    }
    const udp = l4.proto === 'udp';
    const src = l4.src as string;
    const dst = l4.dst as string;
    const sport = l4.sport ?? 0;
    const dport = l4.dport ?? 0;
    const seq = l4.seq ?? 0;
    const id = this.flowOf(udp, src, dst, sport, dport, flagBits, seq);
    if (id < 0) return;
    const reply = this.resolvedReply;
    const len = l4.len ?? 0;
    const dup = this.countPacket(id, reply, n0(p.sllPacketType), flagBits, seq | 0, (l4.ack ?? 0) | 0, len, l4.ipId ?? 0, p.n, (sport << 16) | dport);
    this.stamp(id, ts);
    this.noteAddresses(id, reply, dup, src, dst, sport, dport, p.srcMac, p.dstMac, outerSrc, outerDst);
    this.cols.forgetAddresses(id, kindOf(reply, dup));
    // The payload ends where the IP packet does (an Ethernet trailer is not part of it).
    if (reply && !dup && flagBits >= 0 && len > 0 && outerDst === undefined && p.payloadOffset !== undefined) this.noteHttpStatus(id, p.data, p.payloadOffset, Math.min(p.data.length, p.payloadOffset + len));
  }

  /**
   * The fast path for most frames of a capture: Ethernet (untagged or one 802.1Q tag) or
   * Linux cooked v1/v2,
   * IPv4 that is not a fragment, TCP or UDP, read straight from the bytes in the reader's
   * buffer. Same effect as consume(decodeFrame(frame)) without building a Packet; returns
   * false, having done nothing, for any other frame (the caller then decodes it in full).
   * Takes the frame itself: its timestamp, a double, then stays unboxed (passed as an
   * argument it would cost a heap number per frame).
   */
  consumeFrame(f: RawFrame): boolean {
    const inPlace = f.buf !== undefined && f.at !== undefined;
    const d = inPlace ? f.buf! : f.data;
    const at = inPlace ? f.at! : 0;
    const { caplen, linkType, n, ts } = f;
    const end = at + caplen;
    // Multi-byte fields as one big-endian load each (a DataView over the reader's buffer,
    // made when the buffer changes): a quarter of the loads and shifts of reading bytes.
    // Every load below is inside the frame: the checks before it make sure of that.
    if (d !== this.viewOf) {
      this.viewOf = d;
      this.view = new DataView(d.buffer, d.byteOffset, d.byteLength);
    }
    const dv = this.view;
    let off: number;
    let macAt = -1;
    let sllType = -1;
    if (linkType === 1) {
      if (caplen < 34) return false;
      // EtherType 0x0800 right after the MACs, or after one 802.1Q tag (a trunk port).
      if (d[at + 12] === 0x08 && d[at + 13] === 0x00) off = at + 14;
      else if (d[at + 12] === 0x81 && d[at + 13] === 0x00 && caplen >= 38 && d[at + 16] === 0x08 && d[at + 17] === 0x00) off = at + 18;
      else return false;
    } else if (linkType === 113) {
      if (caplen < 36 || d[at + 14] !== 0x08 || d[at + 15] !== 0x00) return false;
      sllType = (d[at] << 8) | d[at + 1];
      // ARPHRD_ETHER with a 6-byte address: the sender's MAC.
      if (((d[at + 2] << 8) | d[at + 3]) === 1 && ((d[at + 4] << 8) | d[at + 5]) === 6) macAt = at + 6;
      off = at + 16;
    } else if (linkType === 276) {
      // Linux cooked v2 (`tcpdump -i any` since 4.99): protocol first; ARPHRD type, packet
      // type and address length at 8, 10 and 11; the sender's address from 12.
      if (caplen < 40 || d[at] !== 0x08 || d[at + 1] !== 0x00) return false;
      sllType = d[at + 10];
      if (((d[at + 8] << 8) | d[at + 9]) === 1 && d[at + 11] === 6) macAt = at + 12;
      off = at + 20;
    } else {
      return false;
    }
    const vihl = d[off];
    if (vihl >> 4 !== 4) return false;
    const ihl = (vihl & 0x0f) * 4;
    const avail = end - off;
    let total = (d[off + 2] << 8) | d[off + 3];
    // TSO: the kernel hands tcpdump a total length of 0.
    if (total === 0) total = avail;
    if (ihl < 20 || total < ihl || ihl > avail) return false;
    // Fragments (offset or more-fragments set) go the long way.
    if ((((d[off + 6] << 8) | d[off + 7]) & 0x3fff) !== 0) return false;
    const ipProto = d[off + 9];
    const l4 = off + ihl;
    const capEnd = off + total < end ? off + total : end;
    const ipPayload = total - ihl;
    let flagBits: number;
    let seq = 0;
    let ack = 0;
    let len: number;
    let payloadAt: number;
    if (ipProto === 6) {
      if (capEnd - l4 < 20) return false;
      const dataOff = (d[l4 + 12] >> 4) * 4;
      if (dataOff < 20) return false;
      flagBits = d[l4 + 13];
      seq = dv.getUint32(l4 + 4);
      if (flagBits & ACK) ack = dv.getUint32(l4 + 8);
      len = ipPayload >= dataOff ? ipPayload - dataOff : 0;
      payloadAt = l4 + dataOff;
    } else if (ipProto === 17) {
      if (capEnd - l4 < 8) return false;
      const ulen = (d[l4 + 4] << 8) | d[l4 + 5];
      if (ulen < 8) return false;
      flagBits = -1;
      len = ulen - 8;
      payloadAt = l4 + 8;
    } else {
      return false;
    }
    this.packets++;
    if (ts < this.first) this.first = ts;
    if (ts > this.last) this.last = ts;
    const srcIp = dv.getInt32(off + 12);
    const dstIp = dv.getInt32(off + 16);
    // Who this host is (real servers): learnt from the first packets, enough to tell.
    if (this.learning !== undefined && this.packets <= LEARN_PACKETS) learnFrame(this.learning, d, at, linkType, macAt, srcIp, dstIp, ipProto === 6 ? flagBits : 0);
    const ports = dv.getInt32(l4);
    const sport = ports >>> 16;
    const dport = ports & 0xffff;
    let slot = Math.imul(srcIp ^ Math.imul(dstIp, 0x9e3779b1) ^ ports, 0x85ebca6b);
    slot = (slot ^ (slot >>> 16) ^ ipProto) & (FLOW_CACHE - 1);
    const cache = this.cache;
    const at4 = slot * 4;
    const entry = cache[at4 + 3];
    const udp = ipProto === 17 ? 1 : 0;
    let id = (entry >> 2) - 1;
    let reply = (entry & 2) !== 0;
    // A client's SYN may start a new connection on the same port: that takes the long way,
    // unless it is the SYN the flow began with (a forwarded copy, a retransmission).
    if (
      entry === 0 ||
      this.cols.retired[id] === 1 ||
      cache[at4] !== srcIp ||
      cache[at4 + 1] !== dstIp ||
      cache[at4 + 2] !== ports ||
      (entry & 1) !== udp ||
      (flagBits >= 0 && (flagBits & (SYN | ACK)) === SYN && this.cols.gen[id] !== seq)
    ) {
      id = this.flowOf(udp === 1, formatIpv4(d, off + 12), formatIpv4(d, off + 16), sport, dport, flagBits, seq);
      if (id < 0) return true;
      reply = this.resolvedReply;
      cache[at4] = srcIp;
      cache[at4 + 1] = dstIp;
      cache[at4 + 2] = ports;
      cache[at4 + 3] = ((id + 1) << 2) | (reply ? 2 : 0) | udp;
    }
    // From here to the end of the common case (a flow's packet with the addresses of its last
    // one) this is countPacket(), stamp() and sameAddresses() written out, calling only
    // helpers small enough for the JIT to inline (seen(), retrans(), slot(), set(): see
    // --trace-turbo-inlining), so that it keeps the columns it loaded in registers: ~4% of a
    // first analysis' instructions. countPacket() itself is too big to be inlined, and
    // counters moved into a helper of their own spent the inlining budget (+8%).
    // fastPath.test.ts checks that this and the decoded path agree.
    const c = this.cols;
    const ipId = (d[off + 4] << 8) | d[off + 5];
    seq |= 0;
    ack |= 0;
    const sig = packetSig(reply, ipId, seq, ack, flagBits, len);
    const dup = c.seen(id, sig, sllType);
    // The counters, as countPacket() counts them.
    const counts = c.counts;
    const at1 = id * F.COUNTS + (reply ? 1 : 0);
    if (dup) {
      counts[at1 + F.REQ_DUP]++;
    } else {
      counts[at1 + F.REQ]++;
      if (c.retrans(id, reply, flagBits, seq >>> 0, len)) counts[at1 + F.RETRANS_C]++;
      if (flagBits >= 0) {
        if ((flagBits & (SYN | ACK)) === (reply ? SYN | ACK : SYN)) counts[at1 + F.SYNS]++;
        else if (!reply && flagBits & ACK) counts[at1 + F.REQ_ACKS]++;
        if (flagBits & FIN) counts[at1 + F.FIN_C]++;
        if (flagBits & RST) counts[at1 + F.RST_C]++;
      }
    }
    // The record, its time and the flow's span (stamp()).
    const s = this.records;
    const i = c.slot(id, s);
    s.set(i, n, packetWord(reply, dup, flagBits, ipId), seq, ack, len, ports, ts);
    this.lastRecord = i;
    if (ts < c.first[id]) c.first[id] = ts;
    if (ts > c.last[id]) c.last[id] = ts;
    // The MACs as three words to compare with the flow's last (Ethernet: the 12 bytes of
    // both; Linux cooked: the sender's 6, when there; the fourth says which).
    const dstMacAt = linkType === 1 ? at : -1;
    const srcMacAt = linkType === 1 ? at + 6 : macAt;
    const mac0 = linkType === 1 ? dv.getInt32(at) : macAt >= 0 ? dv.getInt32(macAt) : 0;
    const mac1 = linkType === 1 ? dv.getInt32(at + 4) : macAt >= 0 ? dv.getUint16(macAt + 4) : 0;
    const mac2 = linkType === 1 ? dv.getInt32(at + 8) : 0;
    const macKind = linkType === 1 ? 0 : macAt >= 0 ? 1 : 2;
    const kind = kindOf(reply, dup);
    // The addresses of the flow's last packet of this kind? (FlowColumns.sameAddresses())
    const keys = c.keys;
    const k = (id * F.KINDS + kind) * F.KEY;
    if (keys[k] === srcIp && keys[k + 1] === dstIp && keys[k + 2] === ports && keys[k + 3] === mac0 && keys[k + 4] === mac1 && keys[k + 5] === mac2 && keys[k + 6] === macKind + 1) {
      // Directly, not with setAddr(): one more inlined call spends the budget retrans() needs.
      s.addrId[i] = keys[k + 7];
    } else {
      // A flow's first request, forwarded copy or reply: most have the addresses of an
      // earlier flow's (a reply's copy shares the reply's addressing: not here).
      const dir = reply ? F.ADDR_REP : dup ? F.ADDR_DUP : F.ADDR_REQ;
      const fresh = !(reply && dup) && c.fresh(id, dir);
      const port = reply ? sport : dport;
      let a = fresh ? c.recallFirst(id, dir, srcIp, dstIp, port, mac0, mac1, mac2, macKind) : -1;
      if (a >= 0) {
        this.records.setAddr(this.lastRecord, a);
      } else {
        a = this.noteAddresses(id, reply, dup, formatIpv4(d, off + 12), formatIpv4(d, off + 16), sport, dport, srcMacAt >= 0 ? formatMac(d, srcMacAt) : undefined, dstMacAt >= 0 ? formatMac(d, dstMacAt) : undefined, undefined, undefined);
        if (fresh) c.rememberFirst(id, dir, srcIp, dstIp, port, mac0, mac1, mac2, macKind);
      }
      c.setAddresses(id, kind, srcIp, dstIp, ports, mac0, mac1, mac2, macKind, a);
    }
    if (reply && !dup && flagBits >= 0 && len > 0) this.noteHttpStatus(id, d, payloadAt, capEnd);
    return true;
  }

  /** The flow id of a TCP or UDP packet (-1: none kept), its direction in resolvedReply. */
  private flowOf(udp: boolean, src: string, dst: string, sport: number, dport: number, flagBits: number, seq: number): number {
    const proto = udp ? 'udp' : 'tcp';
    if (this.services.server(proto, dst, dport)) {
      this.resolvedReply = false;
      return this.serviceFlow(udp, src, sport, flagBits, seq);
    }
    if (this.services.server(proto, src, sport)) {
      this.resolvedReply = true;
      return this.serviceFlow(udp, dst, dport, -1, 0);
    }
    const id = this.otherFlow(udp, src, sport, dst, dport, flagBits);
    this.resolvedReply = id >= 0 && !(src === this.cols.client[id] && sport === this.cols.cport[id]);
    return id;
  }

  /** Counts one TCP or UDP packet of flow `id` and keeps its record (stamp() adds its
   *  time); returns whether it is a second copy (forwarded) of a packet this point already
   *  saw. No doubles among the arguments (the JIT does not inline this, and would box each
   *  one per call): `seq` and `ack` come as int32 bits, the time goes to stamp(). */
  private countPacket(id: number, reply: boolean, sllType: number, flagBits: number, seq: number, ack: number, len: number, ipId: number, n: number, ports: number): boolean {
    const c = this.cols;
    const sig = packetSig(reply, ipId, seq, ack, flagBits, len);
    const dup = c.seen(id, sig, sllType);
    // The counters straight in their column: as count1() calls, more than the JIT's inlining
    // budget for this function allows (the rest stayed real calls, one per counter). Each
    // request counter is followed by its reply one: one code path for both directions.
    const counts = c.counts;
    const at = id * F.COUNTS + (reply ? 1 : 0);
    if (dup) {
      counts[at + F.REQ_DUP]++;
    } else {
      counts[at + F.REQ]++;
      if (c.retrans(id, reply, flagBits, seq >>> 0, len)) counts[at + F.RETRANS_C]++;
      if (flagBits >= 0) {
        // A client's SYN, a server's SYN-ACK; requests with ACK (and no SYN) on their own.
        if ((flagBits & (SYN | ACK)) === (reply ? SYN | ACK : SYN)) counts[at + F.SYNS]++;
        else if (!reply && flagBits & ACK) counts[at + F.REQ_ACKS]++;
        if (flagBits & FIN) counts[at + F.FIN_C]++;
        if (flagBits & RST) counts[at + F.RST_C]++;
      }
    }
    // Past the head, the tail ring's oldest record is overwritten in place: no garbage per packet.
    const i = c.slot(id, this.records);
    // The time: stamp(), next.
    this.records.set(i, n, packetWord(reply, dup, flagBits, ipId), seq, ack, len, ports, 0);
    this.lastRecord = i;
    return dup;
  }

  /** The time of the packet countPacket() just counted: its record's and the flow's span. */
  private stamp(id: number, ts: number): void {
    const c = this.cols;
    if (ts < c.first[id]) c.first[id] = ts;
    if (ts > c.last[id]) c.last[id] = ts;
    this.records.ts[this.lastRecord] = ts;
  }

  /** The record countPacket() filled last (noteAddresses() completes it). */
  private lastRecord = 0;

  /** The addresses of the packet countPacket() just recorded: the flow's small lists and
   *  the record's addressing (its id returned). Most packets repeat those of the one before:
   *  checked first. */
  private noteAddresses(id: number, reply: boolean, dup: boolean, src: string, dst: string, sport: number, dport: number, srcMac: string | undefined, dstMac: string | undefined, outerSrc: string | undefined, outerDst: string | undefined): number {
    const c = this.cols;
    let dir: number;
    if (reply) {
      dir = F.ADDR_REP;
      if (!dup) {
        if (src !== c.lastText(id, F.LAST_REP_SRC) || sport !== c.lastPorts[2 * id + 1]) {
          c.setLastText(id, F.LAST_REP_SRC, src);
          c.lastPorts[2 * id + 1] = sport;
          c.push(id, F.REPLY_SRCS, endpointText(src, sport));
        }
        if (dstMac !== c.lastText(id, F.LAST_REP_DST_MAC)) {
          c.setLastText(id, F.LAST_REP_DST_MAC, dstMac);
          c.push(id, F.REP_SRC_MACS, srcMac);
          c.push(id, F.REP_DST_MACS, dstMac);
        }
      }
    } else if (dup) {
      dir = F.ADDR_DUP;
      if (c.get(id, F.REQ_DUP) <= 2 || c.list(id, F.DUP_DSTS).length === 0) c.push(id, F.DUP_DSTS, endpointText(dst, dport));
      if (dstMac !== c.lastText(id, F.LAST_DUP_DST_MAC)) {
        c.setLastText(id, F.LAST_DUP_DST_MAC, dstMac);
        c.push(id, F.DUP_DST_MACS, dstMac);
      }
      if (outerDst !== undefined) c.push(id, F.ENCAP_DSTS, outerDst);
    } else {
      dir = F.ADDR_REQ;
      if (dst !== c.lastText(id, F.LAST_REQ_DST) || dport !== c.lastPorts[2 * id]) {
        c.setLastText(id, F.LAST_REQ_DST, dst);
        c.lastPorts[2 * id] = dport;
        c.push(id, F.REQ_DSTS, endpointText(dst, dport));
      }
      if (srcMac !== c.lastText(id, F.LAST_REQ_SRC_MAC)) {
        c.setLastText(id, F.LAST_REQ_SRC_MAC, srcMac);
        c.push(id, F.REQ_SRC_MACS, srcMac);
        c.push(id, F.REQ_DST_MACS, dstMac);
      }
      if (outerDst !== undefined) c.push(id, F.ENCAP_DSTS, outerDst);
    }
    const a = this.records.addressingId(c.addr[3 * id + dir], src, dst, srcMac, dstMac, outerSrc, outerDst);
    c.addr[3 * id + dir] = a;
    c.touch(id, dir);
    this.records.setAddr(this.lastRecord, a);
    return a;
  }

  /** The status of the first HTTP response of a flow (health checks read it). */
  private noteHttpStatus(id: number, d: Uint8Array, payloadAt: number, payloadEnd: number): void {
    if (this.cols.httpStatus[id] === 0) this.cols.httpStatus[id] = readHttpStatus(d, payloadAt, payloadEnd) ?? 0;
  }

  /** The flow of client `ip:port`; a new client SYN with another ISN starts a new connection. */
  private serviceFlow(udp: boolean, client: string, cport: number, flagBits: number, seq: number): number {
    const byClient = udp ? this.udpFlows : this.tcpFlows;
    let byPort = byClient.get(client);
    if (!byPort) byClient.set(client, (byPort = new Map()));
    let id = byPort.get(cport);
    const c = this.cols;
    const isSyn = flagBits >= 0 && (flagBits & (SYN | ACK)) === SYN;
    if (id !== undefined && isSyn && c.gen[id] !== seq && (c.gen[id] !== -1 || c.get(id, F.REQ) + c.get(id, F.REP) > 0)) {
      this.done.push(id);
      c.retired[id] = 1;
      id = undefined;
    }
    if (id === undefined) {
      id = c.add(udp, client, cport, isSyn ? seq : -1);
      byPort.set(cport, id);
    } else if (isSyn && c.gen[id] === -1) {
      c.gen[id] = seq;
    }
    return id;
  }

  /** Traffic to no known endpoint (e.g. health checks to a real server missing from capture.json). */
  private otherFlow(udp: boolean, src: string, sport: number, dst: string, dport: number, flagBits: number): number {
    const a = endpointText(src, sport);
    const b = endpointText(dst, dport);
    const proto = udp ? 'udp' : 'tcp';
    const key = a < b ? `o|${proto}|${a}|${b}` : `o|${proto}|${b}|${a}`;
    let id = this.flows.get(key);
    if (id === undefined) {
      if (this.otherFlows >= MAX_OTHER_FLOWS) {
        this.ignored++;
        return -1;
      }
      this.otherFlows++;
      // The sender of a SYN (or of the first packet seen) is the client.
      const synAck = flagBits >= 0 && (flagBits & (SYN | ACK)) === (SYN | ACK);
      id = synAck ? this.cols.add(udp, dst, dport, -1) : this.cols.add(udp, src, sport, -1);
      this.flows.set(key, id);
    }
    return id;
  }

  private consumeArp(p: Packet): void {
    const a = p.arp!;
    if (a.senderIp && a.senderIp !== '0.0.0.0' && a.senderMac) {
      let claims = this.macClaims.get(a.senderMac);
      if (!claims && this.macClaims.size < 10000) {
        claims = new Set();
        this.macClaims.set(a.senderMac, claims);
      }
      if (claims && claims.size < 16) claims.add(a.senderIp);
    }
    if (!this.services.vips.has(a.senderIp) && !this.services.vips.has(a.targetIp)) return;
    if (this.arp.length >= MAX_ARP) return;
    this.arp.push({
      point: this.point,
      n: p.n,
      ts: p.ts,
      op: a.op,
      senderIp: a.senderIp,
      senderMac: a.senderMac,
      targetIp: a.targetIp,
      sllType: p.sllPacketType,
    });
  }

  private consumeVrrp(p: Packet): void {
    const v = p.vrrp!;
    // Only advertisements (type 1) count: VRRP receivers discard any other type.
    if (v.type !== 1) return;
    const src = p.src ?? '?';
    const key = `${v.vrid}|${src}`;
    let s = this.vrrp.get(key);
    if (!s) {
      s = {
        point: this.point,
        vrid: v.vrid,
        src,
        srcMac: p.srcMac,
        version: v.version,
        count: 0,
        first: p.ts,
        last: p.ts,
        firstN: p.n,
        lastN: p.n,
        priorities: [],
        intervalSec: v.intervalSec,
        segments: [],
      };
      this.vrrp.set(key, s);
    }
    s.count++;
    s.last = p.ts;
    s.lastN = p.n;
    if (!s.priorities.includes(v.priority) && s.priorities.length < 8) s.priorities.push(v.priority);
    if (v.intervalSec > 0) s.intervalSec = v.intervalSec;
    if (v.priority === 0) {
      s.resignedAt = { ts: p.ts, n: p.n };
      return;
    }
    const seg = s.segments[s.segments.length - 1];
    const gap = 3 * Math.max(s.intervalSec, 0.01) + 0.5;
    if (seg && p.ts - seg.end <= gap) {
      seg.end = p.ts;
      seg.endN = p.n;
    } else if (s.segments.length < 100) {
      s.segments.push({ start: p.ts, end: p.ts, startN: p.n, endN: p.n });
    }
  }

  private consumeIcmp(p: Packet): void {
    const ic = p.icmp;
    if (!ic) return;
    const q = ic.quoted;
    const fragNeeded = (p.proto === 'icmp' && ic.type === 3 && ic.code === 4) || (p.proto === 'icmp6' && ic.type === 2);
    if (fragNeeded && q && this.fragNeeded.length < 1000) {
      this.fragNeeded.push({ point: this.point, n: p.n, ts: p.ts, src: p.src ?? '?', dst: p.dst ?? '?', mtu: ic.mtu, quoted: q });
    }
    if (!q || (q.proto !== 'tcp' && q.proto !== 'udp')) return;
    const qp = q.proto;
    const udp = qp === 'udp';
    const c = this.cols;
    let id: number;
    let reply: boolean;
    if (this.services.server(qp, q.dst, q.dport)) {
      // The quoted packet went to our side: this error answers the client's request.
      id = this.serviceFlow(udp, q.src, q.sport ?? 0, -1, 0);
      reply = true;
      c.count1(id, F.ICMP_TO_CLIENT);
    } else if (this.services.server(qp, q.src, q.sport)) {
      id = this.serviceFlow(udp, q.dst, q.dport ?? 0, -1, 0);
      reply = false;
      c.count1(id, F.ICMP_FROM_CLIENT);
    } else {
      return;
    }
    const note = icmpText(ic.type, ic.code);
    c.icmpNote[id] ??= note;
    const sig = packetSig(reply, p.ipId ?? 0, ic.type, ic.code, -2, p.len ?? 0);
    const dup = c.seen(id, sig, n0(p.sllPacketType));
    if (p.ts < c.first[id]) c.first[id] = p.ts;
    if (p.ts > c.last[id]) c.last[id] = p.ts;
    if (reply && !dup) {
      c.push(id, F.REPLY_SRCS, `${p.src}:icmp`);
      c.touch(id, F.ADDR_REP);
    }
    const i = c.slot(id, this.records);
    const s = this.records;
    // ICMP: type and code where TCP has its numbers, no ports.
    s.set(i, p.n, packetWord(reply, dup, -2, p.ipId ?? 0), ic.type, ic.code, p.len ?? 0, 0, p.ts);
    s.setAddr(i, s.addressingId(-1, p.src ?? '?', p.dst ?? '?', p.srcMac, p.dstMac, undefined, undefined));
    s.setNote(i, note);
  }
}

/** AddressLearning.frame() for a frame of the fast path (Ethernet, or Linux cooked with the
 *  sender's MAC at `macAt`, -1 without). */
function learnFrame(l: AddressLearning, d: Uint8Array, at: number, linkType: number, macAt: number, srcIp: number, dstIp: number, tcpFlagBits: number): void {
  const sm = linkType === 1 ? at + 6 : macAt;
  const dm = linkType === 1 ? at : -1;
  l.frame(
    srcIp,
    dstIp,
    sm >= 0 ? (d[sm] << 8) | d[sm + 1] : -1,
    sm >= 0 ? (d[sm + 2] << 24) | (d[sm + 3] << 16) | (d[sm + 4] << 8) | d[sm + 5] : 0,
    dm >= 0 ? (d[dm] << 8) | d[dm + 1] : -1,
    dm >= 0 ? (d[dm + 2] << 24) | (d[dm + 3] << 16) | (d[dm + 4] << 8) | d[dm + 5] : 0,
    tcpFlagBits,
  );
}

/** A Linux cooked capture's packet type, -1 when the frame has none. */
function n0(sllType: number | undefined): number {
  return sllType ?? -1;
}
