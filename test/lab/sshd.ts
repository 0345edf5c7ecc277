// One sshd per lab host (Debian's openssh-server), with host keys, a client key,
// known_hosts, an ssh_config and a hosts file for `lvs-trace capture --hosts`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as net from 'node:net';
import { run, nsRun, waitFor } from './shell';
import { lanAddressOf, sshAddressOf, type HostPlan, type TopologyPlan } from './topology';

export const SSHD = '/usr/sbin/sshd';

export interface SshFiles {
  clientKeyPath: string;
  knownHostsPath: string;
  sshConfigPath: string;
  hostsJsonPath: string;
  authorizedKeysPath: string;
}

export function sshFiles(stateDir: string): SshFiles {
  return {
    clientKeyPath: path.join(stateDir, 'id_ed25519'),
    knownHostsPath: path.join(stateDir, 'known_hosts'),
    sshConfigPath: path.join(stateDir, 'ssh_config'),
    hostsJsonPath: path.join(stateDir, 'hosts.json'),
    authorizedKeysPath: path.join(stateDir, 'authorized_keys'),
  };
}

export function hostDir(stateDir: string, host: string): string {
  return path.join(stateDir, 'hosts', host);
}

async function keygen(file: string, comment: string): Promise<void> {
  await run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
}

/** Client key pair, per-host host keys, authorized_keys (the client key for every lab user). */
export async function makeKeys(plan: TopologyPlan, stateDir: string): Promise<void> {
  const f = sshFiles(stateDir);
  await keygen(f.clientKeyPath, `lvslab${plan.instance}-client`);
  await Promise.all(
    plan.hosts.map(async (h) => {
      const dir = hostDir(stateDir, h.name);
      fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
      await keygen(path.join(dir, 'ssh_host_ed25519_key'), `lvslab${plan.instance}-${h.name}`);
    }),
  );
  fs.writeFileSync(f.authorizedKeysPath, fs.readFileSync(f.clientKeyPath + '.pub'), { mode: 0o644 });
}

export function sshdConfig(stateDir: string, h: HostPlan): string {
  const dir = hostDir(stateDir, h.name);
  return [
    `# sshd of lab host ${h.name} (written by test/lab/sshd.ts)`,
    `ListenAddress ${sshAddressOf(h)}:22`,
    `HostKey ${dir}/ssh_host_ed25519_key`,
    `PidFile ${dir}/sshd.pid`,
    // the lab's keys live under /tmp (world-writable): StrictModes would refuse them
    'StrictModes no',
    `AuthorizedKeysFile ${sshFiles(stateDir).authorizedKeysPath}`,
    'UsePAM no',
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication yes',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    'AllowTcpForwarding yes',
    'UseDNS no',
    'PrintMotd no',
    'PrintLastLog no',
    'MaxStartups 100:30:200',
    'MaxSessions 64',
    'ClientAliveInterval 15',
    'LogLevel VERBOSE',
    'Subsystem sftp internal-sftp',
    '',
  ].join('\n');
}

/** Path of the tcpdump binary as a login shell would find it. */
async function tcpdumpPaths(): Promise<string[]> {
  const found = await run(['sh', '-c', 'command -v tcpdump'], { check: false });
  const paths = new Set<string>();
  if (found.stdout.trim()) paths.add(fs.realpathSync(found.stdout.trim()));
  for (const p of ['/usr/bin/tcpdump', '/usr/sbin/tcpdump']) if (fs.existsSync(p)) paths.add(fs.realpathSync(p));
  return [...paths];
}

/**
 * Starts the host's sshd (it daemonizes and writes its PidFile). For a `no-tcpdump:<host>`
 * break it runs in a private mount namespace where an empty, non-executable file is
 * bind-mounted over tcpdump: sessions through that sshd see "tcpdump: command not found".
 */
