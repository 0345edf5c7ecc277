// What the correlation concluded, in a form the finding rules can read without
// looking at packets again: per capture point, per connection and per health check.

import type { CaptureManifest, CapturePoint, ManifestService } from '../capture/manifest';
import type { ClusterModel } from '../model/cluster';
import type { ServiceMap } from './endpoints';
import type { ArpEvent, Flow, FragNeededEvent, PointTable, VrrpSender } from './flowTable';
import type { Connection, Lane } from './result';

export interface PointInfo {
  index: number;
  spec: CapturePoint;
  table: PointTable;
  lane: Lane;
  /** Seconds to add to this point's raw timestamps to put them on the common clock. */
  shift: number;
  /** How far this point's times may be off on the common clock, seconds (the uncertainty of
   *  the clock offset capture.json records, UNKNOWN_CLOCK_DOUBT_S when it records none). */
  clockDoubt: number;
  /** False when the file could not be read at all. */
  readable: boolean;
  /** A real server's point: the MACs of its own NIC, learnt from its capture (the MAC its
   *  address sends from, its replies leave from, ARP claims for it). A frame to any other
   *  unicast MAC was not for this host, whoever else's MAC that is (see correlate.ts
   *  overheard()). Unset when its capture shows none, and for other roles. */
  ownMacs?: Set<string>;
  /** A real server's point: the real server it captures (its name in `services`) — capture.json's
   *  `realServer`, else identified from its capture (see identify.ts); unset when neither tells. */
  realServer?: string;
}

/** What one real server's own capture shows for a connection. */
export interface RsView {
  point: number;
  rs: string;
  /** Requests arrived (first copies). */
  requests: number;
  /** Packets the real server sent back. */
  replies: number;
  /** Source `ip:port` of those replies. */
  replySrcs: string[];
  /** Source MACs the requests came from (director's, or the router's when bypassed). */
  reqSrcMacs: string[];
  /** Destination MACs of the replies (the next hop the real server chose). */
  repDstMacs: string[];
  synAck: number;
  rst: number;
  icmp: number;
  first: number;
  last: number;
  flow: Flow;
}

export interface ConnFacts {
  conn: Connection;
  service?: ManifestService;
  flows: Flow[];
  /** A director point saw the client's request arrive. */
  atDirector: boolean;
  /** Real servers the director forwarded it to (by MAC, rewritten address or tunnel). */
  forwardedTo: string[];
  /** The director forwarded it (even if we cannot tell where). */
  forwarded: boolean;
  /** The director could have shown a forwarded copy (it captures the RS side too). */
  directorSeesForwarding: boolean;
  /** Director answered from the VIP itself (ICMP unreachable or RST) without forwarding. */
  directorRefused?: { point: number; n: number; ts: number; what: string };
  /** Per real-server point that saw anything of this connection. */
  rsViews: RsView[];
  /** The director saw replies (NAT: the return path through it). */
  directorSawReply: boolean;
  /** Client-side view (client or router points): replies and where they came from. */
  clientReplySrcs: string[];
  clientReplies: number;
  /** Client acknowledged a reply (handshake completed), seen anywhere. */
  handshakeDone: boolean;
  /** Some capture point could have seen the replies. */
  replyVisible: boolean;
}

const firstRefsOf = new WeakMap<ConnFacts, Map<number, number[]>>();

/** The first packet numbers (up to 5) of a connection per point, for evidence: made when a
 *  finding cites the connection, not for every connection. */
export function firstRefs(c: ConnFacts): Map<number, number[]> {
  let refs = firstRefsOf.get(c);
  if (refs) return refs;
  refs = new Map();
  for (const f of c.flows) {
    const list = refs.get(f.point) ?? [];
    for (let k = 0; k < f.headLen && list.length < 5; k++) list.push(f.store.n[f.headStart + k]);
    refs.set(f.point, list);
  }
  firstRefsOf.set(c, refs);
  return refs;
}

export interface HealthCheck {
  point: number;
  director: string;
  rsAddress: string;
  rs?: string;
  port: number;
  proto: 'tcp' | 'udp';
  attempts: number;
  refused: number;
  unanswered: number;
  httpErrors: number;
  ok: number;
  lastHttpStatus?: number;
  first: number;
  packets: number[];
}

export interface Facts {
  folder: string;
  manifest: CaptureManifest;
  model?: ClusterModel;
  services: ServiceMap;
  points: PointInfo[];
  conns: ConnFacts[];
  healthChecks: HealthCheck[];
  arp: ArpEvent[];
  /** MAC -> addresses claimed in ARP, over all points. */
  macClaims: Map<string, Set<string>>;
  /** MAC -> real server name, from ARP and from the real servers' own captures. */
  rsMacs: Map<string, string>;
  /** MACs known to belong to directors. */
  directorMacs: Set<string>;
  vrrp: VrrpSender[];
  fragNeeded: FragNeededEvent[];
  /** Client addresses that talked to a VIP. */
  clients: Set<string>;
}

