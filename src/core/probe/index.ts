// "Probe VIP": open N connections (or send N UDP requests) to VIP:PORT from a
// chosen host, learn which real server took each one — from a capture on the
// real servers (authoritative) or from what the service said — and judge the
// spread against the scheduler and weights with a statistical test.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hostMessage, runCapture, planCapture, type HostSource } from '../capture';
import type { Finding } from '../findings/finding';
import type { ForwardingMethod, VirtualService } from '../model/cluster';
import { DEFAULT_MAX_CONNECTING } from '../ssh/pool';
import type { RemoteHost } from '../ssh/remote';
import { validateAddress } from '../ssh/quote';
import { formatEndpoint, ipvsUnavailable, normalizeAddress, parseIpLink, parseIpvsadmList, serviceFromIpvs } from '../state';
import { attributeFromCaptures, type CaptureFile } from './captureAttribution';
import { attributionAdvice, deadServers, landedOn, unattributedWhy } from './attribution';
import { clientArgv, DETECT_SCRIPT, type ClientArgs, type ProbeTool } from './clientScripts';
import { expectedDistribution, type Expectation } from './expected';
import { measureLoad, suggestWeights, DEFAULT_LOAD_COMMAND, type LoadSample } from './load';
import { binomialTest, chiSquareTest, MIN_EXPECTED, type TestResult } from './stats';

export { expectedDistribution } from './expected';
export { chiSquareTest, binomialTest, chiSquareSurvival } from './stats';
export { suggestWeights, measureLoad, firstNumber, DEFAULT_LOAD_COMMAND } from './load';
export type { ProbeTool } from './clientScripts';
export { formatProbeResult, formatProbeSummary } from './format';
export { landedOn, deadServers } from './attribution';

export const MAX_PROBE_COUNT = 1000;
/** Significance level: below it the spread is called unexpected. */
export const ALPHA = 0.01;

export interface ProbeRealServer {
  /** Name used in the result (model real-server name). */
  name: string;
  /** Its address in the service; unknown when only a hosts-file host without `address` names it (then it is not captured). */
  address?: string;
  port: number;
  weight: number;
  /** Host name (hosts file / ssh) of this real server, for the capture and the load command. */
  host?: string;
}

export interface ProbeOptions {
  from: RemoteHost;
  vip: string;
  port: number;
  protocol: 'tcp' | 'udp';
  count: number;
  realServers: ProbeRealServer[];
  method?: ForwardingMethod;
  scheduler?: string;
  /** Scheduler flags (sh-port...); undefined = not known (no config, no live table), [] = none. */
  schedulerFlags?: string[];
  persistenceSeconds?: number;
  /** Where scheduler, weights and persistence come from (`keepalived.conf`, `the live table of director`...), or `assumed: ...`. */
  expectationSource?: string;
  /** Per attempt. Default 2000 ms (max 10000). */
  timeoutMs?: number;
  /** Pause between attempts. Default 50 ms. */
  intervalMs?: number;
  /** Sent after connecting (TCP) / as the datagram (UDP). Default: an HTTP request on web ports, else nothing (TCP) / "lvs-probe\n" (UDP). */
  payload?: string;
  /** Capture on the real servers while probing (needs `host` on each real server). */
  capture?: { source: HostSource; outDir?: string; keep?: boolean };
  /** Measure load on each real server (needs `host`). */
  load?: { source: HostSource; argv?: string[] };
  /** Force the client tool (default: the first of python3, node, bash the host has). */
  tool?: ProbeTool;
  signal?: AbortSignal;
  log?: (msg: string) => void;
  /** How advice names the cluster check: the VS Code command by default, `lvs-trace check` on the command line. */
  checkCommand?: string;
}

export interface ProbeAttempt {
  /** Position from 0; texts number attempts from 1 ("attempt 1"). */
  i: number;
  ok: boolean;
  sourcePort?: number;
  latencyMs?: number;
  /** Real server that answered (capture), or named in the answer. */
  answeredBy?: string;
  /** How answeredBy was learnt. */
  via?: 'capture' | 'answer';
  /** Real servers where the capture saw the request arrive. */
  seenBy?: string[];
  /** Real servers the capture saw answer it (SYN-ACK / UDP reply): the answer left the real server, whether or not the client got it. */
  repliedBy?: string[];
  /** Real servers the capture saw refuse it (RST, ICMP port unreachable). */
  refusedBy?: string[];
  /** First bytes of the answer (text). */
  answer?: string;
  error?: string;
}

export interface ProbeDistributionRow {
  server: string;
  weight: number;
  /** Connections that landed there (seen by the capture, else answered by it). */
  count: number;
  answered: number;
  expectedShare?: number;
}

export type ProbeVerdict = 'as-expected' | 'unexpected' | 'too-few' | 'no-verdict';

export interface ProbeJudgement {
  verdict: ProbeVerdict;
  message: string;
  expectation: string;
  test?: TestResult;
  /**
   * Set when the capture saw a real server receive connections and answer none (dead
   * but in rotation): the judgement of the director's spread alone (where it sent the
   * connections, answered or not), which `verdict` and `message` override — a dead
   * real server is never "as expected", whatever the spread.
   */
  spread?: { verdict: ProbeVerdict; message: string };
}

