// `virtual_server IP` without a port means "all ports", which IPVS only allows
// for persistent services (keepalived: "zero port only valid for persistent services").
import { toRange } from '../location';
import type { LintRule } from './rule';

export const zeroPortNotPersistent: LintRule = {
  code: 'zero-port-not-persistent',
  severity: 'error',
  languages: ['keepalived'],
  description: 'All-ports virtual service (port 0) without persistence.',
  check(ctx) {
    for (const svc of ctx.model.services) {
      if (svc.fwmark !== undefined || !svc.vip || svc.port !== 0 || svc.persistenceSeconds > 0 || !svc.location) continue;
      ctx.report({
        file: svc.location.file,
        range: toRange(svc.location),
        message: `virtual_server ${svc.vip} has no port (all ports), which is only valid with persistence: add the port, or persistence_timeout`,
      });
    }
  },
};
