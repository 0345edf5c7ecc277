// A connection's hops: its packet records at every capture point put in order (time, then
// position along the path), each copy of a packet recognised as the same packet seen at an
// earlier point, and what changed between the two (DR's MAC, NAT's addresses, TUN's
// outer header). Built on demand, one connection at a time; the finding rules that only
// need which packets were seen first get that without building hops.

import type { HostRole } from '../capture/manifest';
import { addressedElsewhere, type PointInfo } from './facts';
import { ACK, FIN, RST, SYN, type Flow } from './flowTable';
import type { Addressing, PacketRecords } from './packetRecords';
import type { Connection, Hop, Rewrite } from './result';

/** Hops kept per connection in the result (the counters stay exact). */
export const MAX_HOPS = 400;
/** Copies of one packet further apart than this are not the same packet. */
export const MATCH_WINDOW_S = 2;

const roleRank: Record<HostRole, number> = { client: 0, router: 1, director: 2, other: 2, 'real-server': 3 };

/** Position of a point along the path of a packet in this direction (0 = first). */
export function pathRank(role: HostRole, reply: boolean, encapsulated = false): number {
  // A tunnelled copy is past the director, whoever captured it (a router on the way).
  const r = encapsulated && role !== 'real-server' ? 2.5 : roleRank[role];
  return reply ? 3 - r : r;
}

/** TCP flags as tcpdump writes them, in its order: F S R P . U E W ('none' for no flag). */
export function flagLetters(bits: number): string {
  let s = '';
  if (bits & FIN) s += 'F';
  if (bits & SYN) s += 'S';
  if (bits & RST) s += 'R';
  if (bits & 8) s += 'P';
  if (bits & ACK) s += '.';
  if (bits & 32) s += 'U';
  if (bits & 64) s += 'E';
  if (bits & 128) s += 'W';
  return s || 'none';
}

/** Summaries repeat (`P. 1448`, `UDP 64`): built once, bounded. */
const summaries = new Map<number, string>();

function hopSummary(s: PacketRecords, i: number): string {
  const flagBits = s.flagBits(i);
  if (flagBits === -2) return s.note(i) ?? 'ICMP';
  const len = s.len[i];
  const key = len < 0x100000 ? (flagBits + 1) * 0x100000 + len : -1;
  const known = key >= 0 ? summaries.get(key) : undefined;
  if (known !== undefined) return known;
  let text: string;
  if (flagBits === -1) text = `UDP ${len}`;
  else {
    const f = flagLetters(flagBits);
    text = len > 0 ? `${f} ${len}` : f;
  }
  if (key >= 0 && summaries.size < 8192) summaries.set(key, text);
  return text;
}

export interface RsNames {
  byMac: Map<string, string>;
  byAddress: Map<string, string>;
}

/** What a forwarded copy recorded without its destination MAC (a cooked capture) says, until
 *  a later capture of the same frame shows that MAC (nameForwardedMac()). */
const FORWARDED = 'forwarded (destination MAC rewritten)';

function macText(dstMac: string, names: RsNames): string {
  const rs = names.byMac.get(dstMac);
  return `MAC → ${dstMac}${rs ? ` (${rs})` : ''}`;
}

function rewriteBetween(prev: Hop, h: Hop, s: PacketRecords, i: number, ps: PacketRecords, pi: number, macBase: Hop | undefined, names: RsNames): [Rewrite, string | undefined] {
  const outerDst = s.addr(i).outerDst;
  const prevOuterDst = ps.addr(pi).outerDst;
  if (outerDst && !prevOuterDst) {
    const rs = names.byAddress.get(outerDst);
    return ['ipip', `IPIP ${s.addr(i).outerSrc} → ${outerDst}${rs ? ` (${rs})` : ''}`];
  }
  if (!outerDst && prevOuterDst) return ['none', `decapsulated (tunnel ${ps.addr(pi).outerSrc} → ${prevOuterDst})`];
  if (h.dst !== prev.dst || h.dport !== prev.dport) return ['dnat', `DNAT ${prev.dst}:${prev.dport} → ${h.dst}:${h.dport}`];
  if (h.src !== prev.src || h.sport !== prev.sport) return ['snat', `SNAT ${prev.src}:${prev.sport} → ${h.src}:${h.sport}`];
  // The very frame `prev` is (its source MAC unchanged): another capture of it on this host (an
  // `any` capture beside the interface's own) or the next host's. What its sender changed is
  // named once, on the frame's first sighting (nameForwardedMac() when that one lacks the MAC).
  if (h.srcMac !== undefined && h.srcMac === prev.srcMac) return ['none', undefined];
  // Every router rewrites MACs; only the director's re-addressing to a real server is news (DR).
  if (h.dstMac && macBase && macBase.dstMac && h.dstMac !== macBase.dstMac) {
    if (names.byMac.has(h.dstMac) || s.dup(i)) return ['mac', macText(h.dstMac, names)];
  }
  // Linux cooked captures (-i any) carry no destination MAC: a second copy at the point with
  // another source MAC than the frame it follows (the one that came in) is the forwarded one.
  // Without source MACs to compare, a second copy that follows a first one.
  if (s.dup(i) && !h.dstMac && (h.srcMac !== undefined && prev.srcMac !== undefined ? h.srcMac !== prev.srcMac : !ps.dup(pi))) return ['mac', FORWARDED];
  return ['none', undefined];
}

