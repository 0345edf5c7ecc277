// The shape of a finding rule (one file per rule, one line in ./index.ts), and the
// helpers rules share to cite packets and blame config lines.

import type { ManifestRealServer, ManifestService } from '../../capture/manifest';
import type { Evidence, Finding, Severity, SourceLocation } from '../../findings/finding';
import type { RealServer, VirtualService } from '../../model/cluster';
import { clockTime, firstRefs, type ConnFacts, type Facts, type PointInfo, type RsView } from '../facts';
import type { PacketRecords } from '../packetRecords';

export interface RuleContext extends Facts {
  /** Findings raised by the rules that ran before (registry order = causal order). */
  readonly earlier: Finding[];
  /** The connections this rule's suspect() let through (all of them for a rule without one). */
  readonly suspects: ConnFacts[];
}

export interface Rule {
  /** Stable code; also the name of docs/findings/<code>.md. */
  code: string;
  severity: Severity;
  /** One line for the docs index and `--help`. */
  summary: string;
  check(ctx: RuleContext): Finding[];
  /**
   * A quick necessary condition for a connection to count in this rule's findings, without
   * the earlier findings (check() still applies every condition, so letting more through
   * changes nothing). One shared pass, screenConnections(), asks every rule about every
   * connection; check() then goes over its few suspects only. In a fresh process this costs
   * less than a pass of its own per rule (each one a loop and a closure the JIT compiles).
   */
  suspect?(c: ConnFacts): boolean;
}

/** Per rule, the connections its suspect() lets through (`conns` itself for a rule without
 *  one), in the connections' order. */
export function screenConnections(conns: ConnFacts[], rules: Rule[]): ConnFacts[][] {
  const lists: ConnFacts[][] = [];
  const screening: Array<(c: ConnFacts) => boolean> = [];
  const into: ConnFacts[][] = [];
  for (const rule of rules) {
    if (rule.suspect === undefined) {
      lists.push(conns);
      continue;
    }
    const list: ConnFacts[] = [];
    lists.push(list);
    screening.push(rule.suspect);
    into.push(list);
  }
  screenEach(conns, screening, into);
  return lists;
}

/** The loop over every connection, in a function of its own (see forEachConn()). */
function screenEach(conns: ConnFacts[], screening: Array<(c: ConnFacts) => boolean>, into: ConnFacts[][]): void {
  for (let i = 0; i < conns.length; i++) {
    const c = conns[i];
    for (let j = 0; j < screening.length; j++) if (screening[j](c)) into[j].push(c);
  }
}

/** `tcp 192.0.2.100:80` */
export function serviceName(s: ManifestService | undefined, fallback?: { protocol: string; vip: string; port?: number }): string {
  if (s) return s.fwmark !== undefined ? `fwmark ${s.fwmark}` : `${s.protocol} ${s.vip}:${s.port ?? '*'}`;
  if (fallback) return `${fallback.protocol} ${fallback.vip}:${fallback.port ?? '*'}`;
  return 'the virtual service';
}

export function pointEvidence(ctx: Facts, point: number, packets: number[], text: string, ts?: number): Evidence {
  const p: PointInfo = ctx.points[point];
  const ev: Evidence = { host: p.spec.host, file: p.spec.file, text };
  if (packets.length > 0) ev.packets = packets.slice(0, 10);
  if (ts !== undefined) ev.ts = ts;
  return ev;
}

/** Whether record `i` of `s` (a packet of a connection at capture point `p`) is one an
 *  evidence line is about. */
export type RecordPick = (s: PacketRecords, i: number, p: PointInfo) => boolean;

/** A packet record of a connection at one capture point; `ts` on the common clock. */
export interface PointRecord {
  s: PacketRecords;
  i: number;
  n: number;
  ts: number;
}

/** The records (head and tail) of connection `c` at `point` that `pick` selects (all of them
 *  without one), in capture order. For the few connections a finding cites. */
export function recordsAt(ctx: Facts, c: ConnFacts, point: number, pick?: RecordPick): PointRecord[] {
  const p = ctx.points[point];
  const out: PointRecord[] = [];
  for (const f of c.flows) {
    if (f.point !== point) continue;
    const s = f.store;
    const count = f.recordCount();
    for (let k = 0; k < count; k++) {
      const i = f.recordAt(k);
      if (!pick || pick(s, i, p)) out.push({ s, i, n: s.n[i], ts: s.ts[i] + p.shift });
    }
  }
  return out.sort((a, b) => a.n - b.n);
}

/** A request of the client's (first copy at its point). */
export const clientRequest: RecordPick = (s, i) => !s.reply(i) && !s.dup(i);
/** A packet towards the client (first copy at its point), ICMP errors included. */
export const replyPacket: RecordPick = (s, i) => s.reply(i) && !s.dup(i);

/**
 * Evidence lines for a connection: its packets at the points matching `pred`. With `pick`,
 * only the packets it selects (up to 5 per point; a point with none gets no line), so that
 * the line lists exactly the packets its text is about; without, the first 5 of any kind.
 */
