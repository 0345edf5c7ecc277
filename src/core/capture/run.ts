// Running a capture plan: tcpdump on every host at once, live packet counts,
// stop on duration / count / stop / cancel, pull the pcaps home, clean up always.
//
// How tcpdump runs on a host (every value quoted by commandLine, see ssh/quote.ts):
//   sh -c START sh PIDFILE ERRFILE TIMESFILE BLOCKS DIR REAPER_SECONDS \
//      timeout -s INT -k 5 <seconds> [sudo -n -- | sudo -S -p '' --] tcpdump -i IF -U -s SNAP
//      -Z USER [-c N] -w DIR/IF.pcap FILTER
// - Start together: every host's start command first restarts the host's safety net and
//   says `armed`, then waits for a `go` line on stdin; `go` goes to every host at once when
//   all are armed (one round trip each before, none in between), so the captures begin
//   within tcpdump's own start-up time of each other. Each point records when its tcpdump
//   said "listening on" and when it ended (host clock, capture.json captureStart and
//   captureEnd): the analysis does not blame a host for what passed before or after.
// - The temp folder comes from `mktemp -d` as the login user; `-Z USER` makes tcpdump
//   write its file as that user, so fetching and removing need no root.
// - `timeout` bounds the run on the host itself: if our connection drops, tcpdump
//   still stops at the duration limit. We know its PID, and
//   `kill -INT` on it is relayed by timeout and sudo to tcpdump, which then flushes
//   and prints its statistics into ERRFILE (kept in a file so a lost channel
//   does not lose them).
// - Live counts: the growing pcap (tcpdump -U flushes per packet) is pulled over
//   SFTP from the last offset every poll and its records counted as they arrive,
//   so the final fetch is only the tail, and a dropped connection resumes from
//   the offset after reconnecting.
// - Size: a host's capture stops when what was pulled from it reaches maxBytesPerHost
//   (a busy VIP writes tens of MB/s into the host's /tmp): no pull goes past the limit,
//   and the file kept ends with the last whole packet under it. Should we lose contact, the
//   host caps its files itself: `ulimit -f` a little above the limit, shared among the
//   host's tcpdumps, under which the kernel stops tcpdump (SIGXFSZ) when its file would
//   grow past its share.
// - Safety net: a detached reaper removes the temp folder limit + orphanGraceMs after the
//   capture started on the host (restarted just before tcpdump starts); it is stopped only
//   once the folder is removed, so a folder still busy at cleanup is removed by it later.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { SshError } from '../ssh/errors';
import { clockReading, parseClockLine } from '../ssh/clock';
import { DEFAULT_MAX_CONNECTING } from '../ssh/pool';
import type { LogFn } from '../ssh/secrets';
import type { RemoteHost } from '../ssh/remote';
import { validateBpfFilter, validateInterface, validateRemotePath } from '../ssh/quote';
import { classifySudoFailure, sudoError } from '../ssh/sudo';
import { copyConfig, type CaptureManifest, type CapturePoint, type HostRole } from './manifest';
import type { CapturePlan, PlannedPoint } from './plan';
import { chooseInterface, excludeOwnSession, fillSelf, parseIpAddr, probeHost, type HostFacts } from './discover';
import { parseTcpdumpStats, parseTcpdumpVersion, PcapRecordCounter } from './pcapCount';

/** What runCapture needs from the pool (SshPool satisfies it; tests may pass their own). */
export interface HostSource {
  get(name: string): Promise<RemoteHost>;
}

export type HostState = 'connecting' | 'starting' | 'capturing' | 'stopping' | 'fetching' | 'done' | 'failed';

export interface HostProgress {
  state: HostState;
  /** Packets pulled home so far, all interfaces of the host. */
  packets: number;
  interfaces: string[];
  error?: string;
  /** While the host holds our temp folder: when its safety net removes it (local clock, ms
   *  since the epoch, about). */
  cleanupBy?: number;
}

export interface CaptureOptions {
  outDir: string;
  /** Capture length. Default 10 s when no count is given. */
  durationMs?: number;
  /** Stop each tcpdump after this many packets (tcpdump -c). */
  count?: number;
  /** Upper bound when only a count is given. Default 10 min. */
  maxDurationMs?: number;
  /** tcpdump -s. Default 65535. */
  snaplen?: number;
  /** Stop a host's capture once this many bytes of pcap were pulled from it (all its
   *  interfaces together). Default 1 GiB (DEFAULT_MAX_BYTES_PER_HOST). */
  maxBytesPerHost?: number;
  /** Cancel: stop everything, remove remote files, keep what was already pulled. Aborted with
   *  a string reason (`by SIGTERM`), capture.json's note says `cancelled <reason>`. */
  signal?: AbortSignal;
  /** Stop now and keep the capture (the "Stop" button). */
  stopSignal?: AbortSignal;
  onProgress?(hosts: Record<string, HostProgress>): void;
  log?: LogFn;
  /** Hosts set up / finished at the same time. Default DEFAULT_MAX_CONNECTING (16), the SSH
   *  pool's bound on logins (1 = one after another, the bench's baseline). */
  maxParallel?: number;
  /** How often the growing pcaps are pulled. Default 500 ms. */
  pollMs?: number;
  /** How long to keep trying to reconnect after a drop. Default 20 s. */
  reconnectMs?: number;
  /** Copied into the folder (with the files it includes) and named in capture.json. */
  configFile?: string;
  /** capture.json records where the config came from relative to this folder (the workspace's). */
  configRoot?: string;
  /** After the duration limit, how long a host we lost contact with keeps our temp folder. Default 10 min. */
  orphanGraceMs?: number;
}

/**
 * A fresh safety net for the folder $d, counting from now ($s seconds): the new reaper is
 * started and recorded before the old one is stopped, so the folder is never without one.
 * Exit 4: the folder is gone.
 */
const RESTART_REAPER_D =
  'case $s in ""|*[!0-9]*) exit 2;; esac; [ -d "$d" ] || exit 4; ' +
  'o=$(cat "$d/reaper.pid" 2>/dev/null); ' +
  'setsid sh -c \'sleep "$1"; rm -rf -- "$2"\' lvs-capture-reaper "$s" "$d" </dev/null >/dev/null 2>&1 & n=$!; ' +
  'echo "$n" >"$d/reaper.pid.new" && mv -f -- "$d/reaper.pid.new" "$d/reaper.pid" || exit 1; ' +
  'case $o in ""|*[!0-9]*) ;; *) [ "$o" != "$n" ] && kill -TERM "-$o" 2>/dev/null;; esac; echo "reaper $n"';

