// A connection's hops: its packet records at every capture point put in order (time, then
// position along the path), each copy of a packet recognised as the same packet seen at an
// earlier point, and what changed between the two (DR's MAC, NAT's addresses, TUN's
// outer header). Built on demand, one connection at a time; the finding rules that only
// need which packets were seen first get that without building hops.

import type { HostRole } from '../capture/manifest';
import type { PointInfo } from './facts';
import { ACK, FIN, RST, SYN, type Flow } from './flowTable';
import type { PacketRecords } from './packetRecords';
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

export function flagLetters(bits: number): string {
  let s = '';
  if (bits & SYN) s += 'S';
  if (bits & FIN) s += 'F';
  if (bits & RST) s += 'R';
  if (bits & 8) s += 'P';
  if (bits & ACK) s += '.';
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
  // Every router rewrites MACs; only the director's re-addressing to a real server is news (DR).
  if (h.dstMac && macBase && macBase.dstMac && h.dstMac !== macBase.dstMac) {
    const rs = names.byMac.get(h.dstMac);
    if (rs || s.dup(i)) return ['mac', `MAC → ${h.dstMac}${rs ? ` (${rs})` : ''}`];
  }
  // Linux cooked captures (-i any) carry no destination MAC: the second copy is the forwarded one.
  if (s.dup(i) && !h.dstMac) return ['mac', 'forwarded (destination MAC rewritten)'];
  return ['none', undefined];
}

/** Where a record sits along its packet's path: the point's rank, the second copy of an
 *  in/out pair just after the first. Breaks ties between copies with the same time. */
function recordRank(point: PointInfo, s: PacketRecords, i: number): number {
  return pathRank(point.spec.role, s.reply(i), s.addr(i).outerDst !== undefined) * 2 + (s.dup(i) ? 1 : 0);
}

// Scratch space of matchRecords() and buildHops(), reused from one connection to the
// next (they never nest): parallel arrays and a sorted index, no object per packet.
const itemFlow: number[] = [];
const itemIdx: number[] = [];
const itemTs: number[] = [];
const itemRank: number[] = [];
const order: number[] = [];
/** Per position k in `order`: the position of the same packet seen earlier, or -1. */
const sameAsPos: number[] = [];
const lastBySig = new Map<number, number>();
const byTimeThenPath = (a: number, b: number): number => itemTs[a] - itemTs[b] || itemRank[a] - itemRank[b];

/**
 * Orders a connection's packet records (all points) by corrected time, then by position
 * along the path, and recognises each packet seen earlier at another point (or as the
 * other copy of an in/out pair). Fills the scratch arrays; returns how many positions of
 * `order` are in use (at most MAX_HOPS).
 */
