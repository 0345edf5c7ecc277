// The probe result as text: one line per attempt, then the spread per real
// server against the expectation, the judgement and the load measurement; and the
// one-line summary (the VS Code notification).
import { attributionAdvice, landedOn, unattributedWhy } from './attribution';
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
  // Nothing attributed: no count per real server is known, "0" would say none went there.
  const none = r.unattributed > 0 && r.unattributed === r.attempts.length;
  for (const d of r.distribution) {
    out.push(`${d.server.padEnd(20)} ${String(d.weight).padStart(6)}  ${(none ? '-' : String(d.count)).padStart(6)}  ${(none ? '-' : String(d.answered)).padStart(8)}  ${d.expectedShare !== undefined ? `${(d.expectedShare * 100).toFixed(0)}%`.padStart(8) : '       -'}`);
  }
  if (r.unattributed) {
    const answers = r.attempts.filter((a) => a.ok && landedOn(a) === undefined).length;
    const failed = r.unattributed - answers;
    const what = [answers ? `${answers} answer${answers === 1 ? '' : 's'}` : '', failed ? `${failed} failed attempt${failed === 1 ? '' : 's'}` : ''].filter(Boolean).join(' and ');
    out.push(`not attributed to a real server: ${what} (${unattributedWhy(answers, r.capture !== undefined)}). To attribute them: ${attributionAdvice(answers, r.capture !== undefined)}.`);
  }
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

/**
 * The probe in one line: how many attempts were answered, by which real server (only
 * answers attributed to one are counted; a real server with 0 is listed only when every
 * answer is attributed, so that 0 means it answered none), how many answers no real
 * server could be named for and why, the verdict, and the worst finding.
 */
export function formatProbeSummary(r: ProbeResult): string {
  const ok = r.attempts.filter((a) => a.ok);
  const per = new Map(r.distribution.map((d) => [d.server, 0]));
  let unknown = 0;
  for (const a of ok) {
    const s = landedOn(a);
    if (s !== undefined && per.has(s)) per.set(s, per.get(s)! + 1);
    else unknown++;
  }
  const captured = r.capture !== undefined;
  let text = `Probe ${r.target}: ${ok.length}/${r.attempts.length} answered`;
  // No real server known (a service typed in, no table): nothing to attribute to, the judgement says so.
  if (per.size > 0) {
    const listed = [...per].filter(([, k]) => unknown === 0 || k > 0);
    if (ok.length > unknown && listed.length) text += ` (${listed.map(([s, k]) => `${s} ${k}`).join(', ')})`;
    if (unknown > 0) text += `, ${unknown} not attributed to a real server (${unattributedWhy(unknown, captured)})`;
  }
  const bad = r.findings.find((f) => f.severity === 'error') ?? r.findings.find((f) => f.severity === 'warning');
  text += ` — ${r.judgement.verdict}.`;
  if (bad) text += ` ${bad.message}`;
  else if (unknown > 0 && per.size > 0) text += ` To attribute them: ${attributionAdvice(unknown, captured)}.`;
  return text;
}
