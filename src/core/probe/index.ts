// "Probe VIP": open N connections (or send N UDP requests) to VIP:PORT from a
// chosen host, learn which real server took each one — from a capture on the
// real servers (authoritative) or from what the service said — and judge the
// spread against the scheduler and weights with a statistical test.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCapture, planCapture, type HostSource } from '../capture';
import type { Finding } from '../findings/finding';
import type { ForwardingMethod, VirtualService } from '../model/cluster';
import { DEFAULT_MAX_CONNECTING } from '../ssh/pool';
import type { RemoteHost } from '../ssh/remote';
import { validateAddress } from '../ssh/quote';
import { parseIpLink } from '../state';
import { attributeFromCaptures, type CaptureFile } from './captureAttribution';
import { clientArgv, DETECT_SCRIPT, type ClientArgs, type ProbeTool } from './clientScripts';
import { expectedDistribution, type Expectation } from './expected';
import { measureLoad, suggestWeights, DEFAULT_LOAD_COMMAND, type LoadSample } from './load';
import { binomialTest, chiSquareTest, MIN_EXPECTED, type TestResult } from './stats';

export { expectedDistribution } from './expected';
export { chiSquareTest, binomialTest, chiSquareSurvival } from './stats';
export { suggestWeights, measureLoad, firstNumber, DEFAULT_LOAD_COMMAND } from './load';
export type { ProbeTool } from './clientScripts';
export { formatProbeResult } from './format';

export const MAX_PROBE_COUNT = 1000;
/** Significance level: below it the spread is called unexpected. */
export const ALPHA = 0.01;

export interface ProbeRealServer {
  /** Name used in the result (model real-server name). */
  name: string;
  address: string;
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
  schedulerFlags?: string[];
  persistenceSeconds?: number;
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

export interface ProbeJudgement {
  verdict: 'as-expected' | 'unexpected' | 'too-few' | 'no-verdict';
  message: string;
  expectation: string;
  test?: TestResult;
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
  capture?: { dir: string; errors: string[]; kept: boolean };
  load?: { samples: LoadSample[]; suggestedWeights: Record<string, number> };
}

const WEB_PORTS = new Set([80, 8000, 8008, 8080, 8888]);

/** Probe settings from a model service (scheduler, weights, persistence, method). */
export function probeSettingsFromService(s: VirtualService, hostOf?: (address: string, name: string) => string | undefined): Pick<ProbeOptions, 'vip' | 'port' | 'protocol' | 'realServers' | 'method' | 'scheduler' | 'persistenceSeconds'> {
  if (!s.vip || s.port === undefined || (s.protocol !== 'tcp' && s.protocol !== 'udp')) throw new Error('only TCP/UDP services with a VIP and port can be probed');
  return {
    vip: s.vip,
    port: s.port,
    protocol: s.protocol,
    method: s.method,
    scheduler: s.scheduler,
    persistenceSeconds: s.persistenceSeconds,
    realServers: s.realServers.map((r) => ({ name: r.name, address: r.address, port: r.port, weight: r.weight, host: hostOf?.(r.address, r.name) })),
  };
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
  const target = `${opts.protocol}:${opts.vip}:${opts.port}`;
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
    if (done && !opts.capture?.keep) fs.rmSync(done.dir, { recursive: true, force: true });
    throw e;
  }

