// Correlation across capture points: the flows every point saw are grouped into
// client connections (client address + port + ISN: that survives DR's MAC rewrite,
// NAT's destination rewrite and TUN's encapsulation), the same packet is recognised at
// each point by what IPVS never changes (IP ID, TCP seq/ack/flags, payload length —
// never TTL or checksums), clocks are aligned from matched packets, and each connection
// gets the facts the finding rules need (its hops are built on demand: hops.ts).

import type { ManifestService } from '../capture/manifest';
import { addSample, estimateOffset, newSamples, type OffsetSamples } from './clock';
import { defineLazyHops, MATCH_WINDOW_S, pathRank, type HopSource, type RsNames } from './hops';
import { identifyRealServers } from './identify';
import type { ServiceMap } from './endpoints';
import {
  addressedElsewhere,
  ANSWER_WAIT_S,
  answerUnseen,
  capturedPast,
  captureSpan,
  clockTime,
  directorSpan,
  pointsMissed,
  rsCaptureMissed,
  type ConnFacts,
  type Facts,
  type HealthCheck,
  type PointInfo,
  type RsView,
} from './facts';
import * as F from './flowColumns';
import { MAX_HEAD, MAX_TAIL, NONE } from './flowColumns';
import { RST, type Flow } from './flowTable';
import { packetWord, type Addressing, type PacketRecords } from './packetRecords';
import type { Connection, ConnectionState } from './result';

/** The copy and reply bits of a record's word (see packetWord()): loops over many records
 *  test them in the word rather than through a call each (each such small method was
 *  compiled on its own while the loop ran unoptimised). */
const COPY_BIT = packetWord(false, true, -2, 0);
const REPLY_BIT = packetWord(true, false, -2, 0);

/** Connections sampled for the clock-offset estimate. */
const MAX_CLOCK_GROUPS = 400;

/** What the correlation asks of an endpoint text (`ip:port`): worked out once per distinct
 *  endpoint and analysis (endpoints repeat across flows), not per connection. */
interface Endpoint {
  ip: string;
  port: number | undefined;
  /** The address is a VIP. */
  vip: boolean;
  /** The address is a real server's (and its name). */
  isRs: boolean;
  rs: string | undefined;
}

class Endpoints {
  private readonly known = new Map<string, Endpoint>();

  constructor(private readonly services: ServiceMap) {}

  of(text: string): Endpoint {
    let e = this.known.get(text);
    if (e === undefined) {
      const colon = text.lastIndexOf(':');
      const ip = colon < 0 ? text : text.slice(0, colon);
      const port = Number(text.slice(colon + 1));
      const { vips, rsByAddress } = this.services;
      e = { ip, port: Number.isFinite(port) ? port : undefined, vip: vips.has(ip), isRs: rsByAddress.has(ip), rs: rsByAddress.get(ip) };
      this.known.set(text, e);
    }
    return e;
  }

  // Lists of endpoints are shared (between the flows of a point, and with the groups that
  // hold just their values) and never changed: the last list asked about is answered again
  // without looking at its texts.
  private vipList: string[] | undefined = undefined;
  private vipAnswer = false;
  private rsList: string[] | undefined = undefined;
  private rsAnswer: string | undefined = undefined;

  /** Whether any of `texts` is a VIP endpoint. */
  anyVip(texts: string[]): boolean {
    if (texts === this.vipList) return this.vipAnswer;
    let answer = false;
    for (let k = 0; k < texts.length && !answer; k++) answer = this.of(texts[k]).vip;
    this.vipList = texts;
    this.vipAnswer = answer;
    return answer;
  }

  /** The first of `texts` at a real server's address. */
  firstRs(texts: string[]): string | undefined {
    if (texts === this.rsList) return this.rsAnswer;
    let answer: string | undefined;
    for (let k = 0; k < texts.length && answer === undefined; k++) if (this.of(texts[k]).isRs) answer = texts[k];
    this.rsList = texts;
    this.rsAnswer = answer;
    return answer;
  }
}

interface Group {
  proto: 'tcp' | 'udp';
  client: string;
  cport: number;
  /** Its flows, less those a point only overheard (see overheard()). */
  flows: Flow[];
  /** All its flows (the clock alignment matches packets in these). */
  seen: Flow[];
  /** Earliest raw timestamp of its flows (for ordering). */
  first: number;
  /** Server-side endpoints (`ip:port`) its flows saw; unset for a group left with no flows. */
  endpoints: string[] | undefined;
  /** One of them is a VIP's. */
  toVip: boolean;
  /** Its client endpoint's number: the groups of one client endpoint (its TCP generations)
   *  count the connections they became (the second is `id#2`...). */
  endpoint: number;
}

/**
 * Groups the flows of all points by client endpoint and TCP generation (ISN), and notes each
 * group's server-side endpoints. Runs once per analysis over every flow, mostly before the
 * JIT has optimised it. Flows are chained in typed arrays by number (client endpoint, then
 * generation): no object per client, port or generation, no closure per group.
 */
function groupFlows(facts: Facts, endpoints: Endpoints): Group[] {
  // Every point's flows in one list: one loop, compiled once (per point, V8 compiled it on
  // the stack for the first point, again for the second, and once more after a deopt).
  const flows = ([] as Flow[]).concat(...facts.points.map((p) => p.table.allFlows()));
  const chains = new FlowChains(flows.length);
  chains.add(flows);
  chains.order();
  const groups = chains.groups(flows, facts, endpoints);
  groups.sort((a, b) => a.first - b.first);
  return groups;
}

/** The flows of each client endpoint (protocol, address, port) and generation, as chains
 *  of flow numbers. Groups are made TCP first, then by client in the order the flows name
 *  them, then by port (see order()), and the sort by time keeps that order for equal times,
 *  as the Maps by protocol, client and port did before. */
class FlowChains {
  /** Client endpoints so far; per endpoint its first generation and the next endpoint of
   *  the same client. */
  endpoints = 0;
  private readonly firstGen: Int32Array;
  private readonly nextOfClient: Int32Array;
  /** Per generation: its ISN (-1: unknown), next generation of the endpoint, first and
   *  last flow, number of flows; per flow: the next flow of its generation. */
  private readonly genValue: Float64Array;
  private readonly nextGen: Int32Array;
  private readonly firstFlow: Int32Array;
  private readonly lastFlow: Int32Array;
  private readonly flowCount: Int32Array;
  private readonly nextFlow: Int32Array;
  /** The spare slot at the end of genValue and nextFlow (see addFlow()). */
  private readonly spare: number;
  private gens = 0;
  /** Per protocol: client address -> client number; per client number its first and last
   *  endpoint in `clientEnds`. */
  private readonly clients = [new Map<string, number>(), new Map<string, number>()];
  private readonly clientEnds: Int32Array;
  private clientCount = 0;
  /** Per protocol: client number * 65536 + port -> endpoint. */
  private readonly byPort = [new Map<number, number>(), new Map<number, number>()];
  /** The endpoints in group order (TCP clients, then UDP), made by order(). */
  private ordered: Int32Array | undefined;

  constructor(flows: number) {
    this.spare = flows;
    this.firstGen = new Int32Array(flows);
    this.nextOfClient = new Int32Array(flows);
    this.genValue = new Float64Array(flows + 1);
    this.genValue[flows] = NaN;
    this.nextGen = new Int32Array(flows);
    this.firstFlow = new Int32Array(flows);
    this.lastFlow = new Int32Array(flows);
    this.flowCount = new Int32Array(flows);
    this.nextFlow = new Int32Array(flows + 1);
    this.clientEnds = new Int32Array(2 * flows);
  }

  // One call per flow rather than the work inline in the loop: the loop is compiled while it
  // runs, before the second point's flows take the paths of endpoints seen before, and
  // compiled code meeting a path it has no feedback for is thrown away; a function per flow
  // is simply compiled again, and the loop's code stays.
  add(flows: Flow[]): void {
    for (let k = 0; k < flows.length; k++) this.addFlow(flows[k], k);
  }

