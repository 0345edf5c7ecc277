// rs-no-reply: the real server received the requests and sent nothing back. With
// LVS/DR or TUN the usual cause is the VIP missing on lo (or tunl0): the kernel drops
// packets for an address it does not own; also rp_filter (TUN) or a local firewall.

import type { Finding } from '../../findings/finding';
import type { ConnFacts } from '../facts';
import { blamedRealServers, connEvidence, explainedConnections, firstRequested, forEachConn, locate, plural, type Rule } from './rule';

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
        rs = v.rs;
        seenThere = true;
      } else if (c.forwarded && c.conn.state === 'no-reply' && c.conn.realServer) {
        rs = c.conn.realServer;
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
      findings.push({
        code: 'rs-no-reply',
        severity: 'error',
        message: `${rs} ${seenThere ? 'receives' : 'is sent'} ${plural(conns.length, 'request')} for ${vip}:${conns[0].conn.vport} and never answers — ${cause}.`,
        advice:
          method === 'nat'
            ? `On ${rs}: check the service listens (ss -lntu) and the local firewall (nft list ruleset).`
            : method === 'tun'
              ? `On ${rs}: modprobe ipip; ip link set tunl0 up; ip addr add ${vip}/32 dev tunl0; sysctl net.ipv4.conf.tunl0.rp_filter=0 and net.ipv4.conf.all.rp_filter=0; arp_ignore=1, arp_announce=2.`
              : `On ${rs}: ip addr add ${vip}/32 dev lo (keep arp_ignore=1, arp_announce=2), check the service listens on the VIP or 0.0.0.0, and rp_filter.`,
        evidence: conns.slice(0, 3).flatMap((c) =>
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
