// The director's connection table: entries to one real server stuck in SYN_RECV,
// with none to it getting further, mean the handshake never completes through the
// director — for NAT the replies do not come back through it (§1.1 N1), for DR the
// client's ACK never comes (reference §3.5 analyser hooks).
import type { Finding } from '../../findings/finding';
import { serviceKey } from '../../model/cluster';
import { formatEndpoint } from '../../state';
import type { CheckRule } from '../types';

const MIN_STUCK = 2;

export const synRecv: CheckRule = (ctx) => {
  const out: Finding[] = [];
  for (const d of ctx.directors) {
    if (!d.connections) continue;
    const byDest = new Map<string, { stuck: typeof d.connections; progressed: number }>();
    for (const c of d.connections) {
      if (c.template || c.protocol !== 'tcp') continue;
      const key = formatEndpoint(c.destination.address, c.destination.port);
      const e = byDest.get(key) ?? { stuck: [], progressed: 0 };
      if (c.state === 'SYN_RECV') e.stuck.push(c);
      else if (c.state !== 'NONE') e.progressed++;
      byDest.set(key, e);
    }
    for (const [dest, e] of byDest) {
      if (e.stuck.length < MIN_STUCK || e.progressed > 0) continue;
      const placement = ctx.placements.find((p) => formatEndpoint(p.realServer.address, p.realServer.port) === dest);
      const nat = placement ? (placement.realServer.method ?? placement.service.method) === 'nat' : undefined;
      out.push({
        code: 'check-ipvs-syn-recv',
        severity: 'warning',
        message: `${e.stuck.length} connections to real server ${dest} are stuck in SYN_RECV on ${d.name} and none to it got further: ${nat === false ? 'the clients never complete the handshake through the director (likely the real server does not answer, or answers around it)' : 'likely the real server\'s replies do not come back through the director'}.`,
        advice: nat === false ? 'Check the real server: VIP on lo, listener, ARP settings.' : 'Check the real server\'s default route (it must be the director) and ip_forward on the director.',
        evidence: e.stuck.slice(0, 5).map((c) => ({ host: d.name, text: `ipvsadm -Lnc line ${c.line}: ${c.protocol.toUpperCase()} ${c.state} ${formatEndpoint(c.client.address, c.client.port)} -> ${formatEndpoint(c.virtual.address, c.virtual.port)} -> ${dest}` })),
        location: placement?.realServer.location ?? placement?.service.location,
        service: placement ? serviceKey(placement.service) : undefined,
        realServer: placement?.realServer.name,
      });
    }
  }
  return out;
};
