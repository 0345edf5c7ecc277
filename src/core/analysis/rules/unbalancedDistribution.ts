// unbalanced-distribution: connections per real server far from what the weights and
// the scheduler predict — judged with Pearson's chi-square (p < 0.001), never a fixed
// threshold, and only when the sample is large enough (every expected count >= 5).

import type { ManifestService } from '../../capture/manifest';
import type { Finding } from '../../findings/finding';
import { againstCapture, directorSpan, type ConnFacts, type PointInfo } from '../facts';
import { chiSquareGoodnessOfFit } from '../stats';
import { groupBy, locate, type Rule } from './rule';

/**
 * Whether the capture could have named the real server of connection `c` whichever it was:
 * the director's capture shows where it went (it would have shown any of them), else every
 * server's own capture (`own`: per server, its points) ran when it passed. Otherwise only the
 * servers whose tcpdump was running then get their connections counted (hosts never start
 * and stop their captures together): a server that captured for less looks underused.
 */
function couldBeNamed(points: PointInfo[], c: ConnFacts, own: PointInfo[][]): boolean {
  if (c.forwardedTo.length > 0) return true;
  const span = directorSpan(points, c);
  return own.every((list) => list.some((p) => againstCapture(p, span.from, span.to, span.doubt) === 'during'));
}

/** Schedulers that pin a client (by address hash) rather than spreading connections. */
const hashing = new Set(['sh', 'dh', 'mh']);
const P_THRESHOLD = 0.001;

export const unbalancedDistribution: Rule = {
  code: 'unbalanced-distribution',
  severity: 'warning',
  summary: 'Connections per real server far from the weights (chi-square test)',
  check(ctx) {
    const findings: Finding[] = [];
    const failing = new Set(ctx.healthChecks.filter((h) => h.refused + h.unanswered + h.httpErrors > 0).map((h) => h.rsAddress));
    // One key per service object, not one text per connection.
    const keys = new Map<ManifestService, string>();
    const byService = groupBy(ctx.conns, (c) => {
      const s = c.service;
      if (!s || !(c.atDirector || c.forwarded) || !c.conn.realServer) return undefined;
      let key = keys.get(s);
      if (key === undefined) keys.set(s, (key = `${s.protocol}|${s.vip}|${s.port}`));
      return key;
    });
    for (const conns of byService.values()) {
      const svc = conns[0].service!;
      const servers = svc.realServers.filter((r) => r.weight > 0 && !failing.has(r.address));
      if (servers.length < 2) continue;
      // With persistence or a hashing scheduler a client sticks to one server: count clients.
      const perClient = (svc.persistenceSeconds ?? 0) > 0 || hashing.has(svc.scheduler ?? '');
      // Counted per distinct name (a few): found in a short list, not looked up in a Map per connection.
      const names = [...new Set(servers.map((r) => r.name))];
      const tally = new Array<number>(names.length).fill(0);
      const seenClients = new Set<string>();
      // Each server's own capture points (by its name or its address).
      const own = servers.map((r) =>
        ctx.points.filter((p) => p.readable && p.spec.role === 'real-server' && p.realServer !== undefined && (p.realServer === r.name || ctx.services.rsAddressByName.get(p.realServer) === r.address)),
      );
      for (let k = 0; k < conns.length; k++) {
        const c = conns[k];
        const at = names.indexOf(c.conn.realServer!);
        if (at < 0 || !couldBeNamed(ctx.points, c, own)) continue;
        if (perClient) {
          if (seenClients.has(c.conn.client)) continue;
          seenClients.add(c.conn.client);
        }
        tally[at]++;
      }
      const observed = servers.map((r) => tally[names.indexOf(r.name)]);
      const test = chiSquareGoodnessOfFit(observed, servers.map((r) => r.weight));
      if (!test.valid || test.pValue >= P_THRESHOLD) continue;
      const unit = perClient ? 'clients' : 'connections';
      const table = servers.map((r, i) => `${r.name} ${observed[i]} (weight ${r.weight}, expected ${test.expected[i].toFixed(1)})`).join(', ');
      findings.push({
        code: 'unbalanced-distribution',
        severity: 'warning',
        message: `${svc.protocol} ${svc.vip}:${svc.port} (${svc.scheduler ?? 'rr'}): ${unit} per real server do not follow the weights — ${table}; chi-square ${test.statistic.toFixed(1)}, ${test.df} df, p = ${test.pValue.toExponential(1)}.`,
        advice: perClient
          ? 'With persistence (or sh/dh/mh) a few busy clients or one large NAT gateway pin most traffic to one server: check persistence_timeout / persistence_granularity, and the client mix.'
          : 'Check the weights the director actually uses (ipvsadm -Ln), real servers quiesced or flapping in health checks, a scheduler that counts active connections (lc/wlc) with long-lived connections, and (DR) real servers answering ARP for the VIP.',
        evidence: [{ host: 'all', text: `${unit} per real server: ${table}` }],
        service: `${svc.protocol}:${svc.vip}:${svc.port}`,
        location: locate(ctx, svc, undefined, 'lb_algo'),
        connections: conns.slice(0, 50).map((c) => c.conn.id),
      });
    }
    return findings;
  },
};
