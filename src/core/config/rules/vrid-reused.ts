// Two VRRP instances of one director with one VRID collide when they would hear
// each other's adverts, which then cannot be told apart (both send "vrid N"):
//  - both multicast, on one interface and address family, to the same group:
//    keepalived refuses the config ("VI_A and VI_B both use VRID 51 with IPv4 on
//    interface eth0", keepalived -t 2.2.7). A different mcast_dst_ip is a
//    different group: allowed (reference §1.6 H2, §2.4).
//  - both unicast, on one interface (or either without one), with a peer in
//    common: that peer receives both with one VRID. keepalived does not check
//    this (2.2.7 accepts it): warning.
// Unicast and multicast instances are separate VRID spaces (keepalived's
// check_vrid_conflicts).
import { headerRange } from '../keepalived/ast';
import type { VrrpSettings } from '../keepalived/model';
import { vrrpInstances } from './vrrp-common';
import type { LintRule } from './rule';

function collision(a: VrrpSettings, b: VrrpSettings): { severity: 'error' | 'warning'; why: string } | undefined {
  if (a.vrid === undefined || a.vrid !== b.vrid || a.family !== b.family) return undefined;
  const ua = a.peers.length > 0;
  const ub = b.peers.length > 0;
  if (ua !== ub) return undefined;
  if (!ua) {
    if ((a.interface ?? '') !== (b.interface ?? '') || a.mcastGroup !== b.mcastGroup) return undefined;
    return { severity: 'error', why: `both send multicast adverts to ${a.mcastGroup} on ${a.interface ?? 'the same interface'}, so keepalived refuses the configuration ("${a.name} and ${b.name} both use VRID ${a.vrid}"). Give each instance its own VRID (or its own mcast_dst_ip)` };
  }
  if (a.interface && b.interface && a.interface !== b.interface) return undefined;
  const common = a.peers.filter((p) => b.peers.includes(p));
  if (common.length === 0) return undefined;
  return { severity: 'warning', why: `both send unicast adverts to ${common.join(', ')}, which cannot tell them apart. Give each instance its own VRID` };
}

export const vridReused: LintRule = {
  code: 'vrid-reused',
  severity: 'error',
  languages: ['keepalived'],
  description: 'virtual_router_id used by two vrrp_instances that hear each other (same interface and multicast group, or a unicast peer in common).',
  check(ctx) {
    const all = vrrpInstances(ctx).filter((v) => !v.templated && v.vridStatement);
    all.forEach((vi, i) => {
      for (const first of all.slice(0, i)) {
        const c = collision(first, vi);
        if (!c) continue;
        const here = vi.vridStatement!;
        const there = first.vridStatement!;
        ctx.report({
          file: here.file,
          range: headerRange(here),
          severity: c.severity,
          message: `virtual_router_id ${vi.vrid} is already used by vrrp_instance ${first.name}: ${c.why}`,
          related: [{ file: there.file, range: headerRange(there), message: `${first.name} uses it here` }],
        });
        return;
      }
    });
  },
};