/** Hop `h` is another capture of the frame of `prev` (rewriteBetween(): no rewrite, same
 *  source MAC). */
function sameFrame(h: Hop, prev: Hop): boolean {
  return h.rewrite === 'none' && h.rewriteText === undefined && h.srcMac !== undefined && h.srcMac === prev.srcMac;
}

/**
 * The hop to link a sighting at another host to instead of hop `j`, an `any` capture: the
 * capture of the very same frame at one of that host's interfaces, when there is one (the
 * interface the packet left by; latency is measured from there). Else `j`.
 */
function namedCopy(hops: Hop[], at: PointInfo[], j: number): number {
  let c = j;
  while (at[c].spec.interface === 'any') {
    const p = hops[c].sameAs;
    if (p === undefined || at[p].spec.host !== at[c].spec.host || !sameFrame(hops[c], hops[p])) return j;
    c = p;
  }
  return c;
}

/**
 * Hop `h` shows the destination MAC of the frame hop `j` is a capture of: when the frame's
 * first sighting is a forwarded copy recorded without it (a cooked capture: FORWARDED),
 * names the rewrite there (`MAC → … (rs2)`), where the frame was sent out.
 */
function nameForwardedMac(hops: Hop[], j: number, h: Hop, names: RsNames): void {
  if (h.dstMac === undefined) return;
  // Back over the other captures of this frame to its first sighting.
  for (let p = hops[j].sameAs; p !== undefined && sameFrame(hops[j], hops[p]); p = hops[j].sameAs) j = p;
  const first = hops[j];
  if (first.rewrite === 'mac' && first.dstMac === undefined && first.rewriteText === FORWARDED && first.srcMac === h.srcMac) first.rewriteText = macText(h.dstMac, names);
}

/** Where a record sits along its packet's path: the point's rank, the second copy of an
 *  in/out pair just after the first. Breaks ties between copies with the same time. */
function recordRank(pos: number, s: PacketRecords, i: number): number {
  return pos * 2 + (s.dup(i) ? 1 : 0);
}

/** A record's point along its packet's path (pathRank()). */
function recordPos(point: PointInfo, s: PacketRecords, i: number): number {
  return pathRank(point.spec.role, s.reply(i), s.addr(i).outerDst !== undefined);
}

/** Where a record was seen, for "seen there already": its point, and whether it was the
 *  encapsulated copy (a tunnel's outer packet is another place along the path). */
function recordSlot(pointIndex: number, s: PacketRecords, i: number): number {
  return pointIndex * 2 + (s.addr(i).outerDst !== undefined ? 1 : 0);
}

function sameAddressing(a: Addressing, b: Addressing): boolean {
  return a === b || (a.src === b.src && a.dst === b.dst && a.srcMac === b.srcMac && a.dstMac === b.dstMac && a.outerSrc === b.outerSrc && a.outerDst === b.outerDst);
}

// Overheard frames. A switch floods a frame to a MAC it has not learnt yet to every port,
// and a promiscuous capture on another port (the router's) records the director's
// forwarded copy to a real server (DR) although it neither sent nor received it. Such a
// sighting is not a step of the packet's path: it is no hop (and no first sighting).
// correlate.ts drops the flows a point only overheard; these are the frames overheard in
// a flow that is kept.

/** Source MACs of the connection's forwarded copies at its director points (the
 *  director's own), collected per connection; few (one per director NIC). */
