// Facts about a capture host, read from the host itself: who we are there, where
// tcpdump is, our SSH peer address (to exclude our own session), and which
// interface faces a given address (`ip -o addr`, `ip route get`) — found, not guessed.

import type { RemoteHost } from '../ssh/remote';
import { validateAddress, validateInterface } from '../ssh/quote';
import { SELF, type InterfaceHint } from './plan';

export interface HostFacts {
  uid: number;
  user: string;
  /** Absolute path of tcpdump, when found (also in /usr/sbin and /sbin, which user PATHs lack). */
  tcpdump?: string;
  timeout?: string;
  ipvsadm?: string;
  /** Our address and the SSH server port as the host sees the session ($SSH_CONNECTION). */
  sshPeer?: { address: string; serverPort: number };
  /** tcpdump knows --immediate-mode (4.7+). */
  immediateMode?: boolean;
  /** `tcpdump --version` output (stdout and stderr). */
  tcpdumpVersionText?: string;
  /** `ip -o addr show`. */
  ipAddr: string;
  /** `ip route show default`. */
  defaultRoute: string;
  /** The temp folder made for this capture (mktemp -d), when asked for. */
  tempDir?: string;
  /** Space free for an unprivileged user in the temp folder's filesystem, KiB (`df -Pk`);
   *  /tmp is often a tmpfs, where that is memory. */
  tempFreeKb?: number;
}

// Constant script: it carries no value from the user or the network. One round
// trip instead of six matters when the hosts are far away or busy.
const PROBE = [
  'echo "conn=$SSH_CONNECTION"; echo "uid=$(id -u)"; echo "user=$(id -un)"',
  'PATH="$PATH:/usr/sbin:/sbin:/usr/local/sbin"',
  't=$(command -v tcpdump); echo "tcpdump=$t"; echo "timeout=$(command -v timeout)"; echo "ipvsadm=$(command -v ipvsadm)"',
  '[ -n "$t" ] && "$t" -h 2>&1 | grep -q immediate-mode && echo "immediate=1"',
  'echo "--- version"; [ -n "$t" ] && "$t" --version 2>&1',
  'echo "--- addr"; ip -o addr show 2>&1',
  'echo "--- route"; ip route show default 2>&1',
  // Only when tcpdump is there: the private temp folder and its safety net (see run.ts).
  'if [ -n "$t" ] && read -r s; then d=$(mktemp -d /tmp/lvs-capture.XXXXXX); if [ -n "$d" ]; then echo "--- dir"; echo "$d"; ' +
    // its filesystem's free space (KiB, POSIX df: the fourth field of the second line)
    'df -Pk "$d" 2>/dev/null | awk \'NR == 2 { print $4 }\'; ' +
    // a detached process group that removes the folder if we never come back (run.ts kills it when cleaning up)
    'setsid sh -c \'sleep "$1"; rm -rf -- "$2"\' lvs-capture-reaper "$s" "$d" </dev/null >/dev/null 2>&1 & echo $! >"$d/reaper.pid"; fi; fi',
  'echo "--- end"',
].join('; ');

