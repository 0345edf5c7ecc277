// DR and TUN forward the packet unchanged except for the MAC (or an outer IP
// header), so a real server port different from the virtual port cannot work:
// keepalived resets it ("ports don't match - resetting"), the kernel silently
// uses the virtual port for ipvsadm rules. Only NAT can map ports.
import { toRange } from '../location';
import type { LintRule } from './rule';

export const drPortRemap: LintRule = {
  code: 'dr-port-remap',
  severity: 'error',
  languages: ['keepalived', 'ipvsadm'],
  description: 'DR/TUN real server with a port different from the virtual port (only NAT can remap ports).',
  check(ctx) {
    for (const svc of ctx.model.services) {
      // keepalived also resets a DR/TUN port on an all-ports (port 0) service: fwmark-port covers fwmark services.
      if (svc.fwmark !== undefined || (!svc.port && (ctx.language !== 'keepalived' || !svc.vip))) continue;
      for (const rs of svc.realServers) {
        const method = rs.method ?? svc.method;
        if (method === 'nat' || rs.port === svc.port || rs.port === 0) continue;
        const portLoc = rs.optionLocations?.port ?? rs.location;
        if (!portLoc) continue;
        const range = toRange(portLoc);
        const addrLoc = rs.optionLocations?.address;
        if (!svc.port) {
          ctx.report({
            file: portLoc.file,
            range,
            message: `${method.toUpperCase()} cannot remap ports: virtual_server ${svc.vip} has no port (all ports), so packets reach real server ${rs.address} on the port the client used and keepalived ignores port ${rs.port} (keepalived: "... ports don't match"). Remove the port`,
            fixes: addrLoc ? [{ title: 'Remove the real server port', isPreferred: true, edits: [{ file: portLoc.file, range: { start: toRange(addrLoc).end, end: range.end }, newText: '' }] }] : undefined,
          });
          continue;
        }
        const newText = ctx.language === 'keepalived' ? String(svc.port) : `${rs.address.includes(':') ? `[${rs.address}]` : rs.address}:${svc.port}`;
        ctx.report({
          // ipvsadm accepts the rule (the kernel uses the virtual port); keepalived -t rejects it.
          severity: ctx.language === 'ipvsadm' ? 'warning' : 'error',
          file: portLoc.file,
          range,
          message: `${method.toUpperCase()} cannot remap ports: real server ${rs.address} port ${rs.port} differs from the virtual port ${svc.port}, and ${method.toUpperCase()} forwards to port ${svc.port} anyway. Make the real server listen on ${svc.port} and set it here, or use NAT`,
          fixes: [{ title: `Set the real server port to ${svc.port}`, isPreferred: true, edits: [{ file: portLoc.file, range, newText }] }],
        });
      }
    }
  },
};
