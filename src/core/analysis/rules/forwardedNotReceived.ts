// forwarded-not-received: the director sent the request on to a real server, whose own
// capture (running at that time) never shows it.

import type { Finding } from '../../findings/finding';
import { againstCapture, directorSpan, type ConnFacts } from '../facts';
import { connEvidence, forEachConn, groupBy, locate, plural, requestsSeenAt, type Rule } from './rule';

export const forwardedNotReceived: Rule = {
  code: 'forwarded-not-received',
  severity: 'error',
  summary: 'The director forwarded requests that the real server never received',
  suspect(c) {
    for (let k = 0; k < c.forwardedTo.length; k++) if (!requestsSeenAt(c, c.forwardedTo[k])) return true;
    return false;
  },
  check(ctx) {
    const findings: Finding[] = [];
    const missing = new Map<string, ConnFacts[]>();
    // Each real server's readable capture points, once (not per connection).
    const rsPoints = groupBy(
      ctx.points.filter((p) => p.readable && p.spec.role === 'real-server'),
      (p) => p.realServer,
    );
    forEachConn(ctx.suspects, (c) => {
      for (let k = 0; k < c.forwardedTo.length; k++) {
        const rs = c.forwardedTo[k];
        const points = rsPoints.get(rs);
        if (points === undefined || requestsSeenAt(c, rs)) continue;
        // Only blame the real server when its capture was running while the connection's
        // packets passed the director (capture.json's captureStart/captureEnd, else its first
        // and last packet), clocks' doubt allowed for.
        const span = directorSpan(ctx.points, c);
        if (!points.some((p) => againstCapture(p, span.from, span.to, span.doubt) === 'during')) continue;
        const list = missing.get(rs) ?? [];
        list.push(c);
        missing.set(rs, list);
      }
    });
    for (const [rs, conns] of missing) {
      const svc = conns[0].service;
      const method = svc?.method ?? 'dr';
      const how =
        method === 'dr'
          ? `re-addressed to ${rs}'s MAC`
          : method === 'tun'
            ? `encapsulated (IPIP) to ${ctx.services.rsAddressByName.get(rs) ?? rs}`
            : `rewritten to ${ctx.services.rsAddressByName.get(rs) ?? rs}`;
      findings.push({
        code: 'forwarded-not-received',
        severity: 'error',
        message: `The director forwarded ${plural(conns.length, 'connection')} to ${rs} (${how}), but ${rs}'s capture never shows them: they are lost between the director and ${rs}.`,
        advice:
          method === 'dr'
            ? `Check that ${rs} is on the same L2 segment as the director (DR cannot cross a router), that the director's ARP entry for ${rs} has ${rs}'s current MAC (ip neigh), and switch port / VLAN filtering.`
            : method === 'tun'
              ? `Check the route from the director to ${rs}, firewalls dropping IP protocol 4 (IPIP) on the way, and the MTU of the path.`
              : `Check the route from the director to ${rs} (same subnet as the director's inner interface), firewalls on the way, and that ${rs}'s capture ran on the right interface.`,
        evidence: conns.slice(0, 3).flatMap((c) => connEvidence(ctx, c, (p) => p.spec.role === 'director', () => `${c.conn.client}:${c.conn.clientPort} forwarded to ${rs}`)),
        realServer: rs,
        location: locate(ctx, svc, rs),
        connections: conns.map((c) => c.conn.id),
      });
    }
    return findings;
  },
};
