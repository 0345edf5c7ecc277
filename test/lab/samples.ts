// `npm run samples [-- scenario...]`: brings the lab up once per scenario, runs tcpdump
// directly inside the namespaces (no SSH) at the client, router, director and real
// servers while the client makes TCP and UDP requests, and writes a capture folder
// (DESIGN.md "The capture folder") under samples/<scenario>/. Needs root.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { labUp, type Lab, type LabOptions, type ClientResult, type TrafficOptions } from './lab';
import { startCapture, type RunningCapture } from './tcpdump';
import { run, sleep } from './shell';
import type { CaptureManifest, CapturePoint, ManifestService } from '../../src/core/capture/manifest';

const repoRoot = path.resolve(__dirname, '..', '..');
export const samplesDir = path.join(repoRoot, 'samples');

interface Point {
  host: string;
  iface: string;
}

interface Scenario {
  name: string;
  options: LabOptions;
  description: string;
  points: Point[];
  /** Client traffic while the captures run; returns log lines. */
  traffic(lab: Lab, log: (line: string) => void): Promise<void>;
  /** Real servers the director's live table would show at weight 0 (quiescent). */
  quiescent?: string[];
}

const drPoints: Point[] = [
  { host: 'client', iface: 'eth0' },
  { host: 'router', iface: 'eth1' },
  { host: 'director', iface: 'eth0' },
  { host: 'rs1', iface: 'eth0' },
  { host: 'rs2', iface: 'eth0' },
];
const natPoints: Point[] = [
  { host: 'client', iface: 'eth0' },
  { host: 'director', iface: 'eth0' },
  { host: 'director', iface: 'eth1' },
  { host: 'rs1', iface: 'eth0' },
  { host: 'rs2', iface: 'eth0' },
];

async function requests(
  lab: Lab,
  log: (line: string) => void,
  opts: TrafficOptions,
): Promise<ClientResult[]> {
  const results = await lab.clientTraffic(opts);
  results.forEach((r, i) => {
    const what = `${opts.protocol} #${i + 1} from port ${r.sourcePort ?? opts.fixedSourcePort ?? '?'} to ${lab.vip}:${opts.protocol === 'tcp' ? lab.tcpPort : lab.udpPort}`;
    log(`${what}: ${r.ok ? `answered by ${r.answeredBy}` : `failed (${r.error})`}`);
  });
  return results;
}

// Client source ports are fixed so that the director's choices (a seeded hash of
// address and port) are the same on every run of `npm run samples`.
const TCP_BASE = 41013; // 41013..41020 split 4:4 between rs1 and rs2 with HASH_SEED
const UDP_BASE = 42000; // 42000..42005 split 3:3

/** The usual mix: TCP requests, UDP requests from fresh ports, UDP from one fixed port. */
async function standardTraffic(lab: Lab, log: (line: string) => void, timeoutMs = 1500): Promise<void> {
  await requests(lab, log, { protocol: 'tcp', count: 8, sourcePortBase: TCP_BASE, timeoutMs });
  await requests(lab, log, { protocol: 'udp', count: 6, sourcePortBase: UDP_BASE, timeoutMs });
  await requests(lab, log, { protocol: 'udp', count: 3, fixedSourcePort: 40000, timeoutMs });
}

/** A client source port that the director sends to `rs` (found by asking before the captures start). */
async function portHashedTo(lab: Lab, rs: string, expectAnswer: boolean): Promise<number> {
  for (let p = 40000; p < 40100; p++) {
    const [r] = await lab.clientTraffic({ protocol: 'udp', count: 1, fixedSourcePort: p, timeoutMs: 400 });
    if (expectAnswer ? r.answeredBy === rs : !r.ok) return p;
  }
  throw new Error(`no source port in 40000..40099 maps to ${rs}`);
}