  // 2. Who answered: the capture first, the answer text otherwise.
  const servers = opts.realServers;
  let captureInfo: ProbeResult['capture'];
  if (capture) {
    const done = await capture.stop();
    captureInfo = { dir: done.dir, errors: done.errors, kept: opts.capture?.keep === true };
    const ports = new Set(attempts.map((a) => a.sourcePort).filter((p): p is number => p !== undefined));
    const fates = attributeFromCaptures(done.files, opts.protocol, ports, done.dir);
    for (const a of attempts) {
      const f = a.sourcePort !== undefined ? fates.get(a.sourcePort) : undefined;
      if (!f) continue;
      a.seenBy = [...f.seenBy];
      const answered = [...f.answeredBy];
      if (answered.length === 1) {
        a.answeredBy = answered[0];
        a.via = 'capture';
      }
    }
    if (!opts.capture?.keep) fs.rmSync(done.dir, { recursive: true, force: true });
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
  const landed = (a: ProbeAttempt): string | undefined => (a.seenBy && a.seenBy.length === 1 ? a.seenBy[0] : a.answeredBy);
  const distribution: ProbeDistributionRow[] = servers.map((s) => ({
    server: s.name,
    weight: s.weight,
    count: attempts.filter((a) => landed(a) === s.name).length,
    answered: attempts.filter((a) => a.answeredBy === s.name).length,
  }));
  const unattributed = attempts.filter((a) => landed(a) === undefined).length;
  const expectation = expectedDistribution(opts.scheduler ?? 'wlc', servers, { persistenceSeconds: opts.persistenceSeconds, schedulerFlags: opts.schedulerFlags });
  if (expectation.kind === 'shares') for (const row of distribution) row.expectedShare = expectation.shares.get(row.server) ?? 0;
  const judgement = judge(distribution, expectation, opts.scheduler);
  const findings = probeFindings(target, attempts, distribution, judgement, capture !== undefined, opts.from.name, opts.checkCommand ?? '"LVS: Check Cluster"');

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
  return { target, from: opts.from.name, tool, attempts, distribution, unattributed, judgement, findings, capture: captureInfo, load };
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

function judge(rows: ProbeDistributionRow[], e: Expectation, scheduler?: string): ProbeJudgement {
  const n = rows.reduce((a, r) => a + r.count, 0);
  const spread = rows.map((r) => `${r.server} ${r.count}`).join(', ');
  if (e.kind === 'none') return { verdict: 'no-verdict', message: e.why, expectation: e.why };
  if (n === 0) return { verdict: 'no-verdict', message: 'no connection could be attributed to a real server', expectation: e.why };
  if (e.kind === 'single') {
    const used = rows.filter((r) => r.count > 0);
    if (used.length === 1 && e.candidates.includes(used[0].server)) {
      return { verdict: 'as-expected', message: `all ${n} on ${used[0].server}, as ${e.why}`, expectation: e.why };
    }
    // A hash scheduler may be hashing the port too (sh-port / mh-port), which the config model does not say.
    if (scheduler && ['sh', 'mh'].includes(scheduler)) {
      const shares = new Map(rows.filter((r) => r.weight > 0).map((r) => [r.server, r.weight]));
      const total = [...shares.values()].reduce((a, b) => a + b, 0);
      const alt: Expectation = { kind: 'shares', shares: new Map([...shares].map(([k, v]) => [k, v / total])), why: `${scheduler} hashing the source port as well (${scheduler}-port): shares proportional to the weights` };
      for (const r of rows) r.expectedShare = alt.shares.get(r.server) ?? 0;
      return judge(rows, alt);
    }
    return { verdict: 'unexpected', message: `spread over ${used.length} real servers (${spread}) although ${e.why}`, expectation: e.why };
  }
  const cells = rows.map((r) => ({ observed: r.count, share: e.shares.get(r.server) ?? 0 }));
  const outside = cells.filter((c) => c.share === 0 && c.observed > 0);
  if (outside.length > 0) {
    return { verdict: 'unexpected', message: `connections reached real servers that should get none (weight 0): ${spread}`, expectation: e.why };
  }
  const tested = cells.filter((c) => c.share > 0);
  const minExpected = Math.min(...tested.map((c) => c.share * n));
  if (minExpected < MIN_EXPECTED) {
    return { verdict: 'too-few', message: `${n} attributed connections are too few to judge (${spread}); need at least ${Math.ceil(MIN_EXPECTED / Math.min(...tested.map((c) => c.share)))} for an expected count of ${MIN_EXPECTED} per server`, expectation: e.why };
  }
  const test = tested.length === 2 ? binomialTest(tested[0].observed, n, tested[0].share) : chiSquareTest(tested.map((c) => c.observed), tested.map((c) => c.share));
  const p = test.pValue < 1e-4 ? test.pValue.toExponential(1) : test.pValue.toFixed(3);
  return test.pValue < ALPHA
    ? { verdict: 'unexpected', message: `${spread}: such a spread has p = ${p} under ${e.why} (${test.test} test)`, expectation: e.why, test }
    : { verdict: 'as-expected', message: `${spread}: consistent with ${e.why} (p = ${p}, ${test.test} test)`, expectation: e.why, test };
}

function probeFindings(
  target: string,
  attempts: ProbeAttempt[],
  rows: ProbeDistributionRow[],
  j: ProbeJudgement,
  captured: boolean,
  from: string,
  checkCommand: string,
): Finding[] {
  const out: Finding[] = [];
  const failed = attempts.filter((a) => !a.ok);
  if (failed.length === attempts.length) {
    out.push({
      code: 'probe-no-answer',
      severity: 'error',
      message: `None of the ${attempts.length} probes to ${target} from ${from} was answered (${[...new Set(failed.map((a) => a.error))].join(', ')}).`,
      advice: `Run ${checkCommand}, and capture the traffic to see where it stops.`,
      evidence: failed.slice(0, 3).map((a) => ({ host: from, text: `attempt ${a.i + 1}: ${a.error}` })),
      service: target,
    });
  }
  for (const r of rows) {
    if (!captured || r.count === 0) continue;
    const landedHere = attempts.filter((a) => a.seenBy?.length === 1 && a.seenBy[0] === r.server);
    const unanswered = landedHere.filter((a) => a.answeredBy !== r.server);
    if (unanswered.length === landedHere.length) {
      out.push({
        code: 'probe-dead-rs-receiving',
        severity: 'error',
        message: `Real server ${r.server} received ${landedHere.length} of the probe's ${attempts.length} connections to ${target} and answered none: it is still in rotation but dead for this service.`,
        advice: 'Fix the service on it, or take it out (weight 0 / remove) until it is back; check why the health check keeps it in.',
        evidence: landedHere.slice(0, 5).map((a) => ({ host: r.server, text: `source port ${a.sourcePort}: request arrived, no answer; client saw ${a.ok ? 'a connection' : a.error}` })),
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
  }
  if (!captured && failed.length > 0 && failed.length < attempts.length) {
    out.push({
      code: 'probe-some-failed',
      severity: 'warning',
      message: `${failed.length} of ${attempts.length} probes to ${target} failed (${[...new Set(failed.map((a) => a.error))].join(', ')}) while others were answered: one real server may be dead but still in rotation.`,
      advice: 'Probe again with a capture on the real servers (--capture) to see which real server receives the failing connections.',
      evidence: failed.slice(0, 3).map((a) => ({ host: from, text: `attempt ${a.i + 1} (source port ${a.sourcePort ?? '?'}): ${a.error}` })),
      service: target,
    });
  }
  if (j.verdict === 'unexpected') {
    out.push({
      code: 'probe-distribution-unexpected',
      severity: 'warning',
      message: `The spread of connections to ${target} does not match the scheduler and weights: ${j.message}.`,
      advice: 'Compare the live weights (ipvsadm -Ln) with the config; look for an ARP problem (traffic bypassing the director) or persistence.',
      evidence: rows.map((r) => ({ host: r.server, text: `${r.count} connections, weight ${r.weight}${r.expectedShare !== undefined ? `, expected share ${(r.expectedShare * 100).toFixed(0)}%` : ''}` })),
      service: target,
    });
  }
  return out;
}

interface RunningCapture {
  stop(): Promise<{ dir: string; files: CaptureFile[]; errors: string[] }>;
}

async function startProbeCapture(opts: ProbeOptions, target: string, log: (m: string) => void): Promise<RunningCapture> {
  const source = opts.capture!.source;
  const withHost = opts.realServers.filter((s) => s.host);
  if (withHost.length === 0) throw new Error('--capture needs the hosts of the real servers (hosts file with role real-server)');
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
        realServers: opts.realServers.map((s) => ({ name: s.name, address: s.address, port: s.port, weight: s.weight })),
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
  return {
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
      return { dir, files, errors: (m.errors ?? []).map((e) => `${e.host}: ${e.message}`) };
    },
  };
}
