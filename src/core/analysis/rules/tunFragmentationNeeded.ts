// tun-fragmentation-needed: ICMP "fragmentation needed" about tunnelled packets. With
// LVS/TUN the 20-byte IPIP header makes full-size client packets too big for the path:
// large requests stall (handshake fine, then nothing) when the ICMP is lost or ignored.

import type { Finding } from '../../findings/finding';
import { groupBy, pointEvidence, type Rule } from './rule';

export const tunFragmentationNeeded: Rule = {
  code: 'tun-fragmentation-needed',
  severity: 'error',
  summary: 'ICMP fragmentation needed for tunnelled (IPIP) packets',
  check(ctx) {
    const tunVips = new Set(ctx.services.services.filter((s) => s.method === 'tun' && s.vip).map((s) => s.vip as string));
    const events = ctx.fragNeeded.filter(
      (e) => e.quoted.proto === 'ipip' || e.quoted.protoNumber === 4 || (tunVips.has(e.quoted.dst) && ctx.services.vips.has(e.quoted.dst)),
    );
    if (events.length === 0) return [];
    const findings: Finding[] = [];
    const byPoint = groupBy(events, (e) => String(e.point));
    const mtus = [...new Set(events.map((e) => e.mtu).filter((m): m is number => m !== undefined))];
    const first = events[0];
    const ipip = first.quoted.proto === 'ipip' || first.quoted.protoNumber === 4;
    findings.push({
      code: 'tun-fragmentation-needed',
      severity: 'error',
      message: `${events.length} ICMP "fragmentation needed"${mtus.length ? ` (next-hop MTU ${mtus.join(', ')})` : ''} ${ipip ? `for IP-in-IP packets ${first.quoted.src} → ${first.quoted.dst}` : `for packets to the VIP ${first.quoted.dst}`}: with LVS/TUN the tunnel header makes full-size packets too big, so large requests stall unless the clients lower their packet size.`,
      advice:
        'Lower the MTU/MSS so tunnelled packets fit: on the real servers reduce the advertised MSS (ip route ... advmss 1440) or the client-facing MTU, clamp MSS on the router, or raise the MTU of the director–real-server path; make sure ICMP type 3 code 4 reaches the clients (net.ipv4.vs.pmtu_disc=1).',
      evidence: [...byPoint.values()].map((list) =>
        pointEvidence(ctx, list[0].point, list.map((e) => e.n), `ICMP fragmentation needed from ${list[0].src} to ${list[0].dst}${list[0].mtu ? `, MTU ${list[0].mtu}` : ''}`, list[0].ts),
      ),
    });
    return findings;
  },
};
