// A virtual_server VIP that no vrrp_instance holds: nothing brings the address up
// on the director that is master, so traffic for it never arrives (or arrives at
// the wrong director). Addresses of virtual_ipaddress_excluded count: the master
// brings them up too. Only checked when the file has VRRP instances at all —
// without VRRP the VIP is presumably configured statically.
import { toRange } from '../location';
import type { LintRule } from './rule';

export const vipNotInVrrp: LintRule = {
  code: 'vip-not-in-vrrp',
  severity: 'warning',
  languages: ['keepalived'],
  description: 'virtual_server VIP missing from every vrrp_instance virtual_ipaddress.',
  check(ctx) {
    const instances = ctx.model.vrrpInstances;
    if (instances.length === 0) return;
    const held = new Set(instances.flatMap((v) => v.virtualIpAddresses.map((a) => a.toLowerCase())));
    for (const svc of ctx.model.services) {
      if (!svc.vip || held.has(svc.vip.toLowerCase())) continue;
      const loc = svc.optionLocations?.address ?? svc.location;
      if (!loc) continue;
      ctx.report({
        file: loc.file,
        range: toRange(loc),
        message: `VIP ${svc.vip} is not in the virtual_ipaddress (or virtual_ipaddress_excluded) of any vrrp_instance (${instances.map((v) => v.name).join(', ')}): no director brings it up on failover. Add it to the instance that should hold it`,
      });
    }
  },
};
