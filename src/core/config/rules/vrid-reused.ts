// Two VRRP instances with one VRID on one interface collide: their adverts are
// indistinguishable (keepalived: "duplicate VRID conflict"). Different multicast
// groups or disjoint unicast peers are the documented exceptions.
import { toRange } from '../location';
import type { LintRule } from './rule';

export const vridReused: LintRule = {
  code: 'vrid-reused',
  severity: 'error',
  languages: ['keepalived'],
  description: 'virtual_router_id used by two vrrp_instances on one interface.',
  check(ctx) {
    const seen = new Map<string, (typeof ctx.model.vrrpInstances)[number]>();
    for (const vi of ctx.model.vrrpInstances) {
      if (vi.virtualRouterId === undefined) continue;
      const family = vi.virtualIpAddresses.some((a) => a.includes(':')) ? '6' : '4';
      const key = `${vi.interface ?? ''}/${family}/${vi.virtualRouterId}/${[...vi.unicastPeers].sort().join(',')}`;
      const first = seen.get(key);
      if (!first) {
        seen.set(key, vi);
        continue;
      }
      const loc = vi.optionLocations?.virtual_router_id ?? vi.location;
      if (!loc) continue;
      ctx.report({
        file: loc.file,
        range: toRange(loc),
        message: `virtual_router_id ${vi.virtualRouterId} is already used by vrrp_instance ${first.name} on ${vi.interface ?? 'the same interface'}: give each instance its own VRID`,
        related: first.optionLocations?.virtual_router_id ? [{ file: first.optionLocations.virtual_router_id.file, range: toRange(first.optionLocations.virtual_router_id), message: `${first.name} uses it here` }] : undefined,
      });
    }
  },
};
