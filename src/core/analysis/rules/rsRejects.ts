// rs-rejects: the real server refuses the connection (TCP RST to the SYN, or ICMP port
// unreachable for UDP): nothing listens on that address and port.

import type { Finding } from '../../findings/finding';
import type { ConnFacts, RsView } from '../facts';
import { blamedRealServers, connEvidence, forEachConn, locate, plural, type Rule } from './rule';

/** The first real-server view that received requests and refused them (RST or ICMP). */
function refusingView(c: ConnFacts): RsView | undefined {
  for (let k = 0; k < c.rsViews.length; k++) {
    const x = c.rsViews[k];
    if (x.requests > 0 && x.synAck === 0 && (x.rst > 0 || x.icmp > 0) && x.replySrcs.length > 0) return x;
  }
  return undefined;
}

export const rsRejects: Rule = {
  code: 'rs-rejects',
  severity: 'error',
  summary: 'A real server refuses connections (RST or ICMP port unreachable)',
  suspect: (c) => c.conn.state === 'rejected' || refusingView(c) !== undefined,
  check(ctx) {
    const findings: Finding[] = [];
    const blamed = blamedRealServers(ctx);
    const byRs = new Map<string, ConnFacts[]>();
    forEachConn(ctx.suspects, (c) => {
      let rs: string | undefined;
      const v = refusingView(c);
      if (v && !(c.conn.protocol === 'tcp' && c.handshakeDone)) rs = v.rs;
      else if (!v && c.forwarded && c.conn.state === 'rejected' && !c.directorRefused && c.conn.realServer) rs = c.conn.realServer;
      if (!rs || blamed.has(rs)) return;
      const list = byRs.get(rs) ?? [];
      list.push(c);
      byRs.set(rs, list);
    });
    for (const [rs, conns] of byRs) {
      const svc = conns[0].service;
      const port = svc?.realServers.find((r) => r.name === rs)?.port ?? conns[0].conn.vport;
      const how = conns[0].conn.protocol === 'tcp' ? 'TCP RST' : 'ICMP port unreachable';
      findings.push({
        code: 'rs-rejects',
        severity: 'error',
        message: `${rs} refuses ${plural(conns.length, 'connection')} (${how}): nothing accepts ${conns[0].conn.protocol}/${port} there${svc?.method !== 'nat' ? ' on the VIP' : ''} — the service is down, listens on another port, or is bound to another address.`,
        advice: `On ${rs}: check the service is running and listening (ss -lntu) on ${svc?.method === 'nat' ? `its address, port ${port}` : `the VIP (or 0.0.0.0), port ${port}`}; a health checker (TCP_CHECK/HTTP_GET) would take ${rs} out of rotation.`,
        evidence: conns.slice(0, 3).flatMap((c) => connEvidence(ctx, c, (p) => p.spec.role === 'real-server' || p.spec.role === 'director', () => `${c.conn.client}:${c.conn.clientPort} refused by ${rs}`)),
        realServer: rs,
        location: locate(ctx, svc, rs),
        connections: conns.map((c) => c.conn.id),
      });
    }
    return findings;
  },
};