  private addFlow(f: Flow, k: number): void {
    const { cols, row } = f;
    const proto = cols.udp[row];
    const clients = this.clients[proto];
    const client = cols.client[row];
    let c = clients.get(client);
    if (c === undefined) {
      c = this.clientCount++;
      clients.set(client, c);
      this.clientEnds[2 * c] = -1;
    }
    // Ports are 16-bit (TCP and UDP headers): client number and port make one number.
    const key = c * 65536 + cols.cport[row];
    const byPort = this.byPort[proto];
    let e = byPort.get(key);
    if (e === undefined) {
      e = this.endpoints++;
      byPort.set(key, e);
      this.firstGen[e] = -1;
      this.nextOfClient[e] = -1;
      // Appended to its client's endpoints.
      if (this.clientEnds[2 * c] < 0) this.clientEnds[2 * c] = e;
      else this.nextOfClient[this.clientEnds[2 * c + 1]] = e;
      this.clientEnds[2 * c + 1] = e;
    }
    // The first point's flows all start endpoints and generations; the next points' join
    // them. So that the code compiled meanwhile has seen every load and store the joining
    // takes, both paths go through them, a new endpoint or generation with the spare slot
    // at the end of the arrays (its generation value NaN: never equal).
    const value = cols.gen[row];
    let g = this.firstGen[e];
    let prev = -1;
    while (this.genValue[g >= 0 ? g : this.spare] !== value && g >= 0) {
      prev = g;
      g = this.nextGen[g];
    }
    if (g < 0) {
      g = this.gens++;
      this.genValue[g] = value;
      this.nextGen[g] = -1;
      this.firstFlow[g] = k;
      this.flowCount[g] = 0;
      this.lastFlow[g] = this.spare;
      if (prev < 0) this.firstGen[e] = g;
      else this.nextGen[prev] = g;
    }
    this.nextFlow[this.lastFlow[g]] = k;
    this.lastFlow[g] = k;
    this.nextFlow[k] = -1;
    this.flowCount[g]++;
  }

  /** Numbers the endpoints in group order: by protocol, client (in the order first seen)
   *  and port (likewise). */
  order(): void {
    const out = new Int32Array(this.endpoints);
    let n = 0;
    for (let proto = 0; proto < 2; proto++) {
      this.clients[proto].forEach((c) => {
        for (let e = this.clientEnds[2 * c]; e >= 0; e = this.nextOfClient[e]) out[n++] = e;
      });
    }
    this.ordered = out;
  }

  /** The groups of every endpoint, in group order: one per generation. The per-endpoint
   *  work is written in the loop rather than in a helper: V8 compiled such a helper (hot by
   *  calls), then this loop on the stack with the helper inlined again. */
  groups(flows: Flow[], facts: Facts, endpoints: Endpoints): Group[] {
    const groups: Group[] = [];
    for (let n = 0; n < this.endpoints; n++) {
      const e = this.ordered![n];
      const g0 = this.firstGen[e];
      const { cols, row } = flows[this.firstFlow[g0]];
      const client = cols.client[row];
      const cport = cols.cport[row];
      const proto = cols.udp[row] === 1 ? 'udp' : 'tcp';
      if (this.nextGen[g0] < 0) {
        // One generation (most endpoints): its flows gathered here, flowsOf() is for the
        // rest (a helper called from this loop was compiled on its own first).
        const seen = new Array<Flow>(this.flowCount[g0]);
        let m = 0;
        for (let k = this.firstFlow[g0]; k >= 0; k = this.nextFlow[k]) seen[m++] = flows[k];
        groups.push(newGroup(proto, client, cport, seen, e, facts, endpoints));
        continue;
      }
      const gens: Flow[][] = [];
      let unknown: Flow[] | undefined;
      for (let g = g0; g >= 0; g = this.nextGen[g]) {
        if (this.genValue[g] === -1) unknown = this.flowsOf(g, flows);
        else gens.push(this.flowsOf(g, flows));
      }
      if (unknown) attachUnknown(gens, unknown);
      for (let j = 0; j < gens.length; j++) groups.push(newGroup(proto, client, cport, gens[j], e, facts, endpoints));
    }
    return groups;
  }

  private flowsOf(g: number, flows: Flow[]): Flow[] {
    const out = new Array<Flow>(this.flowCount[g]);
    let n = 0;
    for (let k = this.firstFlow[g]; k >= 0; k = this.nextFlow[k]) out[n++] = flows[k];
    return out;
  }
}

/** A point that missed the SYN: each of its flows (generation unknown) joins the
 *  generation closest in time. */
function attachUnknown(gens: Flow[][], unknown: Flow[]): void {
  for (const f of unknown) {
    let best = gens[0];
    let bestD = Infinity;
    for (const k of gens) {
      let first = Infinity;
      let last = -Infinity;
      for (const x of k) {
        if (x.first < first) first = x.first;
        if (x.last > last) last = x.last;
      }
      const d = f.last < first ? first - f.last : f.first > last ? f.first - last : 0;
      if (d < bestD) {
        bestD = d;
        best = k;
      }
    }
    best.push(f);
  }
}

/** A group of flows, less what a point only overheard, with its server-side endpoints,
 *  whether one is a VIP's (its client is then a client of the virtual services). */
function newGroup(proto: 'tcp' | 'udp', client: string, cport: number, seen: Flow[], endpoint: number, facts: Facts, endpoints: Endpoints): Group {
  let first = Infinity;
  let flows = seen;
  for (let k = 0; k < seen.length; k++) {
    const f = seen[k];
    const t = f.cols.first[f.row];
    if (t < first) first = t;
    if (flows === seen && overheard(f, facts.points[f.point], facts.rsMacs)) flows = seen.filter((x) => !overheard(x, facts.points[x.point], facts.rsMacs));
  }
  let eps: string[] | undefined;
  let toVip = false;
  if (flows.length > 0) {
    eps = endpointsOf(flows);
    toVip = endpoints.anyVip(eps);
    if (toVip) facts.clients.add(client);
  }
  return { proto, client, cport, flows, seen, first, endpoints: eps, toVip, endpoint };
}

/** Server-side endpoints of the flows: request and copy destinations, reply sources. Few
 *  per connection, in lists shared with the flows where they hold them all. */
function endpointsOf(flows: Flow[]): string[] {
  let out = NONE;
  for (let k = 0; k < flows.length; k++) {
    const { cols, row } = flows[k];
    out = union(out, cols.list(row, F.REQ_DSTS));
    out = union(out, cols.list(row, F.DUP_DSTS));
    const srcs = cols.list(row, F.REPLY_SRCS);
    for (let j = 0; j < srcs.length; j++) {
      if (srcs[j].endsWith(':icmp')) {
        out = unionServerSide(out, srcs);
        break;
      }
      if (j === srcs.length - 1) out = union(out, srcs);
    }
  }
  return out;
}

/** `to` with the sources in `srcs` it lacks, but the ICMP ones. */
function unionServerSide(to: string[], srcs: string[]): string[] {
  let out = to;
  for (let j = 0; j < srcs.length; j++) {
    const e = srcs[j];
    if (e.endsWith(':icmp') || out.includes(e)) continue;
    if (out === to) out = to.slice();
    out.push(e);
  }
  return out;
}

// Loops over every flow or connection of an analysis live in functions of their own that
// return right after the loop. Such a loop is hot enough for V8 to compile the function
// around it while it runs (on-stack replacement); a function holding several is compiled
// whole in the first, deoptimised where the next one starts (no type feedback there yet)
// and compiled again for each loop, and again in the next analysis. A function with one
// loop is compiled once, small, and its code kept.

/** What each real server sent itself (its replies) left from its own NIC. */
function noteOwnReplyMacs(flows: Flow[], rs: string, rsMacs: Map<string, string>, own: Set<string>): void {
  for (let k = 0; k < flows.length; k++) {
    const { cols, row } = flows[k];
    const repSrcMacs = cols.list(row, F.REP_SRC_MACS);
    const reqSrcMacs = cols.list(row, F.REQ_SRC_MACS);
    for (let j = 0; j < repSrcMacs.length; j++) {
      if (reqSrcMacs.includes(repSrcMacs[j])) continue;
      rsMacs.set(repSrcMacs[j], rs);
      own.add(repSrcMacs[j]);
    }
  }
}

/** A director's own MACs from its flows: the forwarded copy leaves from its NIC; the first
 *  copy of a request to the VIP arrived at it. */
function noteDirectorMacs(flows: Flow[], facts: Facts, services: ServiceMap): void {
  // What a record adds depends only on its addressing and whether it is a copy, and the
  // records of a flow alternate between a few addressings (request, forwarded copy) that
  // the flows of a client share: the last addressing judged per kind is not judged again.
  let lastRequest: Addressing | undefined;
  let lastCopy: Addressing | undefined;
  for (let k = 0; k < flows.length; k++) {
    const f = flows[k];
    const s = f.store;
    const word = s.word;
    const start = f.cols.headStart(f.row);
    const end = start + f.cols.headLen(f.row);
    for (let i = start; i < end; i++) {
      const w = word[i];
      if ((w & COPY_BIT) !== 0) {
        const a = s.addr(i);
        if (a === lastCopy) continue;
        lastCopy = a;
        if (a.srcMac && !facts.rsMacs.has(a.srcMac)) facts.directorMacs.add(a.srcMac);
      } else if ((w & REPLY_BIT) === 0) {
        const a = s.addr(i);
        if (a === lastRequest) continue;
        lastRequest = a;
        if (a.dstMac && services.vips.has(a.dst) && !facts.rsMacs.has(a.dstMac)) facts.directorMacs.add(a.dstMac);
      }
    }
  }
}

