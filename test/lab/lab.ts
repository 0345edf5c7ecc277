// The LVS lab: network namespaces that reproduce what LVS puts on the wire (this
// kernel has no IPVS), each host with its own sshd. See ../../README or
// `npm run lab -- --help`; tests and other tools code against this API.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run, nsRun, type RunResult } from './shell';
import {
  planTopology, stateDirFor, lanAddressOf, MAX_INSTANCE,
  type LabBreak, type LabMode, type LabOptions, type LabRole, type TopologyPlan,
} from './topology';
import { createNamespaces, createLinks, removeNetwork, listLabNamespaces } from './network';
import { installForwarding, TUN_DEVICE } from './forwarding';
import { makeKeys, startSshd, waitSshd, writeClientFiles, sshFiles, SSHD } from './sshd';
import { ensureUsers, removeUsersIfLast, PASSWORD_FILE, type LabUser } from './users';
import { startService, startIpipAgent, clientTraffic, type ClientResult, type TrafficOptions } from './services';
import { keepalivedConf } from './keepalived';

export type { LabMode, LabBreak, LabOptions, LabRole, ClientResult, LabUser, TrafficOptions };

export interface LabInterface {
  name: string;
  address: string;
  mac: string;
}

export interface LabHost {
  name: string;
  role: LabRole;
  netns: string;
  /** Address in the root namespace's management network; absent behind the director. */
  mgmtAddress?: string;
  /** Address sshd listens on (mgmtAddress, or lanAddress for hosts behind the director). */
  sshAddress: string;
  lanAddress: string;
  lanInterface: string;
  mac: string;
  /** Every interface with its address (NAT directors have two). */
  interfaces: LabInterface[];
}

export interface LabDescription {
  instance: number;
  mode: LabMode;
  breaks: LabBreak[];
  /** Which host each host-specific break was applied to (e.g. `{ 'dead-rs': 'rs2' }`). */
  brokenHost: Partial<Record<string, string>>;
  vip: string;
  tcpPort: number;
  udpPort: number;
  /** TCP port on the real servers (NAT maps 80 -> 8080); UDP keeps udpPort. */
  rsPort: number;
  hosts: LabHost[];
  stateDir: string;
  clientKeyPath: string;
  knownHostsPath: string;
  sshConfigPath: string;
  users: LabUser[];
  keepalivedConfPath: string;
  hostsJsonPath: string;
  /** What stands in for IPVS on the director: its nftables ruleset (DR, NAT) or TUN routing commands. */
  directorRulesetPath: string;
}

export interface Lab extends LabDescription {
  exec(host: string, argv: string[], opts?: { input?: string; timeoutMs?: number }): Promise<RunResult>;
  /** Requests from the client namespace to the VIP, bounded by count x timeout. */
  clientTraffic(opts: TrafficOptions): Promise<ClientResult[]>;
  /**
   * Makes a host's sshd silent (nftables drops port 22 both ways in its namespace):
   * new connections time out and open ones hang, like a host that stopped answering.
   */
  blockSsh(host: string): Promise<void>;
  unblockSsh(host: string): Promise<void>;
  down(): Promise<void>;
}

const LAB_JSON = 'lab.json';

/** Fails with one message listing what the lab needs and this machine lacks. */
export async function checkPrerequisites(mode: LabMode = 'dr'): Promise<void> {
  const missing: string[] = [];
  if (process.platform !== 'linux') missing.push('Linux');
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) missing.push('root (run as root)');
  const packageOf: Record<string, string> = { ip: 'iproute2', ss: 'iproute2', nft: 'nftables', 'ssh-keygen': 'openssh-client', unshare: 'util-linux', useradd: 'passwd', chpasswd: 'passwd', visudo: 'sudo' };
  for (const cmd of Object.keys(packageOf)) {
    const r = await run(['sh', '-c', 'command -v "$1"', 'sh', cmd], { check: false });
    if (r.code !== 0) missing.push(`${cmd} (apt-get install ${packageOf[cmd]})`);
  }
  if (!fs.existsSync(SSHD)) missing.push(`${SSHD} (apt-get install openssh-server)`);
  if (mode === 'tun') {
    if ((await run(['sh', '-c', 'command -v python3'], { check: false })).code !== 0) missing.push('python3 (TUN mode)');
    if (!fs.existsSync('/dev/net/tun')) missing.push('/dev/net/tun (TUN mode)');
  }
  if (missing.length) throw new Error(`the LVS lab cannot start: missing ${missing.join(', ')}`);
}