/**
 * Starts one capture, in one round trip that waits for the others: restarts the folder's
 * safety net (unless REAPER_SECONDS is `-`: another interface's command does it), prints
 * `armed`, and waits for a `go` line on stdin (anything else, or the end of stdin: exit 5,
 * nothing started). Then starts the command in the background with the rest of stdin passed
 * on (for sudo -S), records its PID, waits on the host itself for tcpdump's "listening on"
 * (no polling over SSH) and prints `pid N`, then `ready T` (or nothing when it died), T
 * the time it said so (host clock: the moment ERRFILE was written); writes `listening T`
 * and, once it ended, `stopped T` into TIMESFILE. Exits with the command's status.
 */
const START =
  'p=$1; e=$2; t=$3; b=$4; d=$5; s=$6; shift 6; ' +
  `if [ "$s" != - ]; then ${RESTART_REAPER_D}; fi; ` +
  'ulimit -f "$b" 2>/dev/null; echo armed; read -r g || exit 5; [ "$g" = go ] || exit 5; ' +
  'exec 3<&0; "$@" 0<&3 3<&- 2>"$e" & c=$!; exec 3<&-; echo "$c" >"$p"; echo "pid $c"; ' +
  'now() { date +%s.%N 2>/dev/null; }; ' +
  'i=0; while [ $i -lt 600 ]; do if grep -q "listening on" "$e" 2>/dev/null; then ' +
  'w=$(stat -c %.9Y "$e" 2>/dev/null); case $w in ""|*[!0-9.]*) w=$(now);; esac; echo "listening $w" >"$t"; echo "ready $w"; break; fi; ' +
  'kill -0 "$c" 2>/dev/null || break; sleep 0.05; i=$((i+1)); done; wait "$c"; r=$?; echo "stopped $(now)" >>"$t"; exit $r';
export { START as START_SCRIPT };
const PULL_CHUNK = 4 * 1024 * 1024;
export const DEFAULT_MAX_BYTES_PER_HOST = 1024 * 1024 * 1024;

/** How long the temp folder may wait for the capture to start (sudo prompts) before its
 *  reaper removes it; it holds no pcap until then. */
const SETUP_GRACE_S = 3600;

/** How long a host's start commands may take to be ready for `go` (one round trip each). */
const ARM_TIMEOUT_MS = 30000;

/** Below this a host is not captured on: its temp folder's filesystem is all but full. */
const MIN_HOST_BYTES = 1024 * 1024;

/**
 * A host's size limit: the one asked for, lowered to half the space free in its temp
 * folder's filesystem when that is less (/tmp is often a tmpfs: the host's memory, on a
 * load balancer). `freeKb` undefined: unknown, the limit as asked.
 */
export function hostByteLimit(maxBytes: number, freeKb: number | undefined): number {
  return freeKb === undefined ? maxBytes : Math.min(maxBytes, Math.floor((freeKb * 1024) / 2));
}

/** The host's own cap on each pcap file (`ulimit -f`, 512-byte blocks). For the host as a
 *  whole: a quarter above the limit (at least 8 MiB more), so that normally our stop comes
 *  first, and tcpdump stopped by the kernel is the case of a host we lost contact with;
 *  never past three quarters of the free space. That cap is for all of the host's
 *  tcpdumps together (`ulimit -f` is per file): each of its `files` gets an equal share. */
export function hostFileLimitBlocks(maxBytes: number, freeKb?: number, files = 1): number {
  let bytes = maxBytes + Math.max(maxBytes / 4, 8 * 1024 * 1024);
  if (freeKb !== undefined) bytes = Math.max(maxBytes, Math.min(bytes, freeKb * 1024 * 0.75));
  return Math.ceil(bytes / Math.max(1, Math.floor(files)) / 512);
}

/** The temp folder `mktemp -d /tmp/lvs-capture.XXXXXX` made (see discover.ts); anything
 *  else (`/`, `//`, a home folder...) is refused before it reaches `rm -rf` or `kill`. */
export function validateTempDir(p: string): string {
  if (!/^\/tmp\/lvs-capture\.[A-Za-z0-9]{6,32}$/.test(p))
    throw new Error(`refusing the remote temp folder ${JSON.stringify(p.slice(0, 200))}: not of the form /tmp/lvs-capture.XXXXXX that mktemp was asked for`);
  return validateRemotePath(p);
}

/**
 * Removes the temp folder $d unless a process other than its safety-net reaper still names
 * it (then: exit 3, `busy`, the PIDs; the reaper is left running so that it removes the
 * folder when its time comes). The reaper is stopped only once the folder is gone.
 * The folder comes on stdin so that this shell's own command line does not match.
 */
const REMOVE_IDLE_D =
  'r=$(cat "$d/reaper.pid" 2>/dev/null); case $r in ""|*[!0-9]*) r=x;; esac; ' +
  'others() { pgrep -f -- "$d" | grep -vx -e "$r" -e "$$"; }; ' +
  'i=0; while others >/dev/null && [ $i -lt 20 ]; do sleep 0.1; i=$((i+1)); done; ' +
  'if others >/dev/null; then echo busy; others; exit 3; fi; rm -rf -- "$d" || exit 1; ' +
  '[ "$r" != x ] && kill -TERM "-$r" 2>/dev/null; exit 0';
export const REMOVE_IF_IDLE = `read -r d || exit 2; ${REMOVE_IDLE_D}`;
/**
 * Stops the captures whose PIDs were written in the folder ($d/IF.pid: the `timeout` we
 * started as the login user, which relays the signal through sudo to tcpdump, as stop()
 * does): INT, then TERM, then KILL. Only a PID whose command line still names the folder
 * is signalled (not a PID reused since). Folder on stdin.
 */
export const KILL_BY_PIDFILES =
  'read -r d || exit 2; pids() { for f in "$d"/*.pid; do [ "$f" = "$d/reaper.pid" ] && continue; p=$(cat "$f" 2>/dev/null); ' +
  'case $p in ""|*[!0-9]*) continue;; esac; ps -o args= -p "$p" 2>/dev/null | grep -qF -- "$d" && echo "$p"; done; }; ' +
  'for s in INT TERM KILL; do l=$(pids); [ -z "$l" ] && exit 0; kill -"$s" $l 2>/dev/null; ' +
  'i=0; while [ -n "$(pids)" ] && [ $i -lt 20 ]; do sleep 0.1; i=$((i+1)); done; done; exit 0';
/** RESTART_REAPER_D on its own, folder and seconds on stdin (START does it for a capture). */
export const RESTART_REAPER = `read -r d || exit 2; read -r s || exit 2; ${RESTART_REAPER_D}`;
/**
 * The end of a host's capture in one round trip (every command costs the host a login
 * shell): prints each named file of the folder after a `=== name` line (tcpdump's
 * statistics), then removes the folder as REMOVE_IF_IDLE does. Folder and names on stdin.
 */