export interface ProbeResult {
  target: string;
  from: string;
  tool: ProbeTool;
  attempts: ProbeAttempt[];
  distribution: ProbeDistributionRow[];
  /** Attempts no real server could be named for. */
  unattributed: number;
  judgement: ProbeJudgement;
  findings: Finding[];
  /** What the result rests on, in words (where the expectation comes from, what was not captured). */
  notes: string[];
  capture?: { dir: string; errors: string[]; kept: boolean };
  load?: { samples: LoadSample[]; suggestedWeights: Record<string, number> };
}

const WEB_PORTS = new Set([80, 8000, 8008, 8080, 8888]);

export type ProbeSettings = Pick<ProbeOptions, 'vip' | 'port' | 'protocol' | 'realServers' | 'method' | 'scheduler' | 'schedulerFlags' | 'persistenceSeconds' | 'expectationSource'>;

/** Probe settings from a model service (scheduler and its flags, weights, persistence, method). */
export function probeSettingsFromService(s: VirtualService, hostOf?: (address: string, name: string) => string | undefined, source?: string): ProbeSettings {
  if (!s.vip || s.port === undefined || (s.protocol !== 'tcp' && s.protocol !== 'udp')) throw new Error('only TCP/UDP services with a VIP and port can be probed');
  return {
    vip: s.vip,
    port: s.port,
    protocol: s.protocol,
    method: s.method,
    scheduler: s.scheduler,
    // The config (or live table) says which flags there are: none when it names none.
    schedulerFlags: [...(s.schedulerFlags ?? [])],
    persistenceSeconds: s.persistenceSeconds,
    expectationSource: source ?? (s.location ? s.location.file : undefined),
    realServers: s.realServers.map((r) => ({ name: r.name, address: r.address, port: r.port, weight: r.weight, host: hostOf?.(r.address, r.name) })),
  };
}

/**
 * The service as a director's live table has it (`ipvsadm -Ln`, read-only, through
 * sudo): scheduler, flags, persistence, destinations and weights. Undefined when the
 * table has no such service; throws when the table cannot be read.
 */
export async function liveProbeSettings(director: RemoteHost, target: { vip: string; port: number; protocol: 'tcp' | 'udp' }): Promise<ProbeSettings | undefined> {
  const r = await director.exec(['ipvsadm', '-Ln'], { sudo: true, timeoutMs: 15000 });
  const problem = ipvsUnavailable(`${r.stdout}\n${r.stderr}`);
  if (problem) throw new Error(`${director.name}: ${problem.reason}`);
  if (r.code !== 0) throw new Error(`${director.name}: ipvsadm -Ln: exit ${r.code}: ${(r.stderr || r.stdout).trim().split('\n')[0]}`);
  const table = parseIpvsadmList(r.stdout);
  const vip = normalizeAddress(target.vip);
  const live = table.services.find((x) => x.protocol === target.protocol && x.vip === vip && x.port === target.port);
  if (!live) return undefined;
  return probeSettingsFromService(serviceFromIpvs(live), undefined, `the live table of ${director.name} (ipvsadm -Ln)`);
}

export async function detectProbeTool(host: RemoteHost): Promise<ProbeTool> {
  const r = await host.exec(['sh', '-c', DETECT_SCRIPT], { timeoutMs: 15000 });
  const found = r.stdout.split('\n').map((l) => l.trim()).filter(Boolean) as ProbeTool[];
  if (found.length === 0) throw new Error(`${host.name} has neither python3, node nor bash to open the probe connections`);
  return found[0];
}

