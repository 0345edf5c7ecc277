// Plain-text rendering of an analysis for the terminal: one line per connection with
// the path of its first packet hop by hop, then the findings, errors first.

import type { Finding } from '../findings/finding';
import { hopsWithoutKeeping } from './hops';
import type { AnalysisResult, Connection, Hop } from './result';

function endpoint(ip: string, port: number | undefined): string {
  const host = ip.includes(':') ? `[${ip}]` : ip;
  return port === undefined ? host : `${host}:${port}`;
}

/** The path of the connection's first request packet: host, latency, rewrites. */
export function firstPacketPath(result: AnalysisResult, c: Connection): string {
  // Not kept on the connection: `--all` on a big capture would otherwise hold every hop.
  const hops = hopsWithoutKeeping(c);
  const first = hops.findIndex((h) => h.direction === 'request' && h.sameAs === undefined);
  if (first < 0) return '';
  const chain: Hop[] = [hops[first]];
  const inChain = new Set([first]);
  hops.forEach((h, i) => {
    if (h.sameAs !== undefined && inChain.has(h.sameAs)) {
      inChain.add(i);
      chain.push(h);
    }
  });
  const host = (h: Hop): string => result.lanes[h.ref.point]?.host ?? `point ${h.ref.point}`;
  // One segment per host: its name, the latency to reach it, what it rewrote.
  const segs: Array<{ host: string; lat: number; notes: string[] }> = [{ host: host(chain[0]), lat: 0, notes: [] }];
  let lat = 0;
  for (const h of chain.slice(1)) {
    lat += h.latencyMs ?? 0;
    let seg = segs[segs.length - 1];
    if (host(h) !== seg.host) {
      segs.push((seg = { host: host(h), lat, notes: [] }));
      lat = 0;
    }
    if (h.rewrite && h.rewrite !== 'none' && h.rewriteText && !seg.notes.includes(h.rewriteText)) seg.notes.push(h.rewriteText);
  }
  const generic = 'forwarded (destination MAC rewritten)';
  const text = segs.map((s, i) => {
    const notes = s.notes.length > 1 ? s.notes.filter((n) => n !== generic) : s.notes;
    return `${s.host}${i > 0 ? ` ${s.lat.toFixed(2)}ms` : ''}${notes.length ? ` (${notes.join('; ')})` : ''}`;
  });
  return `${chain[0].summary}: ${text.join(' → ')}`;
}

export function connectionLine(result: AnalysisResult, c: Connection): string {
  const head = `${endpoint(c.client, c.clientPort)} → ${endpoint(c.vip, c.vport)}`;
  const parts = [head.padEnd(44), (c.realServer ?? '-').padEnd(6), c.state.padEnd(11), firstPacketPath(result, c)];
  // An unknown connection did not stop there: where it went past that point is not known.
  if (c.stoppedAt) parts.push(`  ${c.state === 'unknown' ? 'not followed past' : 'stopped at'} ${result.lanes[c.stoppedAt.point]?.host ?? '?'}: ${c.stoppedAt.reason}`);
  return parts.join(' ').trimEnd();
}

export function findingText(f: Finding): string {
  const lines = [`${f.severity.toUpperCase()} ${f.code}: ${f.message}`];
  if (f.location) lines.push(`  config: ${f.location.file}:${f.location.line}:${f.location.column}`);
  for (const e of f.evidence.slice(0, 6)) {
    const where = [e.host, e.file, e.packets?.length ? `#${e.packets.join(',')}` : undefined].filter(Boolean).join(' ');
    lines.push(`  - ${where}: ${e.text}`);
  }
  if (f.advice) lines.push(`  what to do: ${f.advice}`);
  return lines.join('\n');
}

/** Connections listed by default; the rest are counted (all with `all`). */
export const LISTED_CONNECTIONS = 50;

/** `9990 complete, 10 no-reply`: the connections by state, most frequent first. */
function stateCounts(connections: Connection[]): string {
  const counts = new Map<string, number>();
  for (const c of connections) counts.set(c.state, (counts.get(c.state) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([state, n]) => `${n} ${state}`)
    .join(', ');
}

/** Which connections the text lists: those that stopped or that a finding cites first,
 *  then the others, in capture order, up to `limit`. */
function listed(result: AnalysisResult, limit: number): Connection[] {
  if (result.connections.length <= limit) return result.connections;
  const cited = new Set(result.findings.flatMap((f) => f.connections ?? []));
  const notable = (c: Connection): boolean => c.stoppedAt !== undefined || cited.has(c.id);
  const pick = new Set(result.connections.filter(notable).slice(0, limit));
  for (const c of result.connections) {
    if (pick.size >= limit) break;
    pick.add(c);
  }
  return result.connections.filter((c) => pick.has(c));
}

export function analysisText(result: AnalysisResult, opts: { all?: boolean } = {}): string {
  const out: string[] = [];
  const s = result.stats;
  out.push(`${result.folder}: ${s.packets} packets, ${s.connections} connections, ${s.durationSec.toFixed(1)} s`);
  for (const l of result.lanes) {
    const extra = [l.error && `ERROR ${l.error}`, l.warning && `warning: ${l.warning}`, l.realServerNote, l.clockNote].filter(Boolean).join('; ');
    out.push(`  lane ${l.point} ${l.host} ${l.role} ${l.interface}: ${l.packetCount} packets${extra ? ` (${extra})` : ''}`);
  }
  const n = result.connections.length;
  out.push('', n > 0 ? `Connections: ${n} (${stateCounts(result.connections)})` : 'Connections:');
  if (n === 0) out.push('  (none to the virtual service)');
  const shown = opts.all ? result.connections : listed(result, LISTED_CONNECTIONS);
  for (const c of shown) out.push(`  ${connectionLine(result, c)}`);
  if (shown.length < n) out.push(`  … and ${n - shown.length} more (those that stopped or that a finding cites are listed first; --all lists them all)`);
  out.push('', 'Findings:');
  if (result.findings.length === 0) out.push('  none: every connection went where the configuration says it should.');
  for (const f of result.findings) out.push(findingText(f).replace(/^/gm, '  '));
  return `${out.join('\n')}\n`;
}
