// director-not-forwarding: client requests reach the director but none is sent on to a
// real server. IPVS then hands the packet to the local stack or answers itself.

import type { Finding } from '../../findings/finding';
import { firstRefs, type ConnFacts, type Facts } from '../facts';
import { RST } from '../flowTable';
import type { Connection } from '../result';
import { clientRequest, connLabel, firstRequested, groupBy, locate, plural, pointEvidence, recordsAt, replyPacket, serviceName, type Rule } from './rule';

export const directorNotForwarding: Rule = {
  code: 'director-not-forwarding',
  severity: 'error',
  summary: 'Requests reach the director but none goes to any real server',
  // Arrived at the director, not forwarded, and no real server saw a request.
  suspect: (c) => c.atDirector && !c.forwarded && firstRequested(c) === undefined,
  check(ctx) {
    const findings: Finding[] = [];
    const byService = groupBy(ctx.suspects, serviceKey());
    for (const [key, conns] of byService) {
      if (conns.some((c) => c.forwarded || c.rsViews.some((v) => v.requests > 0))) continue;
      // NAT captured on the client side only: the forwarded copies are invisible, unless the director refused.
      const refused = conns.filter((c) => c.directorRefused);
      if (!conns.some((c) => c.directorSeesForwarding) && refused.length === 0) continue;
      // Every connection of the service that reached the director must be one of these: one
      // more (forwarded, or seen at a real server) shows that the director does forward.
      if (countOf(ctx.conns, key) !== conns.length) continue;
      const c0 = conns[0];
      const svc = c0.service;
      const name = serviceName(svc, { protocol: c0.conn.protocol, vip: c0.conn.vip, port: c0.conn.vport });
      const live = svc?.realServers.filter((r) => r.weight > 0) ?? [];
      let cause: string;
      let option: string | undefined;
      if (!svc) {
        cause = `no virtual service is configured for ${name}`;
      } else if (svc.realServers.length === 0) {
        cause = 'the service has no real servers (never added, or all removed by failed health checks)';
      } else if (live.length === 0) {
        cause = 'every real server has weight 0 (quiesced, e.g. by inhibit_on_failure after failed checks)';
        option = 'weight';
      } else {
        cause =
          'the service and its real servers exist, so suspect the kernel (IPVS built without CONFIG_IP_VS_PROTO_TCP/UDP for this protocol), a firewall on the director dropping the forwarded packets, or (NAT) net.ipv4.ip_forward=0';
      }
      // UDP: counted in datagrams (a connection is every datagram from one client port), as
      // the director received them and as it answered them.
      const udp = c0.conn.protocol === 'udp';
      const seen = udp ? conns.map((c) => atDirectorPoint(ctx, c)) : [];
      const datagrams = seen.reduce((a, x) => a + x.requests, 0);
      const answered = seen.reduce((a, x) => a + x.refusals, 0);
      const arrived = udp ? `${plural(datagrams, 'client datagram')} (${plural(conns.length, 'connection')})` : plural(conns.length, 'client request');
      const refusedCount = udp ? (answered === datagrams ? plural(answered, 'datagram') : `${answered} of ${plural(datagrams, 'datagram')}`) : plural(refused.length, 'request');
      const refusedText = refused.length
        ? ` The director answered ${refusedCount} itself with ${refused[0].directorRefused!.what} from ${c0.conn.vip}: IPVS found no destination to send them to.`
        : '';
      findings.push({
        code: 'director-not-forwarding',
        severity: 'error',
        message: `${arrived} for ${name} reached the director, but none was forwarded to a real server: ${cause}.${refusedText}`,
        advice: svc
          ? `Run ipvsadm -Ln on the director: ${name} must list real servers ("->" lines) with weight > 0. If keepalived manages it, check its health-check log; otherwise add them (ipvsadm -a ... -r RIP -g|-m|-i -w 1). Check the kernel config (zgrep IP_VS_PROTO /proc/config.gz) and the director's firewall.`
          : `Define the virtual service (ipvsadm -A / a virtual_server block) for ${name}, or point the clients at the right port.`,
        evidence: evidenceFor(ctx, conns),
        service: svc ? `${svc.protocol}:${svc.vip}:${svc.port}` : undefined,
        location: locate(ctx, svc, undefined, option),
        connections: conns.map((c) => c.conn.id),
      });
    }
    return findings;
  },
};

