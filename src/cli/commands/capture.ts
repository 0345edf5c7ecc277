// `lvs-trace capture`: the remote capture engine from a terminal or a script.
// Hosts come from a hosts file (--hosts) and/or `--host NAME=ROLE` entries resolved
// through ~/.ssh/config. Passwords: LVS_TRACE_PASSWORD_<HOST> (or LVS_TRACE_PASSWORD),
// key passphrases: LVS_TRACE_PASSPHRASE, else asked on the terminal without echo.
// Ctrl-C, SIGTERM and SIGHUP cancel: remote tcpdumps are stopped, their temp files removed,
// capture.json written for what was pulled; more signals during that can abandon it.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { optionValue, type ParsedArgs } from '../args';
import { parseCommandArgs, type CliCommand } from '../command';
import { loadClusterModel } from '../../core/config';
import { hostMessage, parseServiceSpec, planCapture, runCapture, type HostProgress, type PlanHost } from '../../core/capture';
import { DEFAULT_MAX_CONNECTING, type HostConfig } from '../../core/ssh';
import { outFolderBefore, removeFailedOutput, type OutFolderBefore } from '../../core/capture/outFolder';
import { CONNECT_TIMEOUT, cliPool, durationOption, hostConfigsFromArgs, sshNotes, sshOptionDocs, type DurationRange } from '../sshArgs';
import type { ForwardingMethod } from '../../core/model/cluster';

function formatProgress(hosts: Record<string, HostProgress>): string {
  return Object.entries(hosts)
    .map(([h, p]) => `${h}: ${p.state === 'capturing' || p.state === 'done' ? `${p.packets} pkts` : p.state}`)
    .join('  ');
}

/** --duration's bounds: the remote `timeout` counts whole seconds. */
const CAPTURE_DURATION: DurationRange = { minMs: 1000, maxMs: 24 * 3600 * 1000 };

export const SERVICE_FORMS = '[tcp:|udp:|sctp:]VIP[:PORT], e.g. tcp:192.0.2.10:80, 192.0.2.10:80 (any protocol), 192.0.2.10 (any port), udp:[2001:db8::10]:53';

/** Whether a capture folder holds a pcap with something in it (after a run that failed). */
function holdsPackets(out: string): boolean {
  try {
    const dir = path.join(out, 'pcap');
    return fs.readdirSync(dir).some((f) => fs.statSync(path.join(dir, f)).size > 0);
  } catch {
    return false;
  }
}

/** Signals that cancel a capture: Ctrl-C, `kill` (TERM), the terminal going away (HUP). */
const CANCEL_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const SIGNAL_NUMBER: Record<(typeof CANCEL_SIGNALS)[number], number> = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 };
/** A second signal while cleaning up is a warning; a third within this many seconds abandons. */
export const ABANDON_WINDOW_S = 5;
/** Cleaning up after a cancel is abandoned after this long (a host that hangs). */
export const CLEANUP_LIMIT_S = 90;

/** Writes to stderr, which may be gone (a closed terminal after SIGHUP). */
function say(text: string): void {
  try {
    process.stderr.write(text);
  } catch {
    // nobody to tell
  }
}

/** When the hosts' safety nets remove the temp folders still there, for a message. */
function reaperText(hosts: Record<string, HostProgress>): string {
  const at = Object.values(hosts)
    .map((h) => h.cleanupBy)
    .filter((t): t is number => t !== undefined);
  if (at.length === 0) return "the hosts' reapers remove any folder left";
  return `the hosts' reapers remove their folders by ${new Date(Math.max(...at)).toISOString()}`;
}

/**
 * SIGINT, SIGTERM and SIGHUP cancel the capture: the remote tcpdumps are stopped, their
 * files removed and capture.json written for what was pulled. Another signal while that goes
 * on says so, and a third within ABANDON_WINDOW_S seconds (or a cleanup longer than
 * CLEANUP_LIMIT_S) abandons it: the partial folder is removed (it has no capture.json) and
 * the process exits 128 + the signal's number, the hosts' safety nets removing the rest.
 */