/**
 * Whether a frame to `dstMac` captured at non-director point p was addressed to another host
 * than p's: at a real server whose own MACs its capture shows, any unicast MAC not its own
 * (whoever else's it is, known or not); elsewhere (or with none known), another real
 * server's MAC. A switch floods unicast to a MAC it has not learnt to every port, and a
 * promiscuous capture there records it: such a frame was not received by that host.
 */
export function addressedElsewhere(p: PointInfo, dstMac: string, rsMacs: Map<string, string>): boolean {
  const owner = rsMacs.get(dstMac);
  const own = p.ownMacs;
  if (own === undefined) return owner !== undefined && owner !== p.realServer;
  // The group bit (broadcast, multicast): for every host.
  return !own.has(dstMac) && owner !== p.realServer && (parseInt(dstMac.slice(0, 2), 16) & 1) === 0;
}

/** A point's clock doubt when capture.json says nothing about its clock's uncertainty. */
export const UNKNOWN_CLOCK_DOUBT_S = 0.005;
/** How well a capture window's edges are known: the host's file times (a clock tick) and
 *  tcpdump's start-up. */
const WINDOW_EDGE_S = 0.01;
/** How long a packet the director sends on may take to reach the real server. */
const TRANSIT_S = 0.05;

/**
 * The span a point's capture covered, on the common clock: from tcpdump's "listening on" to
 * its end as capture.json records them (captureStart, captureEnd); without them (older or
 * hand-made captures) from its first to its last packet, which it surely covered. A point
 * with no packet and no recorded span is taken to have run throughout: a capture that saw
 * nothing is no excuse.
 */
export function captureSpan(p: PointInfo): { start: number; end: number } {
  const { captureStart, captureEnd } = p.spec;
  const t = p.table;
  let start = captureStart ?? (t.packets > 0 ? t.first : -Infinity);
  let end = captureEnd ?? (t.packets > 0 ? t.last : Infinity);
  if (t.packets > 0) {
    start = Math.min(start, t.first);
    end = Math.max(end, t.last);
  }
  return { start: start + p.shift, end: end + p.shift };
}

/**
 * Where packets seen elsewhere between `from` and `to` (common clock, `doubt` seconds off at
 * most) fall against point p's capture: `during` when p surely ran at one of those moments
 * (so it would have seen them arrive), else `before` it began or `after` it ended (p could
 * not have seen them: no evidence against the host).
 */
export function againstCapture(p: PointInfo, from: number, to: number, doubt: number): 'during' | 'before' | 'after' {
  const span = captureSpan(p);
  const slack = WINDOW_EDGE_S + doubt + p.clockDoubt;
  if (to < span.start + slack) return 'before';
  if (from > span.end - slack - TRANSIT_S) return 'after';
  return 'during';
}

/** Whether point p's capture surely ran until `ts` (common clock; a time on p's own clock,
 *  so that only the window's edge is in doubt): an answer due by then would show there. */
export function capturedPast(p: PointInfo, ts: number): boolean {
  return captureSpan(p).end >= ts + WINDOW_EDGE_S;
}

/**
 * Whether none of the readable points `pick` selects could have seen packets that passed
 * between `from` and `to` (common clock, `doubt` seconds off at most; see againstCapture()):
 * whether their captures had not begun (`before`: the first to begin, and when) or had ended
 * (`after`: the last to end, and when). Undefined when one of them ran then, or none is picked.
 */
export function pointsMissed(points: PointInfo[], pick: (p: PointInfo) => boolean, from: number, to: number, doubt: number): { point: number; when: 'before' | 'after'; at: number } | undefined {
  let missed: { point: number; when: 'before' | 'after'; at: number } | undefined;
  for (const p of points) {
    if (!p.readable || !pick(p)) continue;
    const where = againstCapture(p, from, to, doubt);
    if (where === 'during') return undefined;
    const s = captureSpan(p);
    const at = where === 'before' ? s.start : s.end;
    if (!missed) missed = { point: p.index, when: where, at };
    else if (where === missed.when && (where === 'before' ? at < missed.at : at > missed.at)) missed = { point: p.index, when: where, at };
  }
  return missed;
}

/** When a connection's packets passed the director points (common clock), and the doubt on
 *  those times; the whole connection when no director point saw it. */
export function directorSpan(points: PointInfo[], c: ConnFacts): { from: number; to: number; doubt: number } {
  let from = Infinity;
  let to = -Infinity;
  let doubt = 0;
  for (const f of c.flows) {
    const p = points[f.point];
    if (p.spec.role !== 'director') continue;
    from = Math.min(from, f.first + p.shift);
    to = Math.max(to, f.last + p.shift);
    doubt = Math.max(doubt, p.clockDoubt);
  }
  return from <= to ? { from, to, doubt } : { from: c.conn.start, to: c.conn.end, doubt: UNKNOWN_CLOCK_DOUBT_S };
}