/** Learns real-server MACs and director MACs from ARP and from what each point sent. */
function learnMacs(facts: Facts): void {
  const { services } = facts;
  for (const p of facts.points) {
    for (const [mac, ips] of p.table.macClaims) {
      let claims = facts.macClaims.get(mac);
      if (!claims) facts.macClaims.set(mac, (claims = new Set()));
      for (const ip of ips) {
        claims.add(ip);
        const rs = services.rsByAddress.get(ip);
        if (rs) facts.rsMacs.set(mac, rs);
      }
    }
    if (p.spec.role === 'real-server' && p.realServer) learnOwnMacs(p, p.realServer, facts);
  }
  for (const p of facts.points) {
    if (p.spec.role !== 'director') continue;
    for (const v of p.table.vrrp.values()) if (v.srcMac) facts.directorMacs.add(v.srcMac);
    noteDirectorMacs(p.table.allFlows(), facts, services);
    for (const a of p.table.arp) if (a.sllType === 4 && !facts.rsMacs.has(a.senderMac)) facts.directorMacs.add(a.senderMac);
  }
  // Real servers' points capture.json does not tie to a real server: which one each is, from
  // its capture (identify.ts); then their MACs as for the others.
  if (facts.points.some((p) => p.spec.role === 'real-server' && p.realServer === undefined)) {
    for (const { point, mac } of identifyRealServers(facts, forwardedMacs(facts))) {
      const name = point.realServer as string;
      learnOwnMacs(point, name, facts);
      if (mac !== undefined) {
        facts.rsMacs.set(mac, name);
        (point.ownMacs ??= new Set()).add(mac);
      }
    }
  }
  // A real server that never sent anything (VIP missing on lo): its NIC's MAC is the busiest
  // unicast MAC of its capture that is neither a director's nor another host's by ARP.
  const known = new Set(facts.rsMacs.values());
  for (const p of facts.points) {
    const name = p.realServer;
    if (p.spec.role !== 'real-server' || !name || known.has(name)) continue;
    let best: string | undefined;
    let bestCount = 0;
    for (const [mac, count] of p.table.macCounts) {
      if (facts.directorMacs.has(mac) || facts.rsMacs.has(mac) || facts.macClaims.has(mac)) continue;
      if (count > bestCount) {
        best = mac;
        bestCount = count;
      }
    }
    if (best) {
      facts.rsMacs.set(best, name);
      if (p.ownMacs === undefined) p.ownMacs = new Set([best]);
    }
  }
  // A real server's point that showed none of its own MACs yet: those of its MACs (learnt
  // elsewhere) that its capture shows.
  for (const p of facts.points) {
    const name = p.realServer;
    if (p.spec.role !== 'real-server' || !name || p.ownMacs !== undefined) continue;
    for (const mac of p.table.macCounts.keys()) if (facts.rsMacs.get(mac) === name) (p.ownMacs ??= new Set()).add(mac);
  }
  const last = eliminatedMac(facts);
  if (last !== undefined) facts.rsMacs.set(last[0], last[1]);
}

/** A real server's own NIC's MACs from its point's capture: the one its address sends from,
 *  the ones its replies leave from, the ones its capture shows claiming its address in ARP. */
function learnOwnMacs(p: PointInfo, name: string, facts: Facts): void {
  const own = new Set<string>();
  const addr = facts.services.rsAddressByName.get(name);
  const mac = addr ? p.table.srcMacByIp.get(addr) : undefined;
  if (mac) {
    facts.rsMacs.set(mac, name);
    own.add(mac);
  }
  if (addr) for (const [m, ips] of p.table.macClaims) if (ips.has(addr)) own.add(m);
  noteOwnReplyMacs(p.table.allFlows(), name, facts.rsMacs, own);
  if (own.size > 0) p.ownMacs = own;
}

/**
 * By elimination (DR): one real server still without a MAC — its capture is empty or missing,
 * and no ARP names it — and one unknown unicast MAC the director forwards to: that MAC and
 * the real server's name. DR only: in TUN and NAT a forwarded copy may be addressed to a
 * router's MAC.
 */
function eliminatedMac(facts: Facts): [string, string] | undefined {
  const { services } = facts;
  const svcs = facts.manifest.services;
  if (svcs.length === 0 || svcs.some((x) => x.method !== 'dr')) return undefined;
  // By address: a real server the config names by address and capture.json by name is one.
  const named = new Set<string | undefined>();
  for (const n of facts.rsMacs.values()) named.add(services.rsAddressByName.get(n));
  const nameless = [...new Set(services.rsAddressByName.values())].filter((a) => !named.has(a));
  if (nameless.length !== 1) return undefined;
  const unknown = new Set<string>();
  for (const p of facts.points) {
    if (p.spec.role !== 'director') continue;
    const flows = p.table.allFlows();
    for (let k = 0; k < flows.length; k++) {
      const macs = flows[k].dupDstMacs;
      for (let j = 0; j < macs.length; j++) {
        const m = macs[j];
        // Group bit clear: unicast.
        if (!facts.rsMacs.has(m) && !facts.directorMacs.has(m) && (parseInt(m.slice(0, 2), 16) & 1) === 0) unknown.add(m);
      }
      if (unknown.size > 1) return undefined;
    }
  }
  const name = services.rsByAddress.get(nameless[0]);
  return unknown.size === 1 && name !== undefined ? [[...unknown][0], name] : undefined;
}

/** The MACs the director points forward copies to whose real server is known (by ARP, a
 *  real server's own capture, or eliminatedMac()): MAC -> real server name. Once per flow of
 *  the director points (flows share their lists: a list like the flow before's is skipped). */
function forwardedMacs(facts: Facts): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of facts.points) {
    if (p.spec.role !== 'director') continue;
    const flows = p.table.allFlows();
    let last: string[] | undefined;
    for (let k = 0; k < flows.length; k++) {
      const macs = flows[k].cols.list(flows[k].row, F.DUP_DST_MACS);
      if (macs === last) continue;
      last = macs;
      for (let j = 0; j < macs.length; j++) {
        const name = facts.rsMacs.get(macs[j]);
        if (name !== undefined) out.set(macs[j], name);
      }
    }
  }
  const last = eliminatedMac(facts);
  if (last !== undefined) out.set(last[0], last[1]);
  return out;
}

/** Real servers named by capture points but missing from capture.json: find their address. */
export function learnRealServerAddresses(points: PointInfo[], services: ServiceMap): void {
  for (const p of points) {
    const name = p.realServer;
    if (p.spec.role !== 'real-server' || !name || services.rsAddressByName.has(name)) continue;
    let best: string | undefined;
    let bestCount = 0;
    // The address that accepts connections there is the real server's; else the busiest.
    const accepts = p.table.acceptCounts;
    const counts = accepts.size > 0 ? accepts : p.table.ipCounts;
    for (const [ip, c] of counts) {
      if (services.vips.has(ip) || ip.includes(':')) continue;
      if (c > bestCount) {
        best = ip;
        bestCount = c;
      }
    }
    if (best) services.addRealServer(name, best, true);
  }
}

/** Per-host clock corrections from matched packets, relative to the first director, from a
 *  few hundred connections spread over the capture. */
