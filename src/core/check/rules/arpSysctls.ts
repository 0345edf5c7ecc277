// The ARP problem (reference §1.2 D1): a DR/TUN real server holding the VIP must
// neither answer ARP for it (arp_ignore >= 1) nor use it as ARP source
// (arp_announce = 2). The kernel applies max(conf/all, conf/<iface>), so both keys
// count; judged on every interface that does ARP.
import type { Finding } from '../../findings/finding';
import { effectiveConf, sameIpv4Subnet } from '../../state';
import type { CheckRule, HostState } from '../types';
import { heldAddresses, realServerName, serviceName, sysctlEvidence, uniq } from '../helpers';

export const arpSysctls: CheckRule = (ctx) => {
  const out: Finding[] = [];
  const done = new Set<string>();
  for (const p of ctx.placements) {
    const method = p.realServer.method ?? p.service.method;
    const s = p.state;
    const vip = p.service.vip;
    // IPv6 has no ARP (neighbour discovery does not read these sysctls).
    if (method === 'nat' || done.has(s.name) || !s.sysctl || !s.interfaces || vip?.includes(':')) continue;
    done.add(s.name);
    // The interfaces where someone ARPs for the VIP. DR: the director reaches the real
    // server on a shared link, so the one holding the real-server address, and any on
    // the VIP's own subnet. TUN: the director reaches it through IP routing, often
    // from another network; only a link shared with the VIP's subnet matters there.
    const vipNets = vip !== undefined ? vipSegments(ctx.directors, vip) : [];
    const onVipLink = (a: { address: string; prefix: number }): boolean =>
      vip !== undefined && a.address !== vip && (sameIpv4Subnet(a.address, vip, a.prefix) || vipNets.some((n) => sameIpv4Subnet(a.address, n.address, n.prefix)));
    const arping = uniq(
      heldAddresses(s)
        .filter((a) => a.up && a.iface !== 'lo')
        .filter((a) => (method !== 'tun' && a.address === p.realServer.address) || onVipLink(a))
        .map((a) => a.iface),
    ).filter((name) => {
      const itf = s.interfaces?.find((i) => i.name === name);
      return itf && !itf.flags.includes('NOARP') && itf.linkType !== 'ipip';
    });
    const bad = arping.filter(
      (iface) => (effectiveConf(s.sysctl!, iface, 'arp_ignore') ?? 0) < 1 || (effectiveConf(s.sysctl!, iface, 'arp_announce') ?? 0) < 2,
    );
    if (bad.length === 0) continue;
    const keys = ['all', ...bad].flatMap((i) => [`net.ipv4.conf.${i}.arp_ignore`, `net.ipv4.conf.${i}.arp_announce`]);
    out.push({
      code: 'check-arp-sysctls',
      severity: 'error',
      message: `Real server ${s.name} (${realServerName(p.realServer)}, ${method.toUpperCase()}) answers ARP for local addresses on ${bad.join(', ')}: effective arp_ignore=${bad.map((i) => effectiveConf(s.sysctl!, i, 'arp_ignore') ?? '?').join('/')}, arp_announce=${bad.map((i) => effectiveConf(s.sysctl!, i, 'arp_announce') ?? '?').join('/')} (need 1 and 2). It can answer ARP for the VIP ${p.service.vip ?? ''} and take the traffic from the director.`,
      advice: 'Set net.ipv4.conf.all.arp_ignore=1 and net.ipv4.conf.all.arp_announce=2 (the kernel uses the larger of all and the interface value); persist them in /etc/sysctl.d/.',
      evidence: [sysctlEvidence(s, keys)],
      location: p.realServer.location ?? p.service.location,
      service: serviceName(p.service),
      realServer: p.realServer.name,
      fix: {
        description: `Stop ${s.name} from answering ARP for the VIP (until reboot)`,
        host: s.name,
        argv: ['sysctl', '-w', 'net.ipv4.conf.all.arp_ignore=1', 'net.ipv4.conf.all.arp_announce=2'],
        sudo: true,
      },
    });
  }
  return out;
};

/** The subnets the VIP lives on, from the directors: the VIP's own prefix, and the addresses beside it on its interface. */
function vipSegments(directors: HostState[], vip: string): { address: string; prefix: number }[] {
  const out: { address: string; prefix: number }[] = [];
  for (const d of directors) {
    const held = heldAddresses(d);
    for (const v of held.filter((a) => a.address === vip)) {
      if (v.prefix < 32) out.push({ address: vip, prefix: v.prefix });
      for (const a of held) if (a.iface === v.iface && a.address !== vip && !a.address.includes(':') && sameIpv4Subnet(a.address, vip, a.prefix)) out.push(a);
    }
  }
  return out;
}
