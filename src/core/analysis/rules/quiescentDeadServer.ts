// quiescent-dead-server: traffic keeps going to a real server that no longer answers
// while the others do. Typical cause: the checker set the dead server's weight to 0
// (keepalived inhibit_on_failure, ldirectord quiescent=yes) instead of removing it;
// IPVS keeps existing entries, so clients that reuse their source port (UDP: syslog,
// DNS forwarders, RADIUS, SIP) or persistent clients stay on the dead server.

import type { ManifestService } from '../../capture/manifest';
import type { Finding } from '../../findings/finding';
import { firstSightings, lastFirstSighting } from '../hops';
import { firstRefs, type ConnFacts, type Facts } from '../facts';
import { FIN, RST, SYN } from '../flowTable';
import { blamedRealServers, fmtTime, forEachConn, locate, plural, pointEvidence, type Rule } from './rule';

interface PerRs {
  lastAnswer: number;
  answered: boolean;
  conns: ConnFacts[];
}

const OPEN_BITS = 0x1f; // FIN SYN RST PSH ACK: what a hop's summary shows

/** Requests that open something: a bare TCP SYN, a UDP datagram. */
function opening(reply: boolean, flagBits: number, len: number): boolean {
  return !reply && (flagBits === -1 || (flagBits >= 0 && (flagBits & OPEN_BITS) === SYN && len === 0));
}

/** Replies that answer: anything but ICMP errors and resets. */
function answer(reply: boolean, flagBits: number): boolean {
  return reply && (flagBits === -1 || (flagBits >= 0 && !((flagBits & RST) !== 0 && (flagBits & (SYN | FIN)) === 0)));
}

/** When the connection's requests that open something were first seen. */
function openings(ctx: Facts, c: ConnFacts): number[] {
  const out: number[] = [];
  firstSightings(c.flows, ctx.points, opening, (s) => out.push(s.ts));
  return out;
}

export const quiescentDeadServer: Rule = {
  code: 'quiescent-dead-server',
  severity: 'error',
  summary: 'Traffic keeps going to a real server that stopped answering',
  check(ctx) {
    const findings: Finding[] = [];
    const blamed = blamedRealServers(ctx);
    const byService = new Map<string, Map<string, PerRs>>();
    const keyOf = new Map<ManifestService, string>();
    forEachConn(ctx.conns, (c) => {
      const rs = c.conn.realServer;
      if (!rs || !c.service || !c.replyVisible) return;
      // One text per service object, not one per connection.
      let key = keyOf.get(c.service);
      if (key === undefined) keyOf.set(c.service, (key = `${c.service.protocol}|${c.service.vip}|${c.service.port}`));
      let m = byService.get(key);
      if (!m) byService.set(key, (m = new Map()));
      let e = m.get(rs);
      if (!e) m.set(rs, (e = { lastAnswer: -Infinity, answered: false, conns: [] }));
      e.conns.push(c);
    });
    for (const servers of byService.values()) {
      // When each server last answered: from the latest connections back. A connection that
      // ended before the latest answer found so far cannot move it (its packets are no later
      // than its end), so most connections are never walked.
      for (const e of servers.values()) {
        for (let k = e.conns.length - 1; k >= 0; k--) {
          const c = e.conns[k];
          if (e.answered && c.conn.end <= e.lastAnswer) continue;
          const lastAnswer = lastFirstSighting(c.flows, ctx.points, answer);
          if (lastAnswer > -Infinity) {
            e.answered = true;
            if (lastAnswer > e.lastAnswer) e.lastAnswer = lastAnswer;
          }
        }
      }
      for (const [rs, e] of servers) {
        if (blamed.has(rs)) continue;
        const svc = e.conns[0].service!;
        const weight = svc.realServers.find((r) => r.name === rs)?.weight;
        const quiesced = weight === 0;
        // Never answered and not quiesced: that is rs-no-reply, not a server that died.
        if (!quiesced && !e.answered) continue;
        const since = e.lastAnswer === -Infinity ? -Infinity : e.lastAnswer + 0.5;
        // Requests after that: only connections that lasted past it can have any.
        const late = e.conns.filter((c) => c.conn.end > since).map((c) => ({ c, ts: openings(ctx, c).filter((t) => t > since) })).filter((x) => x.ts.length > 0);
        const lateCount = late.reduce((a, x) => a + x.ts.length, 0);
        if (lateCount < 3) continue;
        const lateStart = Math.min(...late.flatMap((x) => x.ts));
        // Others must still be answering in that period, or the whole service is down.
        const othersAnswer = [...servers.entries()].some(([o, oe]) => o !== rs && oe.lastAnswer > lateStart);
        if (!othersAnswer) continue;
        const sameSourcePort = late.some((x) => x.ts.length > 1);
        const refused = late.filter((x) => x.c.conn.state === 'rejected').length;
        const stopped =
          e.lastAnswer > -Infinity
            ? `after it stopped answering at ${fmtTime(e.lastAnswer)}`
            : refused > 0
              ? `although it refuses them (${plural(refused, 'connection')} answered by RST or ICMP port unreachable: its service is down)`
              : 'although it never answers';
        const c0 = late[0].c;
        const f = c0.flows.find((x) => ctx.points[x.point].spec.role === 'director') ?? c0.flows[0];
        findings.push({
          code: 'quiescent-dead-server',
          severity: 'error',
          message: `${plural(lateCount, 'request')} kept going to ${rs} ${stopped}, while the other real servers still answer${quiesced ? ` — ${rs} has weight 0 (quiesced) but IPVS keeps its existing entries` : ''}${sameSourcePort ? '; the client reuses one source port, so its IPVS entry never expires and it stays on the dead server' : ''}.`,
          advice:
            'Set net.ipv4.vs.expire_nodest_conn=1 (drop entries of removed servers on the next packet) and, with persistence, net.ipv4.vs.expire_quiescent_template=1; prefer removing a failed real server over weight 0 (drop inhibit_on_failure / ldirectord quiescent=no), and shorten the UDP timeout (ipvsadm --set).',
          evidence: [
            pointEvidence(ctx, f.point, firstRefs(c0).get(f.point) ?? [], `${c0.conn.client}:${c0.conn.clientPort} still sent to ${rs}, no answer`, lateStart),
          ],
          realServer: rs,
          service: `${svc.protocol}:${svc.vip}:${svc.port}`,
          location: locate(ctx, svc, rs, 'inhibit_on_failure'),
          connections: late.map((x) => x.c.conn.id),
        });
      }
    }
    return findings;
  },
};
