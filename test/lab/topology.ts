// The lab's topology as data: which namespaces, links, addresses, MACs and routes
// a set of options produces. Pure (no system calls) so it can be checked on its own
// and so the samples stay reproducible. Addressing mirrors the real-IPVS fixtures in
// ../shared/fixtures/lab (README.txt of each scenario):
//   client 198.51.100.10 -- router 198.51.100.1 | 192.0.2.1 -- director 192.0.2.2 (+VIP)
//   DR:  rsN 192.0.2.(10+N) on the same LAN, VIP on lo, default route via the router
//   NAT: director eth1 10.0.0.1, rsN 10.0.0.(10+N), default route via the director
//   TUN: rsN 203.0.113.(10+N) in a remote subnet behind the router (eth2 203.0.113.1),
//        VIP on a tunl0 device; IP-in-IP done in user space (agents/ipip.py)
// MAC of every interface = 02:00:<IPv4 bytes in hex>, as in the fixtures.

export type LabMode = 'nat' | 'dr' | 'tun';
export type LabBreak = 'arp-problem' | 'vip-missing-on-lo' | 'wrong-gateway' | 'dead-rs' | `no-tcpdump:${string}`;
export type LabRole = 'client' | 'router' | 'director' | 'real-server';

export interface LabOptions {
  /** Forwarding method the director emulates (default `dr`). */
  mode?: LabMode;
  breaks?: LabBreak[];
  /** 0..9; picked automatically (first free) when absent. */
  instance?: number;
  /** Number of real servers (default 2, at most 50). */
  realServers?: number;
  /** Real servers get no management address: reachable only through the director (ProxyJump). */
  rsBehindDirector?: boolean;
  /** For the lab's own tests: throw right after this labUp step, to check the cleanup. */
  failAfterStep?: string;
}

/** One Linux bridge (an L2 segment) of the lab; they live in the lab's switch namespace. */
export type Segment = 'cli' | 'lan' | 'priv' | 'remote';

export interface NicPlan {
  ifname: string;
  segment: Segment;
  /** Address with prefix length, e.g. `192.0.2.11/24`. */
  cidr: string;
  mac: string;
}

export interface HostPlan {
  name: string;
  role: LabRole;
  netns: string;
  nics: NicPlan[];
  /** Interface facing the client side (the one captures look at first). */
  lanInterface: string;
  defaultVia?: string;
  mgmtAddress?: string;
  mgmtMac?: string;
  /** Addresses held on `lo` (the VIP on DR real servers). */
  loAddresses: string[];
  /** TUN real servers: addresses on their `tunl0` device (the VIP). */
  tunl0Addresses?: string[];
  /** sysctl name -> value, applied in the host's namespace. */
  sysctls: Record<string, string>;
  /** For real servers: their 1-based index (rs1 = 1). */
  index?: number;
}

export interface TopologyPlan {
  instance: number;
  mode: LabMode;
  breaks: LabBreak[];
  vip: string;
  tcpPort: number;
  udpPort: number;
  /** TCP port the real servers listen on (NAT remaps 80 -> 8080 like the nat-healthy fixture). */
  rsPort: number;
  switchNetns: string;
  mgmtBridge: string;
  mgmtGateway: string;
  mgmtPrefix: number;
  hosts: HostPlan[];
  /** Which real server each host-specific break hits. */
  brokenHost: Partial<Record<'arp-problem' | 'vip-missing-on-lo' | 'wrong-gateway' | 'dead-rs', string>>;
  /** Hosts whose sshd cannot execute tcpdump. */
  noTcpdumpHosts: string[];
}

export const VIP = '192.0.2.100';
export const TCP_PORT = 80;
export const UDP_PORT = 9000;
export const NAT_RS_PORT = 8080;
export const MAX_REAL_SERVERS = 50;
export const MAX_INSTANCE = 9;