export async function probeVip(opts: ProbeOptions): Promise<ProbeResult> {
  validateAddress(opts.vip);
  if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535) throw new Error(`port must be 1-65535, got ${opts.port}`);
  if (!Number.isInteger(opts.count) || opts.count < 1 || opts.count > MAX_PROBE_COUNT) throw new Error(`count must be 1-${MAX_PROBE_COUNT}, got ${opts.count}`);
  const timeoutMs = Math.min(Math.max(opts.timeoutMs ?? 2000, 100), 10000);
  const intervalMs = Math.min(Math.max(opts.intervalMs ?? 50, 0), 5000);
  const log = opts.log ?? (() => {});
  const target = `${opts.protocol}:${formatEndpoint(opts.vip, opts.port)}`;
  const tool = opts.tool ?? (await detectProbeTool(opts.from));
  const payload = opts.payload ?? (opts.protocol === 'udp' ? 'lvs-probe\n' : WEB_PORTS.has(opts.port) ? `GET / HTTP/1.0\r\nHost: ${opts.vip}\r\nUser-Agent: lvs-trace-probe\r\n\r\n` : '');
  const args: ClientArgs = { vip: opts.vip, port: opts.port, protocol: opts.protocol, count: opts.count, timeoutMs, readMs: Math.min(timeoutMs, 1500), intervalMs, payload, maxAnswer: 512 };

  // 1. The capture on the real servers, running before the first connection.
  const capture = opts.capture ? await startProbeCapture(opts, target, log) : undefined;
  let attempts: ProbeAttempt[];
  try {
    log(`probing ${target} from ${opts.from.name} with ${tool}, ${opts.count} ${opts.protocol === 'tcp' ? 'connections' : 'requests'}`);
    const r = await opts.from.exec(clientArgv(tool, args), {
      timeoutMs: opts.count * (timeoutMs + args.readMs + intervalMs) + 15000,
      maxOutputBytes: 4 * 1024 * 1024,
      signal: opts.signal,
    });
    attempts = parseClientOutput(r.stdout, opts.count);
    if (attempts.length === 0) throw new Error(`the probe client on ${opts.from.name} printed nothing (exit ${r.code}): ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
  } catch (e) {
    const done = await capture?.stop().catch(() => undefined);
    if (done?.dir && !opts.capture?.keep) fs.rmSync(done.dir, { recursive: true, force: true });
    throw e;
  }

  // 2. Who answered: the capture first, the answer text otherwise.
  const servers = opts.realServers;
  const notes: string[] = [];
  if (opts.expectationSource) notes.push(`expectation from ${opts.expectationSource}`);
  let captureInfo: ProbeResult['capture'];
  /** Per real server: what its capture held (packets), or why there is none. */
  const captured = new Map<string, { packets?: number; problem?: string }>();
  if (capture) {
    const done = await capture.stop();
    captureInfo = { dir: done.dir, errors: done.errors, kept: opts.capture?.keep === true && done.dir !== '' };
    const ports = new Set(attempts.map((a) => a.sourcePort).filter((p): p is number => p !== undefined));
    const packets = new Map<string, number>();
    const fates = attributeFromCaptures(done.files, opts.protocol, ports, done.dir, packets);
    for (const s of servers) {
      const skipped = capture.skipped.get(s.name);
      if (skipped) captured.set(s.name, { problem: skipped });
      else if (packets.has(s.name)) captured.set(s.name, { packets: packets.get(s.name) });
      else {
        const err = done.errors.find((e) => s.host !== undefined && e.startsWith(`${s.host}:`));
        captured.set(s.name, { problem: err ? err.slice(err.indexOf(':') + 1).trim() : 'no capture came back from it' });
      }
    }
    // Only a capture that saw something is evidence of where a connection went.
    const evidence = new Set([...captured].filter(([, c]) => (c.packets ?? 0) > 0).map(([name]) => name));
    for (const a of attempts) {
      const f = a.sourcePort !== undefined ? fates.get(a.sourcePort) : undefined;
      if (!f) continue;
      a.seenBy = [...f.seenBy].filter((x) => evidence.has(x));
      a.repliedBy = [...f.answeredBy].filter((x) => evidence.has(x));
      a.refusedBy = [...f.refusedBy].filter((x) => evidence.has(x));
      // "Answered" by the capture: the real server sent its SYN-ACK. That the client got
      // it is another matter (a.ok says), judged in the findings.
      if (a.repliedBy.length === 1) {
        a.answeredBy = a.repliedBy[0];
        a.via = 'capture';
      }
    }
    if (done.dir && !opts.capture?.keep) fs.rmSync(done.dir, { recursive: true, force: true });
  }
  for (const a of attempts) {
    if (a.answeredBy || !a.ok || !a.answer) continue;
    const named = nameInAnswer(a.answer, servers);
    if (named) {
      a.answeredBy = named;
      a.via = 'answer';
    }
  }

  // 3. The spread, the expectation and the test.
  const { distribution, unattributed, judgement, findings } = concludeProbe({
    target,
    from: opts.from.name,
    attempts,
    servers,
    scheduler: opts.scheduler,
    schedulerFlags: opts.schedulerFlags,
    persistenceSeconds: opts.persistenceSeconds,
    method: opts.method,
    captured: capture ? captured : undefined,
    checkCommand: opts.checkCommand ?? '"LVS: Check Cluster"',
  });
  for (const [name, c] of captured) {
    if (c.problem) notes.push(`${name}: not captured (${c.problem}); its connections are known only from what the service answered`);
  }

  // 4. Optional load measurement and the weights it would suggest.
  let load: ProbeResult['load'];
  if (opts.load) {
    const samples: LoadSample[] = [];
    const hosts: { name: string; host: RemoteHost }[] = [];
    for (const s of servers) {
      if (!s.host) samples.push({ server: s.name, error: 'no host to run the load command on' });
      else {
        try {
          hosts.push({ name: s.name, host: await opts.load.source.get(s.host) });
        } catch (e) {
          samples.push({ server: s.name, error: (e as Error).message });
        }
      }
    }
    samples.push(...(await measureLoad(hosts, opts.load.argv ?? DEFAULT_LOAD_COMMAND)));
    const measured = samples.filter((x): x is { server: string; load: number } => x.load !== undefined);
    const total = servers.reduce((a, s) => a + s.weight, 0);
    load = { samples, suggestedWeights: Object.fromEntries(suggestWeights(measured, total)) };
  }
  return { target, from: opts.from.name, tool, attempts, distribution, unattributed, judgement, findings, notes, capture: captureInfo, load };
}

export interface ProbeEvidence {
  target: string;
  /** The client host's name. */
  from: string;
  /** The attempts, with who answered (and, with a capture, where they arrived) filled in. */
  attempts: ProbeAttempt[];
  servers: ProbeRealServer[];
  scheduler?: string;
  schedulerFlags?: string[];
  persistenceSeconds?: number;
  method?: ForwardingMethod;
  /** Per real server, what its capture held; undefined without a capture. */
  captured?: Map<string, { packets?: number; problem?: string }>;
  checkCommand: string;
}

/** From the attributed attempts: the spread per real server, the judgement against the expectation, and the findings. */
export function concludeProbe(c: ProbeEvidence): Pick<ProbeResult, 'distribution' | 'unattributed' | 'judgement' | 'findings'> {
  const { attempts, servers } = c;
  const distribution: ProbeDistributionRow[] = servers.map((s) => ({
    server: s.name,
    weight: s.weight,
    count: attempts.filter((a) => landedOn(a) === s.name).length,
    answered: attempts.filter((a) => a.answeredBy === s.name).length,
  }));
  const unattributed = attempts.filter((a) => landedOn(a) === undefined).length;
  const expectation = expectedDistribution(c.scheduler ?? 'wlc', servers, { persistenceSeconds: c.persistenceSeconds, schedulerFlags: c.schedulerFlags });
  if (expectation.kind === 'shares') for (const row of distribution) row.expectedShare = expectation.shares.get(row.server) ?? 0;
  const judgement = judge(distribution, expectation, {
    scheduler: c.scheduler,
    flagsKnown: c.schedulerFlags !== undefined,
    lostFailures: attempts.filter((a) => !a.ok && landedOn(a) === undefined).length,
    unattributedAnswers: attempts.filter((a) => a.ok && landedOn(a) === undefined).length,
    captured: c.captured !== undefined,
    dead: deadServers(attempts, servers.map((s) => s.name)),
  });
  const findings = probeFindings({
    target: c.target,
    attempts,
    rows: distribution,
    j: judgement,
    captured: c.captured,
    from: c.from,
    checkCommand: c.checkCommand,
    method: c.method,
    servers,
  });
  return { distribution, unattributed, judgement, findings };
}

export function parseClientOutput(stdout: string, count: number): ProbeAttempt[] {
  const out: ProbeAttempt[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.trim().startsWith('{')) continue;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue; // a truncated last line
    }
    if (typeof o.i !== 'number' || o.i < 0 || o.i >= count) continue;
    const a: ProbeAttempt = { i: o.i, ok: o.ok === true };
    if (typeof o.sport === 'number') a.sourcePort = o.sport;
    if (typeof o.ms === 'number') a.latencyMs = o.ms;
    if (typeof o.answer === 'string' && o.answer !== '') a.answer = o.answer;
    if (typeof o.error === 'string') a.error = o.error;
    out.push(a);
  }
  return out;
}

/** The real server an answer names (host name or address as a whole word), if exactly one. */
export function nameInAnswer(answer: string, servers: ProbeRealServer[]): string | undefined {
  const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const hits = servers.filter((s) =>
    [s.name, s.host, s.address].filter((x): x is string => !!x).some((t) => new RegExp(`(^|[^A-Za-z0-9.-])${esc(t)}($|[^A-Za-z0-9-]|\\.[^0-9])`).test(answer)),
  );
  return hits.length === 1 ? hits[0].name : undefined;
}

export interface JudgeContext {
  scheduler?: string;
  /** The scheduler flags are known (config or live table): no guessing of sh-port. */
  flagsKnown?: boolean;
  /** Failed attempts no real server could be named for: the spread of the others is biased. */
  lostFailures?: number;
  /** Answered attempts no real server could be named for (not captured, the answer names none): biased too. */
  unattributedAnswers?: number;
  /** A capture ran on the real servers (how unattributed attempts are explained). */
  captured?: boolean;
  /** Real servers the capture saw receive connections and answer none (deadServers). */
  dead?: string[];
}

/** The smallest p-value a sample of n can give for two servers (all on one side): below ALPHA, n is enough. */
function binomialReach(n: number, share: number): number {
  return Math.min(binomialTest(0, n, share).pValue, binomialTest(n, n, share).pValue);
}

const plural = (k: number, word: string): string => `${k} ${word}${k === 1 ? '' : 's'}`;

/**
 * The verdict on the probe. The spread of where the director sent the connections is
 * judged against the scheduler and weights (judgeSpread); a real server the capture saw
 * receive connections and answer none overrides it: "unexpected", saying so first, with
 * the spread's own judgement after it (kept in `spread`). The spread is still worth
 * telling: one that fits the weights with a dead server in it says the director keeps
 * scheduling the dead server — its health check does not take it out.
 */
export function judge(rows: ProbeDistributionRow[], e: Expectation, ctx: JudgeContext = {}): ProbeJudgement {
  const j = judgeSpread(rows, e, ctx);
  const dead = rows.filter((r) => ctx.dead?.includes(r.server));
  if (dead.length === 0) return j;
  const total = rows.reduce((a, r) => a + r.count, 0) + (ctx.lostFailures ?? 0) + (ctx.unattributedAnswers ?? 0);
  const who =
    dead.length === 1
      ? `real server ${dead[0].server} received ${dead[0].count} of the ${total} connections and answered none`
      : `real servers ${dead.map((r) => `${r.server} (${r.count} of the ${total} connections)`).join(', ')} received connections and answered none`;
  const names = dead.map((r) => r.server).join(', ');
  const still = j.verdict === 'as-expected' ? ` — the director still gives ${names} ${dead.length === 1 ? 'its' : 'their'} share: its health check does not take ${dead.length === 1 ? 'it' : 'them'} out` : '';
  return {
    verdict: 'unexpected',
    message: `${who} (dead, still in rotation): not as expected, whatever the spread. Where the director sent the connections, answered or not: ${j.message}${still}`,
    expectation: j.expectation,
    test: j.test,
    spread: { verdict: j.verdict, message: j.message },
  };
}

function judgeSpread(rows: ProbeDistributionRow[], e: Expectation, ctx: JudgeContext): ProbeJudgement {
  const n = rows.reduce((a, r) => a + r.count, 0);
  const spread = rows.map((r) => `${r.server} ${r.count}`).join(', ');
  const lost = ctx.lostFailures ?? 0;
  // Answers no real server could be named for are not missing at random: typically one
  // real server's page does not carry its name (or its capture is missing), so they are
  // all that server's and it looks idle. Judging the attributed rest as the whole sample
  // would blame the weights for it. So while some answers are not attributed, the spread
  // is not judged (as for failed attempts nobody can be named for, below), except where
  // the attributed ones settle it alone: several real servers where one was expected,
  // connections on a weight-0 server — more answers cannot undo those.
  const unknown = ctx.unattributedAnswers ?? 0;
  const captured = ctx.captured === true;
  const toAttribute = `To attribute them: ${attributionAdvice(unknown, captured)}`;
  if (e.kind === 'none') return { verdict: 'no-verdict', message: e.why, expectation: e.why };
  if (n === 0 && lost + unknown === 0) return { verdict: 'no-verdict', message: 'no connection could be attributed to a real server', expectation: e.why };
  if (n === 0) {
    const parts = [unknown ? `${unknown} answered` : '', lost ? `${lost} failed` : ''].filter(Boolean).join(', ');
    return {
      verdict: 'no-verdict',
      message: `none of the ${plural(lost + unknown, 'attempt')} could be attributed to a real server (${parts}; ${unattributedWhy(unknown, captured)}), so the spread is not judged. ${toAttribute}`,
      expectation: e.why,
    };
  }
  if (e.kind === 'single') {
    const used = rows.filter((r) => r.count > 0);
    if (used.length === 1 && e.candidates.includes(used[0].server)) {
      if (unknown > 0) {
        return {
          verdict: 'no-verdict',
          message: `all ${n} attributed connections on ${used[0].server}, as ${e.why}; but ${plural(unknown, 'answer')} could not be attributed to a real server (${unattributedWhy(unknown, captured)}) and may come from another one, so this is not judged. ${toAttribute}`,
          expectation: e.why,
        };
      }
      const assumed = !ctx.flagsKnown && ctx.scheduler && ['sh', 'mh'].includes(ctx.scheduler) ? ` (assuming no ${ctx.scheduler}-port flag: the flags are not known)` : '';
      const partial = lost ? `; ${lost} failed attempt${lost === 1 ? '' : 's'} could not be attributed` : '';
      return { verdict: 'as-expected', message: `all ${n} on ${used[0].server}, as ${e.why}${assumed}${partial}`, expectation: e.why };
    }
    // A hash scheduler may be hashing the port too (sh-port / mh-port) when nothing says which flags it has.
    if (!ctx.flagsKnown && ctx.scheduler && ['sh', 'mh'].includes(ctx.scheduler)) {
      const shares = new Map(rows.filter((r) => r.weight > 0).map((r) => [r.server, r.weight]));
      const total = [...shares.values()].reduce((a, b) => a + b, 0);
      const alt: Expectation = { kind: 'shares', shares: new Map([...shares].map(([k, v]) => [k, v / total])), why: `${ctx.scheduler} hashing the source port as well (${ctx.scheduler}-port, assumed: the flags are not known): shares proportional to the weights` };
      for (const r of rows) r.expectedShare = alt.shares.get(r.server) ?? 0;
      return judgeSpread(rows, alt, { ...ctx, scheduler: undefined });
    }
    if (e.whileIdle) {
      return { verdict: 'no-verdict', message: `spread over ${used.length} real servers (${spread}); ${e.why}, which other clients' active connections change: not judged`, expectation: e.why };
    }
    return { verdict: 'unexpected', message: `spread over ${used.length} real servers (${spread}) although ${e.why}`, expectation: e.why };
  }
  const cells = rows.map((r) => ({ server: r.server, observed: r.count, share: e.shares.get(r.server) ?? 0 }));
  const outside = cells.filter((c) => c.share === 0 && c.observed > 0);
  if (outside.length > 0) {
    return { verdict: 'unexpected', message: `connections reached real servers that should get none (weight 0): ${spread}`, expectation: e.why };
  }
  const tested = cells.filter((c) => c.share > 0);
  const runTest = (observed: number[], total: number): TestResult =>
    tested.length === 2 ? binomialTest(observed[0], total, tested[0].share) : chiSquareTest(observed, tested.map((c) => c.share));
  const pText = (t: TestResult): string => (t.pValue < 1e-4 ? t.pValue.toExponential(1) : t.pValue.toFixed(3));
  if (lost > 0 || unknown > 0) {
    // Failed attempts nobody can be named for are missing from the sample, and not at
    // random: they are typically all one dead server's. Testing what is left would
    // blame the weights (or ARP) for a dead server. Likewise answers that name no real
    // server (see above).
    const missing = lost + unknown;
    const silent = tested.filter((c) => c.observed === 0);
    let conditional = '';
    if (silent.length === 1) {
      const completed = tested.map((c) => (c === silent[0] ? c.observed + missing : c.observed));
      const t = runTest(completed, n + missing);
      conditional = `; counting them as ${silent[0].server}'s (${unknown ? 'none was attributed to it' : 'it answered none'}), the spread ${t.pValue < ALPHA ? 'still does not fit' : 'fits'} ${e.why} (p = ${pText(t)}, ${t.test} test)`;
    }
    if (unknown === 0) {
      return {
        verdict: 'no-verdict',
        message: `${plural(lost, 'attempt')} failed without a real server to name, so the spread of the others (${spread}) is not judged: it is biased by whichever server the failures went to${conditional}`,
        expectation: e.why,
      };
    }
    return {
      verdict: 'no-verdict',
      message: `${plural(unknown, 'answer')} could not be attributed to a real server (${unattributedWhy(unknown, captured)})${lost ? ` and ${plural(lost, 'attempt')} failed without a real server to name` : ''}, so the spread of the attributed ones (${spread}) is not judged: answers that name no real server usually all come from the same one(s), which then look idle${conditional}. ${toAttribute}`,
      expectation: e.why,
    };
  }
  const minShare = Math.min(...tested.map((c) => c.share));
  // Two servers: the exact binomial test is valid for any n; too few only when even
  // the most lopsided outcome could not be called unexpected. More: chi-square needs
  // an expected count of MIN_EXPECTED per server.
  const tooFew = tested.length === 2 ? binomialReach(n, tested[0].share) >= ALPHA : minShare * n < MIN_EXPECTED;
  if (tooFew) {
    const need = tested.length === 2 ? smallestBinomialN(tested[0].share) : Math.ceil(MIN_EXPECTED / minShare);
    return { verdict: 'too-few', message: `${n} attributed connections are too few to judge (${spread}); need at least ${need}${tested.length === 2 ? ' for the most lopsided spread to be significant' : ` for an expected count of ${MIN_EXPECTED} per server`}`, expectation: e.why };
  }
  const test = runTest(tested.map((c) => c.observed), n);
  const p = pText(test);
  return test.pValue < ALPHA
    ? { verdict: 'unexpected', message: `${spread}: such a spread has p = ${p} under ${e.why} (${test.test} test)`, expectation: e.why, test }
    : { verdict: 'as-expected', message: `${spread}: consistent with ${e.why} (p = ${p}, ${test.test} test)`, expectation: e.why, test };
}

