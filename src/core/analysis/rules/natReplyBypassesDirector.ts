// nat-reply-bypasses-director: an LVS/NAT real server sends its replies to another
// gateway, so they are never rewritten back to the VIP; the client sees the real
// server's own address and drops (or resets) the connection.

import type { Finding } from '../../findings/finding';
import { againstCapture, type ConnFacts, type Facts, type RsView } from '../facts';
import type { PacketRecords } from '../packetRecords';
import { clientRequest, connEvidence, forEachConn, groupBy, locate, plural, recordsAt, replyPacket, type PointRecord, type Rule } from './rule';

export const natReplyBypassesDirector: Rule = {
  code: 'nat-reply-bypasses-director',
  severity: 'error',
  summary: 'NAT replies do not go back through the director',
  suspect: (c) => c.service?.method === 'nat',
  check(ctx) {
    const findings: Finding[] = [];
    const directors = ctx.points.filter((p) => p.readable && p.spec.role === 'director');
    const directorCaptured = directors.length > 0;
    // The director could have seen a real server's replies only while its capture ran: replies
    // sent after its tcpdump stopped (hosts never stop at the same instant) are no evidence
    // against the real server's route.
    const directorCouldSee = (v: RsView): boolean => {
      const doubt = ctx.points[v.point]?.clockDoubt ?? 0;
      return directors.some((d) => againstCapture(d, v.first, v.last, doubt) === 'during');
    };
    const hits: Array<{ c: ConnFacts; rs: string; how: string }> = [];
    forEachConn(ctx.suspects, (c) => {
      if (c.service?.method !== 'nat') return;
      const rsAddrs = new Set(c.service.realServers.map((r) => r.address));
      for (const [addr, name] of ctx.services.rsByAddress) if (name === c.conn.realServer) rsAddrs.add(addr);
      const clientSawRip = c.clientReplySrcs.find((e) => rsAddrs.has(e.slice(0, e.lastIndexOf(':'))));
      for (let vi = 0; vi < c.rsViews.length; vi++) {
        const v = c.rsViews[vi];
        if (v.replies === 0 || v.requests === 0) continue;
        const otherHop = v.repDstMacs.length > 0 && v.reqSrcMacs.length > 0 && !v.repDstMacs.some((m) => v.reqSrcMacs.includes(m));
        if ((directorCaptured && !c.directorSawReply && directorCouldSee(v)) || otherHop || clientSawRip) {
          hits.push({
            c,
            rs: v.rs,
            how: otherHop
              ? `replies leave ${v.rs} towards ${v.repDstMacs.join(', ')}, not the director's ${v.reqSrcMacs.join(', ')}`
              : `${v.rs} replies but the director never sees the replies`,
          });
        }
      }
      if (clientSawRip && !c.rsViews.some((v) => v.replies > 0) && c.conn.realServer) {
        hits.push({ c, rs: c.conn.realServer, how: `the client receives replies from ${clientSawRip} instead of ${c.conn.vip}:${c.conn.vport}` });
      }
    });
    for (const [rs, list] of groupBy(hits, (h) => h.rs)) {
      const conns = [...new Set(list.map((h) => h.c))];
      const svc = conns[0].service;
      const rip = ctx.services.rsAddressByName.get(rs) ?? rs;
      const clientSaw = conns.find((c) => c.clientReplySrcs.some((e) => e.startsWith(`${rip}:`)));
      findings.push({
        code: 'nat-reply-bypasses-director',
        severity: 'error',
        message: `LVS/NAT replies from ${rs} do not come back through the director (${list[0].how}), so they are never rewritten to the VIP${clientSaw ? `: the client receives them from ${rip} and rejects them` : ''} — ${plural(conns.length, 'connection')} affected.`,
        advice: `Make the director ${ctx.services.vips.size ? '' : ''}the default gateway of ${rs} (ip route replace default via <director's inner address>), or at least the route to the client networks; with two directors use a floating inner VIP as the gateway.`,
        evidence: conns.slice(0, 3).flatMap((c) => {
          // At the client: the replies it got. At the real server: the requests the director
          // forwarded to it (not the client's own resets or ICMP errors that came another
          // way) and the server's replies.
          const fromDirector = viaDirector(ctx, c);
          return connEvidence(
            ctx,
            c,
            (p) => p.spec.role === 'real-server' || p.spec.role === 'client',
            (p) => (p.spec.role === 'client' ? `client sees replies from ${c.clientReplySrcs.join(', ')}` : `${rs} receives ${c.conn.client}:${c.conn.clientPort} via the director and answers elsewhere`),
            (s, i, p) => (p.spec.role === 'client' ? replyPacket(s, i, p) : replyPacket(s, i, p) || (clientRequest(s, i, p) && fromDirector(s, i))),
          );
        }),
        realServer: rs,
        location: locate(ctx, svc, rs),
        connections: conns.map((c) => c.conn.id),
      });
    }
    return findings;
  },
};

/** Whether a request record of `c` is a packet the director passed on: the same packet (by
 *  what NAT leaves unchanged: IP ID, flags, numbers, length) as a request at a director
 *  point. Without a director point every request counts as one. */
function viaDirector(ctx: Facts, c: ConnFacts): (s: PacketRecords, i: number) => boolean {
  const atDirector: PointRecord[] = [];
  for (const point of new Set(c.flows.map((f) => f.point))) {
    if (ctx.points[point].spec.role === 'director') atDirector.push(...recordsAt(ctx, c, point, (s, i) => !s.reply(i)));
  }
  if (atDirector.length === 0) return () => true;
  return (s, i) => atDirector.some((d) => s.sameKey(i, d.s, d.i));
}
