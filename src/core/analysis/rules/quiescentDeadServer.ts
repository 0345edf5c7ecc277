// quiescent-dead-server: traffic keeps going to a real server that no longer answers
// while the others do. Typical cause: the checker set the dead server's weight to 0
// (keepalived inhibit_on_failure, ldirectord quiescent=yes) instead of removing it;
// IPVS keeps existing entries, so clients that reuse their source port (UDP: syslog,
// DNS forwarders, RADIUS, SIP) or persistent clients stay on the dead server.

import type { ManifestService } from '../../capture/manifest';
import type { Evidence, Finding } from '../../findings/finding';
import { firstSightings, lastFirstSighting } from '../hops';
import type { ConnFacts, Facts, PointInfo } from '../facts';
import { FIN, RST, SYN, type Flow } from '../flowTable';
import { blamedRealServers, connLabel, fmtTime, forEachConn, locate, plural, pointEvidence, recordsAt, serviceRealServer, type Rule } from './rule';

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
        const weight = serviceRealServer(ctx, svc, rs)?.weight;
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
        // What became of the late requests, where their answers can be seen (of every late
        // connection for the message's counts, else of the ones cited).
        const counted = e.lastAnswer === -Infinity && refused > 0;
        const outcomes = late.slice(0, counted ? late.length : 3).map((x) => outcome(ctx, x.c, rs, since));
        const udp = svc.protocol === 'udp';
        const stopped =
          e.lastAnswer > -Infinity
            ? `after it stopped answering at ${fmtTime(e.lastAnswer)}`
            : counted
              ? `although it refuses them (${refusedText(outcomes) ?? `${plural(refused, 'connection')} refused`}: its service is down)`
              : 'although it never answers';
        const c0 = late[0].c;
        // The director still sending them on (its copies of the requests), then what became of them.
        const evidence: Evidence[] = [];
        const f = forwardingFlow(ctx, c0, rs);
        if (f) {
          const sent = recordsAt(ctx, c0, f.point, (s, i) => !s.reply(i) && s.ts[i] + ctx.points[f.point].shift > since).slice(0, 10);
          evidence.push(pointEvidence(ctx, f.point, sent.map((r) => r.n), `${connLabel(c0)} still sent to ${rs}`, sent[0]?.ts ?? lateStart));
        }
        for (let k = 0; k < Math.min(3, late.length); k++) evidence.push(...outcomeEvidence(ctx, late[k].c, outcomes[k], udp));
        findings.push({
          code: 'quiescent-dead-server',
          severity: 'error',
          message: `${udp ? `${plural(lateCount, 'datagram')} (${plural(late.length, 'connection')})` : plural(lateCount, 'request')} kept going to ${rs} ${stopped}, while the other real servers still answer${quiesced ? ` — ${rs} has weight 0 (quiesced) but IPVS keeps its existing entries` : ''}${sameSourcePort ? '; the client reuses one source port, so its IPVS entry never expires and it stays on the dead server' : ''}.`,
          advice:
            'Set net.ipv4.vs.expire_nodest_conn=1 (drop entries of removed servers on the next packet) and, with persistence, net.ipv4.vs.expire_quiescent_template=1; prefer removing a failed real server over weight 0 (drop inhibit_on_failure / ldirectord quiescent=no), and shorten the UDP timeout (ipvsadm --set).',
          evidence,
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

/** Replies that refuse: ICMP errors and resets (what answer() leaves out). */
function refusal(reply: boolean, flagBits: number): boolean {
  return reply && (flagBits === -2 || (flagBits >= 0 && (flagBits & RST) !== 0 && (flagBits & (SYN | FIN)) === 0));
}

/** What became of a connection's requests after `since`, at one capture point: the requests
 *  refused (with their refusals) and those never answered. */
interface Outcome {
  point: number;
  /** Refused requests and their refusals, in capture order. */
  refusedPackets: number[];
  /** Refusals by what they were: `RST`, `ICMP port unreachable`... */
  refusals: Map<string, number>;
  /** Where the refusals came from (`192.0.2.100`). */
  refusedBy: Set<string>;
  answered: number;
  unanswered: number[];
}

/** Where the connection's fate shows: the real server's own capture, else the client's or a
 *  router's, else the director's (NAT: the answers come back through it). */
const OUTCOME_ROLES: Array<PointInfo['spec']['role']> = ['real-server', 'client', 'router', 'director'];

function outcome(ctx: Facts, c: ConnFacts, rs: string, since: number): Outcome | undefined {
  const points = [...new Set(c.flows.map((f) => f.point))];
  for (const role of OUTCOME_ROLES) {
    for (const point of points) {
      const spec = ctx.points[point].spec;
      if (spec.role !== role || (role === 'real-server' && (ctx.points[point].realServer ?? spec.host) !== rs)) continue;
      const recs = recordsAt(ctx, c, point, (s, i) => !s.dup(i) && s.ts[i] + ctx.points[point].shift > since);
      const o: Outcome = { point, refusedPackets: [], refusals: new Map(), refusedBy: new Set(), answered: 0, unanswered: [] };
      // Each refusal or answer goes with the latest request still open before it.
      const open: number[] = [];
      let requests = 0;
      for (const { s, i, n } of recs) {
        const reply = s.reply(i);
        const flagBits = s.flagBits(i);
        if (opening(reply, flagBits, s.len[i])) {
          open.push(n);
          requests++;
        } else if (open.length > 0 && refusal(reply, flagBits)) {
          o.refusedPackets.push(open.pop()!, n);
          const what = flagBits === -2 ? (s.note(i) ?? 'ICMP unreachable') : 'RST';
          o.refusals.set(what, (o.refusals.get(what) ?? 0) + 1);
          o.refusedBy.add(s.addr(i).src);
        } else if (open.length > 0 && answer(reply, flagBits)) {
          open.pop();
          o.answered++;
        }
      }
      if (requests === 0) continue;
      o.refusedPackets.sort((a, b) => a - b);
      o.unanswered = open;
      return o;
    }
  }
  return undefined;
}

/** `8 answered by ICMP port unreachable, 1 unanswered` over all the late requests, as the
 *  evidence lines count them (none: no refusal seen). */
function refusedText(outcomes: Array<Outcome | undefined>): string | undefined {
  const by = new Map<string, number>();
  let answered = 0;
  let unanswered = 0;
  for (const o of outcomes) {
    if (!o) continue;
    answered += o.answered;
    unanswered += o.unanswered.length;
    for (const [what, n] of o.refusals) by.set(what, (by.get(what) ?? 0) + n);
  }
  if (by.size === 0) return undefined;
  const parts: string[] = [];
  for (const [what, n] of by) parts.push(parts.length === 0 ? `${n} answered by ${what}` : `${n} by ${what}`);
  if (answered > 0) parts.push(`${answered} answered`);
  if (unanswered > 0) parts.push(`${unanswered} unanswered`);
  return parts.join(', ');
}

/** Evidence of what became of a connection's late requests: the refused ones with their
 *  refusals, and the unanswered ones, each on its own line. */
function outcomeEvidence(ctx: Facts, c: ConnFacts, o: Outcome | undefined, udp: boolean): Evidence[] {
  if (!o) return [];
  const unit = udp ? 'datagram' : 'SYN';
  const out: Evidence[] = [];
  const refused = [...o.refusals.values()].reduce((a, n) => a + n, 0);
  if (refused > 0) {
    const what = [...o.refusals.keys()].join(' or ');
    const from = o.refusedBy.size === 1 ? ` from ${[...o.refusedBy][0]}` : '';
    out.push(pointEvidence(ctx, o.point, o.refusedPackets, `${connLabel(c)}: ${plural(refused, unit)} answered by ${what}${from}`, tsOf(ctx, c, o.point, o.refusedPackets[0])));
  }
  if (o.unanswered.length > 0) {
    out.push(pointEvidence(ctx, o.point, o.unanswered, `${connLabel(c)}: ${plural(o.unanswered.length, unit)}, no answer`, tsOf(ctx, c, o.point, o.unanswered[0])));
  }
  return out;
}

/** The time of packet `n` of the connection at `point`, on the common clock. */
function tsOf(ctx: Facts, c: ConnFacts, point: number, n: number): number | undefined {
  return recordsAt(ctx, c, point, (s, i) => s.n[i] === n)[0]?.ts;
}

/** The connection's director flow that shows the requests going on to `rs` (DR: the copies
 *  sent again; NAT: the rewritten requests; TUN: the encapsulated ones), else its first
 *  director flow. */
function forwardingFlow(ctx: Facts, c: ConnFacts, rs: string): Flow | undefined {
  const rip = ctx.services.rsAddressByName.get(rs);
  let first: Flow | undefined;
  for (const f of c.flows) {
    if (ctx.points[f.point].spec.role !== 'director') continue;
    first ??= f;
    if (f.reqDup > 0 || (rip !== undefined && (f.reqDsts.some((e) => e.startsWith(`${rip}:`)) || f.encapDsts.includes(rip)))) return f;
  }
  return first;
}