function cancelOnSignals(cancel: AbortController, out: string, before: OutFolderBefore, hosts: () => Record<string, HostProgress>): { dispose(): void } {
  let warnedAt = 0;
  let limit: NodeJS.Timeout | undefined;
  const ignoreErrors = (): void => {};
  process.stderr.on('error', ignoreErrors);
  const abandon = (why: string, code: number): never => {
    try {
      removeFailedOutput(out, before);
      say(`${why}: abandoned the cleanup; the partial capture in ${out} was removed, and ${reaperText(hosts())}\n`);
    } catch (e) {
      say(`${why}: abandoned the cleanup; could not remove the partial capture in ${out}: ${(e as Error).message}\n`);
    }
    process.exit(code);
  };
  const onSignal = (sig: (typeof CANCEL_SIGNALS)[number]): void => {
    if (!cancel.signal.aborted) {
      say(`\n${sig === 'SIGINT' ? '' : `${sig}: `}cancelling: stopping remote captures and removing their files...\n`);
      cancel.abort(sig === 'SIGINT' ? 'by the user' : `by ${sig}`);
      limit = setTimeout(() => abandon(`cleanup still running after ${CLEANUP_LIMIT_S} s`, 128 + SIGNAL_NUMBER[sig]), CLEANUP_LIMIT_S * 1000);
      limit.unref();
      return;
    }
    const now = Date.now();
    if (now - warnedAt <= ABANDON_WINDOW_S * 1000) abandon(sig, 128 + SIGNAL_NUMBER[sig]);
    warnedAt = now;
    say(`still cleaning up (press Ctrl-C again within ${ABANDON_WINDOW_S} s to abandon; ${reaperText(hosts())})\n`);
  };
  for (const sig of CANCEL_SIGNALS) process.on(sig, onSignal);
  return {
    dispose() {
      clearTimeout(limit);
      for (const sig of CANCEL_SIGNALS) process.removeListener(sig, onSignal);
      process.stderr.removeListener('error', ignoreErrors);
    },
  };
}

