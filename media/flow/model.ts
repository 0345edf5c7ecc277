// Pure view-model helpers of the flow view: lane order, where each hop's arrow
// starts and ends, filters, and which packets findings cite. No DOM here, so the
// rules are unit-tested in Node (test/browser/flowModel.test.ts).
import type { AnalysisResult, Connection, Hop, Lane } from '../../src/core/analysis/result';
import type { Finding } from '../../src/core/findings/finding';

/** A column of the diagram: a capture point, or the client when nobody captured there. */
export interface Column {
  /** Capture point index, or -1 for the stand-in client column. */
  point: number;
  host: string;
  role: Lane['role'];
  interface: string;
}

const roleOrder: Record<Lane['role'], number> = { client: 0, router: 1, director: 2, 'real-server': 3, other: 4 };

/** Client first, then routers, directors, real servers; capture order within a role. */
export function orderColumns(lanes: Lane[], clientLabel = 'client'): Column[] {
  const cols: Column[] = lanes
    .map((l, i) => ({ l, i }))
    .sort((a, b) => roleOrder[a.l.role] - roleOrder[b.l.role] || a.i - b.i)
    .map(({ l }) => ({ point: l.point, host: l.host, role: l.role, interface: l.interface }));
  if (!cols.some((c) => c.role === 'client')) {
    cols.unshift({ point: -1, host: clientLabel, role: 'client', interface: '' });
  }
  return cols;
}

/**
 * The two columns a hop's arrow joins. A hop is one packet as seen at one point:
 * a request arrives at its point from where the same packet was seen before (or
 * from the client); a reply leaves its point towards where it is seen next (or
 * towards the client). A packet captured at the client itself leaves towards the
 * first director (request) or arrives from where it was last seen (reply).
 */
export function hopEnds(conn: Connection, index: number, cols: Column[]): { from: number; to: number } {
  const hop = conn.hops[index];
  const colOf = (point: number): number => {
    const c = cols.findIndex((x) => x.point === point);
    return c < 0 ? 0 : c;
  };
  const clientCol = Math.max(0, cols.findIndex((c) => c.role === 'client'));
  const here = colOf(hop.ref.point);
  const firstDirector = cols.findIndex((c) => c.role === 'director');
  const towardsService = firstDirector >= 0 ? firstDirector : Math.min(cols.length - 1, clientCol + 1);
  if (hop.direction === 'request') {
    if (here === clientCol) return { from: clientCol, to: towardsService };
    const from = hop.sameAs !== undefined && conn.hops[hop.sameAs] ? colOf(conn.hops[hop.sameAs].ref.point) : clientCol;
    return { from: from === here ? clientCol : from, to: here };
  }
  if (here === clientCol) {
    const prev = hop.sameAs !== undefined && conn.hops[hop.sameAs] ? colOf(conn.hops[hop.sameAs].ref.point) : towardsService;
    return { from: prev === here ? towardsService : prev, to: clientCol };
  }
  // Seen again later (NAT reply at the real server, then at the director)?
  for (let j = index + 1; j < conn.hops.length; j++) {
    if (conn.hops[j].sameAs === index) {
      const next = colOf(conn.hops[j].ref.point);
      if (next !== here) return { from: here, to: next };
    }
  }
  return { from: here, to: clientCol };
}

/** `point:n` → finding codes citing that packet. */
export type CitedPackets = Map<string, string[]>;

export function refKey(point: number, n: number): string {
  return `${point}:${n}`;
}

/** Which packets each finding cites (evidence is by host and file; lanes by point). */
export function citedPackets(result: AnalysisResult): CitedPackets {
  const cited: CitedPackets = new Map();
  const points = result.manifest.points;
  for (const f of result.findings) {
    for (const ev of f.evidence) {
      if (!ev.packets?.length) continue;
      const matching = points
        .map((p, i) => ({ p, i }))
        .filter(({ p }) => (ev.file ? p.file === ev.file : p.host === ev.host));
      for (const { i } of matching) {
        for (const n of ev.packets) {
          const k = refKey(i, n);
          const codes = cited.get(k) ?? [];
          if (!codes.includes(f.code)) codes.push(f.code);
          cited.set(k, codes);
        }
      }
    }
  }
  return cited;
}

/** Finding codes of a connection: its own list plus findings that name it. */
export function connectionFindings(conn: Connection, findings: Finding[]): string[] {
  const codes = new Set(conn.findings ?? []);
  for (const f of findings) if (f.connections?.includes(conn.id)) codes.add(f.code);
  return [...codes];
}

export interface ConnectionFilter {
  search?: string;
  realServer?: string;
  finding?: string;
  state?: string;
}

/** The value the real-server filter uses for connections that reached none. */
export const NO_REAL_SERVER = '(none)';

export function connectionMatches(conn: Connection, codes: string[], f: ConnectionFilter): boolean {
  if (f.realServer && (conn.realServer ?? NO_REAL_SERVER) !== f.realServer) return false;
  if (f.state && conn.state !== f.state) return false;
  if (f.finding && !codes.includes(f.finding)) return false;
  const q = f.search?.trim().toLowerCase();
  if (q) {
    const text = [
      conn.id,
      conn.protocol,
      `${conn.client}:${conn.clientPort ?? ''}`,
      `${conn.vip}:${conn.vport ?? ''}`,
      conn.realServer ?? '',
      conn.state,
      conn.stoppedAt?.reason ?? '',
      ...codes,
    ]
      .join(' ')
      .toLowerCase();
    if (!q.split(/\s+/).every((word) => text.includes(word))) return false;
  }
  return true;
}

/** Indices of the connections that pass the filter, in capture order. */
export function filterConnections(result: AnalysisResult, codesOf: string[][], f: ConnectionFilter): number[] {
  const out: number[] = [];
  result.connections.forEach((c, i) => {
    if (connectionMatches(c, codesOf[i], f)) out.push(i);
  });
  return out;
}

/** `+1.234 ms` / `+2.5 s` relative to a start time in seconds. */
export function formatOffset(ts: number, start: number): string {
  const ms = (ts - start) * 1000;
  if (Math.abs(ms) < 1000) return `+${ms.toFixed(ms < 10 ? 3 : 1)} ms`;
  return `+${(ms / 1000).toFixed(3)} s`;
}

export function formatLatency(ms: number): string {
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 2 : 0)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

export function endpoint(addr: string, port?: number): string {
  if (port === undefined) return addr;
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

/** One-line description of a hop for screen readers and tooltips. */
export function describeHop(hop: Hop, col: Column): string {
  const parts = [`${hop.direction} seen at ${col.host}${col.interface ? ' ' + col.interface : ''}`, hop.summary];
  parts.push(`${endpoint(hop.src, hop.sport)} to ${endpoint(hop.dst, hop.dport)}`);
  if (hop.rewriteText) parts.push(hop.rewriteText);
  if (hop.latencyMs !== undefined) parts.push(`after ${formatLatency(hop.latencyMs)}`);
  return parts.join(', ');
}