const directorSrcMacs: string[] = [];

function noteDirectorSrcMacs(flows: Flow[], points: PointInfo[], rsMacs: Map<string, string>): void {
  directorSrcMacs.length = 0;
  for (let fi = 0; fi < flows.length; fi++) {
    const f = flows[fi];
    if (points[f.point].spec.role !== 'director') continue;
    const s = f.store;
    const records = f.recordCount();
    let last: Addressing | undefined;
    for (let k = 0; k < records; k++) {
      const i = f.recordAt(k);
      if (!s.dup(i)) continue;
      const a = s.addr(i);
      if (a === last) continue;
      last = a;
      const mac = a.srcMac;
      if (mac !== undefined && !rsMacs.has(mac) && !directorSrcMacs.includes(mac)) directorSrcMacs.push(mac);
    }
  }
}

/** A frame from the director (see noteDirectorSrcMacs()) to another host than the point's
 *  (addressedElsewhere(): a real server's MAC, or at a real server any MAC not its own),
 *  seen at a point that is no director: overheard, not on the path. */
function overheardFrame(point: PointInfo, a: Addressing, rsMacs: Map<string, string>): boolean {
  if (a.dstMac === undefined || a.srcMac === undefined || point.spec.role === 'director' || !directorSrcMacs.includes(a.srcMac)) return false;
  return addressedElsewhere(point, a.dstMac, rsMacs);
}

/** Whether the overheard test applies to a flow's records at all (most flows: no). */
function mayOverhear(point: PointInfo, rsMacs: Map<string, string> | undefined): rsMacs is Map<string, string> {
  return rsMacs !== undefined && directorSrcMacs.length > 0 && point.spec.role !== 'director';
}

// Scratch of linkCopies(), reused from one connection to the next: the last position per
// match key's hash; per position in hop order, the previous one with the same hash and
// the packet it belongs to (its first sighting's position); per packet, how far along its
// path it was seen and, per place (recordSlot()), how many copies were seen there and the
// first of them.
const lastBySig = new Map<number, number>();
let chainPrev = new Int32Array(64);
let packetOf = new Int32Array(64);
let furthest = new Float64Array(64);
let slotCopies = new Int32Array(256);
let slotFirst = new Int32Array(256);

/**
 * Links each record of `order` (hop order: time, then position along the path) to the
 * earlier sighting of the same packet it is a copy of, -1 for none, into `sameAs` (by
 * position). A copy matches an earlier record with the same key (sameKey()), at most
 * MATCH_WINDOW_S before it, that is not further along the path than it (a packet does not
 * travel backwards: a later record at an earlier point is a new packet, e.g. a
 * retransmission with the same headers), of a packet not seen at this place yet. Only a
 * forwarding point's in/out pair sees one packet twice at one place: the second copy is
 * addressed differently (DR's MAC, NAT's address, cooked captures' source MAC) and comes
 * before the packet has been seen any further along. Of the matches, the latest.
 */
function linkCopies(order: number[], n: number, stores: PacketRecords[], idx: number[], ts: number[], pos: number[], slot: number[], slots: number, sameAs: number[]): void {
  if (chainPrev.length < n) {
    let cap = chainPrev.length;
    while (cap < n) cap *= 2;
    chainPrev = new Int32Array(cap);
    packetOf = new Int32Array(cap);
    furthest = new Float64Array(cap);
  }
  if (slotCopies.length < n * slots) {
    let cap = slotCopies.length;
    while (cap < n * slots) cap *= 2;
    slotCopies = new Int32Array(cap);
    slotFirst = new Int32Array(cap);
  } else slotCopies.fill(0, 0, n * slots);
  lastBySig.clear();
  sameAs.length = 0;
  for (let k = 0; k < n; k++) {
    const item = order[k];
    const s = stores[item];
    const i = idx[item];
    const sig = s.sig(i);
    const head = lastBySig.get(sig);
    chainPrev[k] = head === undefined ? -1 : head;
    lastBySig.set(sig, k);
    let prev = -1;
    // The earlier records with the same hash, latest first (collisions: sameKey()).
    for (let j = chainPrev[k]; j >= 0; j = chainPrev[j]) {
      const other = order[j];
      if (ts[item] - ts[other] > MATCH_WINDOW_S) break;
      if (pos[other] > pos[item] || !s.sameKey(i, stores[other], idx[other])) continue;
      const at = packetOf[j] * slots + slot[item];
      const copies = slotCopies[at];
      if (copies > 1) continue;
      if (copies === 1) {
        const first = order[slotFirst[at]];
        if (furthest[packetOf[j]] > pos[item] || sameAddressing(stores[first].addr(idx[first]), s.addr(i))) continue;
      }
      prev = j;
      break;
    }
    sameAs.push(prev);
    const packet = prev >= 0 ? packetOf[prev] : k;
    packetOf[k] = packet;
    if (prev < 0 || pos[item] > furthest[packet]) furthest[packet] = pos[item];
    const at = packet * slots + slot[item];
    if (slotCopies[at]++ === 0) slotFirst[at] = k;
  }
}

