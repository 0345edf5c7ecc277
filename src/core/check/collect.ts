// Reads one host's live state: runs the read-only commands for its role (a few
// at a time over the one connection), parses each output, and turns every
// failure into a note instead of an exception, so one bad host or one missing
// tool never stops the rest of the check.

import type { RemoteHost } from '../ssh/remote';
import {
  ipvsUnavailable,
  parseIpAddr,
  parseIpRoute,
  parseIpvsadmConnections,
  parseIpvsadmList,
  parseKernelConfig,
  parseKeepalivedLog,
  parseProcIpVs,
  parseSsListenOutput,
  setPersistenceHz,
  parseSysctl,
} from '../state';
import { stateCommands, type StateCommand } from './commands';
import type { CheckRole, HostState, UnreadSource } from './types';

const PARALLEL_PER_HOST = 4;
const TRUNCATED = /\n\[output truncated: \d+ more bytes dropped\]$/;

interface Output {
  stdout: string;
  stderr: string;
  code: number | null;
}

export async function collectHostState(
  name: string,
  host: RemoteHost,
  role: CheckRole,
  opts: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<HostState> {
  const state: HostState = { name, role, raw: {}, notes: [] };
  const commands = stateCommands.filter((c) => c.roles.includes(role));
  const outputs = new Map<string, Output | Error>();

  // The first command doubles as the reachability test: if it cannot run at all,
  // the others would fail the same way.
  const first = await runOne(host, commands[0], opts);
  outputs.set(commands[0].label, first);
  if (first instanceof Error) {
    state.unreachable = first.message;
    return state;
  }
  const rest = commands.slice(1);
  for (let i = 0; i < rest.length; i += PARALLEL_PER_HOST) {
    const batch = rest.slice(i, i + PARALLEL_PER_HOST);
    const results = await Promise.all(batch.map((c) => runOne(host, c, opts)));
    batch.forEach((c, k) => outputs.set(c.label, results[k]));
  }

  const unread = (source: string, why: string, extra: Partial<UnreadSource> = {}): void => {
    (state.unread ??= []).push({ source, why, ...extra });
  };
  const text = (label: string): string | undefined => {
    const o = outputs.get(label);
    if (o === undefined) return undefined;
    if (o instanceof Error) {
      state.notes.push(`${label}: ${o.message}`);
      unread(label, o.message, { timedOut: isTimeout(o) });
      return undefined;
    }
    let out = o.stdout;
    if (TRUNCATED.test(out)) {
      // Keep whole lines only; the rest was dropped by the output cap.
      out = out.replace(TRUNCATED, '');
      out = out.slice(0, out.lastIndexOf('\n') + 1);
      state.notes.push(`${label}: output truncated (too large); only the first part was read`);
    }
    state.raw[label] = out;
    return out;
  };
  const parse = <T>(label: string, fn: (t: string) => T, accept: (o: Output) => boolean = (o) => o.code === 0): T | undefined => {
    const o = outputs.get(label);
    const out = text(label);
    if (out === undefined || o === undefined || o instanceof Error) return undefined;
    if (!accept(o)) {
      const why = `exit ${o.code ?? 'signal'}: ${firstLine(o.stderr || o.stdout) || '(no output)'}`;
      state.notes.push(`${label}: ${why}`);
      unread(label, why, { absent: o.code === 127 || /not found|No such file/i.test(o.stderr) });
      return undefined;
    }
    try {
      return fn(out);
    } catch (e) {
      state.notes.push((e as Error).message);
      unread(label, (e as Error).message);
      return undefined;
    }
  };

  state.interfaces = parse('ip addr', (t) => parseIpAddr(t));
  state.routes = parse('ip route', (t) => parseIpRoute(t));
  // sysctl exits non-zero when one of the named trees is absent (net.ipv4.vs without
  // IPVS) but still prints the others.
  // The sysctl script prints what it could read (no net.ipv4.vs without IPVS).
  state.sysctl = parse('sysctl', (t) => parseSysctl(t), (o) => o.stdout.trim() !== '');
  if (role === 'real-server') {
    const ss = parse('ss -lntu', (t) => parseSsListenOutput(t));
    if (ss) {
      state.listeners = ss.sockets;
      if (ss.skipped.length > 0) {
        state.listenersSkipped = ss.skipped;
        const first = ss.skipped[0];
        state.notes.push(`ss -lntu: ${ss.skipped.length} line${ss.skipped.length === 1 ? '' : 's'} not understood and skipped (line ${first.line}: ${JSON.stringify(first.text.trim().slice(0, 120))})`);
      }
    }
  }
  if (role === 'director') collectIpvs(state, outputs, parse, unread);
  return state;
}

function isTimeout(e: Error): boolean {
  return (e as { kind?: string }).kind === 'command-timeout' || /did not finish within/.test(e.message);
}

function collectIpvs(
  state: HostState,
  outputs: Map<string, Output | Error>,
  parse: <T>(label: string, fn: (t: string) => T, accept?: (o: Output) => boolean) => T | undefined,
  unread: (source: string, why: string, extra?: Partial<UnreadSource>) => void,
): void {
  const ln = outputs.get('ipvsadm -Ln');
  const proc = outputs.get('/proc/net/ip_vs');
  const combined = (o: Output | Error | undefined): string =>
    o === undefined ? '' : o instanceof Error ? o.message : `${o.stdout}\n${o.stderr}`;
  const lnProblem = ipvsUnavailable(combined(ln));
  const procProblem = ipvsUnavailable(combined(proc));
  if (!lnProblem && ln && !(ln instanceof Error) && ln.code === 0) {
    state.ipvs = parse('ipvsadm -Ln', (t) => parseIpvsadmList(t));
    state.ipvsSource = 'ipvsadm -Ln';
    state.ipvsStats = parse('ipvsadm -Ln --stats', (t) => parseIpvsadmList(t, { command: 'ipvsadm -Ln --stats' }));
    state.ipvsRate = parse('ipvsadm -Ln --rate', (t) => parseIpvsadmList(t, { command: 'ipvsadm -Ln --rate' }));
    state.connections = parse('ipvsadm -Lnc', (t) => parseIpvsadmConnections(t));
  } else if (proc && !(proc instanceof Error) && proc.code === 0 && !procProblem) {
    // ipvsadm missing or not allowed: the kernel's own listing still shows the table.
    state.ipvs = parse('/proc/net/ip_vs', (t) => parseProcIpVs(t));
    state.ipvsSource = '/proc/net/ip_vs';
    const why = lnProblem ? lnProblem.reason : ln instanceof Error ? ln.message : ln ? `exit ${ln.code}: ${firstLine(ln.stderr || ln.stdout)}` : 'not run';
    state.notes.push(`ipvsadm: ${why}; read the table from /proc/net/ip_vs instead`);
    // What only ipvsadm shows: the connection table and the rates.
    if (state.ipvs) unread('ipvsadm -Lnc', `ipvsadm not usable (${why})`, { absent: lnProblem?.kind === 'tool' });
    if (state.ipvs) unread('ipvsadm -Ln --rate', `ipvsadm not usable (${why})`, { absent: lnProblem?.kind === 'tool' });
  }
  // The kernel's own word wins: no /proc/net/ip_vs means no IPVS, whatever ipvsadm said.
  if (procProblem?.kind === 'kernel') state.ipvsUnavailable = procProblem;
  else if (lnProblem?.kind === 'kernel') state.ipvsUnavailable = lnProblem;
  else if (!state.ipvs && lnProblem) state.notes.push(`ipvsadm: ${lnProblem.reason}`);
  else if (!state.ipvs && ln instanceof Error) state.notes.push(`ipvsadm -Ln: ${ln.message}`);
  else if (!state.ipvs && ln && !(ln instanceof Error) && ln.code !== 0) state.notes.push(`ipvsadm -Ln: exit ${ln.code}: ${firstLine(ln.stderr || ln.stdout)}`);

  const ka = outputs.get('keepalived log');
  // Only a log that mentions keepalived counts; "-- No entries --" or no journalctl says nothing.
  if (ka && !(ka instanceof Error) && ka.code === 0) {
    const log = parseKeepalivedLog(ka.stdout);
    if (log.seen) state.keepalived = log;
  } else if (ka instanceof Error) {
    state.notes.push(`keepalived log: ${ka.message}`);
    unread('keepalived log', ka.message, { timedOut: isTimeout(ka) });
  } else if (ka) {
    const why = `exit ${ka.code ?? 'signal'}: ${firstLine(ka.stderr || ka.stdout) || '(no output)'}`;
    state.notes.push(`keepalived log: ${why}`);
    unread('keepalived log', why, { absent: ka.code === 127 || /not found|No such file|No journal/i.test(ka.stderr) });
  }
  const kc = outputs.get('kernel config');
  state.kernelConfig = parse(
    'kernel config',
    (t) => {
      const m = /^# uname -r: (.*)$/m.exec(t);
      if (m) state.kernelRelease = m[1].trim();
      return parseKernelConfig(t, 'kernel config (/boot/config-$(uname -r) or /proc/config.gz)');
    },
  );
  // The script exits 3 when the system keeps no kernel config: nothing to read, not a failure.
  const lastUnread = state.unread?.[state.unread.length - 1];
  if (lastUnread?.source === 'kernel config' && kc && !(kc instanceof Error) && kc.code === 3) lastUnread.absent = true;
  // /proc/net/ip_vs gives persistence timeouts in jiffies: seconds once HZ is known.
  const hz = Number(state.kernelConfig?.get('CONFIG_HZ'));
  if (state.ipvs && state.ipvsSource === '/proc/net/ip_vs' && hz > 0) setPersistenceHz(state.ipvs, hz);
}

async function runOne(
  host: RemoteHost,
  c: StateCommand,
  opts: { timeoutMs?: number; signal?: AbortSignal },
): Promise<Output | Error> {
  try {
    const r = await host.exec(c.argv, {
      sudo: c.sudo,
      timeoutMs: opts.timeoutMs ?? 15000,
      maxOutputBytes: c.maxOutputBytes ?? 1024 * 1024,
      signal: opts.signal,
    });
    return { stdout: r.stdout, stderr: r.stderr, code: r.code };
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

function firstLine(s: string): string {
  const line = s.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