function matchRecords(flows: Flow[], points: PointInfo[]): number {
  itemFlow.length = 0;
  itemIdx.length = 0;
  itemTs.length = 0;
  itemRank.length = 0;
  order.length = 0;
  sameAsPos.length = 0;
  lastBySig.clear();
  for (let fi = 0; fi < flows.length; fi++) {
    const f = flows[fi];
    const point = points[f.point];
    const s = f.store;
    const records = f.recordCount();
    for (let k = 0; k < records; k++) {
      const i = f.recordAt(k);
      order.push(itemIdx.length);
      itemFlow.push(fi);
      itemIdx.push(i);
      itemTs.push(s.ts[i] + point.shift);
      itemRank.push(recordRank(point, s, i));
    }
  }
  order.sort(byTimeThenPath);
  const count = Math.min(order.length, MAX_HOPS);
  // lastBySig: last position per match key, by the key's hash (collisions are checked field by field).
  for (let k = 0; k < count; k++) {
    const item = order[k];
    const s = flows[itemFlow[item]].store;
    const i = itemIdx[item];
    const sig = s.sig(i);
    let prev = lastBySig.get(sig);
    if (prev !== undefined && !s.sameKey(i, flows[itemFlow[order[prev]]].store, itemIdx[order[prev]])) {
      // Another packet with the same hash: find the last real copy, if any.
      prev = undefined;
      for (let j = k - 1; j >= 0; j--) {
        if (s.sameKey(i, flows[itemFlow[order[j]]].store, itemIdx[order[j]])) {
          prev = j;
          break;
        }
      }
    }
    sameAsPos.push(prev !== undefined && itemTs[item] - itemTs[order[prev]] <= MATCH_WINDOW_S ? prev : -1);
    lastBySig.set(sig, k);
  }
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
const fsSig: number[] = [];
const fsDone: boolean[] = [];

type Wanted = (reply: boolean, flagBits: number, len: number) => boolean;

/** Collects the records `wanted` selects; returns false (nothing collected) past the hop cap. */
function collectWanted(flows: Flow[], points: PointInfo[], wanted: Wanted): boolean {
  fsStore.length = 0;
  fsIdx.length = 0;
  fsTs.length = 0;
  fsRank.length = 0;
  fsSig.length = 0;
  fsDone.length = 0;
  let total = 0;
  for (const f of flows) total += f.recordCount();
  // Past the hop cap only the ordered walk says which records are hops.
  if (total > MAX_HOPS) return false;
  for (const f of flows) {
    const point = points[f.point];
    const s = f.store;
    const count = f.recordCount();
    for (let k = 0; k < count; k++) {
      const i = f.recordAt(k);
      if (!wanted(s.reply(i), s.flagBits(i), s.len[i])) continue;
      fsStore.push(s);
      fsIdx.push(i);
      fsTs.push(s.ts[i] + point.shift);
      fsRank.push(recordRank(point, s, i));
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

/** Is collected record a a first sighting (no copy of it shortly before, see matchRecords)? */
function firstSeen(a: number): boolean {
  let last = -1;
  for (let b = 0; b < fsIdx.length; b++) {
    if (b === a || fsSig[b] !== fsSig[a] || !before(b, a) || !fsStore[a].sameKey(fsIdx[a], fsStore[b], fsIdx[b])) continue;
    if (last < 0 || before(last, b)) last = b;
  }
  return last < 0 || fsTs[a] - fsTs[last] > MATCH_WINDOW_S;
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
function orderedFirstSightings(flows: Flow[], points: PointInfo[], wanted: Wanted, visit: (s: Sighting) => void): void {
  const v: Sighting = { ts: 0, reply: false, flagBits: 0, len: 0 };
  const count = matchRecords(flows, points);
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
 * wanted or none is, and the last earlier copy (what sameAs names) is found among the
 * wanted records alone. Visits in no particular order.
 */
export function firstSightings(flows: Flow[], points: PointInfo[], wanted: Wanted, visit: (s: Sighting) => void): void {
  if (!collectWanted(flows, points, wanted)) return orderedFirstSightings(flows, points, wanted, visit);
  const v: Sighting = { ts: 0, reply: false, flagBits: 0, len: 0 };
  for (let a = 0; a < fsIdx.length; a++) if (firstSeen(a)) visitCollected(a, v, visit);
  fsStore.length = 0;
}

/** The time of the latest first sighting among the wanted packets (-Infinity: none), found
 *  from the latest record backwards: usually the first or second one tried. */
export function lastFirstSighting(flows: Flow[], points: PointInfo[], wanted: Wanted): number {
  if (!collectWanted(flows, points, wanted)) {
    let last = -Infinity;
    orderedFirstSightings(flows, points, wanted, (s) => {
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
  const count = matchRecords(flows, points);
  const hops: Hop[] = [];
  const stores: PacketRecords[] = [];
  const idxs: number[] = [];
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
    };
    const prevIdx = sameAsPos[k];
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
    }
    hops.push(hop);
    stores.push(s);
    idxs.push(i);
  }
  return hops;
}

/** What the hops of an analysis' connections are built from, besides their flows. */
export interface HopSource {
  points: PointInfo[];
  names: RsNames;
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
  // A new connection (no Pending yet): stamped here rather than through setPending(), whose
  // small helpers were each compiled on their own before the caller was compiled with them.
  new PendingSlot(conn, { flows, source });
  Object.defineProperty(conn, 'hops', LAZY_HOPS);
}