// Scratch space of matchRecords() and buildHops(), reused from one connection to the
// next (they never nest): parallel arrays and a sorted index, no object per packet.
const itemFlow: number[] = [];
const itemStore: PacketRecords[] = [];
const itemIdx: number[] = [];
const itemTs: number[] = [];
const itemRank: number[] = [];
const itemPos: number[] = [];
const itemSlot: number[] = [];
/** Per item: the packets of its flow at its point not kept just before it (Hop.omittedBefore). */
const itemOmitted: number[] = [];
const order: number[] = [];
/** Per position k in `order`: the position of the same packet seen earlier, or -1. */
const sameAsPos: number[] = [];
const byTimeThenPath = (a: number, b: number): number => itemTs[a] - itemTs[b] || itemRank[a] - itemRank[b];

/**
 * Orders a connection's packet records (all points) by corrected time, then by position
 * along the path, and recognises each packet seen earlier at another point (or as the
 * other copy of an in/out pair, see linkCopies()). Leaves out the frames a point only
 * overheard (overheardFrame()). Fills the scratch arrays; returns how many positions of
 * `order` are in use (at most MAX_HOPS).
 */
function matchRecords(flows: Flow[], points: PointInfo[], rsMacs: Map<string, string> | undefined): number {
  itemFlow.length = 0;
  itemStore.length = 0;
  itemIdx.length = 0;
  itemTs.length = 0;
  itemRank.length = 0;
  itemPos.length = 0;
  itemSlot.length = 0;
  itemOmitted.length = 0;
  order.length = 0;
  if (rsMacs !== undefined) noteDirectorSrcMacs(flows, points, rsMacs);
  else directorSrcMacs.length = 0;
  for (let fi = 0; fi < flows.length; fi++) {
    const f = flows[fi];
    const point = points[f.point];
    const s = f.store;
    const records = f.recordCount();
    const overhear = mayOverhear(point, rsMacs);
    // The packets between the flow's head and its tail that were not kept: counted on the
    // first tail record kept here (or the next, when that one was overheard).
    const head = f.headLen;
    let omitted = 0;
    for (let k = 0; k < records; k++) {
      const i = f.recordAt(k);
      if (k === head) omitted = f.skipped;
      if (overhear && overheardFrame(point, s.addr(i), rsMacs)) continue;
      const pos = recordPos(point, s, i);
      order.push(itemIdx.length);
      itemOmitted.push(omitted);
      omitted = 0;
      itemFlow.push(fi);
      itemStore.push(s);
      itemIdx.push(i);
      itemTs.push(s.ts[i] + point.shift);
      itemRank.push(recordRank(pos, s, i));
      itemPos.push(pos);
      itemSlot.push(recordSlot(f.point, s, i));
    }
  }
  order.sort(byTimeThenPath);
  const count = Math.min(order.length, MAX_HOPS);
  linkCopies(order, count, itemStore, itemIdx, itemTs, itemPos, itemSlot, 2 * points.length, sameAsPos);
  itemStore.length = 0;
  return count;
}

/** What the finding rules need of a packet's first sighting (no Hop built). */
export interface Sighting {
  ts: number;
  reply: boolean;
  /** TCP flag bits; -1 UDP; -2 ICMP. */
  flagBits: number;
  len: number;
}

// Scratch of firstSightings() and lastFirstSighting(): the wanted records, in collection order.
const fsStore: PacketRecords[] = [];
const fsIdx: number[] = [];
const fsTs: number[] = [];
const fsRank: number[] = [];
const fsPos: number[] = [];
const fsSlot: number[] = [];
const fsSig: number[] = [];
const fsDone: boolean[] = [];
/** The collected records with one key, in hop order, and what linkCopies() made of them. */
const fsGroup: number[] = [];
const fsLinks: number[] = [];
let fsSlots = 0;

