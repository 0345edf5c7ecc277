// Builds and removes the lab's namespaces, bridges, veths, addresses and routes
// with iproute2 batches (one `ip -batch` per namespace keeps it fast on a small machine).
import * as fs from 'node:fs';
import { run, nsRun, sleep } from './shell';
import type { TopologyPlan, HostPlan, Segment } from './topology';

const bridgeName: Record<Segment, string> = { cli: 'br-cli', lan: 'br-lan', priv: 'br-priv', remote: 'br-remote' };

async function batch(netns: string | null, lines: string[]): Promise<void> {
  if (lines.length === 0) return;
  const argv = netns ? ['ip', '-n', netns, '-batch', '-'] : ['ip', '-batch', '-'];
  await run(argv, { input: lines.join('\n') + '\n', timeoutMs: 30_000 });
}

async function sysctls(netns: string, values: Record<string, string>): Promise<void> {
  const args = Object.entries(values).map(([k, v]) => `${k}=${v}`);
  if (args.length) await nsRun(netns, ['sysctl', '-qw', ...args]);
}

/** Root-side name of a host's management veth (kept under 15 characters). */
export function mgmtVethName(instance: number, host: string): string {
  return `lm${instance}-${host}`.slice(0, 15);
}

export async function createNamespaces(plan: TopologyPlan): Promise<void> {
  const names = [plan.switchNetns, ...plan.hosts.map((h) => h.netns)];
  for (const ns of names) await run(['ip', 'netns', 'add', ns]);
  // IPv6 off everywhere: router solicitations and MLD would only add noise to the captures.
  await Promise.all(
    names.map((ns) => sysctls(ns, { 'net.ipv6.conf.all.disable_ipv6': '1', 'net.ipv6.conf.default.disable_ipv6': '1' })),
  );
  // Bridged frames must not go through netfilter in the switch (the switch is a plain wire).
  await nsRun(plan.switchNetns, ['sysctl', '-qw', 'net.bridge.bridge-nf-call-iptables=0'], { check: false });
}

export async function createLinks(plan: TopologyPlan): Promise<void> {
  const sw: string[] = [];
  const segments = new Set(plan.hosts.flatMap((h) => h.nics.map((n) => n.segment)));
  for (const s of segments) sw.push(`link add ${bridgeName[s]} type bridge`, `link set ${bridgeName[s]} up`);
  for (const h of plan.hosts) {
    for (const n of h.nics) {
      const port = `${h.name}-${n.ifname}`.slice(0, 15);
      sw.push(`link add ${port} type veth peer name ${n.ifname} address ${n.mac} netns ${h.netns}`);
      sw.push(`link set ${port} master ${bridgeName[n.segment]} up`);
    }
  }
  await batch(plan.switchNetns, sw);

  const root: string[] = [
    `link add ${plan.mgmtBridge} type bridge`,
    `addr add ${plan.mgmtGateway}/${plan.mgmtPrefix} dev ${plan.mgmtBridge}`,
    `link set ${plan.mgmtBridge} up`,
  ];
  for (const h of plan.hosts) {
    if (!h.mgmtAddress) continue;
    const v = mgmtVethName(plan.instance, h.name);
    root.push(`link add ${v} type veth peer name mgmt0 address ${h.mgmtMac} netns ${h.netns}`);
    root.push(`link set ${v} master ${plan.mgmtBridge} up`);
  }
  await batch(null, root);
  await Promise.all(plan.hosts.map((h) => configureHost(plan, h)));
}

async function configureHost(plan: TopologyPlan, h: HostPlan): Promise<void> {
  const lines = ['link set lo up'];
  for (const n of h.nics) lines.push(`link set ${n.ifname} up`, `addr add ${n.cidr} dev ${n.ifname}`);
  for (const a of h.loAddresses) lines.push(`addr add ${a}/32 dev lo`);
  if (h.tunl0Addresses) {
    // a TUN device that agents/ipip.py feeds with decapsulated packets
    lines.push('tuntap add dev tunl0 mode tun', 'link set tunl0 up');
    for (const a of h.tunl0Addresses) lines.push(`addr add ${a}/32 dev tunl0`);
  }
  if (h.role === 'director') lines.push(`addr add ${plan.vip}/32 dev ${h.lanInterface}`);
  if (h.mgmtAddress) lines.push(`link set mgmt0 up`, `addr add ${h.mgmtAddress}/${plan.mgmtPrefix} dev mgmt0`);
  if (h.defaultVia) lines.push(`route add default via ${h.defaultVia}`);
  await batch(h.netns, lines);
  await sysctls(h.netns, h.sysctls);
}

