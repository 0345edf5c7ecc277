// The flow table of one capture point: what that host saw, reduced to compact state
// as the packets stream by (packets are never kept: their bytes are only valid during
// the reader's callback). Memory grows with connections, not packets: each flow keeps
// counters, a few distinct addresses/MACs and at most MAX_RECS packet records for the
// hop-by-hop view.

import { formatIpv4, formatMac } from '../decode/addresses';
import type { InnerPacket, Packet } from '../decode/packet';
import type { ServiceMap } from './endpoints';
import { addressing, PacketRecords, packetSig, type Addressing } from './packetRecords';

export const FIN = 1;
export const SYN = 2;
export const RST = 4;
export const ACK = 16;

/** Packet records kept per flow and point: the first MAX_HEAD and the last MAX_TAIL (the
 *  rest is only counted), so a long connection still shows its start and its end. */
export const MAX_HEAD = 12;
export const MAX_TAIL = 4;
const MAX_OTHER_FLOWS = 20000;
const MAX_ARP = 5000;
const MAX_SMALL = 6;
/** Packets of a real server's capture used to learn its own address and MAC. */
const LEARN_PACKETS = 20000;
const RING = 8;
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

/** The empty list every Flow starts with (frozen: pushSmall() replaces it, never pushes). */
const NONE: string[] = Object.freeze([]) as unknown as string[];

/** Adds `v` to a small distinct list; returns the list to keep. Most lists hold one value:
 *  the first gets an array of exactly that size (a push would reserve 17 slots). */
function pushSmall(list: string[], v: string | undefined): string[] {
  if (v === undefined || list.length >= MAX_SMALL) return list;
  if (list.length === 0) return [v];
  if (!list.includes(v)) list.push(v);
  return list;
}

/** The rings of recent packet signatures of one point's flows, RING slots per flow, in one
 *  growing column. */
export class SignatureRings {
  sigs = new Uint32Array(RING * 256);
  private used = 0;

  /** Reserves one flow's ring; returns its first slot. */
  alloc(): number {
    const at = this.used;
    this.used += RING;
    if (this.used > this.sigs.length) {
      const bigger = new Uint32Array(this.sigs.length * 4);
      bigger.set(this.sigs);
      this.sigs = bigger;
    }
    return at;
  }
}

/** A TCP connection or UDP conversation between one client endpoint and our side, at one point. */
export class Flow {
  first = Infinity;
  last = 0;
  /** First copies of requests (client -> server) and replies at this point. */
  req = 0;
  rep = 0;
  /** Second copies (in/out pair inside one capture). */
  reqDup = 0;
  repDup = 0;
  syn = 0;
  synAck = 0;
  /** Request packets with ACK and without SYN: the client completed the handshake. */
  reqAck = 0;
  finC = 0;
  finS = 0;
  rstC = 0;
  rstS = 0;
  retransC = 0;
  retransS = 0;
  /** ICMP errors sent towards the client quoting this flow / sent by the client. */
  icmpToClient = 0;
  icmpFromClient = 0;
  icmpNote: string | undefined = undefined;
  /** Distinct `ip:port` the requests were addressed to (first copies / forwarded copies). */
  reqDsts: string[] = NONE;
  dupDsts: string[] = NONE;
  /** Distinct `ip:port` replies came from. */
  replySrcs: string[] = NONE;
  reqSrcMacs: string[] = NONE;
  reqDstMacs: string[] = NONE;
  dupDstMacs: string[] = NONE;
  repSrcMacs: string[] = NONE;
  repDstMacs: string[] = NONE;
  /** Outer destinations of encapsulated requests (TUN: the real server). */
  encapDsts: string[] = NONE;
  /** Status code of the first HTTP response seen (health checks). */
  httpStatus: number | undefined = undefined;
  /** Records (indices into `store`): the first MAX_HEAD from `headStart`, then a ring of
   *  the last MAX_TAIL from `tailStart` (see recordIndices()). */
  headStart = -1;
  headLen = 0;
  private tailStart = -1;
  private tailLen = 0;
  private tailPos = 0;
  /** Packets not kept as records (between head and tail). */
  skipped = 0;
  /** Signatures of the last RING packets, oldest overwritten first: RING slots from
   *  `ringAt` in the point's shared ring column (a typed array per flow costs the
   *  garbage collector far more than the 32 bytes it holds). */
  private ringAt = -1;
  private ringLen = 0;
  private ringPos = 0;
  /** Last values pushed to the small lists: most packets repeat them, skip the work. */
  lastReqDst = '';
  lastReqDport = -1;
  lastRepSrc = '';
  lastRepSport = -1;
  lastReqSrcMac: string | undefined = undefined;
  lastRepDstMac: string | undefined = undefined;
  lastDupDstMac: string | undefined = undefined;
  /** Addressing of the last first-copy request, forwarded copy and reply records. */
  reqAddr: Addressing | undefined = undefined;
  dupAddr: Addressing | undefined = undefined;
  repAddr: Addressing | undefined = undefined;
  private seqEndC = -1;
  private seqEndS = -1;
  /** Replaced by a new connection from the same client port (see PointTable.serviceFlow). */
  retired = false;