/** 02:00:<address bytes>, the fixtures' fixed MAC scheme. */
export function macFor(address: string): string {
  const bytes = address.split('/')[0].split('.').map((b) => Number(b));
  return ['02', '00', ...bytes.map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

export function netnsName(instance: number, host: string): string {
  return `lvslab${instance}-${host}`;
}

export function stateDirFor(instance: number): string {
  return `/tmp/lvslab-${instance}`;
}

const knownBreaks = ['arp-problem', 'vip-missing-on-lo', 'wrong-gateway', 'dead-rs'];

/** Validates options and turns them into the full plan; throws a message naming the bad option. */
export function planTopology(opts: LabOptions & { instance: number }): TopologyPlan {
  const mode = opts.mode ?? 'dr';
  if (!['nat', 'dr', 'tun'].includes(mode)) throw new Error(`unknown lab mode "${mode}" (expected dr, nat or tun)`);
  const instance = opts.instance;
  if (!Number.isInteger(instance) || instance < 0 || instance > MAX_INSTANCE)
    throw new Error(`lab instance must be an integer 0..${MAX_INSTANCE}, got ${instance}`);
  const n = opts.realServers ?? 2;
  if (!Number.isInteger(n) || n < 1 || n > MAX_REAL_SERVERS)
    throw new Error(`realServers must be an integer 1..${MAX_REAL_SERVERS}, got ${n}`);
  const breaks = [...new Set(opts.breaks ?? [])];
  const rsNames = Array.from({ length: n }, (_, i) => `rs${i + 1}`);
  const allNames = ['client', 'router', 'director', ...rsNames];
  const noTcpdumpHosts: string[] = [];
  for (const b of breaks) {
    if (b.startsWith('no-tcpdump:')) {
      const host = b.slice('no-tcpdump:'.length);
      if (!allNames.includes(host)) throw new Error(`break "${b}": no host named "${host}" (hosts: ${allNames.join(', ')})`);
      noTcpdumpHosts.push(host);
    } else if (!knownBreaks.includes(b)) {
      throw new Error(`unknown break "${b}" (expected ${knownBreaks.join(', ')} or no-tcpdump:<host>)`);
    }
  }
  const has = (b: string) => breaks.includes(b as LabBreak);
  if ((has('arp-problem') || has('vip-missing-on-lo')) && mode === 'nat')
    throw new Error('breaks "arp-problem" and "vip-missing-on-lo" concern DR/TUN real servers; use --mode dr');
  if (has('wrong-gateway') && mode !== 'nat') throw new Error('break "wrong-gateway" concerns NAT real servers; use --mode nat');
  if (has('arp-problem') && mode === 'tun')
    throw new Error('break "arp-problem" needs real servers on the director\'s LAN; use --mode dr');
  // The fixtures break rs1 for the ARP problem and rs2 for the gateway; with a single
  // real server everything falls on rs1.
  const second = n >= 2 ? 'rs2' : 'rs1';
  const brokenHost: TopologyPlan['brokenHost'] = {};
  if (has('arp-problem')) brokenHost['arp-problem'] = 'rs1';
  if (has('vip-missing-on-lo')) brokenHost['vip-missing-on-lo'] = second;
  if (has('wrong-gateway')) brokenHost['wrong-gateway'] = second;
  if (has('dead-rs')) brokenHost['dead-rs'] = second;

  const mgmtNet = `198.18.${instance}`;
  const mgmt = (octet: number) => ({ mgmtAddress: `${mgmtNet}.${octet}`, mgmtMac: macFor(`${mgmtNet}.${octet}`) });
  const nic = (ifname: string, segment: Segment, cidr: string): NicPlan => ({ ifname, segment, cidr, mac: macFor(cidr) });
  const base = { loAddresses: [] as string[] };
  const quiet = { 'net.ipv4.conf.all.rp_filter': '0', 'net.ipv4.conf.default.rp_filter': '0' };
  // the effective rp_filter is the larger of "all" and the interface's own value
  const quietOn = (...ifs: string[]) => Object.fromEntries(ifs.map((i) => [`net.ipv4.conf.${i}.rp_filter`, '0']));

  const hosts: HostPlan[] = [];
  hosts.push({
    ...base, name: 'client', role: 'client', netns: netnsName(instance, 'client'), lanInterface: 'eth0',
    nics: [nic('eth0', 'cli', '198.51.100.10/24')], defaultVia: '198.51.100.1', ...mgmt(10), sysctls: { ...quiet, ...quietOn('eth0') },
  });
  const routerNics = [nic('eth0', 'cli', '198.51.100.1/24'), nic('eth1', 'lan', '192.0.2.1/24')];
  // nat-wrong-gateway fixture: the site router also has a leg in the server LAN, and the
  // broken real server uses it as its default gateway.
  if (has('wrong-gateway')) routerNics.push(nic('eth2', 'priv', '10.0.0.254/24'));
  // tun-healthy fixture: real servers in a remote subnet behind the router
  if (mode === 'tun') routerNics.push(nic('eth2', 'remote', '203.0.113.1/24'));
  hosts.push({
    ...base, name: 'router', role: 'router', netns: netnsName(instance, 'router'), lanInterface: 'eth1',
    nics: routerNics, ...mgmt(11), sysctls: { ...quiet, ...quietOn(...routerNics.map((n) => n.ifname)), 'net.ipv4.ip_forward': '1' },
  });
  const directorNics = [nic('eth0', 'lan', '192.0.2.2/24')];
  if (mode === 'nat') directorNics.push(nic('eth1', 'priv', '10.0.0.1/24'));
  hosts.push({
    ...base, name: 'director', role: 'director', netns: netnsName(instance, 'director'), lanInterface: 'eth0',
    nics: directorNics, defaultVia: '192.0.2.1', ...mgmt(12),
    // NAT routes replies back, TUN forwards into its encapsulation device; DR works below IP
    sysctls: { ...quiet, ...quietOn(...directorNics.map((n) => n.ifname)), 'net.ipv4.ip_forward': mode === 'dr' ? '0' : '1' },
  });
  rsNames.forEach((name, i) => {
    const index = i + 1;
    const octet = 10 + index;
    const mgmtPart = opts.rsBehindDirector ? {} : mgmt(20 + index);
    if (mode === 'nat') {
      const gw = brokenHost['wrong-gateway'] === name ? '10.0.0.254' : '10.0.0.1';
      hosts.push({
        ...base, name, role: 'real-server', netns: netnsName(instance, name), lanInterface: 'eth0', index,
        nics: [nic('eth0', 'priv', `10.0.0.${octet}/24`)], defaultVia: gw, ...mgmtPart,
        sysctls: { ...quiet, ...quietOn('eth0') },
      });
    } else if (mode === 'tun') {
      hosts.push({
        ...base, name, role: 'real-server', netns: netnsName(instance, name), lanInterface: 'eth0', index,
        nics: [nic('eth0', 'remote', `203.0.113.${octet}/24`)], defaultVia: '203.0.113.1', ...mgmtPart,
        tunl0Addresses: brokenHost['vip-missing-on-lo'] === name ? [] : [VIP],
        sysctls: {
          ...quiet, ...quietOn('eth0', 'tunl0'),
          'net.ipv4.ip_nonlocal_bind': '1',
          'net.ipv4.conf.all.arp_ignore': '1',
          'net.ipv4.conf.all.arp_announce': '2',
          'net.ipv4.conf.eth0.arp_ignore': '1',
          'net.ipv4.conf.eth0.arp_announce': '2',
        },
      });
    } else {
      const arpFix = brokenHost['arp-problem'] === name ? '0' : null;
      const sysctls: Record<string, string> = {
        ...quiet, ...quietOn('eth0'),
        // the UDP service binds the VIP even where it is missing (vip-missing-on-lo)
        'net.ipv4.ip_nonlocal_bind': '1',
        'net.ipv4.conf.all.arp_ignore': arpFix ?? '1',
        'net.ipv4.conf.all.arp_announce': arpFix ?? '2',
        'net.ipv4.conf.eth0.arp_ignore': arpFix ?? '1',
        'net.ipv4.conf.eth0.arp_announce': arpFix ?? '2',
      };
      hosts.push({
        ...base, name, role: 'real-server', netns: netnsName(instance, name), lanInterface: 'eth0', index,
        nics: [nic('eth0', 'lan', `192.0.2.${octet}/24`)], defaultVia: '192.0.2.1', ...mgmtPart,
        loAddresses: brokenHost['vip-missing-on-lo'] === name ? [] : [VIP],
        sysctls,
      });
    }
  });
  return {
    instance, mode, breaks, vip: VIP, tcpPort: TCP_PORT, udpPort: UDP_PORT,
    rsPort: mode === 'nat' ? NAT_RS_PORT : TCP_PORT,
    switchNetns: netnsName(instance, 'sw'), mgmtBridge: `lvslab${instance}-mgmt`, mgmtGateway: `${mgmtNet}.1`, mgmtPrefix: 24,
    hosts, brokenHost, noTcpdumpHosts,
  };
}

/** Address without prefix of a host's interface. */
export function addressOf(nicPlan: NicPlan): string {
  return nicPlan.cidr.split('/')[0];
}

/** The address real servers are known by in the services (LAN address). */
export function lanAddressOf(host: HostPlan): string {
  const n = host.nics.find((x) => x.ifname === host.lanInterface) ?? host.nics[0];
  return addressOf(n);
}

export function realServersOf(plan: TopologyPlan): HostPlan[] {
  return plan.hosts.filter((h) => h.role === 'real-server');
}

/** Address sshd listens on: management address, or the LAN address behind the director. */
export function sshAddressOf(host: HostPlan): string {
  return host.mgmtAddress ?? lanAddressOf(host);
}