/**
 * Whether real server `rs`'s capture could not have seen connection `c` pass the director
 * (it had not started yet, or had ended): `before` / `after`, naming when its capture began or
 * ended; undefined when one of its readable points ran then, or it has none.
 */
export function rsCaptureMissed(points: PointInfo[], c: ConnFacts, rs: string): { when: 'before' | 'after'; at: number } | undefined {
  let missed: { when: 'before' | 'after'; at: number } | undefined;
  let span: ReturnType<typeof directorSpan> | undefined;
  for (const p of points) {
    if (!p.readable || p.spec.role !== 'real-server' || p.realServer !== rs) continue;
    span ??= directorSpan(points, c);
    const where = againstCapture(p, span.from, span.to, span.doubt);
    if (where === 'during') return undefined;
    const s = captureSpan(p);
    missed ??= { when: where, at: where === 'before' ? s.start : s.end };
  }
  return missed;
}

/**
 * Whether TCP connection `c` was already under way when real server view v's capture began:
 * none of that server's points saw a SYN of it, and it was first seen (anywhere) before their
 * capture surely ran. What v shows is then the tail of an exchange (the client's last ACK
 * after the server's FIN) whose requests and the answers to them came before the server's
 * tcpdump listened: no evidence that it does not answer.
 */
export function begunBeforeCapture(points: PointInfo[], c: ConnFacts, v: RsView): boolean {
  if (c.conn.protocol !== 'tcp') return false;
  const rsPoint = (p: PointInfo): boolean => p.spec.role === 'real-server' && (p.realServer ?? p.spec.host) === v.rs;
  let doubt = 0;
  for (const f of c.flows) {
    const p = points[f.point];
    if (rsPoint(p) && f.syn > 0) return false;
    doubt = Math.max(doubt, p.clockDoubt);
  }
  return pointsMissed(points, rsPoint, c.conn.start, c.conn.start, doubt)?.when === 'before';
}

/**
 * How long after a request reached a real server its answer must have had to show before the
 * server is blamed for not answering. A server's kernel answers a SYN (SYN-ACK or RST) within
 * a millisecond and a UDP service typically within milliseconds; 1 s is TCP's initial
 * retransmission timeout (RFC 6298), how long a client waits for an answer before it sends
 * its request again, so an answer later than that is itself the fault. A longer wait would
 * excuse silent servers near the end of a short capture; a shorter one would blame a server
 * for an answer the capture ended too soon to show.
 */
export const ANSWER_WAIT_S = 1;

/**
 * Whether the captures where a real server's answer would show ran long enough after the
 * first request of its view v reached it (ANSWER_WAIT_S, the windows' and clocks' doubt
 * allowed for, see againstCapture()): one of that server's own readable points (not with
 * `clientSideOnly`: its answer is already seen there) and, when the capture has any, one of
 * the client side's (client, router). Undefined when they did, else the capture that ended
 * too soon (the latest-ending of the side that did not run long enough) and when it ended.
 */
export function answerUnseen(points: PointInfo[], v: RsView, clientSideOnly = false): { point: number; at: number } | undefined {
  const due = v.first + ANSWER_WAIT_S;
  const rsDoubt = points[v.point].clockDoubt;
  let rsRan = clientSideOnly;
  let rsEnd: { point: number; at: number } | undefined;
  let clientPoints = 0;
  let clientRan = false;
  let clientEnd: { point: number; at: number } | undefined;
  for (const p of points) {
    if (!p.readable) continue;
    const role = p.spec.role;
    const own = role === 'real-server' && (p.realServer ?? p.spec.host) === v.rs;
    if (own ? clientSideOnly : role !== 'client' && role !== 'router') continue;
    // At the server's own points the answer would show as it leaves, on the clock v.first is
    // on: only the window's edge is in doubt. On the client side it still has to travel, and
    // both clocks are in doubt (againstCapture()).
    const ran = own ? capturedPast(p, due) : againstCapture(p, due, due, rsDoubt) === 'during';
    const at = captureSpan(p).end;
    if (own) {
      if (ran) rsRan = true;
      else if (!rsEnd || at > rsEnd.at) rsEnd = { point: p.index, at };
    } else {
      clientPoints++;
      if (ran) clientRan = true;
      else if (!clientEnd || at > clientEnd.at) clientEnd = { point: p.index, at };
    }
  }
  if (!rsRan) return rsEnd;
  if (clientPoints > 0 && !clientRan) return clientEnd;
  return undefined;
}

export function isDirector(p: PointInfo): boolean {
  return p.spec.role === 'director';
}

/** `20:00:27.836 UTC` for a time on the common clock, in stop reasons and findings. */
export function clockTime(ts: number): string {
  return `${new Date(ts * 1000).toISOString().slice(11, 23)} UTC`;
}