export const scenarios: Scenario[] = [
  {
    name: 'dr-healthy',
    options: { mode: 'dr' },
    description: 'LVS/DR emulation, everything correct: the director re-sends client frames to a real server MAC; replies go from the VIP straight to the router.',
    points: drPoints,
    traffic: (lab, log) => standardTraffic(lab, log),
  },
  {
    name: 'dr-arp-problem',
    options: { mode: 'dr', breaks: ['arp-problem'] },
    description: 'rs1 has arp_ignore/arp_announce at 0 and answers ARP for the VIP; the router may send client traffic straight to rs1, bypassing the director.',
    points: drPoints,
    async traffic(lab, log) {
      for (let round = 1; round <= 3; round++) {
        await lab.exec('router', ['ip', 'neigh', 'flush', 'dev', 'eth1']);
        log(`--- round ${round}: router neighbour cache flushed`);
        await requests(lab, log, { protocol: 'tcp', count: 3, sourcePortBase: TCP_BASE + 10 * round });
        const neigh = await lab.exec('router', ['ip', 'neigh', 'show', lab.vip]);
        log(`router: ${neigh.stdout.trim()}`);
      }
    },
  },
  {
    name: 'dr-vip-missing-on-lo',
    options: { mode: 'dr', breaks: ['vip-missing-on-lo'] },
    description: 'rs2 lacks the VIP on lo: the director forwards to it, rs2 drops the frames (not a local address) and never answers.',
    points: drPoints,
    traffic: (lab, log) => standardTraffic(lab, log, 1200),
  },
  {
    name: 'nat-healthy',
    options: { mode: 'nat' },
    description: 'LVS/NAT emulation (DNAT 80 -> 8080, UDP 9000), everything correct: real servers reply through the director, which rewrites the source back to the VIP.',
    points: natPoints,
    traffic: (lab, log) => standardTraffic(lab, log),
  },
  {
    name: 'nat-wrong-gateway',
    options: { mode: 'nat', breaks: ['wrong-gateway'] },
    description: "rs2's default route points at the router's leg in the server LAN (10.0.0.254), not the director: its replies reach the client un-NATed from 10.0.0.12 and are rejected.",
    points: [...natPoints, { host: 'router', iface: 'eth0' }, { host: 'router', iface: 'eth2' }],
    traffic: (lab, log) => standardTraffic(lab, log, 1200),
  },
  {
    name: 'tun-healthy',
    options: { mode: 'tun' },
    description: 'LVS/TUN emulation, everything correct: the director sends client packets IP-in-IP to real servers in a remote subnet; they answer from the VIP straight through the router.',
    points: [
      { host: 'client', iface: 'eth0' },
      { host: 'director', iface: 'eth0' },
      { host: 'router', iface: 'eth2' },
      { host: 'rs1', iface: 'eth0' },
      { host: 'rs1', iface: 'tunl0' },
      { host: 'rs2', iface: 'eth0' },
      { host: 'rs2', iface: 'tunl0' },
    ],
    traffic: (lab, log) => standardTraffic(lab, log),
  },
  {
    name: 'dead-rs',
    options: { mode: 'dr', breaks: ['dead-rs'] },
    description: 'rs2 service stopped but rs2 left in rotation (weight 0 after its health check failed, quiescent): a client that keeps its UDP source port keeps hitting rs2 and gets ICMP port unreachable, while rs1 answers others.',
    points: drPoints,
    quiescent: ['rs2'],
    async traffic(lab, log) {
      const dead = await portHashedTo(lab, 'rs2', false);
      const alive = await portHashedTo(lab, 'rs1', true);
      log(`(source port ${dead} maps to rs2, ${alive} to rs1; found before the captures started)`);
      await requests(lab, log, { protocol: 'udp', count: 5, fixedSourcePort: dead });
      await requests(lab, log, { protocol: 'udp', count: 3, fixedSourcePort: alive });
      await requests(lab, log, { protocol: 'tcp', count: 6, sourcePortBase: TCP_BASE });
    },
  },
];

function services(lab: Lab, quiescent: string[] = []): ManifestService[] {
  const rs = lab.hosts.filter((h) => h.role === 'real-server');
  const svc = (protocol: 'tcp' | 'udp', port: number, rsPort: number): ManifestService => ({
    protocol, vip: lab.vip, port, method: lab.mode, scheduler: 'sh', persistenceSeconds: 0,
    realServers: rs.map((h) => ({ name: h.name, address: h.lanAddress, port: rsPort, weight: quiescent.includes(h.name) ? 0 : 1 })),
  });
  return [svc('tcp', lab.tcpPort, lab.rsPort), svc('udp', lab.udpPort, lab.udpPort)];
}

/** ip addr / route / neigh, the sysctls LVS cares about, and the director's ruleset. */
async function dumpState(lab: Lab, out: string): Promise<NonNullable<CaptureManifest['state']>> {
  const state: NonNullable<CaptureManifest['state']> = {};
  for (const h of lab.hosts) {
    const dir = path.join(out, h.name);
    fs.mkdirSync(dir, { recursive: true });
    const entries: Record<string, string> = {};
    const dump = async (key: string, file: string, argv: string[]) => {
      const r = await lab.exec(h.name, argv);
      fs.writeFileSync(path.join(dir, file), r.stdout);
      entries[key] = `${h.name}/${file}`;
    };
    // the management veth is the lab's, not part of the cluster: leave it out of the dumps
    const addr = await lab.exec(h.name, ['ip', 'addr']);
    fs.writeFileSync(path.join(dir, 'ip-addr.txt'), stripMgmt(addr.stdout));
    entries['ip addr'] = `${h.name}/ip-addr.txt`;
    const route = await lab.exec(h.name, ['ip', 'route']);
    fs.writeFileSync(path.join(dir, 'ip-route.txt'), route.stdout.split('\n').filter((l) => !l.includes('mgmt0')).join('\n'));
    entries['ip route'] = `${h.name}/ip-route.txt`;
    const neigh = await lab.exec(h.name, ['ip', 'neigh']);
    fs.writeFileSync(path.join(dir, 'ip-neigh.txt'), neigh.stdout.split('\n').filter((l) => !l.includes('mgmt0')).join('\n'));
    entries['ip neigh'] = `${h.name}/ip-neigh.txt`;
    const ifs = ['all', 'default', 'lo', ...h.interfaces.map((i) => i.name)];
    const keys = ['net.ipv4.ip_forward', 'net.ipv4.ip_nonlocal_bind'];
    for (const i of ifs) for (const k of ['rp_filter', 'arp_ignore', 'arp_announce']) keys.push(`net.ipv4.conf.${i}.${k}`);
    await dump('sysctl', 'sysctl.txt', ['sysctl', ...keys]);
    if (h.role === 'director') await dump('nft list ruleset', 'nft-ruleset.txt', ['nft', 'list', 'ruleset']);
    state[h.name] = entries;
  }
  return state;
}