/** Claims an instance: its state dir is created atomically; the first free one when not given. */
async function claimInstance(requested?: number): Promise<number> {
  if (requested !== undefined) {
    if (!Number.isInteger(requested) || requested < 0 || requested > MAX_INSTANCE)
      throw new Error(`lab instance must be an integer 0..${MAX_INSTANCE}, got ${requested}`);
    await labDown(requested); // leftovers of the same instance
    fs.mkdirSync(stateDirFor(requested), { mode: 0o755 });
    return requested;
  }
  for (let k = 0; k <= MAX_INSTANCE; k++) {
    if ((await listLabNamespaces(k)).length) continue;
    if (await isStale(k)) await labDown(k);
    try {
      fs.mkdirSync(stateDirFor(k), { mode: 0o755 });
      return k;
    } catch {
      // taken by another lab (or a leftover: `npm run lab -- down --instance k`)
    }
  }
  throw new Error(`no free lab instance (0..${MAX_INSTANCE} all in use); remove leftovers with: npm run lab -- down --all`);
}

function describe(plan: TopologyPlan, stateDir: string, users: LabUser[]): LabDescription {
  const f = sshFiles(stateDir);
  return {
    instance: plan.instance,
    mode: plan.mode,
    breaks: plan.breaks,
    brokenHost: { ...plan.brokenHost, ...Object.fromEntries(plan.noTcpdumpHosts.map((h) => [`no-tcpdump:${h}`, h])) },
    vip: plan.vip,
    tcpPort: plan.tcpPort,
    udpPort: plan.udpPort,
    rsPort: plan.rsPort,
    hosts: plan.hosts.map((h) => {
      const lan = h.nics.find((n) => n.ifname === h.lanInterface)!;
      return {
        name: h.name,
        role: h.role,
        netns: h.netns,
        ...(h.mgmtAddress ? { mgmtAddress: h.mgmtAddress } : {}),
        sshAddress: h.mgmtAddress ?? lanAddressOf(h),
        lanAddress: lanAddressOf(h),
        lanInterface: h.lanInterface,
        mac: lan.mac,
        interfaces: h.nics.map((n) => ({ name: n.ifname, address: n.cidr.split('/')[0], mac: n.mac })),
      };
    }),
    stateDir,
    clientKeyPath: f.clientKeyPath,
    knownHostsPath: f.knownHostsPath,
    sshConfigPath: f.sshConfigPath,
    users,
    keepalivedConfPath: path.join(stateDir, 'keepalived.conf'),
    hostsJsonPath: f.hostsJsonPath,
    directorRulesetPath: path.join(stateDir, plan.mode === 'tun' ? 'director-tun.txt' : 'director.nft'),
  };
}

const blockSshRuleset = [
  'table inet lvslab_block {',
  '  chain input { type filter hook input priority -10; policy accept; tcp dport 22 drop; }',
  '  chain output { type filter hook output priority -10; policy accept; tcp sport 22 drop; }',
  '}',
  '',
].join('\n');

