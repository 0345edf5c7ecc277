// LVS/NAT: the real server's replies must go back through the director to be
// un-NATed, so its default route (the way to the clients) must point at the
// director's address on the real server's subnet, or at a VRRP VIP there
// (reference §1.1 N1, fixtures/lab/nat-wrong-gateway).
import type { Finding } from '../../findings/finding';
import { defaultRoutes, sameIpv4Subnet } from '../../state';
import type { CheckRule } from '../types';
import { bareAddress, evidenceLine, heldAddresses, realServerName, serviceName, uniq } from '../helpers';

export const rsDefaultRoute: CheckRule = (ctx) => {
  const directors = ctx.directors.filter((d) => d.interfaces);
  if (directors.length === 0) return [];
  const out: Finding[] = [];
  const done = new Set<string>();
  for (const p of ctx.placements) {
    const s = p.state;
    if ((p.realServer.method ?? p.service.method) !== 'nat' || done.has(s.name) || !s.routes || !s.interfaces) continue;
    done.add(s.name);
    const own = heldAddresses(s).find((a) => a.address === p.realServer.address);
    if (!own) continue;
    const gateways = uniq([
      ...directors.flatMap((d) => heldAddresses(d).filter((a) => a.address !== p.service.vip && sameIpv4Subnet(a.address, own.address, own.prefix)).map((a) => a.address)),
      ...ctx.model.vrrpInstances.flatMap((v) => v.virtualIpAddresses.map(bareAddress)).filter((a) => sameIpv4Subnet(a, own.address, own.prefix)),
    ]);
    if (gateways.length === 0) continue; // the director has no leg on this subnet we can see: cannot judge
    const defaults = defaultRoutes(s.routes);
    const vias = defaults.flatMap((r) => (r.nexthops?.length ? r.nexthops.map((n) => n.via) : [r.via])).filter((v): v is string => !!v);
    if (vias.length > 0 && vias.every((v) => gateways.includes(v))) continue;
    const wrong = vias.find((v) => !gateways.includes(v));
    out.push({
      code: 'check-rs-default-route',
      severity: 'error',
      message: wrong
        ? `NAT real server ${s.name} (${realServerName(p.realServer)}) routes its replies via ${wrong}, not via the director (${gateways.join(' or ')}): clients get answers from ${p.realServer.address} instead of the VIP and reset them.`
        : `NAT real server ${s.name} (${realServerName(p.realServer)}) has no default route; replies to clients cannot go back through the director (${gateways.join(' or ')}).`,
      advice: `Make the director the default gateway of every NAT real server: ip route replace default via ${gateways[0]}.`,
      evidence: [
        evidenceLine(s, 'ip route', /^default /, 'ip route: no default route'),
        { host: directors[0].name, text: `director address on ${own.address}/${own.prefix}: ${gateways.join(', ')}` },
      ],
      location: p.realServer.location ?? p.service.location,
      service: serviceName(p.service),
      realServer: p.realServer.name,
      fix: {
        description: `Route ${s.name}'s replies through the director ${gateways[0]} (until reboot)`,
        host: s.name,
        argv: ['ip', 'route', 'replace', 'default', 'via', gateways[0]],
        sudo: true,
      },
    });
  }
  return out;
};