/** The key of a connection's service (by its protocol, VIP and port) if it reached the
 *  director. Consecutive connections mostly share their service: the key is made once for them. */
function serviceKey(): (c: ConnFacts) => string | undefined {
  let last: Connection | undefined;
  let lastKey = '';
  return (c) => {
    if (!c.atDirector) return undefined;
    const conn = c.conn;
    if (last === undefined || conn.protocol !== last.protocol || conn.vip !== last.vip || conn.vport !== last.vport) lastKey = `${conn.protocol}|${conn.vip}|${conn.vport}`;
    last = conn;
    return lastKey;
  };
}

/** How many connections that reached the director have the service key `key`. */
function countOf(conns: ConnFacts[], key: string): number {
  const keyOf = serviceKey();
  let n = 0;
  for (let k = 0; k < conns.length; k++) if (keyOf(conns[k]) === key) n++;
  return n;
}

/** A UDP connection at its (first) director point: its datagrams and the director's own
 *  refusals of them (ICMP errors, or resets, from a VIP), as counted and as kept records
 *  (to cite). A long exchange keeps only its first and last records: then its counters say
 *  how many. */
function atDirectorPoint(ctx: Facts, c: ConnFacts): { point: number; requests: number; refusals: number; packets: number[] } {
  const point = c.flows.find((x) => ctx.points[x.point].spec.role === 'director')!.point;
  const p = ctx.points[point];
  const recs = recordsAt(ctx, c, point);
  const requests = recs.filter((r) => clientRequest(r.s, r.i, p));
  const refusals = recs.filter((r) => replyPacket(r.s, r.i, p) && isRefusal(r.s.flagBits(r.i)) && ctx.services.vips.has(r.s.addr(r.i).src));
  let counted = 0;
  let icmp = 0;
  let skipped = false;
  for (const f of c.flows) {
    if (f.point !== point) continue;
    counted += f.req;
    icmp += f.icmpToClient;
    if (f.skipped > 0) skipped = true;
  }
  return {
    point,
    requests: skipped ? Math.max(counted, requests.length) : requests.length,
    refusals: skipped ? Math.max(icmp, refusals.length) : refusals.length,
    packets: [...requests, ...refusals].map((r) => r.n).sort((a, b) => a - b),
  };
}

/** An ICMP error, or a TCP reset. */
function isRefusal(flagBits: number): boolean {
  return flagBits === -2 || (flagBits >= 0 && (flagBits & RST) !== 0);
}

function evidenceFor(ctx: Parameters<Rule['check']>[0], conns: ConnFacts[]) {
  const out = [];
  for (const c of conns.slice(0, 3)) {
    const f = c.flows.find((x) => ctx.points[x.point].spec.role === 'director')!;
    const r = c.directorRefused;
    if (r && c.conn.protocol === 'udp') {
      // Every datagram and the director's answers to it.
      const { point, requests, refusals, packets } = atDirectorPoint(ctx, c);
      const answered = refusals >= requests ? (requests === 1 ? '' : 'each ') : `${refusals} `;
      out.push(
        pointEvidence(
          ctx,
          point,
          packets,
          `${connLabel(c)}: ${plural(requests, 'datagram')}, ${answered}answered by ${r.what}, nothing forwarded`,
          f.first + ctx.points[f.point].shift,
        ),
      );
      continue;
    }
    out.push(
      pointEvidence(
        ctx,
        f.point,
        r ? [...(firstRefs(c).get(f.point) ?? []).slice(0, 1), r.n] : (firstRefs(c).get(f.point) ?? []),
        r ? `${c.conn.client}:${c.conn.clientPort} → ${c.conn.vip}:${c.conn.vport} answered by ${r.what}, nothing forwarded` : `${c.conn.client}:${c.conn.clientPort} → ${c.conn.vip}:${c.conn.vport} arrived, no forwarded copy`,
        f.first + ctx.points[f.point].shift,
      ),
    );
  }
  return out;
}
