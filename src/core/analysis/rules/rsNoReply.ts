// rs-no-reply: the real server received the requests and sent nothing back. With
// LVS/DR or TUN the usual cause is the VIP missing on lo (or tunl0): the kernel drops
// packets for an address it does not own; also rp_filter (TUN) or a local firewall.

import type { Finding } from '../../findings/finding';
import { answerUnseen, begunBeforeCapture, rsCaptureMissed, type ConnFacts, type Facts } from '../facts';
import { blamedRealServers, connEvidence, explainedConnections, firstRequested, forEachConn, groupBy, listText, locate, plural, serviceName, type Rule } from './rule';

export const rsNoReply: Rule = {
  code: 'rs-no-reply',
  severity: 'error',
  summary: 'A real server receives requests and never answers',
  suspect(c) {
    const v = firstRequested(c);
    if (v) return v.replies === 0 && v.rst === 0 && v.icmp === 0;
    return c.forwarded && c.conn.state === 'no-reply';
  },
  check(ctx) {
    const findings: Finding[] = [];
    const blamed = blamedRealServers(ctx);
    const explained = explainedConnections(ctx);
    const byRs = new Map<string, { conns: ConnFacts[]; seenThere: boolean }>();
    forEachConn(ctx.suspects, (c) => {
      if (explained.size > 0 && explained.has(c.conn.id)) return;
      const v = firstRequested(c);
      let rs: string | undefined;
      let seenThere = false;
      if (v) {
        if (v.replies > 0 || v.rst > 0 || v.icmp > 0) return;
        // Its capture (or the client side's) ended too soon after the request to show an answer,
        // or began when the connection was under way (its last ACK after the answers).
        if (answerUnseen(ctx.points, v) || begunBeforeCapture(ctx.points, c, v)) return;
        rs = v.rs;
        seenThere = true;
      } else if (c.forwarded && c.conn.state === 'no-reply' && c.conn.realServer) {
        rs = c.conn.realServer;
        // Its own capture was not running then: it could not have shown the requests.
        if (rsCaptureMissed(ctx.points, c, rs)) return;
      }
      if (!rs || blamed.has(rs)) return;
      // UDP services may be one-way (syslog): only blame when others do answer UDP.
      if (c.conn.protocol === 'udp' && !ctx.conns.some((o) => o.service === c.service && o.conn.state === 'complete')) return;
      const e = byRs.get(rs) ?? { conns: [], seenThere };
      e.conns.push(c);
      byRs.set(rs, e);
    });
    for (const [rs, { conns, seenThere }] of byRs) {
      const svc = conns[0].service;
      const method = svc?.method;
      const vip = conns[0].conn.vip;
      const cause =
        method === 'nat'
          ? 'a firewall on it, or the service not listening (it would normally answer RST)'
          : method === 'tun'
            ? `typically the VIP ${vip} missing on tunl0, the ipip module not loaded, or rp_filter dropping the decapsulated packets`
            : `typically the VIP ${vip} missing on lo: the kernel drops packets for an address it does not own`;
      // One finding per real server (as the other per-server rules), naming every service
      // its unanswered requests were for, with what they were per service.
      const byService = groupBy(conns, serviceOf);
      const services = [...byService.values()].map((list) => `${serviceName(list[0].service, { protocol: list[0].conn.protocol, vip: list[0].conn.vip, port: list[0].conn.vport })} (${countText(ctx, list)})`);
      findings.push({
        code: 'rs-no-reply',
        severity: 'error',
        message: `${rs} never answers the requests ${seenThere ? 'it receives' : 'the director forwards to it'} for ${listText(services)} — ${cause}.`,
        advice:
          method === 'nat'
            ? `On ${rs}: check the service listens (ss -lntu) and the local firewall (nft list ruleset).`
            : method === 'tun'
              ? `On ${rs}: modprobe ipip; ip link set tunl0 up; ip addr add ${vip}/32 dev tunl0; sysctl net.ipv4.conf.tunl0.rp_filter=0 and net.ipv4.conf.all.rp_filter=0; arp_ignore=1, arp_announce=2.`
              : `On ${rs}: ip addr add ${vip}/32 dev lo (keep arp_ignore=1, arp_announce=2), check the service listens on the VIP or 0.0.0.0, and rp_filter.`,
        evidence: cited(conns, byService).flatMap((c) =>
          connEvidence(ctx, c, (p) => (seenThere ? p.spec.role === 'real-server' : p.spec.role === 'director'), () => `${c.conn.client}:${c.conn.clientPort} → ${vip}:${c.conn.vport}, no answer from ${rs}`),
        ),
        realServer: rs,
        location: locate(ctx, svc, rs),
        connections: conns.map((c) => c.conn.id),
      });
    }
    return findings;
  },
};

/** The service a connection's requests were for: its virtual service, else protocol, VIP and port. */
function serviceOf(c: ConnFacts): string {
  const s = c.service;
  if (s) return s.fwmark !== undefined ? `fwmark|${s.fwmark}` : `${s.protocol}|${s.vip}|${s.port}`;
  return `${c.conn.protocol}|${c.conn.vip}|${c.conn.vport}`;
}

/** `4 connections`; UDP ones with their datagrams: `4 connections, 6 datagrams`. */
function countText(ctx: Facts, conns: ConnFacts[]): string {
  let udp = 0;
  let datagrams = 0;
  for (const c of conns) {
    if (c.conn.protocol !== 'udp') continue;
    udp++;
    datagrams += requestsOf(ctx, c);
  }
  const text = plural(conns.length, 'connection');
  if (udp === 0) return text;
  return `${text}, ${plural(datagrams, udp === conns.length ? 'datagram' : 'UDP datagram')}`;
}

/** Requests of the connection where it was judged: at the real server, else as the director
 *  received them (first copies at a director point). */
function requestsOf(ctx: Facts, c: ConnFacts): number {
  const v = firstRequested(c);
  if (v) return v.requests;
  let most = 0;
  for (const f of c.flows) if (ctx.points[f.point].spec.role === 'director' && f.req > most) most = f.req;
  return most;
}

/** The connections to cite, in their order: 3 (or one per service, when more services),
 *  taken from each service in turn so that every service named has one. */
function cited(conns: ConnFacts[], byService: Map<string, ConnFacts[]>): ConnFacts[] {
  const lists = [...byService.values()];
  const max = Math.max(3, lists.length);
  const picked = new Set<ConnFacts>();
  for (let k = 0; picked.size < max && picked.size < conns.length; k++) {
    for (const list of lists) if (k < list.length && picked.size < max) picked.add(list[k]);
  }
  return conns.filter((c) => picked.has(c));
}