function attach(desc: LabDescription): Lab {
  const byName = new Map(desc.hosts.map((h) => [h.name, h]));
  const client = desc.hosts.find((h) => h.role === 'client')!;
  const target = { clientNetns: client.netns, vip: desc.vip, tcpPort: desc.tcpPort, udpPort: desc.udpPort };
  return {
    ...desc,
    exec(host, argv, opts = {}) {
      const h = byName.get(host);
      if (!h) return Promise.reject(new Error(`no lab host named "${host}" (hosts: ${[...byName.keys()].join(', ')})`));
      if (!Array.isArray(argv) || argv.length === 0) return Promise.reject(new Error('exec needs a non-empty argv'));
      return nsRun(h.netns, argv, { input: opts.input, timeoutMs: opts.timeoutMs ?? 15_000, check: false });
    },
    clientTraffic: (opts) => clientTraffic(target, opts),
    async blockSsh(host) {
      const h = byName.get(host);
      if (!h) throw new Error(`no lab host named "${host}"`);
      await nsRun(h.netns, ['nft', '-f', '-'], { input: blockSshRuleset });
    },
    async unblockSsh(host) {
      const h = byName.get(host);
      if (!h) throw new Error(`no lab host named "${host}"`);
      // absent table (never blocked) is fine
      await nsRun(h.netns, ['nft', 'delete', 'table', 'inet', 'lvslab_block'], { check: false });
    },
    down: () => labDown(desc.instance),
  };
}

/** Brings a lab up. On failure everything made so far is removed and the error names the step. */
export async function labUp(opts: LabOptions = {}): Promise<Lab> {
  await checkPrerequisites(opts.mode);
  // validate options before touching anything
  planTopology({ ...opts, instance: opts.instance ?? 0 });
  const instance = await claimInstance(opts.instance);
  const stateDir = stateDirFor(instance);
  const plan = planTopology({ ...opts, instance });
  let step = '';
  const at = async <T>(name: string, fn: () => Promise<T> | T): Promise<T> => {
    step = name;
    const result = await fn();
    if (opts.failAfterStep === name) throw new Error('failure injected by failAfterStep');
    return result;
  };
  try {
    await at('namespaces', () => createNamespaces(plan));
    await at('links and addresses', () => createLinks(plan));
    const ruleset = await at('director forwarding (nftables)', () => installForwarding(plan));
    fs.writeFileSync(path.join(stateDir, plan.mode === 'tun' ? 'director-tun.txt' : 'director.nft'), ruleset);
    await at('ssh keys', () => makeKeys(plan, stateDir));
    const users = await at('users', () => ensureUsers());
    fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // sshd's privilege separation directory
    await at('sshd', () => Promise.all(plan.hosts.map((h) => startSshd(plan, stateDir, h))));
    const serving = plan.hosts.filter((h) => h.role === 'real-server' && plan.brokenHost['dead-rs'] !== h.name);
    await at('real server services', () => Promise.all(serving.map((h) => startService(plan, stateDir, h))));
    if (plan.mode === 'tun') {
      const director = plan.hosts.find((h) => h.role === 'director')!;
      const rs = plan.hosts.filter((h) => h.role === 'real-server');
      await at('IP-in-IP agents', () =>
        Promise.all([
          startIpipAgent(stateDir, director, ['encap', TUN_DEVICE, ...rs.map(lanAddressOf)], TUN_DEVICE),
          ...rs.map((h) => startIpipAgent(stateDir, h, ['decap', 'tunl0'], 'tunl0')),
        ]),
      );
    }
    await at('waiting for sshd', () => Promise.all(plan.hosts.map((h) => waitSshd(h))));
    await at('client files', () => writeClientFiles(plan, stateDir));
    const desc = describe(plan, stateDir, users.map((u) => ({ ...u })));
    fs.writeFileSync(desc.keepalivedConfPath, keepalivedConf(plan));
    // lab.json without secrets: the password stays in memory (and in the root-only /run/lvslab)
    const stored = { ...desc, users: desc.users.map(({ password: _p, ...u }) => u) };
    fs.writeFileSync(path.join(stateDir, LAB_JSON), JSON.stringify(stored, null, 2) + '\n');
    return attach(desc);
  } catch (e) {
    await labDown(instance).catch(() => undefined);
    throw new Error(`lab up (instance ${instance}) failed at step "${step}": ${(e as Error).message}`);
  }
}

function labAlive(k: number): boolean {
  return fs.existsSync(path.join(stateDirFor(k), LAB_JSON));
}

/** A claimed instance (state dir exists, from claim until down), up or still coming up. */
function labClaimed(k: number): boolean {
  return fs.existsSync(stateDirFor(k));
}