function smallestBinomialN(share: number): number {
  for (let n = 1; n <= MAX_PROBE_COUNT; n++) if (binomialReach(n, share) < ALPHA) return n;
  return MAX_PROBE_COUNT;
}

interface FindingContext {
  target: string;
  attempts: ProbeAttempt[];
  rows: ProbeDistributionRow[];
  j: ProbeJudgement;
  /** Per real server, what its capture held; undefined without --capture. */
  captured?: Map<string, { packets?: number; problem?: string }>;
  from: string;
  checkCommand: string;
  method?: ForwardingMethod;
  servers: ProbeRealServer[];
}

const errorsOf = (xs: ProbeAttempt[]): string => [...new Set(xs.map((a) => a.error ?? 'failed'))].join(', ');

export function probeFindings(c: FindingContext): Finding[] {
  const { target, attempts, rows, j, captured, from, checkCommand } = c;
  const out: Finding[] = [];
  const failed = attempts.filter((a) => !a.ok);
  if (failed.length === attempts.length) {
    out.push({
      code: 'probe-no-answer',
      severity: 'error',
      message: `None of the ${attempts.length} probes to ${target} from ${from} was answered (${errorsOf(failed)}).`,
      advice: `Run ${checkCommand}, and capture the traffic to see where it stops.`,
      evidence: failed.slice(0, 3).map((a) => ({ host: from, text: `attempt ${a.i + 1}: ${a.error}` })),
      service: target,
    });
  }
  // Failed attempts a capture explains; the rest are reported as unexplained below.
  const explained = new Set<ProbeAttempt>();
  if (captured) {
    for (const [server, cap] of captured) {
      if (cap.problem) {
        out.push({
          code: 'probe-capture-empty',
          severity: 'warning',
          message: `Could not capture on real server ${server} (${cap.problem}): which of the probe's connections reached it is known only from what the service answered.`,
          advice: 'Give the real server\'s cluster address ("address") and SSH access in the hosts file, and check that tcpdump runs there.',
          evidence: [{ host: server, text: cap.problem }],
          service: target,
          realServer: server,
        });
      } else if (cap.packets === 0) {
        out.push({
          code: 'probe-capture-empty',
          severity: 'warning',
          message: `Captured nothing on real server ${server} while ${attempts.length} probes went to ${target}: either no connection was sent to it, or the capture listened on the wrong interface (not the one the service traffic uses). This is not evidence that it is dead.`,
          advice: 'Check the real server\'s "address" in the hosts file (the address the service uses for it, not the SSH address) and the interface it is on.',
          evidence: [{ host: server, text: 'capture: 0 packets' }],
          service: target,
          realServer: server,
        });
      }
    }
    const dead = new Set(deadServers(attempts, rows.map((r) => r.server)));
    for (const r of rows) {
      const landedHere = attempts.filter((a) => a.seenBy?.length === 1 && a.seenBy[0] === r.server);
      if (landedHere.length === 0) continue;
      const silent = landedHere.filter((a) => !a.repliedBy?.includes(r.server));
      const replyLost = landedHere.filter((a) => a.repliedBy?.includes(r.server) && !a.ok);
      if (dead.has(r.server)) {
        for (const a of silent) explained.add(a);
        out.push({
          code: 'probe-dead-rs-receiving',
          severity: 'error',
          message: `Real server ${r.server} received ${landedHere.length} of the probe's ${attempts.length} connections to ${target} and answered none${silent.some((a) => a.refusedBy?.includes(r.server)) ? ' (it refused them)' : ''}: it is still in rotation but dead for this service.`,
          advice: 'Fix the service on it, or take it out (weight 0 / remove) until it is back; check why the health check keeps it in.',
          evidence: landedHere.slice(0, 5).map((a) => ({ host: r.server, text: `source port ${a.sourcePort}: request arrived, ${a.refusedBy?.includes(r.server) ? 'refused' : 'no answer'}; client saw ${a.ok ? 'a connection' : a.error}` })),
          service: target,
          realServer: r.server,
        });
      } else if (r.weight === 0) {
        out.push({
          code: 'probe-quiescent-receiving',
          severity: 'warning',
          message: `Real server ${r.server} has weight 0 but took ${landedHere.length} new connections of the probe.`,
          advice: 'Weight 0 means no new connections: a persistence template (expire_quiescent_template=0) or a stale table may still send clients there.',
          evidence: landedHere.slice(0, 3).map((a) => ({ host: r.server, text: `source port ${a.sourcePort}: arrived` })),
          service: target,
          realServer: r.server,
        });
      }
      if (replyLost.length > 0) {
        for (const a of replyLost) explained.add(a);
        const rs = c.servers.find((x) => x.name === r.server);
        const method = c.method;
        out.push({
          code: 'probe-reply-lost',
          severity: 'error',
          message: `Real server ${r.server} answered ${replyLost.length} of the probe's connections to ${target} (its capture shows the ${c.attempts.length && target.startsWith('udp') ? 'reply' : 'SYN-ACK'} leaving), but the client ${from} never got the answer (${errorsOf(replyLost)}): the reply is lost on its way back.`,
          advice:
            method === 'nat'
              ? `LVS/NAT: the real server's replies must go back through the director to be un-NATed; they bypass it (finding nat-reply-bypasses-director when the capture is analysed). Check its default route and any more specific route to the clients (${checkCommand}: check-rs-default-route, check-rs-route-bypasses-director), and ip_forward on the director.`
              : method === 'dr' || method === 'tun'
                ? `LVS/${method.toUpperCase()}: the real server answers straight to the client, so the answer must carry the VIP as source and have a route to the client (finding dr-reply-wrong-source when the capture is analysed). Check the VIP on lo${method === 'tun' ? ' / tunl0' : ''}, that the service answers from it, rp_filter and egress filtering on the way back (${checkCommand}).`
                : `Capture on the client and on the real server (lvs-trace capture) and analyse it: a NAT real server whose replies bypass the director (nat-reply-bypasses-director), or a DR/TUN answer from the wrong source address (dr-reply-wrong-source).`,
          evidence: replyLost.slice(0, 5).map((a) => ({ host: r.server, text: `source port ${a.sourcePort}: request arrived${rs?.address ? ` at ${rs.address}` : ''}, answer sent; client: ${a.error ?? 'failed'}` })),
          service: target,
          realServer: r.server,
        });
      }
    }
  }
  const unexplained = failed.filter((a) => !explained.has(a));
  if (unexplained.length > 0 && failed.length < attempts.length) {
    const silentServers = rows.filter((r) => r.weight > 0 && r.count === 0);
    const suspect = silentServers.length === 1 ? silentServers[0].server : undefined;
    const byServer = new Map<string, number>();
    for (const a of unexplained) for (const s of a.seenBy ?? []) byServer.set(s, (byServer.get(s) ?? 0) + 1);
    const where = captured
      ? byServer.size
        ? ` The capture saw them arrive at ${[...byServer].map(([s, k]) => `${s} (${k})`).join(', ')}, which did not answer them all.`
        : ' No capture saw them arrive at a real server: the director may have dropped them, or sent them to one that was not captured.'
      : suspect
        ? ` ${suspect} answered none of the others: the failures are probably its connections (dead but still in rotation).`
        : ' Which real server took them is not known without a capture.';
    out.push({
      code: 'probe-some-failed',
      severity: 'warning',
      message: `${unexplained.length} of ${attempts.length} probes to ${target} failed (${errorsOf(unexplained)}) while others were answered.${where}`,
      advice: captured
        ? `Look at the real servers' captures for these source ports, and run ${checkCommand}.`
        : 'Probe again with a capture on the real servers (--capture) to see which real server receives the failing connections.',
      evidence: unexplained.slice(0, 3).map((a) => ({ host: from, text: `attempt ${a.i + 1} (source port ${a.sourcePort ?? '?'}): ${a.error}` })),
      service: target,
      ...(suspect && !captured ? { realServer: suspect } : {}),
    });
  }
  // A dead real server makes the verdict "unexpected" (probe-dead-rs-receiving says why);
  // the spread itself is warned about only when it does not fit either.
  const spread = j.spread ?? j;
  if (spread.verdict === 'unexpected') {
    out.push({
      code: 'probe-distribution-unexpected',
      severity: 'warning',
      message: `The spread of connections to ${target} does not match the scheduler and weights: ${spread.message}.`,
      advice: 'Compare the live weights (ipvsadm -Ln) with the config; look for an ARP problem (traffic bypassing the director) or persistence.',
      evidence: rows.map((r) => ({ host: r.server, text: `${r.count} connections, weight ${r.weight}${r.expectedShare !== undefined ? `, expected share ${(r.expectedShare * 100).toFixed(0)}%` : ''}` })),
      service: target,
    });
  }
  return out;
}