export async function startSshd(plan: TopologyPlan, stateDir: string, h: HostPlan): Promise<void> {
  const dir = hostDir(stateDir, h.name);
  const config = path.join(dir, 'sshd_config');
  fs.writeFileSync(config, sshdConfig(stateDir, h));
  const sshd = [SSHD, '-f', config, '-E', path.join(dir, 'sshd.log')];
  await run([SSHD, '-t', '-f', config]);
  if (plan.noTcpdumpHosts.includes(h.name)) {
    const blank = path.join(dir, 'no-tcpdump');
    fs.writeFileSync(blank, '', { mode: 0o644 });
    const targets = await tcpdumpPaths();
    // every path goes in as a positional parameter, never inside the script text
    const script =
      'cfg=$1; log=$2; blank=$3; shift 3; ' +
      'for t in "$@"; do mount --bind "$blank" "$t" || exit 1; done; ' +
      `exec ${SSHD} -f "$cfg" -E "$log"`;
    await nsRun(h.netns, ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', config, path.join(dir, 'sshd.log'), blank, ...targets]);
  } else {
    await nsRun(h.netns, sshd);
  }
}

function tcpOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port, timeout: 500 });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(false));
  });
}

/** Waits until the host's sshd accepts connections (from the root namespace, or inside its own). */
export async function waitSshd(h: HostPlan, timeoutMs = 10_000): Promise<void> {
  const addr = sshAddressOf(h);
  const ok = await waitFor(async () => {
    if (h.mgmtAddress) return tcpOpen(addr, 22);
    const r = await nsRun(h.netns, ['ss', '-Hltn', `sport = :22`], { check: false });
    return r.stdout.includes(`${addr}:22`);
  }, timeoutMs);
  if (!ok) throw new Error(`sshd of ${h.name} not listening on ${addr}:22 after ${timeoutMs} ms`);
}

/** known_hosts (plain entries; port 22 needs no brackets), ssh_config and hosts.json. */
export function writeClientFiles(plan: TopologyPlan, stateDir: string): void {
  const f = sshFiles(stateDir);
  const known = plan.hosts.map((h) => {
    const pub = fs.readFileSync(path.join(hostDir(stateDir, h.name), 'ssh_host_ed25519_key.pub'), 'utf8').trim().split(/\s+/);
    return `${sshAddressOf(h)} ${pub[0]} ${pub[1]}`;
  });
  fs.writeFileSync(f.knownHostsPath, known.join('\n') + '\n', { mode: 0o644 });

  const cfg: string[] = [`# LVS lab instance ${plan.instance}: ssh -F ${f.sshConfigPath} <host>`];
  for (const h of plan.hosts) {
    cfg.push(`Host ${h.name}`, `  HostName ${sshAddressOf(h)}`, '  Port 22', '  User root');
    if (!h.mgmtAddress) cfg.push('  ProxyJump director');
    cfg.push('');
  }
  cfg.push(
    'Host *',
    `  IdentityFile ${f.clientKeyPath}`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${f.knownHostsPath}`,
    '  GlobalKnownHostsFile /dev/null',
    '  StrictHostKeyChecking yes',
    '  ConnectTimeout 5',
    '',
  );
  fs.writeFileSync(f.sshConfigPath, cfg.join('\n'), { mode: 0o644 });

  const hosts: Record<string, Record<string, unknown>> = {};
  for (const h of plan.hosts) {
    hosts[h.name] = {
      host: sshAddressOf(h),
      port: 22,
      user: 'root',
      identityFile: f.clientKeyPath,
      ...(h.mgmtAddress ? {} : { proxyJump: 'director' }),
      role: h.role,
      ...(h.role === 'real-server' ? { realServer: h.name } : {}),
      // Its address in the service, never the SSH address (the management network): for a real
      // server the RIP of keepalived.conf's real_server lines, what probe and capture match and
      // attribute by (and the address a real-server capture listens for); for the director its
      // own address on the LAN, where it holds the VIP.
      ...(h.role === 'real-server' || h.role === 'director' ? { address: lanAddressOf(h) } : {}),
    };
  }
  fs.writeFileSync(f.hostsJsonPath, JSON.stringify({ hosts, knownHosts: f.knownHostsPath }, null, 2) + '\n');
}
