// LVS/NAT: the real server's replies must go back through the director to be
// un-NATed, so its default route (the way to the clients) must point at the
// director's address on the real server's subnet, or at a VRRP VIP there
// (reference §1.1 N1, fixtures/lab/nat-wrong-gateway). A more specific route via
// another gateway does the same to the clients of that network (a warning: it may
// only be a management network).
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
    // More specific routes win over the default: one via another gateway takes the
    // replies to the clients of that network around the director.
    const own4 = heldAddresses(s);
    for (const r of s.routes) {
      if (r.destination === 'default' || r.type || (r.table !== undefined && r.table !== 'main')) continue;
      const hops = (r.nexthops?.length ? r.nexthops.map((n) => n.via) : [r.via]).filter((v): v is string => !!v && !v.includes(':'));
      const other = hops.find((v) => !gateways.includes(v));
      if (!other) continue;
      // A route to a network the host or the director is on is not a way to the clients.
      const [net, len] = r.destination.split('/');
      const prefix = len === undefined ? 32 : Number(len);
      if (own4.some((a) => sameIpv4Subnet(a.address, net, Math.min(prefix, a.prefix)) && a.prefix <= prefix)) continue;
      if (directors.some((d) => heldAddresses(d).some((a) => a.address !== p.service.vip && sameIpv4Subnet(a.address, net, prefix)))) continue;
      out.push({
        code: 'check-rs-route-bypasses-director',
        severity: 'warning',
        message: `NAT real server ${s.name} (${realServerName(p.realServer)}) sends traffic for ${r.destination} via ${other}, not via the director (${gateways.join(' or ')}): replies to clients in ${r.destination} would bypass the director, leave un-NATed from ${p.realServer.address}, and be reset by the client.`,
        advice: `If clients can come from ${r.destination}, route it via the director (ip route replace ${r.destination} via ${gateways[0]}); if it is only a management network, no client traffic is affected.`,
        evidence: [{ host: s.name, text: `ip route line ${r.line}: ${(s.raw['ip route']?.split('\n')[r.line - 1] ?? r.destination).trim()}` }],
        location: p.realServer.location ?? p.service.location,
        service: serviceName(p.service),
        realServer: p.realServer.name,
      });
    }
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
