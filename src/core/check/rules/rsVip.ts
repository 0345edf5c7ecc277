// DR and TUN real servers must own the VIP themselves, on a device that does not
// answer ARP for it: `lo` for DR, the tunnel (tunl0) or `lo` for TUN (reference
// §1.2 D2, §1.3 T1/T2). A VIP on the LAN interface answers ARP even with
// arp_ignore=1, since the target address is on the incoming interface.
import type { Finding } from '../../findings/finding';
import type { CheckRule } from '../types';
import { heldAddresses, heldText, realServerName, serviceName, uniq } from '../helpers';

export const rsVip: CheckRule = (ctx) => {
  const out: Finding[] = [];
  const seen = new Set<string>();
  for (const p of ctx.placements) {
    const method = p.realServer.method ?? p.service.method;
    const vip = p.service.vip;
    if (method === 'nat' || !vip || !p.state.interfaces) continue;
    const tag = `${p.state.name}|${vip}|${method}`;
    if (seen.has(tag)) continue;
    seen.add(tag);
    const held = heldAddresses(p.state).filter((a) => a.address === vip);
    const itfs = p.state.interfaces;
    const isTunnel = (name: string): boolean => itfs.find((i) => i.name === name)?.linkType === 'ipip' || /^tunl\d*$/.test(name);
    const arpless = (name: string): boolean => name === 'lo' || isTunnel(name) || !!itfs.find((i) => i.name === name)?.flags.includes('NOARP');
    const base = { service: serviceName(p.service), realServer: p.realServer.name, location: p.realServer.location ?? p.service.location };
    const addrs = uniq(heldAddresses(p.state).map(heldText)).join(', ');
    const host = vip.includes(':') ? 128 : 32;
    if (held.length === 0) {
      out.push({
        ...base,
        code: method === 'tun' ? 'check-vip-missing-on-tunnel' : 'check-vip-missing-on-lo',
        severity: 'error',
        message:
          method === 'tun'
            ? `Real server ${p.state.name} (${realServerName(p.realServer)}) does not hold VIP ${vip}: IPIP packets are decapsulated but the inner packet to ${vip} is dropped.`
            : `Real server ${p.state.name} (${realServerName(p.realServer)}) does not have VIP ${vip} on lo: DR forwards packets addressed to ${vip}, which this host drops (no SYN-ACK).`,
        advice: method === 'tun' ? `ip addr add ${vip}/${host} dev tunl0 (and ip link set tunl0 up)` : `ip addr add ${vip}/${host} dev lo${vip.includes(':') ? '' : ' (with arp_ignore=1 / arp_announce=2)'}`,
        evidence: [{ host: p.state.name, text: `ip addr: ${addrs || '(no address)'}` }],
      });
      continue;
    }
    const onArp = held.filter((a) => !arpless(a.iface));
    if (onArp.length > 0) {
      out.push({
        ...base,
        code: 'check-vip-on-arp-interface',
        severity: 'error',
        message: `Real server ${p.state.name} holds VIP ${vip} on ${onArp.map((a) => a.iface).join(', ')}, an interface that answers ARP: it competes with the director for the VIP (the ARP problem).`,
        advice: `Move the VIP to lo${method === 'tun' ? ' or tunl0' : ''} as a /${host} (ip addr del ${vip}/${onArp[0].prefix} dev ${onArp[0].iface}; ip addr add ${vip}/${host} dev lo).`,
        evidence: onArp.map((a) => ({ host: p.state.name, text: `ip addr: ${heldText(a)}` })),
      });
    }
    if (method === 'tun') {
      const tunnels = itfs.filter((i) => i.linkType === 'ipip' || /^tunl\d*$/.test(i.name));
      const up = tunnels.filter((i) => i.flags.includes('UP'));
      if (up.length === 0) {
        out.push({
          ...base,
          code: 'check-tunnel-device-missing',
          severity: 'error',
          message: `Real server ${p.state.name} has no IPIP tunnel device up (${tunnels.length ? `${tunnels.map((i) => i.name).join(', ')} down` : 'no tunl0: ipip module not loaded'}): the director's IPIP packets cannot be decapsulated.`,
          advice: 'modprobe ipip; ip link set tunl0 up (and put the VIP on it).',
          evidence: [{ host: p.state.name, text: `ip addr: ${tunnels.map((i) => `${i.name} <${i.flags.join(',')}>`).join(', ') || 'no tunl0'}` }],
        });
      }
    }
  }
  return out;
};
