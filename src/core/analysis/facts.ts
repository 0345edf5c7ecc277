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
  /** False when the file could not be read at all. */
  readable: boolean;
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

export function isDirector(p: PointInfo): boolean {
  return p.spec.role === 'director';
}