export function connEvidence(ctx: Facts, c: ConnFacts, pred: (p: PointInfo) => boolean, text: (p: PointInfo) => string, pick?: RecordPick): Evidence[] {
  const out: Evidence[] = [];
  for (const [point, nums] of firstRefs(c)) {
    const p = ctx.points[point];
    if (!pred(p)) continue;
    if (pick) {
      const recs = recordsAt(ctx, c, point, pick).slice(0, 5);
      if (recs.length > 0) out.push(pointEvidence(ctx, point, recs.map((r) => r.n), text(p), recs[0].ts));
      continue;
    }
    const hop = c.conn.hops.find((h) => h.ref.point === point);
    out.push(pointEvidence(ctx, point, nums, text(p), hop?.ts));
  }
  return out;
}

/** `a`, `a and b`, `a, b and c` */
export function listText(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** Up to `max` items taken from the lists in turn (the first of each, then the second...):
 *  evidence that shows every service or source a finding is about. */
export function firstOfEach<T>(lists: T[][], max: number): T[] {
  const out: T[] = [];
  for (let k = 0; out.length < max; k++) {
    let any = false;
    for (const list of lists) {
      if (k >= list.length) continue;
      any = true;
      if (out.length < max) out.push(list[k]);
    }
    if (!any) break;
  }
  return out;
}

export function connLabel(c: ConnFacts): string {
  return `${c.conn.client}:${c.conn.clientPort} → ${c.conn.vip}:${c.conn.vport ?? '*'}`;
}

function modelService(ctx: Facts, s: ManifestService | undefined): VirtualService | undefined {
  if (!ctx.model || !s) return undefined;
  return ctx.model.services.find(
    (v) => (s.fwmark !== undefined ? v.fwmark === s.fwmark : v.vip === s.vip && v.port === s.port) && v.protocol === s.protocol,
  );
}

/** Real server `rs` (a name the analysis uses) as service `s` lists it: by name, else by its
 *  address (a service that names it only by address, its point naming it otherwise). */
export function serviceRealServer(ctx: Facts, s: ManifestService | undefined, rs: string): ManifestRealServer | undefined {
  if (!s) return undefined;
  const named = s.realServers.find((r) => r.name === rs);
  if (named) return named;
  const address = ctx.services.rsAddressByName.get(rs);
  return address === undefined ? undefined : s.realServers.find((r) => r.address === address);
}

/** The config line to blame: the real server block, else the option, else the virtual_server. */
export function locate(ctx: Facts, s: ManifestService | undefined, rs?: string, option?: string): SourceLocation | undefined {
  if (!ctx.model) return undefined;
  const address = rs ? (ctx.services.rsAddressByName.get(rs) ?? rs) : undefined;
  const candidates = s ? [modelService(ctx, s)] : ctx.model.services;
  for (const vs of candidates) {
    if (!vs) continue;
    if (address) {
      const real: RealServer | undefined = vs.realServers.find((r) => r.address === address || r.name === rs);
      if (real?.location) return real.location;
    }
  }
  const vs = modelService(ctx, s);
  if (option && vs?.optionLocations?.[option]) return vs.optionLocations[option];
  return vs?.location;
}

/** Names of real servers already blamed by earlier findings (so consequences are not repeated). */
export function blamedRealServers(ctx: RuleContext): Set<string> {
  const out = new Set<string>();
  for (const f of ctx.earlier) if (f.realServer && f.severity !== 'info') out.add(f.realServer);
  return out;
}

export function explainedConnections(ctx: RuleContext): Set<string> {
  const out = new Set<string>();
  for (const f of ctx.earlier) for (const id of f.connections ?? []) out.add(id);
  return out;
}

/** `20:00:27.836 UTC`: a time on the common clock, in finding messages. */
/** A clock time in a finding's message (see facts.ts clockTime). */
export const fmtTime = clockTime;

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/**
 * Calls `each` for every connection: how the rules go over all of them. A rule's check()
 * runs once per analysis; with the loop inside it, V8 compiles the whole check() while the
 * loop runs, deoptimises it where the code after the loop starts and does it all again in
 * the next analysis. A function per connection is compiled once, small, and kept.
 */
export function forEachConn(conns: ConnFacts[], each: (c: ConnFacts) => void): void {
  for (let i = 0; i < conns.length; i++) each(conns[i]);
}

/** The first real-server view of the connection that received requests (plain loops in
 *  these helpers: the rules run them for every connection, and a closure per call is
 *  allocated until the JIT has optimised the caller). */
export function firstRequested(c: ConnFacts): RsView | undefined {
  for (let k = 0; k < c.rsViews.length; k++) if (c.rsViews[k].requests > 0) return c.rsViews[k];
  return undefined;
}

/** Whether real server `rs`'s own capture shows requests of the connection. */
export function requestsSeenAt(c: ConnFacts, rs: string): boolean {
  for (let k = 0; k < c.rsViews.length; k++) if (c.rsViews[k].rs === rs && c.rsViews[k].requests > 0) return true;
  return false;
}

export function groupBy<T>(items: T[], key: (t: T) => string | undefined): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    const k = key(it);
    if (k === undefined) continue;
    const list = m.get(k);
    if (list) list.push(it);
    else m.set(k, [it]);
  }
  return m;
}