export function parseProbe(out: string): HostFacts {
  const kv = new Map<string, string>();
  const sections = new Map<string, string[]>();
  let section: string[] | undefined;
  for (const line of out.split('\n')) {
    const head = /^--- (\w+)$/.exec(line);
    if (head) {
      section = [];
      sections.set(head[1], section);
      continue;
    }
    if (section) {
      section.push(line);
      continue;
    }
    const i = line.indexOf('=');
    if (i > 0) kv.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  const abs = (v?: string): string | undefined => (v && v.startsWith('/') ? v : undefined);
  const facts: HostFacts = {
    uid: Number(kv.get('uid') ?? NaN),
    user: kv.get('user') ?? '',
    ipAddr: (sections.get('addr') ?? []).join('\n'),
    defaultRoute: (sections.get('route') ?? []).join('\n'),
  };
  const [dir, free] = (sections.get('dir') ?? []).map((l) => l.trim());
  if (dir) facts.tempDir = dir;
  if (free && /^\d+$/.test(free)) facts.tempFreeKb = Number(free);
  const ver = sections.get('version');
  if (ver && ver.some((l) => l.trim())) facts.tcpdumpVersionText = ver.join('\n');
  facts.tcpdump = abs(kv.get('tcpdump'));
  if (kv.get('immediate') === '1') facts.immediateMode = true;
  facts.timeout = abs(kv.get('timeout'));
  facts.ipvsadm = abs(kv.get('ipvsadm'));
  const conn = (kv.get('conn') ?? '').split(/\s+/);
  if (conn.length === 4) {
    try {
      facts.sshPeer = { address: validateAddress(conn[0]), serverPort: Number(conn[3]) };
    } catch {
      /* not an address we can put in a filter: no exclusion possible, logged by the caller */
    }
  }
  return facts;
}

/**
 * One round trip: who we are, tcpdump, addresses, default route; with `tempDirSeconds`
 * also a private temp folder that removes itself after that many seconds.
 */
export async function probeHost(host: RemoteHost, tempDirSeconds?: number): Promise<HostFacts> {
  const stdin = tempDirSeconds === undefined ? '' : `${Math.ceil(tempDirSeconds)}\n`;
  const r = await host.exec(['sh', '-c', PROBE], { timeoutMs: 30000, stdin });
  if (r.code !== 0) throw new Error(`${host.name}: probing the host failed: ${r.stderr.trim() || `exit ${r.code}`}`);
  return parseProbe(r.stdout);
}

export interface IfAddr {
  ifname: string;
  family: 'inet' | 'inet6';
  address: string;
}

/** `ip -o addr show` lines: `2: eth0    inet 192.0.2.2/24 brd … scope global eth0\ …`. */
export function parseIpAddr(out: string): IfAddr[] {
  const list: IfAddr[] = [];
  for (const line of out.split('\n')) {
    const m = /^\d+:\s+(\S+?)(?:@\S+)?\s+(inet6?)\s+([0-9A-Fa-f:.]+)\//.exec(line);
    if (m) list.push({ ifname: m[1], family: m[2] as IfAddr['family'], address: m[3] });
  }
  return list;
}

/** `ip route get X` / `ip route show default`: the `dev` and `src` of the first route line. */
export function parseRoute(out: string): { dev?: string; src?: string; local: boolean } {
  const line = out.split('\n').find((l) => l.trim()) ?? '';
  return {
    dev: /\bdev\s+(\S+)/.exec(line)?.[1],
    src: /\bsrc\s+(\S+)/.exec(line)?.[1],
    local: /^local\s/.test(line.trim()),
  };
}

export interface ChosenInterface {
  interface: string;
  /** How it was chosen, for the log. */
  reason: string;
  /** The interface's first IPv4 (else IPv6) address, for `{self}`. */
  address?: string;
}

export async function chooseInterface(host: RemoteHost, hints: InterfaceHint[], addrs: IfAddr[], defaultRoute?: string): Promise<ChosenInterface> {
  const own = (ifname: string): string | undefined =>
    (addrs.find((a) => a.ifname === ifname && a.family === 'inet') ?? addrs.find((a) => a.ifname === ifname))?.address;
  for (const h of hints) {
    if ('holds' in h) {
      // The VIP on `lo` (DR real servers) is not where packets arrive: skip lo.
      const a = addrs.find((x) => x.address === h.holds && x.ifname !== 'lo');
      if (a) return { interface: validateInterface(a.ifname), reason: `holds ${h.holds}`, address: own(a.ifname) };
    } else if ('routeTo' in h) {
      const r = await host.exec(['ip', 'route', 'get', validateAddress(h.routeTo)], { timeoutMs: 20000 });
      const route = parseRoute(r.stdout);
      if (r.code === 0 && route.dev && route.dev !== 'lo' && !route.local)
        return { interface: validateInterface(route.dev), reason: `route to ${h.routeTo}`, address: own(route.dev) };
    } else {
      const r = defaultRoute !== undefined ? { code: 0, stdout: defaultRoute } : await host.exec(['ip', 'route', 'show', 'default'], { timeoutMs: 20000 });
      const route = parseRoute(r.stdout);
      if (r.code === 0 && route.dev) return { interface: validateInterface(route.dev), reason: 'default route', address: own(route.dev) };
    }
  }
  return { interface: 'any', reason: 'no interface found for the hints; -i any loses Ethernet headers' };
}

/** Puts the chosen interface's address into a planned filter. */
export function fillSelf(filter: string, address: string | undefined, host: string): string {
  if (!filter.includes(SELF)) return filter;
  if (!address) throw new Error(`${host}: cannot tell the host's own address for the filter (no IPv4 address on the capture interface)`);
  return filter.split(SELF).join(validateAddress(address));
}

/** Appends the clause that keeps our own SSH session out of the capture. */
export function excludeOwnSession(filter: string, peer: HostFacts['sshPeer']): string {
  if (!peer) return filter;
  return `(${filter}) and not (host ${validateAddress(peer.address)} and tcp port ${peer.serverPort})`;
}