function alignClocks(points: PointInfo[], groups: Group[]): void {
  const ref = points.find((p) => p.readable && p.spec.role === 'director') ?? points.find((p) => p.readable);
  if (!ref) return;
  // Hosts as small numbers (a host may have several points).
  const hosts: string[] = [];
  const hostOf = new Int32Array(points.length);
  for (let k = 0; k < points.length; k++) {
    let h = hosts.indexOf(points[k].spec.host);
    if (h < 0) h = hosts.push(points[k].spec.host) - 1;
    hostOf[k] = h;
  }
  const m = new Matcher(points, hostOf, hosts.length, hosts.indexOf(ref.spec.host));
  // A few hundred connections spread over the capture pin the offsets down as well as all.
  const step = Math.max(1, Math.floor(groups.length / MAX_CLOCK_GROUPS));
  for (let gi = 0; gi < groups.length; gi += step) m.sample(groups[gi].seen);
  for (let h = 0; h < hosts.length; h++) {
    const s = m.samples[h];
    if (s === undefined) continue;
    const est = estimateOffset(s, hosts[h], ref.spec.host);
    if (!est) continue;
    // Both directions: shift only for a real offset; sub-millisecond estimates are within
    // the noise of asymmetric latency. One direction only: a bound, applied only where it
    // excludes zero (a packet seen arriving before it was sent), by the least shift that
    // puts every matched packet after its sending, plus a microsecond (pcap's usual
    // resolution) so that the fastest one's two sightings do not tie or swap by rounding.
    let offset: number | undefined;
    let text = est.text;
    if (est.offset !== undefined) offset = Math.abs(est.offset) > 0.001 ? est.offset : undefined;
    else if (est.upperBound !== undefined && est.upperBound < 0) {
      offset = Math.min(est.upperBound, departureBound(points, groups, step, hostOf, h, m.refHost, true) ?? Infinity) - ONE_WAY_MARGIN_S;
    } else if (est.lowerBound !== undefined && est.lowerBound > 0) {
      offset = Math.max(est.lowerBound, departureBound(points, groups, step, hostOf, h, m.refHost, false) ?? -Infinity) + ONE_WAY_MARGIN_S;
    }
    if (offset !== undefined && est.offset === undefined) {
      text += `: applied, shifting ${hosts[h]} by ${signedMs(-offset)} (the least shift with no packet received before it was sent)`;
    }
    for (const p of points) {
      if (p.spec.host !== hosts[h]) continue;
      p.lane.clockNote = p.lane.clockNote ? `${p.lane.clockNote}; ${text}` : text;
      if (offset !== undefined) p.shift -= offset;
      p.lane.clockOffsetMs = Math.round(p.shift * 1e6) / 1e3;
    }
  }
}

/** One packet's sightings at host h and at the reference host (departureBound()). */
interface Sightings {
  s: PacketRecords;
  i: number;
  /** Earliest sighting at each (arrival), and earliest second copy (leaving a forwarding
   *  host: DR's re-addressed copy, NAT's rewritten one); NaN for none. */
  refIn: number;
  refOut: number;
  hostIn: number;
  hostOut: number;
  refRank: number;
  hostRank: number;
}

/**
 * The one-way bound of host h's clock against the reference host's (upper: from the packets
 * the reference sent on to h; lower: from those h sent to it), each packet taken as it left
 * the upstream host (a forwarding host's second copy, else its only one) and as it arrived at
 * the downstream host. The estimate's bound (clock.ts) compares first sightings: a director's
 * incoming copy, before it sends the packet on, so a shift by it alone could leave a real
 * server receiving a packet before the director forwarded it. Only called for a bound that
 * excludes zero (a skewed clock), over the connections the estimate sampled.
 */
function departureBound(points: PointInfo[], groups: Group[], step: number, hostOf: Int32Array, h: number, refHost: number, upper: boolean): number | undefined {
  let bound: number | undefined;
  for (let gi = 0; gi < groups.length; gi += step) {
    const bySig = new Map<number, Sightings[]>();
    for (const f of groups[gi].seen) {
      const host = hostOf[f.point];
      if (host !== h && host !== refHost) continue;
      const p = points[f.point];
      const s = f.store;
      const count = f.recordCount();
      for (let k = 0; k < count; k++) {
        const i = f.recordAt(k);
        const sig = s.sig(i);
        let list = bySig.get(sig);
        if (list === undefined) bySig.set(sig, (list = []));
        let e = list.find((x) => x.s.sameKey(x.i, s, i));
        if (e === undefined) list.push((e = { s, i, refIn: NaN, refOut: NaN, hostIn: NaN, hostOut: NaN, refRank: NaN, hostRank: NaN }));
        const ts = s.ts[i] + p.shift;
        const copy = s.dup(i);
        const rank = pathRank(p.spec.role, s.reply(i), s.addr(i).outerDst !== undefined);
        if (host === refHost) {
          if (!copy && !(ts >= e.refIn)) e.refIn = ts;
          if (copy && !(ts >= e.refOut)) e.refOut = ts;
          if (!copy && Number.isNaN(e.refRank)) e.refRank = rank;
        } else {
          if (!copy && !(ts >= e.hostIn)) e.hostIn = ts;
          if (copy && !(ts >= e.hostOut)) e.hostOut = ts;
          if (!copy && Number.isNaN(e.hostRank)) e.hostRank = rank;
        }
      }
    }
    for (const list of bySig.values()) {
      for (const e of list) {
        if (Number.isNaN(e.refIn) || Number.isNaN(e.hostIn) || Math.abs(e.hostIn - e.refIn) > MATCH_WINDOW_S || e.hostRank === e.refRank) continue;
        if (upper && e.hostRank > e.refRank) {
          const d = e.hostIn - (Number.isNaN(e.refOut) ? e.refIn : e.refOut);
          if (bound === undefined || d < bound) bound = d;
        } else if (!upper && e.hostRank < e.refRank) {
          const d = (Number.isNaN(e.hostOut) ? e.hostIn : e.hostOut) - e.refIn;
          if (bound === undefined || d > bound) bound = d;
        }
      }
    }
  }
  return bound;
}

/** How far past a one-way clock bound a shift goes (see alignClocks()). */
const ONE_WAY_MARGIN_S = 1e-6;

/** `+49.997 ms` */
function signedMs(s: number): string {
  return `${s >= 0 ? '+' : '−'}${Math.abs(s * 1000).toFixed(3)} ms`;
}

/** Each lane's capture span on the common clock (Lane.captureSpan), once the clocks are aligned. */
function noteCaptureSpans(points: PointInfo[]): void {
  for (const p of points) {
    const { start, end } = captureSpan(p);
    if (!Number.isFinite(start) || !Number.isFinite(end)) continue;
    p.lane.captureSpan = { start, end, recorded: p.spec.captureStart !== undefined && p.spec.captureEnd !== undefined };
  }
}

/** Matches the packets of one connection across hosts and adds offset samples: per packet
 *  (records equal by sameKey()), the earliest time each host saw it, against the reference
 *  host's. Scratch typed arrays reused from one connection to the next, no object per packet. */
class Matcher {
  /** Offset samples per host (undefined: none yet). */
  readonly samples: Array<OffsetSamples | undefined>;
  private stores: PacketRecords[] = [];
  /** Per collected record: index in its store, point, time on the common clock, and the
   *  next record of the same hash bucket that starts a packet. */
  private idx = new Int32Array(64);
  private point = new Int32Array(64);
  private ts = new Float64Array(64);
  private chain = new Int32Array(64);
  /** Per record that starts a packet: what sameKey() compares (word, seq, ack, len). */
  private kw = new Int32Array(64);
  private kseq = new Int32Array(64);
  private kack = new Int32Array(64);
  private klen = new Int32Array(64);
  /** Per record that starts a packet: the packet's number; per packet and host: the record
   *  of its earliest sighting there (-1: none). */
  private packetOf = new Int32Array(64);
  private firstRec = new Int32Array(64);
  private best: Int32Array;
  /** pathRank() per point, direction (reply: +2) and encapsulation (+1). */
  private readonly ranks: Float64Array;
  private buckets = new Int32Array(128);

  constructor(
    private readonly points: PointInfo[],
    private readonly hostOf: Int32Array,
    private readonly hostCount: number,
    readonly refHost: number,
  ) {
    this.samples = new Array<OffsetSamples | undefined>(hostCount).fill(undefined);
    this.ranks = new Float64Array(4 * points.length);
    for (let k = 0; k < points.length; k++) {
      const role = points[k].spec.role;
      for (let j = 0; j < 4; j++) this.ranks[4 * k + j] = pathRank(role, j >= 2, (j & 1) === 1);
    }
    this.best = new Int32Array(this.idx.length * hostCount);
  }

