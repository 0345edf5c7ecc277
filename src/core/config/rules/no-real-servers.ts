// A virtual service with no real server answers nothing: the director's own stack
// replies (TCP RST / ICMP port unreachable). keepalived ignores such a service
// entirely ("has no real servers - ignoring", an error for keepalived -t).
import { toRange } from '../location';
import type { LintRule } from './rule';

export const noRealServers: LintRule = {
  code: 'no-real-servers',
  severity: 'warning',
  languages: ['keepalived', 'ipvsadm'],
  description: 'Virtual service without any real server.',
  check(ctx) {
    for (const svc of ctx.model.services) {
      if (svc.realServers.length > 0 || !svc.location || svc.sorryServer) continue;
      ctx.report({
        severity: ctx.language === 'keepalived' ? 'error' : 'warning',
        file: svc.location.file,
        range: toRange(svc.location),
        message: ctx.language === 'keepalived' ? 'this virtual_server has no real servers, so keepalived ignores it and clients get a reset or ICMP port unreachable from the director. Add real servers (or a sorry_server)' : 'this virtual service has no real servers: clients get a reset or ICMP port unreachable from the director. Add real servers',
      });
    }
  },
};