  constructor(
    readonly point: number,
    readonly proto: 'tcp' | 'udp',
    readonly client: string,
    readonly cport: number,
    /** Client's initial sequence number when its SYN was seen (TCP), else -1. */
    public gen: number,
    /** The point's packet records this flow's indices point into. */
    readonly store: PacketRecords,
  ) {}

  /** The record to fill for the next packet: a new one in the head or the tail, else the
   *  oldest tail record, reused (so a flow never holds more than MAX_HEAD + MAX_TAIL). */
  slot(): number {
    if (this.headLen < MAX_HEAD) {
      if (this.headStart < 0) this.headStart = this.store.alloc(MAX_HEAD);
      return this.headStart + this.headLen++;
    }
    if (this.tailLen < MAX_TAIL) {
      if (this.tailStart < 0) this.tailStart = this.store.alloc(MAX_TAIL);
      return this.tailStart + this.tailLen++;
    }
    const i = this.tailStart + this.tailPos;
    this.tailPos = (this.tailPos + 1) % MAX_TAIL;
    this.skipped++;
    return i;
  }

  /** Records kept (head and tail). */
  recordCount(): number {
    return this.headLen + this.tailLen;
  }

  /** The k-th record index in capture order (0 <= k < recordCount()), without a list. */
  recordAt(k: number): number {
    return k < this.headLen ? this.headStart + k : this.tailStart + ((this.tailPos + k - this.headLen) % MAX_TAIL);
  }

  /** Head and tail record indices in capture order. */
  recordIndices(): number[] {
    const out: number[] = [];
    for (let k = 0; k < this.headLen; k++) out.push(this.headStart + k);
    for (let k = 0; k < this.tailLen; k++) out.push(this.tailStart + ((this.tailPos + k) % MAX_TAIL));
    return out;
  }

  /** Returns true when the signature was already seen here (the packet is a forwarded copy). */
  seen(sig: number, sllType: number | undefined, rings: SignatureRings): boolean {
    if (this.ringAt < 0) this.ringAt = rings.alloc();
    const ring = rings.sigs;
    const at = this.ringAt;
    if (sllType === undefined || sllType === 4) {
      const end = at + this.ringLen;
      for (let k = at; k < end; k++) if (ring[k] === sig) return true;
    }
    ring[at + this.ringPos] = sig;
    this.ringPos = (this.ringPos + 1) % RING;
    if (this.ringLen < RING) this.ringLen++;
    return false;
  }