  sample(flows: Flow[]): void {
    // At most MAX_HEAD + MAX_TAIL records per flow: no pass to count them.
    const most = flows.length * (MAX_HEAD + MAX_TAIL);
    if (most > this.idx.length) this.grow(most);
    const H = this.hostCount;
    const mask = this.buckets.length - 1;
    this.buckets.fill(-1);
    let n = 0;
    let packets = 0;
    for (let fi = 0; fi < flows.length; fi++) {
      const f = flows[fi];
      const point = f.point;
      const shift = this.points[point].shift;
      const host = this.hostOf[point];
      const s = f.store;
      // The flow's records (see Flow.recordAt()) read from its columns and the store's.
      const { cols, row } = f;
      const head = cols.headLen(row);
      const count = head + cols.tailLen(row);
      const headStart = cols.headStart(row);
      const tailStart = cols.tailStart(row);
      const tailPos = cols.tailPos(row);
      const word = s.word;
      const seqs = s.seq;
      const acks = s.ack;
      const lens = s.len;
      for (let k = 0; k < count; k++) {
        const i = k < head ? headStart + k : tailStart + ((tailPos + k - head) % MAX_TAIL);
        const w = word[i];
        if ((w & COPY_BIT) !== 0) continue;
        // What sameKey() compares (the copy bit is clear: copies are left out), kept per
        // record so that the bucket's records are compared here.
        const seq = seqs[i] | 0;
        const ack = acks[i] | 0;
        const len = lens[i];
        const b = (Math.imul(w ^ Math.imul(seq, 0x9e3779b1) ^ Math.imul(ack ^ len, 0x85ebca6b), 0xc2b2ae35) >>> 16) & mask;
        let x = this.buckets[b];
        while (x >= 0 && (this.kw[x] !== w || this.kseq[x] !== seq || this.kack[x] !== ack || this.klen[x] !== len)) x = this.chain[x];
        let packet: number;
        if (x < 0) {
          packet = packets++;
          this.packetOf[n] = packet;
          this.firstRec[packet] = n;
          this.best.fill(-1, packet * H, packet * H + H);
          this.chain[n] = this.buckets[b];
          this.buckets[b] = n;
          this.kw[n] = w;
          this.kseq[n] = seq;
          this.kack[n] = ack;
          this.klen[n] = len;
        } else packet = this.packetOf[x];
        const ts = s.ts[i] + shift;
        this.stores[n] = s;
        this.idx[n] = i;
        this.point[n] = point;
        this.ts[n] = ts;
        const at = packet * H + host;
        const cur = this.best[at];
        if (cur < 0 || ts < this.ts[cur]) this.best[at] = n;
        n++;
      }
    }
    for (let packet = 0; packet < packets; packet++) this.addSamples(packet);
    this.stores.length = 0;
  }

  /** One packet's samples: each other host's earliest sighting against the reference's. */
  private addSamples(packet: number): void {
    const H = this.hostCount;
    const r = this.best[packet * H + this.refHost];
    if (r < 0) return;
    const first = this.firstRec[packet];
    const reply = this.stores[first].reply(this.idx[first]);
    const rr = this.rank(r, reply);
    for (let h = 0; h < H; h++) {
      const o = this.best[packet * H + h];
      if (h === this.refHost || o < 0 || Math.abs(this.ts[o] - this.ts[r]) > MATCH_WINDOW_S) continue;
      const hr = this.rank(o, reply);
      if (hr === rr) continue;
      let sm = this.samples[h];
      if (sm === undefined) this.samples[h] = sm = newSamples();
      addSample(sm, hr > rr, this.ts[o] - this.ts[r]);
    }
  }

  /** Where record n's point sits along the packet's path. */
  private rank(n: number, reply: boolean): number {
    const encapsulated = this.stores[n].addr(this.idx[n]).outerDst !== undefined;
    return this.ranks[4 * this.point[n] + (reply ? 2 : 0) + (encapsulated ? 1 : 0)];
  }

  private grow(records: number): void {
    let cap = this.idx.length;
    while (cap < records) cap *= 2;
    this.idx = new Int32Array(cap);
    this.point = new Int32Array(cap);
    this.ts = new Float64Array(cap);
    this.chain = new Int32Array(cap);
    this.kw = new Int32Array(cap);
    this.kseq = new Int32Array(cap);
    this.kack = new Int32Array(cap);
    this.klen = new Int32Array(cap);
    this.packetOf = new Int32Array(cap);
    this.firstRec = new Int32Array(cap);
    this.best = new Int32Array(cap * this.hostCount);
    // Buckets: a power of two, at least twice the records.
    this.buckets = new Int32Array(2 * cap);
  }
}

/** A point's role as a number, for the loops over a connection's flows. */
const CLIENT_SIDE = 0;
const DIRECTOR = 1;
const REAL_SERVER = 2;
const OTHER_ROLE = 3;

function roleCodes(points: PointInfo[]): Uint8Array {
  const out = new Uint8Array(points.length);
  for (let k = 0; k < points.length; k++) {
    const role = points[k].spec.role;
    out[k] = role === 'director' ? DIRECTOR : role === 'real-server' ? REAL_SERVER : role === 'client' || role === 'router' ? CLIENT_SIDE : OTHER_ROLE;
  }
  return out;
}

/** Shared empty list of views (rules only read a connection's lists). */
const NO_VIEWS: RsView[] = Object.freeze([]) as unknown as RsView[];

/** Lists of one real server's name, shared by every connection forwarded to it alone. */
const oneName = new Map<string, string[]>();

/** `names` with `name` added (a new list: lists may be shared) unless it is unknown or there. */
function withName(names: string[], name: string | undefined): string[] {
  if (!name || names.includes(name)) return names;
  if (names.length > 0) return [...names, name];
  let one = oneName.get(name);
  if (one === undefined) {
    one = Object.freeze([name]) as unknown as string[];
    if (oneName.size < 1024) oneName.set(name, one);
  }
  return one;
}

/** `to` with the values of `from` it lacks: `from` itself when `to` is empty (the flows'
 *  lists are shared and never changed), `to` when nothing is new, else a new list. */
function union(to: string[], from: string[]): string[] {
  if (to === from || from.length === 0) return to;
  if (to.length === 0) return from;
  let out = to;
  for (let j = 0; j < from.length; j++) {
    if (out.includes(from[j])) continue;
    if (out === to) out = to.slice();
    out.push(from[j]);
  }
  return out;
}

/** The service of a connection to one of `texts` (VIP endpoints first, then real servers'),
 *  left in ctx.service, ctx.vip and ctx.vport. */
function findService(ctx: GroupContext, proto: string, texts: string[]): void {
  // Groups share their lists of endpoints (see Endpoints): the last answer again.
  if (texts === ctx.serviceOf && proto === ctx.serviceProto) return;
  ctx.serviceOf = texts;
  ctx.serviceProto = proto;
  ctx.service = undefined;
  ctx.vip = undefined;
  ctx.vport = undefined;
  for (let k = 0; k < texts.length; k++) {
    const { ip, port } = ctx.endpoints.of(texts[k]);
    const m = ctx.services.server(proto, ip, port);
    if (m?.kind === 'vip') {
      ctx.service = m.service;
      ctx.vip = ip;
      ctx.vport = port;
      return;
    }
  }
  for (let k = 0; k < texts.length; k++) {
    const { ip, port } = ctx.endpoints.of(texts[k]);
    const m = ctx.services.server(proto, ip, port);
    if (m?.kind === 'rs' && m.service) {
      ctx.service = m.service;
      ctx.vip = m.service.vip;
      ctx.vport = m.service.port;
      return;
    }
  }
}

/**
 * Where a connection that got no answer (or was refused or reset) stopped, and why. Where the
 * next host was not capturing when it would have shown what became of the connection (the
 * director forwarded it before the real server's capture began or after it ended, or that
 * capture could not be read; the real server's or the client side's capture ended right after
 * the request; the client sent it, or the director received it, while the director's capture
 * that would show it arrive, or go on, was not running), where it went is not known: the
 * connection's state becomes `unknown`, and the stop names the last point that saw it.
 */
