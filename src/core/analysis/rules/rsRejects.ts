// rs-rejects: the real server refuses the connection (TCP RST to the SYN, or ICMP port
// unreachable for UDP): nothing listens on that address and port.

import type { Finding } from '../../findings/finding';
import type { ConnFacts, Facts, RsView } from '../facts';
import { blamedRealServers, connEvidence, firstOfEach, forEachConn, listText, locate, plural, serviceRealServer, type Rule } from './rule';

/** The first real-server view that received requests and refused them (RST or ICMP). */
function refusingView(c: ConnFacts): RsView | undefined {
  for (let k = 0; k < c.rsViews.length; k++) {
    const x = c.rsViews[k];
    if (x.requests > 0 && x.synAck === 0 && (x.rst > 0 || x.icmp > 0) && x.replySrcs.length > 0) return x;
  }
  return undefined;
}

/** The services a real server refused, in the order first met: protocol, the port it is
 *  reached at (its own in NAT), and the connections. */
function refusedServices(ctx: Facts, rs: string, conns: ConnFacts[]): { protocol: string; port: number | undefined; conns: ConnFacts[] }[] {
  const out: { protocol: string; port: number | undefined; conns: ConnFacts[] }[] = [];
  for (const c of conns) {
    const port = serviceRealServer(ctx, c.service, rs)?.port ?? c.conn.vport;
    const same = out.find((x) => x.protocol === c.conn.protocol && x.port === port);
    if (same) same.conns.push(c);
    else out.push({ protocol: c.conn.protocol, port, conns: [c] });
  }
  return out;
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
      // One finding per real server; a server with a TCP and a UDP service refused on both
      // is told per service (protocol and the port it is reached at).
      const services = refusedServices(ctx, rs, conns);
      const nat = svc?.method === 'nat';
      const refusals = services.map((x) => `${plural(x.conns.length, 'connection')} to ${x.protocol}/${x.port} (${x.protocol === 'tcp' ? 'TCP RST' : 'ICMP port unreachable'})`);
      const ports = services.map((x) => `${x.protocol}/${x.port}`);
      findings.push({
        code: 'rs-rejects',
        severity: 'error',
        message: `${rs} refuses ${listText(refusals)}: nothing accepts ${listText(ports).replace(/ and /g, ' or ')} there${!nat ? ' on the VIP' : ''} — the service is down, listens on another port, or is bound to another address.`,
        advice: `On ${rs}: check the service is running and listening (ss -lntu) on ${nat ? `its address, ${listText(ports)}` : `the VIP (or 0.0.0.0), ${listText(ports)}`}; a health checker (TCP_CHECK/HTTP_GET) would take ${rs} out of rotation.`,
        // The first connections of each service in turn, three in all.
        evidence: firstOfEach(services.map((x) => x.conns), 3).flatMap((c) => connEvidence(ctx, c, (p) => p.spec.role === 'real-server' || p.spec.role === 'director', () => `${c.conn.client}:${c.conn.clientPort} refused by ${rs}`)),
        realServer: rs,
        location: locate(ctx, svc, rs),
        connections: conns.map((c) => c.conn.id),
      });
    }
    return findings;
  },
};