type Wanted = (reply: boolean, flagBits: number, len: number) => boolean;

/** Collects the records `wanted` selects; returns false (nothing collected) past the hop cap. */
function collectWanted(flows: Flow[], points: PointInfo[], wanted: Wanted, rsMacs: Map<string, string> | undefined): boolean {
  fsStore.length = 0;
  fsIdx.length = 0;
  fsTs.length = 0;
  fsRank.length = 0;
  fsPos.length = 0;
  fsSlot.length = 0;
  fsSig.length = 0;
  fsDone.length = 0;
  fsSlots = 2 * points.length;
  let total = 0;
  for (const f of flows) total += f.recordCount();
  // Past the hop cap only the ordered walk says which records are hops.
  if (total > MAX_HOPS) return false;
  if (rsMacs !== undefined) noteDirectorSrcMacs(flows, points, rsMacs);
  else directorSrcMacs.length = 0;
  for (const f of flows) {
    const point = points[f.point];
    const s = f.store;
    const count = f.recordCount();
    const overhear = mayOverhear(point, rsMacs);
    for (let k = 0; k < count; k++) {
      const i = f.recordAt(k);
      if (!wanted(s.reply(i), s.flagBits(i), s.len[i])) continue;
      if (overhear && overheardFrame(point, s.addr(i), rsMacs)) continue;
      const pos = recordPos(point, s, i);
      fsStore.push(s);
      fsIdx.push(i);
      fsTs.push(s.ts[i] + point.shift);
      fsRank.push(recordRank(pos, s, i));
      fsPos.push(pos);
      fsSlot.push(recordSlot(f.point, s, i));
      fsSig.push(s.sig(i));
      fsDone.push(false);
    }
  }
  return true;
}

/** Collected record a before b in hop order: time, then position along the path, then
 *  collection order (the sort that orders hops is stable). */
function before(a: number, b: number): boolean {
  return fsTs[a] < fsTs[b] || (fsTs[a] === fsTs[b] && (fsRank[a] < fsRank[b] || (fsRank[a] === fsRank[b] && a < b)));
}

const byHopOrder = (a: number, b: number): number => (a === b ? 0 : before(a, b) ? -1 : 1);

/** Is collected record a a first sighting (not a copy of an earlier one, see
 *  linkCopies())? Decided as matchRecords() does, among the records with its key up to it. */
function firstSeen(a: number): boolean {
  fsGroup.length = 0;
  let near = false;
  for (let b = 0; b < fsIdx.length; b++) {
    if (b !== a && (fsSig[b] !== fsSig[a] || !before(b, a) || !fsStore[a].sameKey(fsIdx[a], fsStore[b], fsIdx[b]))) continue;
    fsGroup.push(b);
    if (b !== a && fsTs[a] - fsTs[b] <= MATCH_WINDOW_S) near = true;
  }
  // No earlier copy close enough: first, whatever came before.
  if (!near) return true;
  fsGroup.sort(byHopOrder);
  linkCopies(fsGroup, fsGroup.length, fsStore, fsIdx, fsTs, fsPos, fsSlot, fsSlots, fsLinks);
  return fsLinks[fsGroup.length - 1] < 0;
}

function visitCollected(a: number, v: Sighting, visit: (s: Sighting) => void): void {
  const s = fsStore[a];
  const i = fsIdx[a];
  v.ts = fsTs[a];
  v.reply = s.reply(i);
  v.flagBits = s.flagBits(i);
  v.len = s.len[i];
  visit(v);
}

/** The ordered walk of matchRecords() for the wanted first sightings (past the hop cap). */
function orderedFirstSightings(flows: Flow[], points: PointInfo[], rsMacs: Map<string, string> | undefined, wanted: Wanted, visit: (s: Sighting) => void): void {
  const v: Sighting = { ts: 0, reply: false, flagBits: 0, len: 0 };
  const count = matchRecords(flows, points, rsMacs);
  for (let k = 0; k < count; k++) {
    const s = flows[itemFlow[order[k]]].store;
    const i = itemIdx[order[k]];
    if (sameAsPos[k] >= 0 || !wanted(s.reply(i), s.flagBits(i), s.len[i])) continue;
    v.ts = itemTs[order[k]];
    v.reply = s.reply(i);
    v.flagBits = s.flagBits(i);
    v.len = s.len[i];
    visit(v);
  }
}

