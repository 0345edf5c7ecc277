// What the emulated director does instead of IPVS (this kernel has none), as nftables.
// The real server is chosen per connection by a hash of the client address and source
// port (like IPVS `sh` with `sh-port`), never per packet; a fixed seed keeps the choice
// reproducible from one lab run to the next.
import { nsRun } from './shell';
import { lanAddressOf, realServersOf, type HostPlan, type TopologyPlan } from './topology';

export const HASH_SEED = '0x4c565331';

function hashKey(proto: 'tcp' | 'udp'): string {
  return `jhash ip saddr . ${proto} sport mod`;
}

/**
 * DR: a netdev ingress rule on the director's LAN interface rewrites only the Ethernet
 * header (destination = the chosen real server, source = the director, as IPVS does)
 * and sends the frame straight back out of the same interface. The IP packet is untouched.
 */
export function drRuleset(plan: TopologyPlan, director: HostPlan): string {
  const rs = realServersOf(plan);
  const dev = director.lanInterface;
  const dirMac = director.nics.find((n) => n.ifname === dev)!.mac;
  const macMap = rs.map((h, i) => `${i} : ${h.nics[0].mac}`).join(', ');
  const rule = (proto: 'tcp' | 'udp', port: number) =>
    `    ether daddr ${dirMac} ip daddr ${plan.vip} ${proto} dport ${port} ` +
    `ether saddr set ${dirMac} ether daddr set ${hashKey(proto)} ${rs.length} seed ${HASH_SEED} map { ${macMap} } fwd to "${dev}"`;
  return [
    'table netdev lvslab {',
    '  chain director {',
    `    type filter hook ingress device "${dev}" priority 0; policy accept;`,
    rule('tcp', plan.tcpPort),
    rule('udp', plan.udpPort),
    '  }',
    '}',
    '',
  ].join('\n');
}

/**
 * NAT: DNAT of VIP:port to RIP:rsPort chosen by the hash; conntrack rewrites the
 * replies back to the VIP (the "SNAT" half of LVS-NAT). The client address is kept,
 * as IPVS does, so real servers must route replies back through the director.
 */
export function natRuleset(plan: TopologyPlan): string {
  const rs = realServersOf(plan);
  const map = (port: number) => rs.map((h, i) => `${i} : ${lanAddressOf(h)} . ${port}`).join(', ');
  return [
    'table ip lvslab {',
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat; policy accept;',
    `    ip daddr ${plan.vip} tcp dport ${plan.tcpPort} dnat ip to ${hashKey('tcp')} ${rs.length} seed ${HASH_SEED} map { ${map(plan.rsPort)} }`,
    `    ip daddr ${plan.vip} udp dport ${plan.udpPort} dnat ip to ${hashKey('udp')} ${rs.length} seed ${HASH_SEED} map { ${map(plan.udpPort)} }`,
    '  }',
    '}',
    '',
  ].join('\n');
}

export const TUN_DEVICE = 'lvstun';
const TUN_TABLE = 100;

/**
 * TUN: policy routing sends client packets for VIP:port (arriving on the LAN side) into
 * a TUN device instead of the local VIP; agents/ipip.py reads them, picks the real
 * server by a hash of client address and source port, and sends them IP-in-IP. The
 * `local` table moves below those rules so the VIP stays local for everything else.
 */
export function tunRouting(plan: TopologyPlan, director: HostPlan): string[] {
  const dev = director.lanInterface;
  return [
    `tuntap add dev ${TUN_DEVICE} mode tun`,
    // 20 bytes for the outer header: bigger packets get "fragmentation needed", as with ipip
    `link set ${TUN_DEVICE} mtu 1480 up`,
    `route add default dev ${TUN_DEVICE} table ${TUN_TABLE}`,
    `rule add pref 10 to ${plan.vip} ipproto tcp dport ${plan.tcpPort} iif ${dev} lookup ${TUN_TABLE}`,
    `rule add pref 11 to ${plan.vip} ipproto udp dport ${plan.udpPort} iif ${dev} lookup ${TUN_TABLE}`,
    'rule add pref 100 lookup local',
    'rule del pref 0',
  ];
}

export function directorRuleset(plan: TopologyPlan, director: HostPlan): string {
  if (plan.mode === 'tun')
    return ['# TUN mode: ip -batch commands run in the director, then agents/ipip.py encap', ...tunRouting(plan, director), ''].join('\n');
  return plan.mode === 'nat' ? natRuleset(plan) : drRuleset(plan, director);
}

/** Sets up the director; returns what it installed (an nftables ruleset, or TUN routing). */
export async function installForwarding(plan: TopologyPlan): Promise<string> {
  const director = plan.hosts.find((h) => h.role === 'director')!;
  const ruleset = directorRuleset(plan, director);
  if (plan.mode === 'tun') {
    await nsRun(director.netns, ['ip', '-batch', '-'], { input: tunRouting(plan, director).join('\n') + '\n' });
  } else {
    await nsRun(director.netns, ['nft', '-f', '-'], { input: ruleset });
  }
  return ruleset;
}