function stripMgmt(ipAddr: string): string {
  const blocks = ipAddr.split(/\n(?=\d+: )/);
  return blocks.filter((b) => !/^\d+: mgmt0@/.test(b)).join('\n');
}

async function tcpdumpVersion(): Promise<string> {
  const r = await run(['tcpdump', '--version'], { check: false });
  return /tcpdump version (\S+)/.exec(r.stdout + r.stderr)?.[1] ?? 'unknown';
}

export async function makeSample(s: Scenario): Promise<string> {
  const out = path.join(samplesDir, s.name);
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(path.join(out, 'pcap'), { recursive: true });
  const lab = await labUp(s.options);
  try {
    const log: string[] = [];
    const version = await tcpdumpVersion();
    const running: Array<{ p: Point; cap: RunningCapture }> = [];
    const startedAt = new Date().toISOString();
    let counts: Array<{ captured?: number; dropped?: number }> = [];
    try {
      for (const p of s.points) {
        const h = lab.hosts.find((x) => x.name === p.host)!;
        const file = path.join(out, 'pcap', `${p.host}-${p.iface}.pcap`);
        running.push({ p, cap: await startCapture(h.netns, p.iface, file) });
      }
      await s.traffic(lab, (l) => log.push(l));
      await sleep(300); // let the last replies and FINs land
    } finally {
      counts = await Promise.all(running.map((r) => r.cap.stop()));
    }
    const stoppedAt = new Date().toISOString();
    const points: CapturePoint[] = running.map(({ p }, i) => {
      const h = lab.hosts.find((x) => x.name === p.host)!;
      return {
        host: p.host,
        role: h.role,
        interface: p.iface,
        file: `pcap/${p.host}-${p.iface}.pcap`,
        ...(h.role === 'real-server' ? { realServer: h.name } : {}),
        clockOffsetMs: 0,
        tcpdumpVersion: version,
        ...(counts[i].captured !== undefined ? { packetsCaptured: counts[i].captured } : {}),
        ...(counts[i].dropped !== undefined ? { packetsDropped: counts[i].dropped } : {}),
      };
    });
    fs.mkdirSync(path.join(out, 'client'), { recursive: true });
    fs.writeFileSync(path.join(out, 'client', 'traffic.log'), log.join('\n') + '\n');
    fs.copyFileSync(lab.keepalivedConfPath, path.join(out, 'keepalived.conf'));
    const state = await dumpState(lab, out);
    const manifest: CaptureManifest = {
      format: 1,
      startedAt,
      stoppedAt,
      note: `LVS lab sample "${s.name}" (emulated director, nftables; see ../README.md): ${s.description}`,
      target: { vip: lab.vip },
      services: services(lab, s.quiescent),
      points,
      config: 'keepalived.conf',
      state,
    };
    fs.writeFileSync(path.join(out, 'capture.json'), JSON.stringify(manifest, null, 2) + '\n');
    return out;
  } finally {
    await lab.down();
  }
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !scenarios.some((s) => s.name === w));
  if (unknown.length) throw new Error(`unknown scenario ${unknown.join(', ')} (known: ${scenarios.map((s) => s.name).join(', ')})`);
  for (const s of scenarios.filter((x) => wanted.length === 0 || wanted.includes(x.name))) {
    const t = Date.now();
    const out = await makeSample(s);
    const size = fs.readdirSync(path.join(out, 'pcap')).reduce((n, f) => n + fs.statSync(path.join(out, 'pcap', f)).size, 0);
    console.log(`${s.name}: ${path.relative(repoRoot, out)} (${Math.round(size / 1024)} KB of pcaps, ${Date.now() - t} ms)`);
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(`samples: ${(e as Error).message}`);
    process.exit(1);
  });
}
