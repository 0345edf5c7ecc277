// vip-no-traffic: nothing addressed to the VIP reached the director during the capture.

import type { Evidence } from '../../findings/finding';
import { firstRefs } from '../facts';
import { pointEvidence, plural, type Rule } from './rule';

export const vipNoTraffic: Rule = {
  code: 'vip-no-traffic',
  severity: 'error',
  summary: 'Nothing for the VIP reached the director',
  check(ctx) {
    const directors = ctx.points.filter((p) => p.spec.role === 'director' && p.readable);
    if (directors.length === 0) return [];
    if (ctx.conns.some((c) => c.atDirector || c.forwarded)) return [];
    // The ARP problem already says where the traffic went.
    if (ctx.earlier.some((f) => f.code === 'arp-problem')) return [];
    const vip = ctx.manifest.target.vip;
    const evidence: Evidence[] = directors.map((p) =>
      pointEvidence(ctx, p.index, [], `${plural(p.table.packets, 'packet')} captured on ${p.spec.interface}, none from a client to ${vip}`),
    );
    const sent = ctx.conns.filter((c) => c.flows.some((f) => ctx.points[f.point].spec.role !== 'director' && f.req > 0));
    for (const c of sent.slice(0, 3)) {
      const f = c.flows.find((x) => ctx.points[x.point].spec.role !== 'director' && x.req > 0)!;
      evidence.push(pointEvidence(ctx, f.point, firstRefs(c).get(f.point) ?? [], `${c.conn.client}:${c.conn.clientPort} sent to ${c.conn.vip}:${c.conn.vport} here, never seen at the director`, f.first));
    }
    const arpAnswered = ctx.arp.some((a) => a.senderIp === vip && (a.op === 'reply' || a.op === 2));
    return [
      {
        code: 'vip-no-traffic',
        severity: 'error',
        message: sent.length
          ? `Clients send to the VIP ${vip} (${plural(sent.length, 'connection')} seen elsewhere), but none of it reached the director.`
          : `No traffic for the VIP ${vip} reached the director during the capture.`,
        advice: `Check that the director holds ${vip} (ip addr; with keepalived: is it MASTER?), that the router resolves ${vip} to the director's MAC${arpAnswered ? '' : ' (no ARP reply for the VIP was captured)'}, the route to the VIP, and that the capture ran on the interface that receives client traffic and while clients were sending.`,
        evidence,
        connections: sent.map((c) => c.conn.id),
      },
    ];
  },
};
