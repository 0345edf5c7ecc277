// The probe result as text: one line per attempt, then the spread per real
// server against the expectation, the judgement and the load measurement.
import type { ProbeResult } from './index';

/** The probe result as a plain-text table (CLI, VS Code output channel). */
export function formatProbeResult(r: ProbeResult): string {
  const out: string[] = [`probe ${r.target} from ${r.from} (${r.tool}), ${r.attempts.length} attempts`];
  out.push('  #  result   src port  latency  real server');
  for (const a of r.attempts) {
    const who = a.answeredBy ? `${a.answeredBy} (${a.via})` : a.seenBy?.length ? `reached ${a.seenBy.join(', ')}, no answer` : '?';
    out.push(`${String(a.i + 1).padStart(3)}  ${(a.ok ? 'ok' : a.error ?? 'failed').padEnd(8)} ${String(a.sourcePort ?? '-').padStart(8)}  ${a.latencyMs !== undefined ? `${a.latencyMs.toFixed(1)} ms`.padStart(7) : '      -'}  ${who}`);
  }
  out.push('', 'real server          weight  landed  answered  expected');
  for (const d of r.distribution) {
    out.push(`${d.server.padEnd(20)} ${String(d.weight).padStart(6)}  ${String(d.count).padStart(6)}  ${String(d.answered).padStart(8)}  ${d.expectedShare !== undefined ? `${(d.expectedShare * 100).toFixed(0)}%`.padStart(8) : '       -'}`);
  }
  if (r.unattributed) out.push(`${r.unattributed} attempts could not be attributed to a real server`);
  out.push('', `judgement: ${r.judgement.verdict}: ${r.judgement.message}`);
  for (const n of r.notes ?? []) out.push(`note: ${n}`);
  if (r.load) {
    out.push('', 'load (lvs-kiss style): real server, load, suggested weight');
    for (const s of r.load.samples) out.push(`  ${s.server}: ${s.load ?? `error: ${s.error}`}${r.load.suggestedWeights[s.server] !== undefined ? ` -> weight ${r.load.suggestedWeights[s.server]}` : ''}`);
  }
  for (const e of r.capture?.errors ?? []) out.push(`capture: ${e}`);
  if (r.capture?.kept) out.push(`capture kept in ${r.capture.dir}`);
  return `${out.join('\n')}\n`;
}