/** A whole number option within bounds, or undefined when not given. */
function intOption(p: ParsedArgs, name: string, min: number, max: number, what: string): number | undefined {
  const text = optionValue(p, name);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} "${text}" ${what}`);
  return n;
}

export const captureCommand: CliCommand = {
  name: 'capture',
  usage: 'capture --service SPEC --out DIR [--config FILE] [--hosts FILE | --host NAME=ROLE...] [--duration 10s | --count N] [options]',
  summary: 'capture a virtual service on directors and real servers at once over SSH',
  options: [
    { name: 'service', value: 'SPEC', text: 'the virtual service to capture (required; forms below)' },
    { name: 'out', value: 'DIR', text: 'the capture folder to write: new, or empty (required)' },
    { name: 'config', value: 'FILE', text: 'keepalived.conf or ipvsadm rules: the service\'s method, real servers and filters' },
    { name: 'method', value: 'nat|dr|tun', text: 'forwarding method when there is no --config (sets what is captured where)' },
    { name: 'duration', value: 'DURATION', text: 'how long to capture, 1 s to 24 h (default 10s)' },
    { name: 'count', value: 'N', text: 'stop each tcpdump after N packets instead (at most 10 min)' },
    { name: 'snaplen', value: 'BYTES', text: 'bytes kept of each packet, 64-262144 (default 65535)' },
    { name: 'max-mb', value: 'MIB', text: 'stop a host\'s capture when it reaches this many MiB, 0.001-1048576 (default 1024)' },
    { name: 'vrrp', text: 'capture VRRP adverts (IP protocol 112) on the directors too' },
    { name: 'health-checks', text: 'capture the directors\' health checks of the real servers too' },
    ...sshOptionDocs,
    { name: 'verbose', text: 'log every step on stderr' },
  ],
  notes: [
    `SPEC: ${SERVICE_FORMS}; with --config, one of the config's services (protocol, VIP and port, or fwm:MARK).`,
    ...sshNotes,
    'Ctrl-C (or SIGTERM, SIGHUP) stops the capture early: the remote tcpdumps are stopped, their temporary files removed and the capture folder written with what was pulled. Pressing Ctrl-C twice more within 5 s abandons that cleanup (the partial folder is removed; each host\'s safety net removes its temporary files later).',
  ],
  exitStatus: [
    [0, 'every host captured'],
    [1, 'the capture folder is written, but a host failed or Ctrl-C (SIGTERM, SIGHUP) cut it short'],
    [2, 'usage or input error, or no host produced a capture (nothing is left behind then)'],
  ],
  async run(args) {
    const p = parseCommandArgs(captureCommand, args);
    // Every argument checked before anything is read from the hosts or written.
    const serviceSpec = optionValue(p, 'service');
    const out = optionValue(p, 'out');
    if (!serviceSpec) throw new Error('--service is required (e.g. --service tcp:192.0.2.10:80)');
    if (!out) throw new Error('--out DIR is required (the capture folder to write)');
    if (p.positionals.length) throw new Error(`unexpected argument "${p.positionals[0]}"`);
    const configFile = optionValue(p, 'config');
    const target = /^fwm:/.test(serviceSpec.trim()) && configFile ? undefined : parseServiceSpec(serviceSpec);
    if (optionValue(p, 'duration') !== undefined && optionValue(p, 'count') !== undefined) throw new Error('give --duration or --count, not both');
    const durationMs = durationOption(p, 'duration', CAPTURE_DURATION);
    const count = intOption(p, 'count', 1, Number.MAX_SAFE_INTEGER, 'must be a positive whole number');
    const snaplen = intOption(p, 'snaplen', 64, 262144, 'must be 64-262144');
    const maxMbText = optionValue(p, 'max-mb');
    const maxMb = maxMbText === undefined ? undefined : Number(maxMbText);
    if (maxMb !== undefined && !(Number.isFinite(maxMb) && maxMb >= 0.001 && maxMb <= 1048576))
      throw new Error(`--max-mb "${maxMbText}" must be a number of MiB per host, 0.001-1048576`);
    const method = optionValue(p, 'method') as ForwardingMethod | undefined;
    if (method && !['nat', 'dr', 'tun'].includes(method)) throw new Error(`--method must be nat, dr or tun`);
    const connectTimeoutMs = durationOption(p, 'connect-timeout', CONNECT_TIMEOUT);
    const before = outFolderBefore(out, '--out');

    // Hosts: hosts file entries, then --host NAME=ROLE through ssh_config.
    const configs: HostConfig[] = hostConfigsFromArgs(p);
    if (configs.length === 0) throw new Error('no hosts: give --hosts FILE and/or --host NAME=ROLE (resolved through ~/.ssh/config)');
    const planHosts: PlanHost[] = configs
      .filter((c) => c.role !== undefined)
      .map((c) => ({ name: c.name, role: c.role!, address: c.address, realServer: c.realServer }));
    if (planHosts.length === 0) throw new Error('no host has a role (director, real-server, client...): set "role" in the hosts file');

    const plan = configFile
      ? planCapture({ model: loadClusterModel([configFile]), service: serviceSpec, hosts: planHosts, vrrp: p.flags.has('vrrp'), healthChecks: p.flags.has('health-checks') })
      : planCapture({ target: target!, method, hosts: planHosts, vrrp: p.flags.has('vrrp'), healthChecks: p.flags.has('health-checks') });
    for (const w of plan.warnings) process.stderr.write(`warning: ${w}\n`);

    const verbose = p.flags.has('verbose');
    const tty = process.stdin.isTTY === true;
    const pool = cliPool(p, configs, p.flags.has('accept-new-host-keys'), verbose, connectTimeoutMs);

    const cancel = new AbortController();
    let latest: Record<string, HostProgress> = {};
    const signals = cancelOnSignals(cancel, out, before, () => latest);
    let last = 0;
    // Whether the run left a capture to keep: unknown (undefined) when runCapture failed.
    let produced: boolean | undefined;
    try {
      const manifest = await runCapture(plan, pool, {
        outDir: path.resolve(out),
        // Hosts set up / finished at once (the SSH pool also bounds logins in progress).
        maxParallel: DEFAULT_MAX_CONNECTING,
        durationMs,
        count,
        snaplen,
        maxBytesPerHost: maxMb === undefined ? undefined : Math.round(maxMb * 1048576),
        signal: cancel.signal,
        configFile,
        log: (level, msg) => {
          if (verbose || level === 'warn' || level === 'error') process.stderr.write(`${level}: ${msg}\n`);
        },
        onProgress: (hosts) => {
          latest = hosts;
          const now = Date.now();
          if (now - last < 1000) return;
          last = now;
          process.stderr.write(tty ? `\r${formatProgress(hosts)}\x1b[K` : `${formatProgress(hosts)}\n`);
        },
      });
      if (tty) process.stderr.write('\n');
      produced = manifest.points.length > 0;
      for (const pt of manifest.points)
        process.stdout.write(`${pt.host} ${pt.interface}: ${pt.packetsCaptured ?? 0} packets${pt.packetsDropped ? ` (${pt.packetsDropped} dropped by the kernel)` : ''} -> ${path.join(out, pt.file)}\n`);
      for (const w of (manifest.warnings ?? []).filter((x) => !plan.warnings.includes(x))) process.stderr.write(`warning: ${w}\n`);
      for (const e of manifest.errors ?? []) process.stderr.write(`error: ${hostMessage(e.host, e.message)}\n`);
      if (!produced) {
        process.stderr.write(`error: no host produced a capture${cancel.signal.aborted ? ' (cancelled)' : ''}; nothing is kept in ${out}\n`);
        return 2;
      }
      process.stdout.write(`capture folder: ${out}${manifest.note ? ` (${manifest.note})` : ''}\n`);
      return manifest.errors?.length || cancel.signal.aborted ? 1 : 0;
    } finally {
      signals.dispose();
      await pool.closeAll();
      // A run that produced nothing leaves nothing: the same command can run again.
      if (produced === false || (produced === undefined && !holdsPackets(out))) {
        try {
          removeFailedOutput(out, before);
        } catch (e) {
          process.stderr.write(`warning: could not remove what this capture left in ${out}: ${(e as Error).message}\n`);
        }
      }
    }
  },
};
