// Something must accept the service on the real server: on the real-server port,
// bound to a wildcard address or to the address the packets carry (the VIP for
// DR/TUN, the real-server address for NAT). A service bound to the real-server
// address only passes the director's health check but refuses DR traffic
// (reference §1.2 D4).
import type { Finding } from '../../findings/finding';
import { isWildcardAddress, listenersFor } from '../../state';
import type { VirtualService } from '../../model/cluster';
import { formatEndpoint } from '../../state/endpoint';
import type { CheckContext, CheckRule } from '../types';
import { liveServiceKey } from './ipvsDrift';
import { realServerName, serviceName } from '../helpers';

export const listener: CheckRule = (ctx) => {
  const out: Finding[] = [];
  for (const p of ctx.placements) {
    const s = p.state;
    const svc = p.service;
    if (!s.listeners || svc.fwmark !== undefined || (svc.protocol !== 'tcp' && svc.protocol !== 'udp')) continue;
    const method = p.realServer.method ?? svc.method;
    // DR/TUN cannot change the port: the packet keeps the service port.
    const port = method === 'nat' ? p.realServer.port : svc.port ?? p.realServer.port;
    const dst = method === 'nat' ? p.realServer.address : svc.vip;
    if (!dst) continue;
    const good = listenersFor(s.listeners, svc.protocol, dst, port);
    if (good.length > 0) continue;
    const onPort = s.listeners.filter((l) => l.protocol === svc.protocol && l.local.port === port && !isWildcardAddress(l.local.address));
    const base = { service: serviceName(svc), realServer: p.realServer.name, location: p.realServer.location ?? svc.location };
    const quiescent = p.realServer.weight === 0;
    if (onPort.length > 0) {
      out.push({
        ...base,
        code: 'check-listener-wrong-address',
        severity: 'error',
        message: `On real server ${s.name} the ${svc.protocol.toUpperCase()} service on port ${port} is bound to ${onPort.map((l) => l.local.address).join(', ')} only, but ${method.toUpperCase()} delivers the packets to ${dst}: they are refused${method !== 'nat' ? ' (the health check to the real-server address still passes)' : ''}.`,
        advice: `Bind the service to 0.0.0.0 (or to ${dst} as well).`,
        evidence: onPort.map((l) => ({ host: s.name, text: `ss -lntu line ${l.line}: ${l.protocol} ${l.state} ${l.local.address}:${l.local.port}` })),
      });
    } else {
      // A line ss printed that we could not read may be the listener: do not claim there is none.
      if (s.listenersSkipped?.some((l) => l.text.includes(`:${port} `) || l.text.endsWith(`:${port}`))) continue;
      const live = liveWeights(ctx, p.service, p.realServer.address, p.realServer.port, method);
      const inRotation = live.length ? live.filter((x) => x.weight === undefined || x.weight > 0) : [];
      let where: string;
      let severity: 'error' | 'warning';
      const evidence = [{ host: s.name, text: `ss -lntu: no ${svc.protocol} socket on port ${port} (${s.listeners.length} listening sockets)` }];
      if (live.length === 0 && ctx.directors.some((d) => d.ipvs)) {
        severity = 'warning';
        const tables = ctx.directors.filter((d) => d.ipvs).map((d) => d.name);
        where = `, which is not in the IPVS table of ${tables.join(' or ')}: no connection is sent to it now`;
      } else if (live.length > 0 && inRotation.length === 0) {
        severity = 'warning';
        where = `, which has weight 0 on ${live.map((x) => x.director).join(' and ')}: no new connections are sent to it`;
      } else if (inRotation.length > 0) {
        severity = 'error';
        where = `, which is in rotation on ${inRotation.map((x) => `${x.director} (weight ${x.weight ?? '?'})`).join(' and ')}`;
      } else {
        // No live table read: the config's weight is all we know.
        severity = quiescent ? 'warning' : 'error';
        where = quiescent ? ', which has weight 0 in the config' : ', which is in rotation by the config (the live table was not read)';
      }
      for (const x of live) evidence.push({ host: x.director, text: x.evidence });
      out.push({
        ...base,
        code: 'check-no-listener',
        severity,
        message: `Nothing listens on ${svc.protocol.toUpperCase()} port ${port} on real server ${s.name} (${realServerName(p.realServer)})${where}${severity === 'error' ? ': connections sent to it are refused or lost' : ''}.`,
        advice: severity === 'error' ? 'Start the service on the real server, or take the real server out of the service until it is back.' : 'Start the service on the real server before it is given a weight again.',
        evidence,
      });
    }
  }
  return out;
};

/** The real server's destination in each director's live table (weight, line), where it is listed. */
function liveWeights(ctx: CheckContext, svc: VirtualService, address: string, port: number, method: string): { director: string; weight?: number; evidence: string }[] {
  const key = serviceName(svc);
  const out: { director: string; weight?: number; evidence: string }[] = [];
  for (const d of ctx.directors) {
    const l = d.ipvs?.services.find((x) => liveServiceKey(x) === key);
    if (!l) continue;
    // DR/TUN destinations take the service port whatever the config wrote.
    const dst = l.destinations.find((x) => x.address === address && (method !== 'nat' || x.port === port));
    if (dst) out.push({ director: d.name, weight: dst.weight, evidence: `${d.ipvsSource} line ${dst.line}: -> ${formatEndpoint(dst.address, dst.port)} ${dst.forward ?? ''} weight ${dst.weight ?? '?'}`.replace(/\s+/g, ' ') });
  }
  return out;
}