/**
 * Calls `visit` for each packet of the connection that `wanted` selects, where it was first
 * seen: the packets whose hop has no `sameAs`, without building hops or sorting them all.
 * A copy's match key includes direction, flags and length, so every copy of a packet is
 * wanted or none is, and whether a record is a copy (linkCopies()) is decided among the
 * wanted records with its key alone. Overheard frames are left out as the hops leave
 * them out. Visits in no particular order.
 */
export function firstSightings(flows: Flow[], points: PointInfo[], wanted: Wanted, visit: (s: Sighting) => void): void {
  const rsMacs = sourceOf(points)?.names.byMac;
  if (!collectWanted(flows, points, wanted, rsMacs)) return orderedFirstSightings(flows, points, rsMacs, wanted, visit);
  const v: Sighting = { ts: 0, reply: false, flagBits: 0, len: 0 };
  for (let a = 0; a < fsIdx.length; a++) if (firstSeen(a)) visitCollected(a, v, visit);
  fsStore.length = 0;
}

/** The time of the latest first sighting among the wanted packets (-Infinity: none), found
 *  from the latest record backwards: usually the first or second one tried. */
export function lastFirstSighting(flows: Flow[], points: PointInfo[], wanted: Wanted): number {
  const rsMacs = sourceOf(points)?.names.byMac;
  if (!collectWanted(flows, points, wanted, rsMacs)) {
    let last = -Infinity;
    orderedFirstSightings(flows, points, rsMacs, wanted, (s) => {
      if (s.ts > last) last = s.ts;
    });
    return last;
  }
  for (let tries = 0; tries < fsIdx.length; tries++) {
    let latest = -1;
    for (let a = 0; a < fsIdx.length; a++) if (!fsDone[a] && (latest < 0 || before(latest, a))) latest = a;
    if (firstSeen(latest)) {
      fsStore.length = 0;
      return fsTs[latest];
    }
    fsDone[latest] = true;
  }
  fsStore.length = 0;
  return -Infinity;
}

function buildHops(flows: Flow[], points: PointInfo[], names: RsNames): Hop[] {
  const count = matchRecords(flows, points, names.byMac);
  const hops: Hop[] = [];
  const stores: PacketRecords[] = [];
  const idxs: number[] = [];
  const at: PointInfo[] = [];
  /** A forwarded copy without its destination MAC is among the hops (FORWARDED). */
  let unnamed = false;
  for (let k = 0; k < count; k++) {
    const f = flows[itemFlow[order[k]]];
    const s = f.store;
    const i = itemIdx[order[k]];
    const point = points[f.point];
    const hop: Hop = {
      ref: { point: point.index, n: s.n[i] },
      ts: itemTs[order[k]],
      direction: s.reply(i) ? 'reply' : 'request',
      summary: hopSummary(s, i),
      src: s.addr(i).src,
      dst: s.addr(i).dst,
      sport: s.sport(i),
      dport: s.dport(i),
      srcMac: s.addr(i).srcMac,
      dstMac: s.addr(i).dstMac,
      // One object shape for every hop (absent values are dropped by JSON).
      rewrite: undefined,
      rewriteText: undefined,
      sameAs: undefined,
      latencyMs: undefined,
      omittedBefore: undefined,
    };
    const omitted = itemOmitted[order[k]];
    if (omitted > 0) hop.omittedBefore = omitted;
    let prevIdx = sameAsPos[k];
    // Seen before at another host's `any` capture: linked to that host's interface's capture.
    if (prevIdx >= 0 && at[prevIdx].spec.interface === 'any' && at[prevIdx].spec.host !== point.spec.host) prevIdx = namedCopy(hops, at, prevIdx);
    if (prevIdx >= 0) {
      const prev = hops[prevIdx];
      hop.sameAs = prevIdx;
      hop.latencyMs = Math.round((hop.ts - prev.ts) * 1e6) / 1e3;
      // The nearest earlier copy that shows a destination MAC (cooked captures have none).
      let b: number | undefined = prevIdx;
      while (b !== undefined && hops[b].dstMac === undefined) b = hops[b].sameAs;
      const [rw, text] = rewriteBetween(prev, hop, s, i, stores[prevIdx], idxs[prevIdx], b === undefined ? undefined : hops[b], names);
      hop.rewrite = rw;
      hop.rewriteText = text;
      if (text === FORWARDED) unnamed = true;
      else if (unnamed && rw === 'none' && text === undefined && hop.dstMac !== undefined && hop.srcMac === prev.srcMac) nameForwardedMac(hops, prevIdx, hop, names);
    }
    hops.push(hop);
    stores.push(s);
    idxs.push(i);
    at.push(point);
  }
  return hops;
}

