// NAT real servers must send their replies back through the director that holds
// the VIP: their default gateway is a director address on their subnet, and with
// VRRP a floating one (an "inner" VIP, e.g. `10.1.0.1/24 dev eth1` next to the
// public VIP) so that it moves to the new MASTER on failover. When the config
// has VRRP instances but no address other than the services' VIPs (and their
// subnets), and a NAT real server is on none of those subnets, no such gateway is
// configured here: an info, since the director's fixed addresses are not in
// keepalived.conf (a single director's own address works until a failover).
// Reported once for the config.
// With some other address configured, nat-rs-not-on-director-subnet judges.
import { walk } from '../keepalived/ast';
import { toRange } from '../location';
import { isIPv4 } from '../values';
import type { LintRule } from './rule';

function v4(a: string): number {
  return a.split('.').reduce((acc, p) => acc * 256 + Number(p), 0) >>> 0;
}

/** `192.0.2.10/24` → whether `a` is on that subnet (false without a prefix: the subnet is unknown). */
function onSubnet(entry: string, a: string): boolean {
  const [addr, prefix] = entry.split('/');
  const bits = Number(prefix);
  if (!prefix || !isIPv4(addr) || !isIPv4(a) || !(bits > 0 && bits <= 32)) return false;
  const mask = bits === 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
  return ((v4(addr) & mask) >>> 0) === ((v4(a) & mask) >>> 0);
}

export const natNoInnerVip: LintRule = {
  code: 'nat-no-inner-vip',
  severity: 'info',
  languages: ['keepalived'],
  description: 'NAT real servers on a subnet where the config has no director address: their gateway (an inner VIP) is not configured.',
  check(ctx) {
    if (!ctx.keepalived || ctx.model.vrrpInstances.length === 0) return;
    const entries: string[] = [];
    let hidden = false;
    walk(ctx.keepalived.statements, (s) => {
      if (!s.entry || s.context !== 'virtual_ipaddress') return;
      if (s.templated) hidden = true;
      else entries.push(s.keyword.text);
    });
    if (hidden) return;
    const vips = new Set(ctx.model.services.map((s) => s.vip).filter((v): v is string => !!v));
    // An address that is not a service VIP nor on a VIP's subnet may be the real servers' gateway.
    const others = entries.filter((e) => {
      const addr = e.split('/')[0];
      return !vips.has(addr) && ![...vips].some((v) => onSubnet(e, v));
    });
    if (others.length > 0) return;
    // One finding for the config (the missing address is the config's, not a service's): on the
    // first such real server, naming them all, the others' lines as related locations.
    const far = ctx.model.services.flatMap((svc) => svc.realServers.filter((rs) => (rs.method ?? svc.method) === 'nat' && isIPv4(rs.address) && !entries.some((e) => onSubnet(e, rs.address))));
    const locs = far.map((rs) => rs.optionLocations?.address ?? rs.location).filter((l): l is NonNullable<typeof l> => l !== undefined);
    if (locs.length === 0) return;
    const names = [...new Set(far.map((rs) => rs.address))];
    const [first, ...rest] = locs;
    ctx.report({
      file: first.file,
      range: toRange(first),
      message: `NAT real server${names.length > 1 ? 's' : ''} ${names.join(', ')} ${names.length > 1 ? 'are' : 'is'} on no subnet of an address in this config: with NAT the replies must go back through the director, so their default gateway must be a director address on their subnet — with VRRP a floating one, an inner VIP in virtual_ipaddress next to ${entries.join(', ')}, that moves to the new MASTER. None is configured here: if their gateway is a fixed address of one director, replies are lost after a failover`,
      related: rest.length ? rest.map((l) => ({ file: l.file, range: toRange(l), message: 'another NAT real server' })) : undefined,
    });
  },
};
