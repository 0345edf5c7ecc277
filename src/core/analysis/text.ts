// Plain-text rendering of an analysis for the terminal: one line per connection with
// the path of its first packet hop by hop, then the findings, errors first.

import type { Finding } from '../findings/finding';
import type { AnalysisResult, Connection, Hop } from './result';

function endpoint(ip: string, port: number | undefined): string {
  const host = ip.includes(':') ? `[${ip}]` : ip;
  return port === undefined ? host : `${host}:${port}`;
}

/** The path of the connection's first request packet: host, latency, rewrites. */
export function firstPacketPath(result: AnalysisResult, c: Connection): string {
  const first = c.hops.findIndex((h) => h.direction === 'request' && h.sameAs === undefined);
  if (first < 0) return '';
  const chain: Hop[] = [c.hops[first]];
  const inChain = new Set([first]);
  c.hops.forEach((h, i) => {
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
  if (c.stoppedAt) parts.push(`  stopped at ${result.lanes[c.stoppedAt.point]?.host ?? '?'}: ${c.stoppedAt.reason}`);
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

export function analysisText(result: AnalysisResult): string {
  const out: string[] = [];
  const s = result.stats;
  out.push(`${result.folder}: ${s.packets} packets, ${s.connections} connections, ${s.durationSec.toFixed(1)} s`);
  for (const l of result.lanes) {
    const extra = [l.error && `ERROR ${l.error}`, l.warning && `warning: ${l.warning}`, l.clockNote].filter(Boolean).join('; ');
    out.push(`  lane ${l.point} ${l.host} ${l.role} ${l.interface}: ${l.packetCount} packets${extra ? ` (${extra})` : ''}`);
  }
  out.push('', 'Connections:');
  if (result.connections.length === 0) out.push('  (none to the virtual service)');
  for (const c of result.connections) out.push(`  ${connectionLine(result, c)}`);
  out.push('', 'Findings:');
  if (result.findings.length === 0) out.push('  none: every connection went where the configuration says it should.');
  for (const f of result.findings) out.push(findingText(f).replace(/^/gm, '  '));
  return `${out.join('\n')}\n`;
}
