// Something must accept the service on the real server: on the real-server port,
// bound to a wildcard address or to the address the packets carry (the VIP for
// DR/TUN, the real-server address for NAT). A service bound to the real-server
// address only passes the director's health check but refuses DR traffic
// (reference §1.2 D4).
import type { Finding } from '../../findings/finding';
import { isWildcardAddress, listenersFor } from '../../state';
import type { CheckRule } from '../types';
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
      out.push({
        ...base,
        code: 'check-no-listener',
        severity: quiescent ? 'warning' : 'error',
        message: `Nothing listens on ${svc.protocol.toUpperCase()} port ${port} on real server ${s.name} (${realServerName(p.realServer)})${quiescent ? ', which has weight 0' : ', which is in rotation'}: connections sent to it are refused or lost.`,
        advice: 'Start the service on the real server, or take the real server out of the service until it is back.',
        evidence: [{ host: s.name, text: `ss -lntu: no ${svc.protocol} socket on port ${port} (${s.listeners.length} listening sockets)` }],
      });
    }
  }
  return out;
};