/** Network namespaces of one instance that exist now (leftovers included). */
export async function listLabNamespaces(instance: number): Promise<string[]> {
  const r = await run(['ip', '-j', 'netns', 'list'], { check: false });
  let list: Array<{ name: string }> = [];
  try {
    list = JSON.parse(r.stdout || '[]');
  } catch {
    list = [];
  }
  const prefix = `lvslab${instance}-`;
  return list.map((x) => x.name).filter((n) => n.startsWith(prefix));
}

/** Every process id running inside a namespace. */
async function pidsIn(netns: string): Promise<number[]> {
  const r = await run(['ip', 'netns', 'pids', netns], { check: false, timeoutMs: 5000 });
  return r.stdout.split(/\s+/).filter(Boolean).map(Number).filter((p) => p > 1 && p !== process.pid);
}

function signal(pids: number[], sig: NodeJS.Signals): void {
  for (const p of pids) {
    try {
      process.kill(p, sig);
    } catch {
      // already gone
    }
  }
}

/** The temp folder a capture's safety-net reaper (process `pid`) is waiting to remove, if
 *  it is one (its argv: sh -c SCRIPT lvs-capture-reaper SECONDS DIR; see capture/run.ts). */
function reaperFolder(pid: number): string | undefined {
  let argv: string[];
  try {
    argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return undefined;
  }
  const at = argv.indexOf('lvs-capture-reaper');
  const dir = at >= 0 ? argv[at + 2] : undefined;
  return dir !== undefined && /^\/tmp\/lvs-capture\.[A-Za-z0-9]{6}$/.test(dir) ? dir : undefined;
}

/** Stops every process in the namespaces (TERM, then KILL after a bounded wait). The lab's
 *  hosts share this machine's /tmp: a capture's temp folder that a test left to its reaper
 *  (a dropped connection, a cancel) is removed here, as the reaper stopped with the lab would
 *  have done, so test runs leave nothing behind. */
export async function killNamespaceProcesses(namespaces: string[]): Promise<void> {
  const all = async () => (await Promise.all(namespaces.map(pidsIn))).flat();
  const pids = await all();
  if (pids.length === 0) return;
  const reaped = pids.map(reaperFolder).filter((d): d is string => d !== undefined);
  try {
    await stopAll(pids, all);
  } finally {
    for (const d of reaped) fs.rmSync(d, { recursive: true, force: true });
  }
}

async function stopAll(pids: number[], all: () => Promise<number[]>): Promise<void> {
  signal(pids, 'SIGTERM');
  for (let i = 0; i < 20 && pids.length; i++) {
    await sleep(100);
    pids = await all();
  }
  signal(pids, 'SIGKILL');
  for (let i = 0; i < 20 && pids.length; i++) {
    await sleep(50);
    pids = await all();
  }
  if (pids.length) throw new Error(`processes still running in the lab namespaces after SIGKILL: ${pids.join(' ')}`);
}

/** Removes namespaces (their veths go with them) and the management bridge. */
export async function removeNetwork(instance: number): Promise<void> {
  const namespaces = await listLabNamespaces(instance);
  await killNamespaceProcesses(namespaces);
  for (const ns of namespaces) await run(['ip', 'netns', 'del', ns], { check: false });
  await run(['ip', 'link', 'del', `lvslab${instance}-mgmt`], { check: false });
  // root-side management veths normally vanish with their peers; remove any stray one
  const links = await run(['ip', '-j', 'link', 'show'], { check: false });
  try {
    const names = (JSON.parse(links.stdout || '[]') as Array<{ ifname: string }>).map((l) => l.ifname);
    for (const n of names.filter((x) => x.startsWith(`lm${instance}-`))) await run(['ip', 'link', 'del', n], { check: false });
  } catch {
    // unreadable listing: nothing more to clean
  }
}
