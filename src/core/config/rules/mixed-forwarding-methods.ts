// NAT mixed with DR or TUN in one service rarely makes sense: NAT real servers
// must route replies back through the director while DR/TUN ones must hold the
// VIP and answer clients directly — one of the two groups is misconfigured.
import { toRange } from '../location';
import type { LintRule } from './rule';

export const mixedForwardingMethods: LintRule = {
  code: 'mixed-forwarding-methods',
  severity: 'warning',
  languages: ['keepalived', 'ipvsadm'],
  description: 'NAT and DR/TUN real servers mixed in one virtual service.',
  check(ctx) {
    for (const svc of ctx.model.services) {
      const methods = new Set(svc.realServers.map((r) => r.method ?? svc.method));
      if (!methods.has('nat') || methods.size < 2) continue;
      const odd = svc.realServers.filter((r) => (r.method ?? svc.method) !== (svc.realServers[0].method ?? svc.method));
      for (const rs of odd) {
        const loc = rs.optionLocations?.method ?? rs.location;
        if (!loc) continue;
        ctx.report({
          file: loc.file,
          range: toRange(loc),
          message: `real server ${rs.address} uses ${(rs.method ?? svc.method).toUpperCase()} while others of this service use ${(svc.realServers[0].method ?? svc.method).toUpperCase()}: NAT real servers need their default route through the director, DR/TUN ones need the VIP on lo — use one method per service`,
        });
      }
    }
  },
};