/** What the hops of an analysis' connections are built from, besides their flows. */
export interface HopSource {
  points: PointInfo[];
  names: RsNames;
  /** Set once sourceOf() can find it from `points` (see defineLazyHops()). */
  known?: boolean;
}

/** Each analysis' HopSource by its points: the finding rules ask firstSightings() with a
 *  connection's flows and the points alone. Weak: an analysis let go of is not kept. */
const sources = new WeakMap<PointInfo[], HopSource>();

function sourceOf(points: PointInfo[]): HopSource | undefined {
  return sources.get(points);
}

/** What a connection's hops are built from, until they are. */
interface Pending {
  flows: Flow[];
  source: HopSource;
}

/** Returns the object it is given from its constructor: a subclass then defines its
 *  private fields on that object (see PendingSlot). */
class Stamp {
  constructor(target: object) {
    return target;
  }
}

/**
 * A connection's Pending, in a private field stamped on the connection object: JSON,
 * spreads, structured clone (postMessage), Object.keys() and deepStrictEqual never see it,
 * and defining it is a plain store with a shared map transition. (A non-enumerable symbol
 * property cost ~2,800 instructions per connection, Object.defineProperty() being a
 * runtime call; a WeakMap entry ~1 µs, plus the collector's ephemeron work.)
 */
class PendingSlot extends Stamp {
  #pending: Pending | undefined;

  constructor(conn: Connection, p: Pending | undefined) {
    super(conn);
    this.#pending = p;
  }

  static get(conn: object): Pending | undefined {
    return #pending in conn ? (conn as PendingSlot).#pending : undefined;
  }

  static set(conn: Connection, p: Pending | undefined): void {
    if (#pending in conn) (conn as unknown as PendingSlot).#pending = p;
    else if (p !== undefined) new PendingSlot(conn, p);
  }
}

function pendingOf(conn: Connection): Pending | undefined {
  return PendingSlot.get(conn);
}

function setPending(conn: Connection, p: Pending | undefined): void {
  PendingSlot.set(conn, p);
}

/** The hops a connection's Pending makes, or undefined once they are built. */
function pendingHops(conn: Connection): Hop[] | undefined {
  const p = pendingOf(conn);
  return p ? buildHops(p.flows, p.source.points, p.source.names) : undefined;
}

function settleHops(conn: Connection, value: Hop[]): void {
  setPending(conn, undefined);
  Object.defineProperty(conn, 'hops', { value, enumerable: true, writable: true, configurable: true });
}

/** One accessor pair for every connection (no closures per connection). */
const LAZY_HOPS: PropertyDescriptor = {
  enumerable: true,
  configurable: true,
  get(this: Connection): Hop[] {
    const hops = pendingHops(this) ?? [];
    settleHops(this, hops);
    return hops;
  },
  set(this: Connection, value: Hop[]): void {
    settleHops(this, value);
  },
};

/** A connection's hops without keeping them on it: built when they have not been read yet
 *  (and built again should they be read later), else the ones it holds. For writing every
 *  connection of a big capture once, with memory for one connection's hops at a time. */
export function hopsWithoutKeeping(conn: Connection): Hop[] {
  return pendingHops(conn) ?? conn.hops;
}

/**
 * Gives `conn` its `hops` as an own, enumerable property that is computed on first read:
 * most connections of a big capture are never looked at hop by hop (the webview asks for
 * one at a time), and building every hop up front was most of the analysis time. JSON,
 * spreads and postMessage read it like a plain array; assigning replaces it.
 */
export function defineLazyHops(conn: Connection, flows: Flow[], source: HopSource): void {
  if (source.known !== true) {
    source.known = true;
    sources.set(source.points, source);
  }
  // A new connection (no Pending yet): stamped here rather than through setPending(), whose
  // small helpers were each compiled on their own before the caller was compiled with them.
  new PendingSlot(conn, { flows, source });
  Object.defineProperty(conn, 'hops', LAZY_HOPS);
}