  /** Retransmission check on first copies (seq ranges never shrink in order). */
  retrans(reply: boolean, flagBits: number, seq: number, len: number): boolean {
    if (flagBits < 0) return false;
    const syn = (flagBits & SYN) !== 0;
    if (syn) return reply ? this.synAck > 0 : this.syn > 0;
    if (len === 0) return false;
    const end = seq + len;
    if (reply) {
      if (this.seqEndS >= 0 && end <= this.seqEndS && end > this.seqEndS - 0x40000000) return true;
      this.seqEndS = Math.max(this.seqEndS, end);
    } else {
      if (this.seqEndC >= 0 && end <= this.seqEndC && end > this.seqEndC - 0x40000000) return true;
      this.seqEndC = Math.max(this.seqEndC, end);
    }
    return false;
  }
}

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
export class PointTable {
  /** Current flow per client address and port (service traffic), nested per protocol so the
   *  per-packet lookup builds no key string; other traffic by canonical address pair. */
  private readonly tcpFlows = new Map<string, Map<number, Flow>>();
  private readonly udpFlows = new Map<string, Map<number, Flow>>();
  private readonly flows = new Map<string, Flow>();
  /** Flows replaced by a new connection from the same client port. */
  readonly done: Flow[] = [];
  /** allFlows(), until a flow is added. */
  private flowList: Flow[] | undefined = undefined;
  readonly arp: ArpEvent[] = [];
  /** MAC -> IPv4 addresses it claimed as ARP sender. */
  readonly macClaims = new Map<string, Set<string>>();
  readonly vrrp = new Map<string, VrrpSender>();
  readonly fragNeeded: FragNeededEvent[] = [];
  /** Packet records of every flow at this point. */
  readonly records = new PacketRecords();
  /** Recent packet signatures of every flow (forwarded-copy detection). */
  private readonly rings = new SignatureRings();
  /** Source IP -> source MAC (first seen), bounded. */
  readonly srcMacByIp = new Map<string, string>();
  /** For points whose own address is unknown (bounded): address -> times it accepted a
   *  TCP connection (SYN to it, SYN-ACK from it), and address -> packets as a fallback. */
  readonly acceptCounts = new Map<string, number>();
  /** Same points: unicast MAC -> IP frames it sent or received (its own NIC's MAC wins). */
  readonly macCounts = new Map<string, number>();
  readonly ipCounts = new Map<string, number>();
  packets = 0;
  first = Infinity;
  last = 0;
  otherFlows = 0;
  ignored = 0;
  /** Flow cache of the fast path, direct-mapped by addresses and ports (like a route
   *  cache): most packets belong to a flow seen a moment ago, and a hit skips the service
   *  and flow lookups by string. A slot holds the protocol, both addresses, both ports,
   *  the flow and whether that direction is the reply. */
  private readonly cacheSrc = new Int32Array(FLOW_CACHE);
  private readonly cacheDst = new Int32Array(FLOW_CACHE);
  private readonly cachePorts = new Int32Array(FLOW_CACHE);
  private readonly cacheProto = new Uint8Array(FLOW_CACHE);
  private readonly cacheReply = new Uint8Array(FLOW_CACHE);
  private readonly cacheFlow: Array<Flow | undefined> = new Array<Flow | undefined>(FLOW_CACHE).fill(undefined);
  /** The flow and direction consumeL4() resolved (for the cache). */
  private resolvedFlow: Flow | undefined = undefined;
  private resolvedReply = false;

  constructor(
    readonly point: number,
    private readonly services: ServiceMap,
    private readonly countIps: boolean,
  ) {}