interface RunningCapture {
  /** Real servers not captured, and why (no host, no address). */
  skipped: Map<string, string>;
  stop(): Promise<{ dir: string; files: CaptureFile[]; errors: string[] }>;
}

async function startProbeCapture(opts: ProbeOptions, target: string, log: (m: string) => void): Promise<RunningCapture> {
  const source = opts.capture!.source;
  const skipped = new Map<string, string>();
  // A real server is captured only where we know both its host and its address in the
  // service: with a guessed address the capture listens on the wrong interface.
  const withHost = opts.realServers.filter((s) => {
    if (!s.host) skipped.set(s.name, 'no host in the hosts file for it');
    else if (!s.address) skipped.set(s.name, `its address in the service is not known (no "address" for ${s.host} in the hosts file)`);
    return s.host && s.address;
  });
  if (withHost.length === 0) {
    // Nothing to capture on: probe without, and say why for each real server.
    for (const [name, why] of skipped) log(`not capturing on ${name}: ${why}`);
    return { skipped, stop: async () => ({ dir: '', files: [], errors: [] }) };
  }
  const plan = planCapture({
    target: { vip: opts.vip, protocol: opts.protocol, port: opts.port },
    method: opts.method,
    hosts: withHost.map((s) => ({ name: s.host!, role: 'real-server' as const, address: s.address, realServer: s.name })),
    services: [
      {
        protocol: opts.protocol,
        vip: opts.vip,
        port: opts.port,
        method: opts.method ?? 'dr',
        scheduler: opts.scheduler ?? 'wlc',
        persistenceSeconds: opts.persistenceSeconds ?? 0,
        realServers: withHost.map((s) => ({ name: s.name, address: s.address!, port: s.port, weight: s.weight })),
      },
    ],
  });
  // Each real server's MACs (read-only `ip -o link`), to tell its frames from flooded ones.
  const macs = new Map<string, Set<string>>();
  await Promise.all(
    withHost.map(async (s) => {
      try {
        const r = await (await source.get(s.host!)).exec(['ip', '-o', 'link', 'show'], { timeoutMs: 15000 });
        if (r.code === 0) macs.set(s.name, new Set(parseIpLink(r.stdout).map((i) => i.mac).filter((m): m is string => !!m && m !== '00:00:00:00:00:00')));
      } catch {
        // Without its MACs the server's capture still counts, less strictly.
      }
    }),
  );
  // Always a fresh folder of our own: a folder the user named is only ever the parent,
  // so removing the capture afterwards never removes anything the user had there.
  const parent = opts.capture!.outDir;
  if (parent) fs.mkdirSync(parent, { recursive: true });
  const dir = fs.mkdtempSync(parent ? path.join(parent, 'probe-') : path.join(os.tmpdir(), 'lvs-probe-'));
  const stop = new AbortController();
  let ready: () => void = () => {};
  const allReady = new Promise<void>((res) => (ready = res));
  const manifest = runCapture(plan, source, {
    outDir: dir,
    maxParallel: DEFAULT_MAX_CONNECTING,
    durationMs: 10 * 60 * 1000,
    stopSignal: stop.signal,
    signal: opts.signal,
    pollMs: 300,
    onProgress: (hosts) => {
      const states = Object.values(hosts).map((h) => h.state);
      if (states.length > 0 && states.every((s) => s !== 'connecting' && s !== 'starting')) ready();
    },
  });
  manifest.catch(() => ready());
  // tcpdump needs a moment after "capturing" before it sees packets.
  let readyTimer: NodeJS.Timeout | undefined;
  await Promise.race([allReady, new Promise((r) => (readyTimer = setTimeout(r, 30000)))]);
  clearTimeout(readyTimer);
  await new Promise((r) => setTimeout(r, 700));
  log(`capturing on ${withHost.map((s) => s.host).join(', ')} for ${target}`);
  for (const [name, why] of skipped) log(`not capturing on ${name}: ${why}`);
  return {
    skipped,
    async stop() {
      await new Promise((r) => setTimeout(r, 500)); // let the last replies reach the pcaps
      stop.abort();
      const m = await manifest;
      const files: CaptureFile[] = m.points
        .filter((p) => p.role === 'real-server')
        .map((p) => {
          const rs = opts.realServers.find((s) => s.name === p.realServer || s.host === p.host);
          const port = opts.method === 'nat' ? rs?.port ?? opts.port : opts.port;
          const server = rs?.name ?? p.realServer ?? p.host;
          return { server, file: p.file, port, macs: macs.get(server) };
        });
      return { dir, files, errors: (m.errors ?? []).map((e) => hostMessage(e.host, e.message)) };
    },
  };
}