export const READ_ERRS_THEN_REMOVE = `read -r d || exit 2; while read -r f; do echo "=== $f"; cat -- "$d/$f" 2>/dev/null; done; echo "=== ~"; ${REMOVE_IDLE_D}`;
/**
 * The host's network state in one round trip: each command's output after `=== key`,
 * then `=== key: exit N` and what it wrote to stderr. Commands fixed here; keys are the
 * state's names in capture.json.
 */
const STATE_DUMPS: Array<[string, string]> = [
  ['ip addr', 'ip addr show'],
  ['ip -o link', 'ip -o link show'],
  ['ip route', 'ip route show'],
];
/** The script for DUMP_STATE; `dumps` are [key, command] written here, never from input. */
export function dumpStateScript(dumps: Array<[string, string]>): string {
  return (
    'exec 4>&1; dump() { k=$1; shift; echo "=== $k"; e=$("$@" 2>&1 1>&4); c=$?; echo; echo "=== $k: exit $c"; printf "%s\\n" "$e"; }; ' +
    dumps.map(([key, cmd]) => `dump '${key}' ${cmd}`).join('; ')
  );
}
const DUMP_STATE = dumpStateScript(STATE_DUMPS);

/** The sections DUMP_STATE printed: key -> stdout, exit code, stderr. */
export function parseStateDumps(out: string, keys: string[]): Map<string, { stdout: string; code: number; stderr: string }> {
  const found = new Map<string, { stdout: string; code: number; stderr: string }>();
  let key: string | undefined;
  let body: string[] = [];
  let code: number | undefined;
  let stderr: string[] = [];
  const close = (): void => {
    if (key !== undefined && code !== undefined) found.set(key, { stdout: body.join('\n'), code, stderr: stderr.join('\n').trimEnd() });
  };
  for (const line of out.split('\n')) {
    const head = line.startsWith('=== ') ? line.slice(4) : undefined;
    if (head !== undefined && keys.includes(head)) {
      close();
      key = head;
      body = [];
      code = undefined;
      stderr = [];
      continue;
    }
    if (key === undefined) continue;
    if (code === undefined) {
      const end = head !== undefined ? /^(.*): exit (\d+)$/.exec(head) : null;
      // The `echo` before the marker ends the output with exactly one newline of its own.
      if (end && end[1] === key) code = Number(end[2]);
      else body.push(line);
    } else stderr.push(line);
  }
  close();
  return found;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const safeName = (s: string): string => s.replace(/[^A-Za-z0-9._-]/g, '_');

function limiter(n: number): <T>(f: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: Array<() => void> = [];
  return async <T>(f: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((r) => queue.push(r));
    active++;
    try {
      return await f();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

interface RunningPoint {
  planned: PlannedPoint[];
  iface: string;
  filter: string;
  remoteFile: string;
  pidFile: string;
  errFile: string;
  /** Where the start command writes when tcpdump listened and when it stopped. */
  timesFile: string;
  localRel: string;
  localFile: string;
  counter: PcapRecordCounter;
  offset: number;
  pid?: string;
  /** Resolves when the start command waits for `go` (or its command ended). */
  armed: Promise<void>;
  onArmed: () => void;
  isArmed: boolean;
  /** Resolves when tcpdump listens (or its command ended). */
  ready: Promise<void>;
  onReady: () => void;
  /** Sends `go` (true) or nothing (false: the command ends without starting tcpdump). */
  release?: (go: boolean) => void;
  /** Settles when tcpdump exits (or the channel is lost). */
  channel?: Promise<unknown>;
  /** The start command's result, once it ended on its own. */
  result?: { stdout: string; stderr: string; code: number | null };
  channelLost: boolean;
  exited: boolean;
  stderr?: string;
  /** Host clock, seconds since the epoch: tcpdump said "listening on"; it stopped. */
  listeningAt?: number;
  stoppedAt?: number;
  /** The local file ends before tcpdump's did (size limit, lost connection, failed fetch). */
  cut: boolean;
  /** The final fetch read the file to its end after tcpdump had stopped. */
  complete: boolean;
}

/** `ready T`, `listening T`, `stopped T`: T as a number of seconds, when it is one. */
function timeAfter(word: string, text: string): number | undefined {
  const m = new RegExp(`^${word} (\\d+(?:\\.\\d+)?)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

class HostRun {
  host?: RemoteHost;
  facts?: HostFacts;
  dir?: string;
  points: RunningPoint[] = [];
  progress: HostProgress = { state: 'connecting', packets: 0, interfaces: [] };
  errors: string[] = [];
  clockOffsetMs?: number;
  clockUncertaintyMs?: number;
  tcpdumpVersion?: string;
  state: Record<string, string> = {};
  stateDone?: Promise<void>;
  role: HostRole;
  realServer?: string;
  sudo?: { argv: string[]; stdin?: string };
  /** The host could not be reached again after a drop: nothing more is tried there. */
  gone = false;
  /** Writing the pulled pcap here failed (the capture was stopped on the host). */
  localError: string | undefined = undefined;
  /** Not errors: e.g. the capture stopped at the size limit (into capture.json's warnings). */
  warnings: string[] = [];
  startedAt = 0;
  /** When the size limit was reached (local clock). */
  limitedAt?: number;
  /** When the host's safety-net reaper removes the temp folder (local clock, about). */
  reaperDeadline?: number;
  byIface = new Map<string, { planned: PlannedPoint[]; filters: string[] }>();

  constructor(
    readonly name: string,
    readonly planned: PlannedPoint[],
    private readonly pool: HostSource,
    private readonly opts: CaptureOptions,
    private readonly log: LogFn,
    private readonly emit: () => void,
  ) {
    this.role = planned[0].role;
    this.realServer = planned.find((p) => p.realServer)?.realServer;
  }

  setState(s: HostState, error?: string): void {
    this.progress.state = s;
    if (error) {
      this.progress.error = error;
      this.errors.push(error);
    }
    this.emit();
  }

  /** Runs f on the host; when the connection drops, reconnects (bounded) and runs it again. */
  async withHost<T>(f: (h: RemoteHost) => Promise<T>): Promise<T> {
    const deadline = Date.now() + (this.opts.reconnectMs ?? 20000);
    for (;;) {
      try {
        this.host ??= await this.pool.get(this.name);
        return await f(this.host);
      } catch (e) {
        const lost = e instanceof SshError && (e.kind === 'connection-lost' || e.kind === 'timeout' || e.kind === 'refused' || e.kind === 'unreachable');
        if (!lost || Date.now() > deadline) throw e;
        this.log('warn', `${this.name}: ${(e as Error).message}; reconnecting`);
        this.host = undefined;
        await sleep(1000);
      }
    }
  }

  async exec(argv: string[], timeoutMs = 20000, stdin?: string): Promise<{ stdout: string; stderr: string; code: number | null }> {
    return this.withHost((h) => h.exec(argv, { timeoutMs, stdin }));
  }

  /** How long tcpdump may run at most. */
  limitMs(): number {
    return this.opts.durationMs ?? (this.opts.count ? this.opts.maxDurationMs ?? 600000 : 10000);
  }

  /** The reaper's delay: the capture's length plus the grace for a host we lost contact with. */
  reapAfterSeconds(): number {
    return Math.ceil((this.limitMs() + (this.opts.orphanGraceMs ?? 600000)) / 1000);
  }

  maxBytes(): number {
    return hostByteLimit(this.opts.maxBytesPerHost ?? DEFAULT_MAX_BYTES_PER_HOST, this.facts?.tempFreeKb);
  }

  /** The host's own cap on each of its pcap files, in 512-byte blocks (`ulimit -f`): the
   *  host's cap shared among its tcpdumps (one per interface). */
  fileCapBlocks(): number {
    return hostFileLimitBlocks(this.maxBytes(), this.facts?.tempFreeKb, Math.max(1, this.byIface.size));
  }

  /** Bytes of pcap pulled from this host so far. */
  pulledBytes(): number {
    return this.points.reduce((n, p) => n + p.offset, 0);
  }

  /** Reached the size limit (then the capture stops; the warning is written at the end,
   *  with the packets the file kept). */
  overSizeLimit(): boolean {
    if (this.pulledBytes() < this.maxBytes()) return false;
    this.limitedAt ??= Date.now();
    return true;
  }

  /** The size limit's warning (not an error: what was captured is good), once the files are final. */
  noteSizeLimit(): void {
    if (this.limitedAt === undefined) return;
    const mib = (this.maxBytes() / 1048576).toFixed(this.maxBytes() < 1048576 ? 2 : 0);
    const secs = ((this.limitedAt - this.startedAt) / 1000).toFixed(1);
    const packets = this.points.reduce((n, p) => n + p.counter.packets, 0);
    this.warnings.push(`${this.name}: capture stopped at the size limit of ${mib} MiB per host after ${secs} s (${packets} packets); raise the limit to capture more`);
  }

  /** Everything up to starting tcpdump: facts, clock, sudo, interfaces, temp folder. */
  async prepare(): Promise<void> {
    this.host = await this.pool.get(this.name);
    this.setState('starting');
    // Until the capture starts (sudo prompts, other hosts' set-up: no pcap yet), the folder
    // gets an extra hour; start() restarts the countdown at limit + grace from then.
    const reapAfter = this.reapAfterSeconds() + SETUP_GRACE_S;
    const facts = (this.facts = await probeHost(this.host, reapAfter));
    this.reaperDeadline = Date.now() + reapAfter * 1000;
    // The temp folder (and its safety net) comes with the probe.
    if (facts.tempDir) {
      this.dir = validateTempDir(facts.tempDir);
      this.log('info', `${this.name}: temp folder ${this.dir}`);
    }
    if (facts.tempFreeKb !== undefined) {
      const asked = this.opts.maxBytesPerHost ?? DEFAULT_MAX_BYTES_PER_HOST;
      const mib = (b: number): string => (b / 1048576).toFixed(b < 10 * 1048576 ? 1 : 0);
      this.log('info', `${this.name}: ${mib(facts.tempFreeKb * 1024)} MiB free in /tmp`);
      if (hostByteLimit(Infinity, facts.tempFreeKb) < MIN_HOST_BYTES)
        throw new Error(`/tmp on ${this.name} has only ${facts.tempFreeKb} KiB free: not capturing there (tcpdump would fill it)`);
      if (this.maxBytes() < asked)
        this.warnings.push(`${this.name}: /tmp has ${mib(facts.tempFreeKb * 1024)} MiB free: its capture stops at ${mib(this.maxBytes())} MiB (half of it)`);
    }
    (this.host as { rememberUid?: (uid: number) => void }).rememberUid?.(facts.uid);
    if (!facts.tcpdump)
      throw new Error(`tcpdump was not found or is not executable on ${this.name} (looked in PATH, /usr/sbin and /sbin); install the tcpdump package there`);
    validateRemotePath(facts.tcpdump);
    if (!facts.timeout) throw new Error(`${this.name} has no \`timeout\` command (coreutils), needed to bound the capture`);
    if (!this.dir) throw new Error(`cannot make a temp folder on ${this.name} (mktemp -d in /tmp failed)`);
    if (!facts.sshPeer) this.log('info', `${this.name}: no $SSH_CONNECTION (local host?): no own session to exclude`);
    this.tcpdumpVersion = parseTcpdumpVersion(facts.tcpdumpVersionText ?? '');
    if (!this.tcpdumpVersion)
      throw new Error(`tcpdump on ${this.name} does not run: ${(facts.tcpdumpVersionText ?? '').trim().split('\n')[0] || 'no output'}`);
    await this.measureClock();

    // Root for tcpdump (throws a sentence naming what is missing).
    this.sudo = this.host.sudoWrap
      ? await this.host.sudoWrap([facts.tcpdump], facts.tcpdump)
      : { argv: facts.uid === 0 ? [facts.tcpdump] : ['sudo', '-n', '--', facts.tcpdump] };

    const addrs = parseIpAddr(facts.ipAddr);
    // One tcpdump per interface: points that land on the same interface share it.
    for (const planned of this.planned) {
      // A real server known only by name: its own addresses tell which one it is.
      let p = planned;
      if (p.byAddress) {
        const hit = addrs.find((a) => p.byAddress![a.address]);
        if (hit) {
          const v = p.byAddress[hit.address];
          p = { ...p, realServer: v.realServer, filter: v.filter, interfaceFrom: v.interfaceFrom };
          this.realServer = v.realServer;
        } else this.log('warn', `${this.name}: holds none of the real-server addresses (${Object.keys(p.byAddress).join(', ')})`);
      }
      const chosen = p.interface
        ? { interface: validateInterface(p.interface), reason: 'given', address: addrs.find((a) => a.ifname === p.interface)?.address }
        : await chooseInterface(this.host, p.interfaceFrom, addrs, facts.defaultRoute);
      this.log('info', `${this.name}: ${p.purpose} on ${chosen.interface} (${chosen.reason})`);
      const f = fillSelf(p.filter, chosen.address, this.name);
      const entry = this.byIface.get(chosen.interface) ?? { planned: [], filters: [] };
      entry.planned.push(p);
      if (!entry.filters.includes(f)) entry.filters.push(f);
      this.byIface.set(chosen.interface, entry);
    }

  }

  /**
   * Opens the start command of each interface's tcpdump (see START): the safety net is
   * restarted, and each waits for release(). Resolves once every one is armed; throws (after
   * releasing what was armed, empty) when one ended before that.
   */
  async arm(): Promise<void> {
    const facts = this.facts!;
    const host = this.host!;
    const wrap = this.sudo!;
    const sudoArgv = wrap.argv.slice(0, -1);
    const seconds = Math.ceil(this.limitMs() / 1000);
    const reapAfter = this.reapAfterSeconds();
    let first = true;
    for (const [iface, { planned, filters }] of this.byIface) {
      const joined = filters.length === 1 ? filters[0] : filters.map((f) => `(${f})`).join(' or ');
      const filter = validateBpfFilter(excludeOwnSession(joined, facts.sshPeer));
      const base = `${this.dir}/${safeName(iface)}`;
      const localRel = `pcap/${safeName(this.name)}-${safeName(iface)}.pcap`;
      let onArmed!: () => void;
      let onReady!: () => void;
      const armed = new Promise<void>((r) => (onArmed = r));
      const ready = new Promise<void>((r) => (onReady = r));
      const rp: RunningPoint = {
        planned,
        iface,
        filter,
        remoteFile: `${base}.pcap`,
        pidFile: `${base}.pid`,
        errFile: `${base}.err`,
        timesFile: `${base}.times`,
        localRel,
        localFile: path.join(this.opts.outDir, localRel),
        counter: new PcapRecordCounter(),
        offset: 0,
        armed,
        onArmed,
        isArmed: false,
        ready,
        onReady,
        channelLost: false,
        exited: false,
        cut: false,
        complete: false,
      };
      fs.writeFileSync(rp.localFile, Buffer.alloc(0));
      const tcpdump = [
        facts.tcpdump!,
        '-i', iface,
        '-U',
        // Without it libpcap hands packets over in blocks (TPACKET_V3): the last
        // second before a stop could be lost, and live counts would lag.
        ...(facts.immediateMode ? ['--immediate-mode'] : []),
        '-n',
        '-s', String(this.opts.snaplen ?? 65535),
        '-Z', facts.user,
        ...(this.opts.count ? ['-c', String(this.opts.count)] : []),
        '-w', rp.remoteFile,
        filter,
      ];
      const blocks = String(this.fileCapBlocks());
      // The first command restarts the host's safety net (one per folder).
      const reaper = first ? String(reapAfter) : '-';
      first = false;
      const argv = ['sh', '-c', START, 'sh', rp.pidFile, rp.errFile, rp.timesFile, blocks, this.dir!, reaper, facts.timeout!, '-s', 'INT', '-k', '5', String(seconds), ...sudoArgv, ...tcpdump];
      this.points.push(rp);
      this.progress.interfaces.push(iface);
      // stdin: `go` (then sudo's password) once every host is armed, or nothing.
      const stdin = new Promise<string>((resolve) => (rp.release = (go) => resolve(go ? `go\n${wrap.stdin ?? ''}` : '')));
      let said = '';
      const onStdout = (b: Buffer): void => {
        said += b.toString();
        if (/^armed$/m.test(said) && !rp.isArmed) {
          rp.isArmed = true;
          rp.onArmed();
        }
        const pid = /^pid (\d+)$/m.exec(said);
        if (pid) rp.pid ??= pid[1];
        const at = timeAfter('ready', said);
        if (at !== undefined || /^ready/m.test(said)) {
          rp.listeningAt ??= at;
          rp.onReady();
        }
      };
      // Resolves when tcpdump exits; a lost channel does not stop the remote process.
      rp.channel = host.exec(argv, { stdin, onStdout }).then(
        (r) => {
          rp.result = r;
          rp.exited = true;
        },
        (e: Error) => {
          if (e instanceof SshError && e.kind === 'connection-lost') rp.channelLost = true;
          else rp.exited = true;
        },
      );
      void rp.channel.then(() => {
        rp.onArmed();
        rp.onReady();
      });
    }
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([
      Promise.all(this.points.map((p) => p.armed)).then(() => false),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(true), ARM_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
    if (late) {
      this.release(false);
      throw new Error(`${this.name} did not get ready to capture within ${ARM_TIMEOUT_MS / 1000} s (restarting the safety net of ${this.dir})`);
    }
    const failed = this.points.find((p) => !p.isArmed);
    if (failed) {
      this.release(false);
      const r = failed.result;
      if (r?.code === 4)
        throw new Error(`the temp folder ${this.dir} on ${this.name} is gone: the set-up took over ${SETUP_GRACE_S / 60} min and its safety net removed it; start the capture again`);
      if (failed.channelLost) throw new SshError('connection-lost', this.name, `${this.name}: the SSH connection was lost while starting the capture`);
      throw new Error(`could not start the capture on ${this.name} (restarting the safety net that removes ${this.dir}): ${r?.stderr.trim() || `exit ${r?.code}`}`);
    }
    this.reaperDeadline = Date.now() + reapAfter * 1000;
  }

  /** Lets the armed start commands go (tcpdump starts), or end without starting anything. */
  release(go: boolean): void {
    for (const p of this.points) p.release?.(go);
  }

  /** After release(true): waits until each tcpdump listens, then the host is capturing. */
  async waitStarted(): Promise<void> {
    await Promise.all(this.points.map((p) => this.waitListening(p)));
    this.startedAt = Date.now();
    this.setState('capturing');
    this.stateDone = this.dumpState().catch((e: Error) => this.log('warn', `${this.name}: state dump failed: ${e.message}`));
  }

  /** Waits for tcpdump's "listening on" (or its early exit, reported as an error). */
  private async waitListening(p: RunningPoint): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((r) => (timer = setTimeout(() => r(true), 40000)));
    const late = await Promise.race([p.ready.then(() => false), timedOut]);
    clearTimeout(timer);
    if (late) throw new Error(`tcpdump on ${this.name} did not start listening on ${p.iface} within 40 s`);
    if (p.exited || p.channelLost || !p.pid) {
      const r = await this.exec(['cat', '--', p.errFile], 20000).catch(() => ({ stdout: '' }));
      if (p.exited || !p.pid) throw new Error(this.explainFailure(r.stdout, p.iface));
    }
  }

  private explainFailure(stderr: string, iface: string): string {
    const problem = classifySudoFailure({ stdout: '', stderr, code: 1 });
    if (problem) return sudoError(problem, this.name, this.host?.user ?? this.facts?.user ?? '?', 'tcpdump').message;
    const lines = stderr.trim().split('\n').filter((l) => !/^\[output truncated/.test(l));
    const msg = lines.filter((l) => /tcpdump:|error|denied|No such/i.test(l)).join('; ') || lines.join('; ') || 'no message';
    return `tcpdump on ${this.name} (${iface}) failed: ${msg}`;
  }

  /** Host clock minus local clock and its uncertainty: the round trip with the smallest
   *  delay, NTP-style midpoint, half that round trip. */
  private async measureClock(): Promise<void> {
    if (this.host?.clock) {
      try {
        const c = await this.host.clock();
        this.clockOffsetMs = c.offsetMs;
        this.clockUncertaintyMs = c.uncertaintyMs;
        return;
      } catch (e) {
        this.log('warn', `${this.name}: ${(e as Error).message}; timing whole date commands instead`);
      }
    }
    let best: { rtt: number; offset: number } | undefined;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.timeOrigin + performance.now();
      const r = await this.exec(['date', '+%s.%N'], 5000);
      const t1 = performance.timeOrigin + performance.now();
      const remote = parseClockLine(r.stdout);
      if (r.code !== 0 || remote === undefined) return;
      const sample = { rtt: t1 - t0, offset: remote - (t0 + t1) / 2 };
      if (!best || sample.rtt < best.rtt) best = sample;
    }
    if (best) {
      const c = clockReading(best);
      this.clockOffsetMs = c.offsetMs;
      this.clockUncertaintyMs = c.uncertaintyMs;
    }
  }

  private async dumpState(): Promise<void> {
    const folder = path.join(this.opts.outDir, safeName(this.name));
    fs.mkdirSync(folder, { recursive: true });
    const save = (key: string, r: { stdout: string; code: number | null; stderr: string }): void => {
      const file = `${safeName(this.name)}/${key.replace(/[^A-Za-z0-9]+/g, '-')}.txt`;
      fs.writeFileSync(path.join(this.opts.outDir, file), r.stdout + (r.code === 0 ? '' : `\n# exit ${r.code}: ${r.stderr}`));
      this.state[key] = file;
    };
    const keys = STATE_DUMPS.map(([key]) => key);
    try {
      const r = await this.exec(['sh', '-c', DUMP_STATE], 10000);
      const dumps = parseStateDumps(r.stdout, keys);
      for (const key of keys) {
        const d = dumps.get(key);
        if (d) save(key, d);
        else this.log('warn', `${this.name}: ${key}: no output${r.stderr.trim() ? ` (${r.stderr.trim()})` : ''}`);
      }
    } catch (e) {
      this.log('warn', `${this.name}: state dump: ${(e as Error).message}`);
    }
    if (this.role !== 'director' || !this.facts?.ipvsadm) return;
    try {
      const ipvsadm = this.facts.ipvsadm;
      save('ipvsadm -Ln', await this.withHost((h) => h.exec([ipvsadm, '-Ln'], { timeoutMs: 10000, sudo: this.facts?.uid !== 0 })));
    } catch (e) {
      this.log('warn', `${this.name}: ipvsadm -Ln: ${(e as Error).message}`);
    }
  }

  /** Pulls what tcpdump wrote since the last pull, never past the host's size limit (then
   *  the point is `cut`), in chunks, the live count updated after each; returns the bytes pulled. */
  async pull(p: RunningPoint): Promise<number> {
    let total = 0;
    for (;;) {
      const left = this.maxBytes() - this.pulledBytes();
      if (left <= 0) {
        p.cut = true;
        return total;
      }
      const want = Math.min(PULL_CHUNK, left);
      const chunk = await this.withHost(async (h) => {
        if (h.readRange) return h.readRange(p.remoteFile, p.offset, want);
        return Buffer.alloc(0);
      });
      if (chunk.length === 0) return total;
      fs.appendFileSync(p.localFile, chunk);
      p.offset += chunk.length;
      p.counter.push(chunk);
      total += chunk.length;
      this.progress.packets = this.points.reduce((n, x) => n + x.counter.packets, 0);
      this.emit();
      // Short: the end of what tcpdump had written (the rest waits for the next poll).
      if (chunk.length < want) return total;
    }
  }

  /** A file that ends before tcpdump's did: cut after its last whole packet, so that it reads
   *  cleanly and its count is what it holds. */
  trimCut(p: RunningPoint): void {
    if (!p.cut || p.counter.error || p.counter.completeBytes >= p.offset) return;
    try {
      fs.truncateSync(p.localFile, p.counter.completeBytes);
    } catch {
      // left as it is: the analysis reads up to the cut packet
    }
  }

  /** Is tcpdump (well, its `timeout` parent) still running? Asked of the host when the channel was lost. */
  async running(p: RunningPoint): Promise<boolean> {
    if (p.exited) return false;
    if (!p.channelLost) return true;
    if (!p.pid) return false;
    const r = await this.exec(['kill', '-0', p.pid], 15000);
    if (r.code !== 0) p.exited = true;
    return !p.exited;
  }

  /** SIGINT, then TERM, then KILL, each with a short wait: tcpdump flushes on INT. */
  async stop(): Promise<void> {
    for (const p of this.points) {
      if (!p.pid) continue;
      for (const [sig, waitMs] of [['INT', 3000], ['TERM', 2000], ['KILL', 1000]] as const) {
        if (!(await this.running(p).catch(() => false))) break;
        await this.exec(['kill', `-${sig}`, p.pid], 15000).catch(() => undefined);
        const until = Date.now() + waitMs;
        while (Date.now() < until && (await this.running(p).catch(() => false))) await sleep(100);
      }
    }
  }

  /** After tcpdump exited: last pull, statistics, remove the temp folder, check nothing remains. */
  async finish(): Promise<void> {
    this.setState('fetching');
    await this.stateDone;
    for (const p of this.points) {
      await this.pull(p);
      p.complete = !p.cut && p.exited;
    }
    // A file at the host's own cap: the kernel stopped tcpdump there (we had lost contact).
    const hard = this.fileCapBlocks() * 512;
    for (const p of this.points) {
      if (p.offset >= hard - 65536)
        this.warnings.push(`${this.name} ${p.iface}: the host's own file-size limit (${Math.round(hard / 1048576)} MiB) stopped tcpdump; the capture ends there`);
    }
    // tcpdump's statistics and times for every interface, then the folder removed, in one round trip.
    const dir = this.dir;
    const names = this.points.map((p) => path.posix.basename(p.errFile));
    const timesNames = this.points.map((p) => path.posix.basename(p.timesFile));
    const asked = [...names, ...timesNames];
    const done = dir ? await this.exec(['sh', '-c', READ_ERRS_THEN_REMOVE], 15000, `${dir}\n${asked.map((n) => `${n}\n`).join('')}`).catch(() => undefined) : undefined;
    const texts = (done?.stdout ?? '').split(/^=== /m);
    if (done?.code === 0) this.dir = undefined;
    const section = (name: string): string | undefined => {
      const t = texts.find((x) => x.startsWith(`${name}\n`));
      return t === undefined ? undefined : t.slice(name.length + 1);
    };
    this.points.forEach((p, k) => {
      const times = section(timesNames[k]) ?? '';
      p.listeningAt ??= timeAfter('listening', times);
      p.stoppedAt = timeAfter('stopped', times);
      p.stderr = section(names[k]);
      const stats = parseTcpdumpStats(p.stderr ?? '');
      if (stats.captured === undefined && p.stderr !== undefined && !/listening on/.test(p.stderr))
        this.errors.push(this.explainFailure(p.stderr, p.iface));
      if (p.counter.error) this.errors.push(`${this.name} ${p.iface}: the pulled capture is damaged: ${p.counter.error}`);
    });
    // Not removed (something still runs there, or the round trip failed): the full cleanup.
    await this.cleanup();
  }

  /** The sentence for a temp folder left on the host: when its reaper removes it. */
  notRemovedYet(dir: string): string {
    const at = this.reaperDeadline !== undefined ? ` at about ${new Date(this.reaperDeadline).toISOString()}` : '';
    return `temp folder ${dir} could not be removed yet; the host's safety net removes it${at}`;
  }

  async cleanup(): Promise<void> {
    if (!this.dir) return;
    const dir = this.dir;
    try {
      await this.stop();
      let r = await this.exec(['sh', '-c', REMOVE_IF_IDLE], 15000, `${dir}\n`);
      if (r.code === 3) {
        // Something still runs with our folder in its command line: stop the captures by the
        // PIDs written in the folder, as stop() does (no root needed: they are our `timeout`s).
        await this.exec(['sh', '-c', KILL_BY_PIDFILES], 20000, `${dir}\n`).catch(() => undefined);
        r = await this.exec(['sh', '-c', REMOVE_IF_IDLE], 15000, `${dir}\n`);
        if (r.code === 3) {
          const pids = r.stdout.trim().split('\n').slice(1).join(', ');
          this.errors.push(`${this.name}: ${this.notRemovedYet(dir)} (still in use by process ${pids}; stop it by hand to remove it sooner)`);
        }
      }
      if (r.code === 0) this.dir = undefined;
      else if (r.code !== 3) this.errors.push(`${this.name}: ${this.notRemovedYet(dir)} (${r.stderr.trim() || `exit ${r.code}`})`);
    } catch (e) {
      this.errors.push(`${this.name}: cleanup failed: ${this.notRemovedYet(dir)} (${(e as Error).message})`);
    }
  }
}

/** An error saying a host's temp folder (with its pcaps) is still there. */
const LEFT_ON_HOST = /could not be removed yet|may remain on the host/;

/**
 * What a capture left on each of `hosts`, from its manifest's errors, in sentences for the
 * log (e.g. after a cancel): `removed` names the hosts cleaned up, `left` one sentence per
 * host whose temp folder is still there.
 */
export function remoteCleanupSummary(manifest: Pick<CaptureManifest, 'errors'>, hosts: string[]): { removed: string[]; left: string[] } {
  const removed: string[] = [];
  const left: string[] = [];
  for (const h of [...new Set(hosts)]) {
    const e = (manifest.errors ?? []).find((x) => x.host === h && LEFT_ON_HOST.test(x.message));
    if (e) left.push(`${h}: remote files not removed yet: ${e.message}`);
    else removed.push(h);
  }
  return { removed, left };
}

/** Validates everything that will reach a host before any connection is made. */
function checkPlan(plan: CapturePlan): void {
  for (const p of plan.points) {
    if (p.interface !== undefined) validateInterface(p.interface);
    validateBpfFilter(p.filter);
    for (const v of Object.values(p.byAddress ?? {})) validateBpfFilter(v.filter);
  }
}

export async function runCapture(plan: CapturePlan, pool: HostSource, opts: CaptureOptions): Promise<CaptureManifest> {
  checkPlan(plan);
  if (opts.count !== undefined && (!Number.isInteger(opts.count) || opts.count < 1)) throw new Error(`packet count must be a positive integer, got ${opts.count}`);
  if (opts.durationMs !== undefined && !(opts.durationMs > 0)) throw new Error(`duration must be positive, got ${opts.durationMs} ms`);
  if (opts.maxBytesPerHost !== undefined && !(Number.isFinite(opts.maxBytesPerHost) && opts.maxBytesPerHost >= 1024))
    throw new Error(`the size limit per host must be at least 1 KiB, got ${opts.maxBytesPerHost} bytes`);
  const log = opts.log ?? (() => {});
  fs.mkdirSync(path.join(opts.outDir, 'pcap'), { recursive: true });
  const startedAt = new Date();

  const byHost = new Map<string, PlannedPoint[]>();
  for (const p of plan.points) byHost.set(p.host, [...(byHost.get(p.host) ?? []), p]);
  const runs: HostRun[] = [];
  const emit = (): void => {
    if (!opts.onProgress) return;
    const snapshot: Record<string, HostProgress> = {};
    for (const r of runs) {
      snapshot[r.name] = { ...r.progress, interfaces: [...r.progress.interfaces] };
      if (r.dir !== undefined && r.reaperDeadline !== undefined) snapshot[r.name].cleanupBy = r.reaperDeadline;
    }
    opts.onProgress(snapshot);
  };
  for (const [name, points] of byHost) runs.push(new HostRun(name, points, pool, opts, log, emit));
  emit();
  const limit = limiter(opts.maxParallel ?? DEFAULT_MAX_CONNECTING);
  const cancelled = (): boolean => opts.signal?.aborted === true;
  const stopped = (): boolean => cancelled() || opts.stopSignal?.aborted === true;

  // 1. Prepare every host at once; a host that fails is recorded and the others go on.
  // Then start all tcpdumps together, so the capture windows line up: each host's start
  // command is opened and waits (armed), and once every host is armed all are let go at once.
  const fail = async (r: HostRun, e: unknown): Promise<void> => {
    r.release(false);
    r.setState('failed', (e as Error).message);
    await r.cleanup();
  };
  const notStarted = (r: HostRun): Promise<void> => fail(r, new Error('cancelled before the capture started'));
  await Promise.all(runs.map((r) => limit(() => r.prepare().catch((e) => fail(r, e)))));
  const armed: HostRun[] = [];
  await Promise.all(
    runs
      .filter((r) => r.progress.state === 'starting')
      .map((r) =>
        limit(async () => {
          if (cancelled()) return notStarted(r);
          await r.arm().then(
            () => void armed.push(r),
            (e) => fail(r, e),
          );
        }),
      ),
  );
  if (cancelled()) await Promise.all(armed.map((r) => limit(() => notStarted(r))));
  else {
    for (const r of armed) r.release(true);
    await Promise.all(armed.map((r) => r.waitStarted().catch((e) => limit(() => fail(r, e)))));
  }

  // 2. Capture, per host: pull and count while tcpdumps run; stop on duration/count (the host's
  // own `timeout` or -c), on stop/cancel, or at our own deadline as a backstop.
  const active = runs.filter((r) => r.progress.state === 'capturing');
  const limitMs = opts.durationMs ?? (opts.count ? opts.maxDurationMs ?? 600000 : 10000);
  const deadline = Date.now() + limitMs + 10000;
  const pollMs = opts.pollMs ?? 500;
  const stopRequested = new Promise<void>((res) => {
    if (stopped()) res();
    opts.signal?.addEventListener('abort', () => res(), { once: true });
    opts.stopSignal?.addEventListener('abort', () => res(), { once: true });
  });
  await Promise.all(
    active.map(async (r) => {
      try {
        for (;;) {
          const running = (await Promise.all(r.points.map((p) => r.running(p)))).some(Boolean);
          if (!running) break;
          if (stopped() || Date.now() > deadline) {
            r.setState('stopping');
            await r.stop();
            break;
          }
          for (const p of r.points) await r.pull(p);
          emit();
          if (r.overSizeLimit()) {
            r.setState('stopping');
            await r.stop();
            break;
          }
          await Promise.race([
            sleep(pollMs),
            ...r.points.map((p) => p.channel),
            stopRequested,
          ]);
        }
      } catch (e) {
        if (!(e instanceof SshError)) {
          // Not the connection: the pcap could not be written here (a full disk, a file
          // taken away). The host is still reachable: stop its tcpdump now and clean up,
          // rather than leave it writing until the duration limit.
          for (const p of r.points) p.cut = true;
          r.localError = `${r.name}: the capture could not be saved on this machine (${(e as Error).message}); it was stopped on the host after ${r.progress.packets} packets`;
          r.errors.push(r.localError);
          r.setState('stopping');
          await r.stop().catch(() => undefined);
        } else {
          r.gone = true;
          for (const p of r.points) p.cut = true;
          r.errors.push(
            `${r.name}: connection lost during the capture and not re-established (${(e as Error).message}); ` +
              `${r.progress.packets} packets were saved before the loss. The remote tcpdump stops by itself at the duration limit; ` +
              `its temp folder ${r.dir} may remain on the host until its safety net removes it${r.reaperDeadline !== undefined ? ` at about ${new Date(r.reaperDeadline).toISOString()}` : ''}`,
          );
        }
      }
      // 3. As soon as this host's tcpdump has stopped: fetch the rest, remove remote files
      // and processes (not waiting for the slowest host to stop first).
      await limit(async () => {
        if (r.gone) return r.setState('failed');
        if (r.localError) {
          // Nothing more can be saved: only the host's statistics and its temp folder matter.
          r.setState('failed');
          return r.cleanup();
        }
        try {
          await r.finish();
          r.setState(r.errors.length ? 'failed' : 'done');
        } catch (e) {
          for (const p of r.points) p.cut ||= !p.complete;
          r.setState('failed', `${r.name}: fetching the capture failed: ${(e as Error).message}`);
          await r.cleanup();
        }
      });
    }),
  );

  // 4. The capture folder.
  const points: CapturePoint[] = [];
  const errors: Array<{ host: string; message: string }> = [];
  const state: Record<string, Record<string, string>> = {};
  for (const r of runs) {
    // The host is named beside each message: not again at its start.
    for (const m of [...new Set(r.errors.map((x) => (x.startsWith(`${r.name}: `) ? x.slice(r.name.length + 2) : x)))]) errors.push({ host: r.name, message: m });
    if (Object.keys(r.state).length) state[r.name] = r.state;
    for (const p of r.points) r.trimCut(p);
    r.noteSizeLimit();
    for (const p of r.points) {
      // No point for a file with not even a pcap header, or one that is no longer a file.
      const st = fs.existsSync(p.localFile) ? fs.statSync(p.localFile) : undefined;
      if (!st?.isFile() || st.size < 24) {
        if (st?.isFile()) fs.rmSync(p.localFile, { force: true });
        continue;
      }
      const stats = parseTcpdumpStats(p.stderr ?? '');
      const pt: CapturePoint = {
        host: r.name,
        role: r.role,
        interface: p.iface,
        file: p.localRel,
        filter: p.filter,
        // A file cut short holds fewer than tcpdump counted: what it holds.
        packetsCaptured: p.cut ? p.counter.packets : (stats.captured ?? p.counter.packets),
      };
      if (r.realServer) pt.realServer = r.realServer;
      if (r.clockOffsetMs !== undefined) pt.clockOffsetMs = r.clockOffsetMs;
      if (r.clockUncertaintyMs !== undefined) pt.clockUncertaintyMs = r.clockUncertaintyMs;
      // The window this file covers (host clock): from "listening on" to tcpdump's end, or
      // to the last packet kept when the file ends early.
      if (p.listeningAt !== undefined) pt.captureStart = p.listeningAt;
      const end = p.complete && p.stoppedAt !== undefined ? p.stoppedAt : p.cut || p.complete ? p.counter.lastTs : undefined;
      if (end !== undefined) pt.captureEnd = p.listeningAt !== undefined ? Math.max(end, p.listeningAt) : end;
      if (r.tcpdumpVersion) pt.tcpdumpVersion = r.tcpdumpVersion;
      if (stats.dropped !== undefined) pt.packetsDropped = stats.dropped;
      points.push(pt);
    }
  }
  const manifest: CaptureManifest = {
    format: 1,
    startedAt: startedAt.toISOString(),
    stoppedAt: new Date().toISOString(),
    target: plan.target,
    services: plan.services,
    points,
  };
  const configFile = opts.configFile ?? plan.config;
  if (configFile && fs.existsSync(configFile)) Object.assign(manifest, copyConfig(configFile, opts.outDir, opts.configRoot));
  if (Object.keys(state).length) manifest.state = state;
  if (errors.length) manifest.errors = errors;
  const warnings = [...plan.warnings, ...runs.flatMap((r) => r.warnings)];
  if (warnings.length) manifest.warnings = warnings;
  if (cancelled()) {
    const why = typeof opts.signal?.reason === 'string' ? opts.signal.reason : 'by the user';
    manifest.note = `cancelled ${why}: the capture holds what was pulled until then`;
  }
  fs.writeFileSync(path.join(opts.outDir, 'capture.json'), JSON.stringify(manifest, null, 2) + '\n');
  emit();
  return manifest;
}