  /** Every flow of this point (the list is made once per set of flows: a new flow drops it). */
  allFlows(): Flow[] {
    if (this.flowList) return this.flowList;
    const out = [...this.done, ...this.flows.values()];
    for (const m of [this.tcpFlows, this.udpFlows]) for (const byPort of m.values()) for (const f of byPort.values()) out.push(f);
    this.flowList = out;
    return out;
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
    if (this.countIps && this.packets <= LEARN_PACKETS) this.learn(p.src, p.dst, p.srcMac, p.dstMac, p.tcp?.flagBits ?? 0);
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
    this.consumeL4(
      undefined,
      false,
      p.n,
      ts,
      l4.proto as 'tcp' | 'udp',
      l4.src as string,
      l4.dst as string,
      l4.sport ?? 0,
      l4.dport ?? 0,
      l4.seq ?? 0,
      l4.ack ?? 0,
      l4.len ?? 0,
      l4.ipId ?? 0,
      flagBits,
      p.srcMac,
      p.dstMac,
      outerSrc,
      outerDst,
      p.sllPacketType,
      p.data,
      p.payloadOffset ?? -1,
      p.data.length,
    );
  }

  /**
   * The fast path for most frames of a capture: Ethernet (untagged) or Linux cooked v1,
   * IPv4 that is not a fragment, TCP or UDP, read straight from the bytes in the reader's
   * buffer. Same effect as consume(decodeFrame(frame)) without building a Packet; returns
   * false, having done nothing, for any other frame (the caller then decodes it in full).
   */
  consumeFrame(d: Uint8Array, at: number, caplen: number, linkType: number, n: number, ts: number): boolean {
    const end = at + caplen;
    let off: number;
    let srcMac: string | undefined;
    let dstMac: string | undefined;
    let sllType: number | undefined;
    if (linkType === 1) {
      // EtherType 0x0800 right after the MACs (no VLAN tag).
      if (caplen < 34 || d[at + 12] !== 0x08 || d[at + 13] !== 0x00) return false;
      dstMac = formatMac(d, at);
      srcMac = formatMac(d, at + 6);
      off = at + 14;
    } else if (linkType === 113) {
      if (caplen < 36 || d[at + 14] !== 0x08 || d[at + 15] !== 0x00) return false;
      sllType = (d[at] << 8) | d[at + 1];
      // ARPHRD_ETHER with a 6-byte address: the sender's MAC.
      if (((d[at + 2] << 8) | d[at + 3]) === 1 && ((d[at + 4] << 8) | d[at + 5]) === 6) srcMac = formatMac(d, at + 6);
      off = at + 16;
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
      seq = ((d[l4 + 4] << 24) | (d[l4 + 5] << 16) | (d[l4 + 6] << 8) | d[l4 + 7]) >>> 0;
      if (flagBits & ACK) ack = ((d[l4 + 8] << 24) | (d[l4 + 9] << 16) | (d[l4 + 10] << 8) | d[l4 + 11]) >>> 0;
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
    const src = formatIpv4(d, off + 12);
    const dst = formatIpv4(d, off + 16);
    if (this.countIps && this.packets <= LEARN_PACKETS) this.learn(src, dst, srcMac, dstMac, ipProto === 6 ? flagBits : 0);
    const srcIp = (d[off + 12] << 24) | (d[off + 13] << 16) | (d[off + 14] << 8) | d[off + 15];
    const dstIp = (d[off + 16] << 24) | (d[off + 17] << 16) | (d[off + 18] << 8) | d[off + 19];
    const ports = (d[l4] << 24) | (d[l4 + 1] << 16) | (d[l4 + 2] << 8) | d[l4 + 3];
    let slot = Math.imul(srcIp ^ Math.imul(dstIp, 0x9e3779b1) ^ ports, 0x85ebca6b);
    slot = (slot ^ (slot >>> 16) ^ ipProto) & (FLOW_CACHE - 1);
    let hint = this.cacheFlow[slot];
    // A client's SYN may start a new connection on the same port: that takes the long way.
    if (
      hint !== undefined &&
      (hint.retired ||
        this.cacheSrc[slot] !== srcIp ||
        this.cacheDst[slot] !== dstIp ||
        this.cachePorts[slot] !== ports ||
        this.cacheProto[slot] !== ipProto ||
        (flagBits >= 0 && (flagBits & (SYN | ACK)) === SYN))
    ) {
      hint = undefined;
    }
    this.consumeL4(
      hint,
      this.cacheReply[slot] === 1,
      n,
      ts,
      ipProto === 6 ? 'tcp' : 'udp',
      src,
      dst,
      (d[l4] << 8) | d[l4 + 1],
      (d[l4 + 2] << 8) | d[l4 + 3],
      seq,
      ack,
      len,
      (d[off + 4] << 8) | d[off + 5],
      flagBits,
      srcMac,
      dstMac,
      undefined,
      undefined,
      sllType,
      d,
      payloadAt,
      capEnd,
    );
    if (hint === undefined && this.resolvedFlow !== undefined) {
      this.cacheSrc[slot] = srcIp;
      this.cacheDst[slot] = dstIp;
      this.cachePorts[slot] = ports;
      this.cacheProto[slot] = ipProto;
      this.cacheReply[slot] = this.resolvedReply ? 1 : 0;
      this.cacheFlow[slot] = this.resolvedFlow;
    }
    return true;
  }

  /** One TCP or UDP packet (or the TCP/UDP packet inside a tunnel), by its fields;
   *  `hint`: its flow and direction when the caller already knows them. */
  private consumeL4(
    hint: Flow | undefined,
    hintReply: boolean,
    n: number,
    ts: number,
    l4proto: 'tcp' | 'udp',
    src: string,
    dst: string,
    sport: number,
    dport: number,
    seq: number,
    ack: number,
    len: number,
    ipId: number,
    flagBits: number,
    srcMac: string | undefined,
    dstMac: string | undefined,
    outerSrc: string | undefined,
    outerDst: string | undefined,
    sllType: number | undefined,
    data: Uint8Array,
    payloadAt: number,
    payloadEnd: number,
  ): void {
    let reply: boolean;
    let flow: Flow | undefined;
    if (hint !== undefined) {
      flow = hint;
      reply = hintReply;
    } else {
      if (this.services.server(l4proto, dst, dport)) {
        reply = false;
        flow = this.serviceFlow(l4proto, src, sport, flagBits, seq);
      } else if (this.services.server(l4proto, src, sport)) {
        reply = true;
        flow = this.serviceFlow(l4proto, dst, dport, -1, 0);
      } else {
        flow = this.otherFlow(l4proto, src, sport, dst, dport, flagBits);
        reply = flow !== undefined && !(src === flow.client && sport === flow.cport);
      }
      this.resolvedFlow = flow;
      this.resolvedReply = reply;
      if (flow === undefined) return;
    }

    const sig = packetSig(reply, ipId, seq, ack, flagBits, len);
    const dup = flow.seen(sig, sllType, this.rings);
    if (ts < flow.first) flow.first = ts;
    if (ts > flow.last) flow.last = ts;
    if (reply) {
      if (dup) {
        flow.repDup++;
      } else {
        flow.rep++;
        if (src !== flow.lastRepSrc || sport !== flow.lastRepSport) {
          flow.lastRepSrc = src;
          flow.lastRepSport = sport;
          flow.replySrcs = pushSmall(flow.replySrcs, endpointText(src, sport));
        }
        if (dstMac !== flow.lastRepDstMac) {
          flow.lastRepDstMac = dstMac;
          flow.repSrcMacs = pushSmall(flow.repSrcMacs, srcMac);
          flow.repDstMacs = pushSmall(flow.repDstMacs, dstMac);
        }
        if (flow.retrans(true, flagBits, seq, len)) flow.retransS++;
        if (flagBits >= 0) {
          if ((flagBits & (SYN | ACK)) === (SYN | ACK)) flow.synAck++;
          if (flagBits & FIN) flow.finS++;
          if (flagBits & RST) flow.rstS++;
          if (len > 0 && flow.httpStatus === undefined && outerDst === undefined) flow.httpStatus = readHttpStatus(data, payloadAt, payloadEnd);
        }
      }
    } else if (dup) {
      flow.reqDup++;
      if (flow.reqDup <= 2 || flow.dupDsts.length === 0) flow.dupDsts = pushSmall(flow.dupDsts, endpointText(dst, dport));
      if (dstMac !== flow.lastDupDstMac) {
        flow.lastDupDstMac = dstMac;
        flow.dupDstMacs = pushSmall(flow.dupDstMacs, dstMac);
      }
      if (outerDst !== undefined) flow.encapDsts = pushSmall(flow.encapDsts, outerDst);
    } else {
      flow.req++;
      if (dst !== flow.lastReqDst || dport !== flow.lastReqDport) {
        flow.lastReqDst = dst;
        flow.lastReqDport = dport;
        flow.reqDsts = pushSmall(flow.reqDsts, endpointText(dst, dport));
      }
      if (srcMac !== flow.lastReqSrcMac) {
        flow.lastReqSrcMac = srcMac;
        flow.reqSrcMacs = pushSmall(flow.reqSrcMacs, srcMac);
        flow.reqDstMacs = pushSmall(flow.reqDstMacs, dstMac);
      }
      if (outerDst !== undefined) flow.encapDsts = pushSmall(flow.encapDsts, outerDst);
      if (flow.retrans(false, flagBits, seq, len)) flow.retransC++;
      if (flagBits >= 0) {
        if ((flagBits & (SYN | ACK)) === SYN) flow.syn++;
        else if (flagBits & ACK) flow.reqAck++;
        if (flagBits & FIN) flow.finC++;
        if (flagBits & RST) flow.rstC++;
      }
    }
    // Past the head, the tail ring's oldest record is overwritten in place: no garbage per packet.
    const i = flow.slot();
    const s = this.records;
    s.n[i] = n;
    s.ts[i] = ts;
    s.setDirection(i, reply, dup);
    s.flagBits[i] = flagBits;
    s.seq[i] = seq;
    s.ack[i] = ack;
    s.len[i] = len;
    s.ipId[i] = ipId;
    s.sport[i] = sport;
    s.dport[i] = dport;
    s.sig[i] = sig;
    // Most packets of a flow and direction carry the addresses of the one before.
    const last = reply ? flow.repAddr : dup ? flow.dupAddr : flow.reqAddr;
    const a = addressing(last, src, dst, srcMac, dstMac, outerSrc, outerDst);
    if (a !== last) {
      if (reply) flow.repAddr = a;
      else if (dup) flow.dupAddr = a;
      else flow.reqAddr = a;
    }
    s.addr[i] = a;
    s.note[i] = undefined;
  }

  /** Counts what tells a real server's own address and MAC (see learnRealServerAddresses). */
  private learn(src: string | undefined, dst: string | undefined, srcMac: string | undefined, dstMac: string | undefined, tcpFlagBits: number): void {
    if (src !== undefined && srcMac !== undefined && this.srcMacByIp.size < 256 && !this.srcMacByIp.has(src)) this.srcMacByIp.set(src, srcMac);
    if (src !== undefined && dst !== undefined) {
      this.countIp(this.ipCounts, src);
      this.countIp(this.ipCounts, dst);
      if ((tcpFlagBits & (SYN | ACK)) === SYN) this.countIp(this.acceptCounts, dst);
      else if ((tcpFlagBits & (SYN | ACK)) === (SYN | ACK)) this.countIp(this.acceptCounts, src);
    }
    if (srcMac !== undefined) this.countIp(this.macCounts, srcMac);
    // Group bit clear: unicast.
    if (dstMac !== undefined && (parseInt(dstMac.slice(0, 2), 16) & 1) === 0) this.countIp(this.macCounts, dstMac);
  }

  private countIp(m: Map<string, number>, ip: string): void {
    const c = m.get(ip);
    if (c !== undefined) m.set(ip, c + 1);
    else if (m.size < 1024) m.set(ip, 1);
  }

  /** The flow of client `ip:port`; a new client SYN with another ISN starts a new connection. */
  private serviceFlow(proto: 'tcp' | 'udp', client: string, cport: number, flagBits: number, seq: number): Flow {
    const byClient = proto === 'tcp' ? this.tcpFlows : this.udpFlows;
    let byPort = byClient.get(client);
    if (!byPort) byClient.set(client, (byPort = new Map()));
    let flow = byPort.get(cport);
    const isSyn = flagBits >= 0 && (flagBits & (SYN | ACK)) === SYN;
    if (flow && isSyn && flow.gen !== seq && (flow.gen !== -1 || flow.req + flow.rep > 0)) {
      this.done.push(flow);
      flow.retired = true;
      flow = undefined;
    }
    if (!flow) {
      flow = new Flow(this.point, proto, client, cport, isSyn ? seq : -1, this.records);
      byPort.set(cport, flow);
      this.flowList = undefined;
    } else if (isSyn && flow.gen === -1) {
      flow.gen = seq;
    }
    return flow;
  }

  /** Traffic to no known endpoint (e.g. health checks to a real server missing from capture.json). */
  private otherFlow(proto: 'tcp' | 'udp', src: string, sport: number, dst: string, dport: number, flagBits: number): Flow | undefined {
    const a = endpointText(src, sport);
    const b = endpointText(dst, dport);
    const key = a < b ? `o|${proto}|${a}|${b}` : `o|${proto}|${b}|${a}`;
    let flow = this.flows.get(key);
    if (!flow) {
      if (this.otherFlows >= MAX_OTHER_FLOWS) {
        this.ignored++;
        return undefined;
      }
      this.otherFlows++;
      // The sender of a SYN (or of the first packet seen) is the client.
      const synAck = flagBits >= 0 && (flagBits & (SYN | ACK)) === (SYN | ACK);
      flow = synAck ? new Flow(this.point, proto, dst, dport, -1, this.records) : new Flow(this.point, proto, src, sport, -1, this.records);
      this.flows.set(key, flow);
      this.flowList = undefined;
    }
    return flow;
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
    let flow: Flow;
    let reply: boolean;
    if (this.services.server(qp, q.dst, q.dport)) {
      // The quoted packet went to our side: this error answers the client's request.
      flow = this.serviceFlow(qp, q.src, q.sport ?? 0, -1, 0);
      reply = true;
      flow.icmpToClient++;
    } else if (this.services.server(qp, q.src, q.sport)) {
      flow = this.serviceFlow(qp, q.dst, q.dport ?? 0, -1, 0);
      reply = false;
      flow.icmpFromClient++;
    } else {
      return;
    }
    const note = icmpText(ic.type, ic.code);
    flow.icmpNote ??= note;
    const sig = packetSig(reply, p.ipId ?? 0, ic.type, ic.code, -2, p.len ?? 0);
    const dup = flow.seen(sig, p.sllPacketType, this.rings);
    if (p.ts < flow.first) flow.first = p.ts;
    if (p.ts > flow.last) flow.last = p.ts;
    if (reply && !dup) flow.replySrcs = pushSmall(flow.replySrcs, `${p.src}:icmp`);
    const i = flow.slot();
    const s = this.records;
    s.n[i] = p.n;
    s.ts[i] = p.ts;
    s.setDirection(i, reply, dup);
    s.flagBits[i] = -2;
    s.seq[i] = ic.type;
    s.ack[i] = ic.code;
    s.len[i] = p.len ?? 0;
    s.ipId[i] = p.ipId ?? 0;
    s.sport[i] = -1;
    s.dport[i] = -1;
    s.sig[i] = sig;
    s.addr[i] = addressing(undefined, p.src ?? '?', p.dst ?? '?', p.srcMac, p.dstMac, undefined, undefined);
    s.note[i] = note;
  }
}
