// NAT needs the real servers to send replies back through the director, which
// normally means they sit on a subnet the director has an address in (and use it
// as their gateway). The config tells us the director's subnets only through the
// prefixes of virtual_ipaddress / static_ipaddress entries; we only judge when an
// address of the config is on a subnet that holds no VIP (a real-server-side
// address such as the NAT gateway VIP), so single-subnet configs are not guessed at.
import { toRange } from '../location';
import { isIPv4 } from '../values';
import { walk } from '../keepalived/ast';
import type { LintRule } from './rule';

interface Subnet {
  net: number;
  mask: number;
  text: string;
}

function v4(a: string): number {
  return a.split('.').reduce((acc, p) => acc * 256 + Number(p), 0) >>> 0;
}

function subnetOf(entry: string): Subnet | undefined {
  const [addr, prefix] = entry.split('/');
  if (!prefix || !isIPv4(addr)) return undefined;
  const bits = Number(prefix);
  if (!(bits > 0 && bits < 32)) return undefined;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { net: (v4(addr) & mask) >>> 0, mask, text: entry };
}

const inSubnet = (a: string, s: Subnet): boolean => isIPv4(a) && ((v4(a) & s.mask) >>> 0) === s.net;

export const natRsNotOnDirectorSubnet: LintRule = {
  code: 'nat-rs-not-on-director-subnet',
  severity: 'warning',
  languages: ['keepalived'],
  description: 'NAT real server outside every director subnet known from the config.',
  check(ctx) {
    if (!ctx.keepalived) return;
    const subnets: Subnet[] = [];
    walk(ctx.keepalived.statements, (s) => {
      if (s.entry && (s.context === 'virtual_ipaddress') && !s.templated) {
        const sn = subnetOf(s.keyword.text);
        if (sn) subnets.push(sn);
      }
    });
    const vips = ctx.model.services.map((s) => s.vip).filter((v): v is string => !!v);
    const rsSide = subnets.filter((sn) => !vips.some((v) => inSubnet(v, sn)));
    if (rsSide.length === 0) return;
    for (const svc of ctx.model.services) {
      for (const rs of svc.realServers) {
        if ((rs.method ?? svc.method) !== 'nat' || !isIPv4(rs.address)) continue;
        if (subnets.some((sn) => inSubnet(rs.address, sn))) continue;
        const loc = rs.optionLocations?.address ?? rs.location;
        if (!loc) continue;
        ctx.report({
          file: loc.file,
          range: toRange(loc),
          message: `NAT real server ${rs.address} is not on any director subnet in this config (${subnets.map((s) => s.text).join(', ')}): its replies must come back through the director — check its default route, or the address`,
        });
      }
    }
  },
};