/** A state dir without lab.json or namespaces, untouched for 5 minutes: left by a crashed run. */
async function isStale(k: number): Promise<boolean> {
  try {
    const st = fs.statSync(stateDirFor(k));
    return !labAlive(k) && Date.now() - st.mtimeMs > 5 * 60_000 && (await listLabNamespaces(k)).length === 0;
  } catch {
    return false;
  }
}

/** Removes everything of one instance: processes, namespaces, bridges, veths, users (if last), state dir. */
export async function labDown(instance: number): Promise<void> {
  if (!Number.isInteger(instance) || instance < 0 || instance > MAX_INSTANCE)
    throw new Error(`lab instance must be an integer 0..${MAX_INSTANCE}, got ${instance}`);
  const stateDir = stateDirFor(instance);
  // stop other labs from counting this one as alive before the users are considered
  fs.rmSync(path.join(stateDir, LAB_JSON), { force: true });
  await removeNetwork(instance);
  // users are shared: keep them while any other instance is claimed (up, or on its way up)
  await removeUsersIfLast(() => Array.from({ length: MAX_INSTANCE + 1 }, (_, k) => k).some((k) => k !== instance && labClaimed(k)));
  fs.rmSync(stateDir, { recursive: true, force: true });
}

/** Re-opens a lab another process brought up (its lab.json, plus the users' password from the root-only file). */
export function labOpen(instance: number): Lab {
  const file = path.join(stateDirFor(instance), LAB_JSON);
  if (!fs.existsSync(file)) throw new Error(`no lab instance ${instance} is up (${file} missing)`);
  const desc = JSON.parse(fs.readFileSync(file, 'utf8')) as LabDescription;
  let password: string | undefined;
  try {
    password = fs.readFileSync(PASSWORD_FILE, 'utf8').trim();
  } catch {
    password = undefined;
  }
  desc.users = desc.users.map((u) => (u.name !== 'root' && password ? { ...u, password } : u));
  return attach(desc);
}

/** Human-readable state of every lab instance on this machine. */
export async function labStatus(): Promise<string> {
  const out: string[] = [];
  for (let k = 0; k <= MAX_INSTANCE; k++) {
    const namespaces = await listLabNamespaces(k);
    const up = labAlive(k);
    if (!up && namespaces.length === 0 && !fs.existsSync(stateDirFor(k))) continue;
    if (!up) {
      out.push(`instance ${k}: incomplete or leftover (${namespaces.length} namespaces); remove with: npm run lab -- down --instance ${k}`);
      continue;
    }
    out.push(formatLab(labOpen(k)));
  }
  return out.length ? out.join('\n\n') : 'no LVS lab is up';
}

export function formatLab(lab: LabDescription): string {
  const lines = [
    `LVS lab instance ${lab.instance}: mode ${lab.mode}${lab.breaks.length ? `, breaks ${lab.breaks.join(', ')}` : ''}`,
    `  VIP ${lab.vip}  tcp/${lab.tcpPort} -> real servers tcp/${lab.rsPort}, udp/${lab.udpPort}`,
  ];
  for (const [b, h] of Object.entries(lab.brokenHost)) lines.push(`  break ${b} applied to ${h}`);
  for (const h of lab.hosts) {
    const ifs = h.interfaces.map((i) => `${i.name} ${i.address}`).join(', ');
    lines.push(`  ${h.name.padEnd(9)} ${h.role.padEnd(12)} ssh ${h.sshAddress.padEnd(14)} ${ifs}  (netns ${h.netns})`);
  }
  lines.push(
    `  ssh in:        ssh -F ${lab.sshConfigPath} director`,
    `  config:        ${lab.keepalivedConfPath}`,
    `  capture hosts: ${lab.hostsJsonPath}`,
    `  users:         ${lab.users.map((u) => `${u.name} (sudo ${u.sudo})`).join(', ')}; password of lvsuser/lvsnosudo in /run/lvslab/users-password`,
  );
  return lines.join('\n');
}