function describeStop(c: ConnFacts, points: PointInfo[], rsSide: boolean[]): { point: number; reason: string } | undefined {
  const st = c.conn.state;
  if (st !== 'no-reply' && st !== 'rejected' && st !== 'reset') return undefined;
  const rsv = c.rsViews.find((v) => v.requests > 0);
  // The answer reached the client side, but not from the address the client sent to (a NAT
  // reply that bypassed the director, a DR/TUN reply from the real server's own address):
  // the client's socket does not take it (a UDP socket answers ICMP unreachable, TCP resets).
  const refusedByRs = rsv !== undefined && (rsv.rst > 0 || rsv.icmp > 0);
  const strays = !refusedByRs && (st === 'reset' || (rsv !== undefined && rsv.replies > 0)) ? strayReplySources(c) : NONE;
  if (strays.length > 0) {
    const at = clientPoint(c, points);
    const to = c.conn.vport === undefined ? c.conn.vip : `${c.conn.vip}:${c.conn.vport}`;
    if (at !== undefined) return { point: at, reason: `${rsv ? `${rsv.rs}'s answer` : 'the answer'} reached the client from ${strays.join(', ')}, not from ${to}, and the client did not accept it` };
  }
  if (st === 'reset') return undefined;
  if (c.directorRefused) return { point: c.directorRefused.point, reason: `the director answered ${c.directorRefused.what} itself` };
  if (rsv) {
    if (rsv.rst > 0 || rsv.icmp > 0) return { point: rsv.point, reason: `${rsv.rs} refused it (${rsv.rst > 0 ? 'RST' : 'ICMP unreachable'})` };
    // A capture that would show the answer ended too soon after the request for one to be
    // expected: whether there was one is not known.
    const cut = st === 'no-reply' ? answerUnseen(points, rsv, rsv.replies > 0) : undefined;
    if (cut) {
      c.conn.state = 'unknown';
      const capture = points[cut.point].spec.host === rsv.rs ? `${rsv.rs}'s capture` : `the capture of ${points[cut.point].spec.host}`;
      const after = `${capture} ended ${msText(cut.at - rsv.first)} later (${clockTime(cut.at)})`;
      return {
        point: rsv.point,
        reason: rsv.replies === 0 ? `${rsv.rs} received it, and ${after}: whether it answered is not known` : `${rsv.rs} answered, and ${after}: whether the answer reached the client is not known`,
      };
    }
    if (rsv.replies === 0) return { point: rsv.point, reason: `${rsv.rs} received it and never answered` };
    return { point: rsv.point, reason: `${rsv.rs} answered, but the answer never reached the client` };
  }
  const dir = c.flows.find((f) => points[f.point].spec.role === 'director');
  if (c.forwarded && dir) {
    const rs = c.forwardedTo.length === 1 ? c.forwardedTo[0] : undefined;
    if (rs !== undefined) {
      // The real server's capture had not begun (or had ended): not known whether it arrived.
      const missed = rsCaptureMissed(points, c, rs);
      if (missed) {
        if (st === 'no-reply') c.conn.state = 'unknown';
        return {
          point: dir.point,
          reason: `forwarded to ${rs} ${missed.when === 'before' ? 'before' : 'after'} ${rs}'s capture ${missed.when === 'before' ? 'began' : 'ended'} (${clockTime(missed.at)}): whether it arrived is not known`,
        };
      }
      // Its capture could not be read at all.
      const unread = unreadableCapture(points, rs);
      if (unread) {
        if (st === 'no-reply') c.conn.state = 'unknown';
        return { point: dir.point, reason: `forwarded to ${rs}, but ${rs}'s capture could not be read (${unread}): whether it arrived is not known` };
      }
    } else {
      // Where to is not known (a cooked -i any capture does not show the MAC a copy was sent
      // to), or it went to several: not known whether it arrived when the capture of one of
      // the real servers it may have gone to was not running then (all of them: the last to
      // end, or the first to begin).
      const names = c.forwardedTo.length > 0 ? c.forwardedTo : realServerNames(points);
      const span = directorSpan(points, c);
      let missed: { rs: string; when: 'before' | 'after'; at: number } | undefined;
      let all = names.length > 0;
      for (const name of names) {
        const m = pointsMissed(points, (p) => p.spec.role === 'real-server' && p.realServer === name, span.from, span.to, span.doubt);
        if (!m) all = false;
        else if (!missed) missed = { rs: name, ...m };
        else if (m.when === missed.when && (m.when === 'before' ? m.at < missed.at : m.at > missed.at)) missed = { rs: name, ...m };
      }
      if (missed) {
        if (st === 'no-reply') c.conn.state = 'unknown';
        const to = c.forwardedTo.length > 0 ? c.forwardedTo.join(', ') : 'a real server';
        const whose = all && names.length > 1 ? "the real servers' captures" : `${missed.rs}'s capture`;
        return { point: dir.point, reason: `forwarded to ${to} ${missed.when} ${whose} ${missed.when === 'before' ? 'began' : 'ended'} (${clockTime(missed.at)}): whether it arrived is not known` };
      }
    }
    return { point: dir.point, reason: `forwarded to ${c.forwardedTo.join(', ') || 'a real server'}, not seen there` };
  }
  if (dir) {
    // The director points where a forwarded copy would show (DR and TUN: any, the copy leaves
    // by the interface the request came in on; NAT: those that capture the real servers' side)
    // were not capturing when it passed: whether it was forwarded is not known.
    const nat = c.service?.method === 'nat';
    const span = directorSpan(points, c);
    const missed = pointsMissed(points, (p) => p.spec.role === 'director' && (!nat || rsSide[p.index]), span.from, span.to, span.doubt);
    if (missed) {
      if (st === 'no-reply') c.conn.state = 'unknown';
      return { point: dir.point, reason: `reached the director ${missed.when} ${captureOf(points, missed.point)} ${missed.when === 'before' ? 'began' : 'ended'} (${clockTime(missed.at)}): whether it was forwarded is not known` };
    }
    return { point: dir.point, reason: 'reached the director, not forwarded' };
  }
  const first = c.flows[0];
  if (!first) return undefined;
  // No director point was capturing when the client's packets would have reached it: whether
  // they did is not known.
  const span = directorSpan(points, c);
  const missed = pointsMissed(points, (p) => p.spec.role === 'director', span.from, span.to, span.doubt);
  if (missed) {
    if (st === 'no-reply') c.conn.state = 'unknown';
    return { point: first.point, reason: `sent ${missed.when} the director's capture ${missed.when === 'before' ? 'began' : 'ended'} (${clockTime(missed.at)}): whether it reached the director is not known` };
  }
  return { point: first.point, reason: 'never reached the director' };
}

/** `the director's capture on eth1`: a director point, in stop reasons. */
function captureOf(points: PointInfo[], point: number): string {
  const { host, interface: iface } = points[point].spec;
  return `${host === 'director' ? "the director's" : `${host}'s`} capture on ${iface}`;
}

/** The real servers the capture points are of (their names, once each). */
function realServerNames(points: PointInfo[]): string[] {
  const out: string[] = [];
  for (const p of points) if (p.spec.role === 'real-server' && p.realServer !== undefined && !out.includes(p.realServer)) out.push(p.realServer);
  return out;
}

/** Why real server `rs`'s capture tells nothing: the error of each of its points, when it has
 *  points and none could be read; undefined otherwise. */
function unreadableCapture(points: PointInfo[], rs: string): string | undefined {
  let why: string | undefined;
  for (const p of points) {
    if (p.spec.role !== 'real-server' || p.realServer !== rs) continue;
    if (p.readable) return undefined;
    const text = p.lane.error ?? `${p.spec.file}: no packet read`;
    why = why === undefined ? text : `${why}; ${text}`;
  }
  return why;
}

/** `40 µs`, `0.5 ms`, `1.250 s`. */
function msText(s: number): string {
  const d = Math.max(s, 0);
  if (d < 0.001) return `${Math.round(d * 1e6)} µs`;
  return d < 1 ? `${Math.round(d * 1e4) / 10} ms` : `${d.toFixed(3)} s`;
}


/** Sources of replies seen on the client side other than the virtual service the client
 *  sent to (ICMP errors from routers on the way are not replies). */
function strayReplySources(c: ConnFacts): string[] {
  const vip = c.conn.vip;
  if (vip === undefined || c.clientReplies === 0) return NONE;
  const own = c.conn.vport === undefined ? undefined : `${vip}:${c.conn.vport}`;
  return c.clientReplySrcs.filter((src) => !src.endsWith(':icmp') && (own === undefined ? !src.startsWith(`${vip}:`) : src !== own));
}

/** The client's own capture point among the connection's flows, else a router's. */
function clientPoint(c: ConnFacts, points: PointInfo[]): number | undefined {
  let router: number | undefined;
  for (const f of c.flows) {
    const role = points[f.point].spec.role;
    if (role === 'client') return f.point;
    if (role === 'router' && router === undefined) router = f.point;
  }
  return router;
}

/**
 * Frames a point only overheard: a switch floods unicast to a MAC it has not learnt (a DR
 * real server that never sends), and a promiscuous tcpdump on another port captures them.
 * They were addressed to another host (addressedElsewhere()) and nothing answered them here.
 */
function overheard(f: Flow, p: PointInfo, rsMacs: Map<string, string>): boolean {
  if (p.spec.role === 'director' || f.cols.counts[f.row * F.COUNTS + F.REP] > 0) return false;
  const macs = f.cols.list(f.row, F.REQ_DST_MACS);
  if (macs.length === 0) return false;
  for (let k = 0; k < macs.length; k++) if (!addressedElsewhere(p, macs[k], rsMacs)) return false;
  return true;
}

/** Whether a director point captures the real servers' side too: on every interface, or
 *  a flow was addressed to a real server or tunnelled. Flows share their lists: a list
 *  like the previous flow's is not judged again. */
function seesRsSide(p: PointInfo, endpoints: Endpoints): boolean {
  if (p.spec.interface === 'any') return true;
  const flows = p.table.allFlows();
  let lastReq = NONE;
  let lastDup = NONE;
  for (let k = 0; k < flows.length; k++) {
    const { cols, row } = flows[k];
    if (cols.list(row, F.ENCAP_DSTS).length > 0) return true;
    const req = cols.list(row, F.REQ_DSTS);
    if (req !== lastReq) {
      if (endpoints.firstRs(req) !== undefined) return true;
      lastReq = req;
    }
    const dup = cols.list(row, F.DUP_DSTS);
    if (dup !== lastDup) {
      if (endpoints.firstRs(dup) !== undefined) return true;
      lastDup = dup;
    }
  }
  return false;
}

/** Builds connections, health checks and cross-point facts. Fills `facts.conns` etc. */
export function correlate(facts: Facts): void {
  const { points, services } = facts;
  learnMacs(facts);
  const endpoints = new Endpoints(services);
  const groups = groupFlows(facts, endpoints);
  alignClocks(points, groups);
  noteCaptureSpans(points);

  const rsSide = points.map((p) => p.spec.role === 'director' && seesRsSide(p, endpoints));
  const directorPointSeesRsSide = rsSide.includes(true);
  const checks = new Map<string, HealthCheck>();
  const names: RsNames = { byMac: facts.rsMacs, byAddress: services.rsByAddress };

  const ctx: GroupContext = {
    facts,
    points,
    roles: roleCodes(points),
    services,
    endpoints,
    checks,
    hopSource: { points, names },
    directorPointSeesRsSide,
    rsSide,
    directorLists: new Map(),
    connections: new Int32Array(groups.length),
    service: undefined,
    serviceOf: undefined,
    serviceProto: '',
    vip: undefined,
    vport: undefined,
  };
  connectionsOf(groups, ctx);
  facts.healthChecks.push(...checks.values());
}

function connectionsOf(groups: Group[], ctx: GroupContext): void {
  for (let k = 0; k < groups.length; k++) connectionFacts(groups[k], ctx);
}

/** What connectionFacts() shares across the groups of one analysis. */
interface GroupContext {
  facts: Facts;
  points: PointInfo[];
  /** Each point's role (CLIENT_SIDE, DIRECTOR...). */
  roles: Uint8Array;
  services: ServiceMap;
  endpoints: Endpoints;
  checks: Map<string, HealthCheck>;
  hopSource: HopSource;
  directorPointSeesRsSide: boolean;
  /** Per point: a director point that captures the real servers' side too (seesRsSide()). */
  rsSide: boolean[];
  /** directorLists() by a flow's forwarded MACs' list. */
  directorLists: Map<string[], DirectorLists>;
  /** Per client endpoint (Group.endpoint): the connections it became so far. */
  connections: Int32Array;
  /** What findService() found for the connection at hand, and for which list and protocol. */
  service: ManifestService | undefined;
  serviceOf: string[] | undefined;
  serviceProto: string;
  vip: string | undefined;
  vport: number | undefined;
}

/** One group of flows: a health check, or a client connection with its facts (pushed to
 *  facts.conns). One pass over the flows reads each value once and works out the director's
 *  view, the real servers' views and the counts the state needs; the rare cases (a real
 *  server seen at two points, a refusal, UDP) are functions of their own. Runs once per
 *  connection, so the JIT compiles it: the fewer, smaller functions, the less it compiles. */
function connectionFacts(g: Group, ctx: GroupContext): void {
  const { facts, points, roles, endpoints } = ctx;
  const eps = g.endpoints;
  if (!eps) return;
  const rsEp = endpoints.firstRs(eps);
  if (!g.toVip && !(rsEp && facts.clients.has(g.client))) {
    if (rsEp) addHealthCheck(ctx.checks, g, endpoints.of(rsEp), points, ctx.services);
    return;
  }
  findService(ctx, g.proto, eps);
  const service = ctx.service;
  const tcp = g.proto === 'tcp';
  const flows = g.flows;
  let clientReplySrcs = NONE;
  let clientReplies = 0;
  let clientFlows = 0;
  let dirFlows = 0;
  // Real servers in the order the director's flows name them: by forwarded MAC, request and
  // copy destination, tunnel endpoint.
  let forwardedTo = NONE;
  let atDirector = false;
  let forwarded = false;
  let directorSawReply = false;
  let rsViews = NO_VIEWS;
  let rep = 0;
  let icmpToClient = 0;
  let syn = 0;
  let fins = 0;
  let rsts = 0;
  let rstS = 0;
  let handshakeDone = false;
  let start = Infinity;
  let end = -Infinity;
  let packets = 0;
  for (let k = 0; k < flows.length; k++) {
    const f = flows[k];
    const point = f.point;
    const shift = points[point].shift;
    // The flow's values read from its columns, not through its getters (see Flow.cols).
    const cols = f.cols;
    const row = f.row;
    const counts = cols.counts;
    const at = row * F.COUNTS;
    const first = cols.first[row] + shift;
    const last = cols.last[row] + shift;
    const req = counts[at + F.REQ];
    const fRep = counts[at + F.REP];
    const reqDup = counts[at + F.REQ_DUP];
    const synAck = counts[at + F.SYN_ACKS];
    const fIcmp = counts[at + F.ICMP_TO_CLIENT];
    const fRstS = counts[at + F.RST_S];
    rep += fRep;
    icmpToClient += fIcmp;
    syn += counts[at + F.SYNS];
    fins += counts[at + F.FIN_C] + counts[at + F.FIN_S];
    rsts += counts[at + F.RST_C] + fRstS;
    rstS += fRstS;
    if (synAck > 0 || (tcp && counts[at + F.REQ_ACKS] > 0)) handshakeDone = true;
    if (first < start) start = first;
    if (last > end) end = last;
    packets += req + fRep + reqDup + counts[at + F.REP_DUP];
    const role = roles[point];
    if (role === DIRECTOR) {
      dirFlows++;
      const d = directorLists(ctx, cols.list(row, F.DUP_DST_MACS), cols.list(row, F.REQ_DSTS), cols.list(row, F.DUP_DSTS), cols.list(row, F.ENCAP_DSTS));
      if (d.vip && req > 0) atDirector = true;
      if (d.rs || reqDup > 0 || d.encap) forwarded = true;
      forwardedTo = union(forwardedTo, d.names);
      if (fRep - fIcmp > 0) directorSawReply = true;
    } else if (role === CLIENT_SIDE) {
      clientFlows++;
      clientReplies += fRep;
      clientReplySrcs = union(clientReplySrcs, cols.list(row, F.REPLY_SRCS));
    } else if (role === REAL_SERVER) {
      rsViews = withRsView(rsViews, f, points[point], req, fRep, synAck, fRstS, fIcmp, first, last);
    }
  }
  if (forwardedTo.length > 0) forwarded = true;
  const directorRefused = forwarded || dirFlows === 0 ? undefined : refusal(flows, ctx);
  let rsv: RsView | undefined;
  let refused = directorRefused !== undefined;
  for (let k = 0; k < rsViews.length; k++) {
    const v = rsViews[k];
    if (rsv === undefined && v.requests > 0) rsv = v;
    if (v.synAck === 0 && (v.rst > 0 || v.icmp > 0)) refused = true;
  }
  const method = service?.method;
  const replyVisible = clientFlows > 0 || rsv !== undefined || (method === 'nat' && (atDirector || forwarded)) || (!service && atDirector);
  // The state (see ConnectionState).
  const replies = rep - icmpToClient;
  let state: ConnectionState;
  if (!tcp) state = udpState(clientReplySrcs, rsViews, method, replies > 0 || clientReplies > 0, refused || icmpToClient > 0, replyVisible);
  else if (!handshakeDone) {
    if (refused || icmpToClient > 0 || rstS > 0) state = 'rejected';
    else state = syn > 0 && replies === 0 && replyVisible ? 'no-reply' : 'partial';
  } else if (rsts > 0) state = 'reset';
  else if (fins > 0) state = 'complete';
  else state = syn > 0 ? 'established' : 'partial';
  const baseId = `${g.proto}:${g.client}:${g.cport}`;
  const nth = ++ctx.connections[g.endpoint];
  const conn = {
    id: nth === 1 ? baseId : `${baseId}#${nth}`,
    protocol: g.proto,
    client: g.client,
    clientPort: g.cport,
    vip: ctx.vip ?? ctx.services.manifest.target.vip,
    vport: ctx.vport,
    realServer: rsv?.rs ?? forwardedTo[0],
    state,
    start,
    end,
    packets,
  } as Connection;
  defineLazyHops(conn, flows, ctx.hopSource);
  const cf: ConnFacts = {
    conn,
    service,
    flows,
    atDirector,
    forwardedTo,
    forwarded,
    directorSeesForwarding: method !== 'nat' ? dirFlows > 0 || ctx.directorPointSeesRsSide : ctx.directorPointSeesRsSide,
    directorRefused,
    rsViews,
    directorSawReply,
    clientReplySrcs,
    clientReplies,
    handshakeDone,
    replyVisible,
  };
  const stop = describeStop(cf, points, ctx.rsSide);
  if (stop) conn.stoppedAt = stop;
  facts.conns.push(cf);
}

/** What a director's flow says by its lists: the real servers they name (in order: by
 *  forwarded MAC, request and copy destination, tunnel endpoint), whether a request went to
 *  a VIP or a real server's address, and whether it was tunnelled. */
interface DirectorLists {
  dupDstMacs: string[];
  reqDsts: string[];
  dupDsts: string[];
  encapDsts: string[];
  names: string[];
  vip: boolean;
  rs: boolean;
  encap: boolean;
}

/** The flows' lists are shared and never changed: worked out once per combination of lists
 *  (found by the forwarded MACs' list, then compared), not per connection. */
function directorLists(ctx: GroupContext, dupDstMacs: string[], reqDsts: string[], dupDsts: string[], encapDsts: string[]): DirectorLists {
  const known = ctx.directorLists.get(dupDstMacs);
  if (known !== undefined && known.reqDsts === reqDsts && known.dupDsts === dupDsts && known.encapDsts === encapDsts) return known;
  const { endpoints } = ctx;
  let names = NONE;
  let vip = false;
  let rs = false;
  for (let j = 0; j < dupDstMacs.length; j++) names = withName(names, ctx.facts.rsMacs.get(dupDstMacs[j]));
  for (let j = 0; j < reqDsts.length; j++) {
    const e = endpoints.of(reqDsts[j]);
    if (e.vip) vip = true;
    if (e.isRs) rs = true;
    names = withName(names, e.rs);
  }
  for (let j = 0; j < dupDsts.length; j++) names = withName(names, endpoints.of(dupDsts[j]).rs);
  for (let j = 0; j < encapDsts.length; j++) names = withName(names, ctx.services.rsByAddress.get(encapDsts[j]));
  const d: DirectorLists = { dupDstMacs, reqDsts, dupDsts, encapDsts, names, vip, rs, encap: encapDsts.length > 0 };
  if (ctx.directorLists.size >= 1024) ctx.directorLists.clear();
  ctx.directorLists.set(dupDstMacs, d);
  return d;
}

/** A UDP conversation's state. `answered`: replies seen anywhere or at the client side. */
function udpState(clientReplySrcs: string[], rsViews: RsView[], method: string | undefined, answered: boolean, refused: boolean, replyVisible: boolean): ConnectionState {
  // A client that only ever got answers from a real server's own address got nothing usable.
  const vipAnswered = clientReplySrcs.length === 0 || clientReplySrcs.some((e) => !rsViews.some((v) => v.replySrcs.includes(e)) || method !== 'nat');
  if (answered && vipAnswered) return 'complete';
  if (refused) return 'rejected';
  return replyVisible ? 'no-reply' : 'partial';
}

/** The director answering from the VIP itself (ICMP unreachable or RST), forwarding nothing. */
function refusal(flows: Flow[], ctx: GroupContext): ConnFacts['directorRefused'] {
  const { points, services } = ctx;
  for (const f of flows) {
    if (ctx.roles[f.point] !== DIRECTOR || f.synAck > 0) continue;
    const s = f.store;
    const r = f.recordIndices().find((x) => s.reply(x) && (s.flagBits(x) === -2 || (s.flagBits(x) >= 0 && (s.flagBits(x) & RST) !== 0)));
    if (r !== undefined && services.vips.has(s.addr(r).src)) {
      return { point: f.point, n: s.n[r], ts: s.ts[r] + points[f.point].shift, what: s.flagBits(r) === -2 ? (s.note(r) ?? 'ICMP unreachable') : 'a TCP RST' };
    }
  }
  return undefined;
}

/** `views` with what a real server's flow shows: a new view, or merged into the view of the
 *  same real server (a host captured on two interfaces, e.g. eth0 and tunl0 for TUN:
 *  requests on both, replies on eth0 only, is still one server). */
function withRsView(views: RsView[], f: Flow, p: PointInfo, req: number, rep: number, synAck: number, rst: number, icmp: number, first: number, last: number): RsView[] {
  const rs = p.realServer ?? p.spec.host;
  for (let k = 0; k < views.length; k++) {
    if (views[k].rs === rs) {
      mergeRsView(views[k], f, p);
      return views;
    }
  }
  const view: RsView = {
    point: f.point,
    rs,
    requests: req,
    replies: rep,
    replySrcs: f.cols.list(f.row, F.REPLY_SRCS),
    reqSrcMacs: f.cols.list(f.row, F.REQ_SRC_MACS),
    repDstMacs: f.cols.list(f.row, F.REP_DST_MACS),
    synAck,
    rst,
    icmp,
    first,
    last,
    flow: f,
  };
  if (views.length === 0) return [view];
  views.push(view);
  return views;
}

function mergeRsView(same: RsView, f: Flow, p: PointInfo): void {
  same.requests = Math.max(same.requests, f.req);
  same.replies = Math.max(same.replies, f.rep);
  for (const e of f.replySrcs) if (!same.replySrcs.includes(e)) same.replySrcs = [...same.replySrcs, e];
  for (const m of f.reqSrcMacs) if (!same.reqSrcMacs.includes(m)) same.reqSrcMacs = [...same.reqSrcMacs, m];
  for (const m of f.repDstMacs) if (!same.repDstMacs.includes(m)) same.repDstMacs = [...same.repDstMacs, m];
  same.synAck = Math.max(same.synAck, f.synAck);
  same.rst = Math.max(same.rst, f.rstS);
  same.icmp = Math.max(same.icmp, f.icmpToClient);
  same.first = Math.min(same.first, f.first + p.shift);
  same.last = Math.max(same.last, f.last + p.shift);
  if (f.req + f.rep > same.flow.req + same.flow.rep) {
    same.point = f.point;
    same.flow = f;
  }
}

function addHealthCheck(checks: Map<string, HealthCheck>, g: Group, rsEp: Endpoint, points: PointInfo[], services: ServiceMap): void {
  // Prefer the director's view of a check; fall back to the real server's.
  const f = g.flows.find((x) => points[x.point].spec.role === 'director') ?? g.flows[0];
  const p = points[f.point];
  const rsAddress = rsEp.ip;
  const port = rsEp.port ?? 0;
  const key = `${g.proto}|${g.client}|${rsAddress}|${port}`;
  let hc = checks.get(key);
  if (!hc) {
    hc = {
      point: f.point,
      director: g.client,
      rsAddress,
      rs: services.rsByAddress.get(rsAddress),
      port,
      proto: g.proto,
      attempts: 0,
      refused: 0,
      unanswered: 0,
      httpErrors: 0,
      ok: 0,
      first: f.first + p.shift,
      packets: [],
    };
    checks.set(key, hc);
  }
  if (f.req === 0 && f.syn === 0) return;
  // Seen without an answer where the check's fate is judged: a failure only when that point
  // saw the connect (SYN) and captured long enough after it for an answer to show (see
  // ANSWER_WAIT_S). A check begun before its capture, or whose answer would have come after
  // it ended, is not known to have failed (hosts never start and stop their tcpdumps together).
  const tcp = g.proto === 'tcp';
  if (tcp && f.synAck === 0 && f.rep === 0 && f.rstS === 0 && f.icmpToClient === 0 && !(f.syn > 0 && capturedPast(p, f.first + p.shift + ANSWER_WAIT_S))) return;
  hc.attempts++;
  const firstN = f.headLen > 0 ? f.store.n[f.headStart] : undefined;
  if (firstN !== undefined && hc.packets.length < 12) hc.packets.push(firstN);
  if (tcp && f.synAck === 0 && (f.rstS > 0 || f.icmpToClient > 0)) hc.refused++;
  else if (tcp && f.synAck === 0 && f.rep === 0) hc.unanswered++;
  else if (f.httpStatus !== undefined && f.httpStatus >= 400) {
    hc.httpErrors++;
    hc.lastHttpStatus = f.httpStatus;
  } else hc.ok++;
}
