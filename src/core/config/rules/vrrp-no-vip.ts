// A vrrp_instance without any (valid) address in virtual_ipaddress moves nothing
// on failover. keepalived -t: "(VI) No VIP specified; at least one is sensible"
// (VRRPv2), and "... at least one is required" with VRRP version 3 or strict
// mode, where it does not start the instance (vrrp.c vrrp_complete_instance).
// virtual_ipaddress_excluded does not count: keepalived checks the advertised
// list only. Invalid entries are skipped by keepalived ("VRRP parsed invalid IP"),
// so a block holding only those is empty too.
import { at, atInstance, related, strictSource, versionSource, vrrpInstances } from './vrrp-common';
import type { LintRule } from './rule';

export const vrrpNoVip: LintRule = {
  code: 'vrrp-no-vip',
  severity: 'warning',
  languages: ['keepalived'],
  description: 'vrrp_instance with no address in virtual_ipaddress (refused with VRRP version 3 or strict mode).',
  check(ctx) {
    for (const v of vrrpInstances(ctx)) {
      if (v.vips.length > 0 || v.templated) continue;
      const refused = v.version === 3 || v.strict;
      const why = v.strict ? strictSource(v) : versionSource(v);
      const excluded = v.excluded.length > 0 ? ' virtual_ipaddress_excluded does not count: the adverts carry virtual_ipaddress only, so move at least one address there.' : '';
      const where = v.vipBlock ? at(v.vipBlock) : atInstance(v);
      ctx.report({
        ...where,
        severity: refused ? 'error' : 'warning',
        message: refused
          ? `vrrp_instance ${v.name} has no ${v.vipBlock ? 'valid address in virtual_ipaddress' : 'virtual_ipaddress'}: with ${why} keepalived refuses it ("No VIP specified; at least one is required") and does not start the instance.${excluded || ' Add the VIP(s) it should hold.'}`
          : `vrrp_instance ${v.name} has no ${v.vipBlock ? 'valid address in virtual_ipaddress' : 'virtual_ipaddress'}: keepalived warns "No VIP specified; at least one is sensible" and no address moves on failover.${excluded || ' Add the VIP(s) this instance should hold (virtual_ipaddress { 192.0.2.100/24 dev eth0 }).'}`,
        related: !refused ? undefined : v.strict ? related(v.strictStatement, 'strict mode is set here') : related(v.versionStatement, 'VRRP version 3 is set here'),
      });
    }
  },
};
