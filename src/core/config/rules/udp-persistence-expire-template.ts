// Persistence on a UDP service: templates outlive a real server failure unless
// expire_quiescent_template is set, so traffic can black-hole after a failover.
import { toRange } from '../location';
import type { LintRule } from './rule';

export const udpPersistenceExpireTemplate: LintRule = {
  code: 'udp-persistence-expire-template',
  severity: 'info',
  languages: ['keepalived', 'ipvsadm'],
  description: 'Persistent UDP service: advise net.ipv4.vs.expire_quiescent_template=1.',
  check(ctx) {
    for (const svc of ctx.model.services) {
      if (svc.protocol !== 'udp' || svc.persistenceSeconds <= 0) continue;
      const loc = svc.optionLocations?.persistence_timeout ?? svc.optionLocations?.persistent ?? svc.location;
      if (!loc) continue;
      ctx.report({
        file: loc.file,
        range: toRange(loc),
        message: 'persistence on a UDP service: when a real server fails, its persistence templates keep clients on it. Set net.ipv4.vs.expire_quiescent_template=1 (and expire_nodest_conn=1) on the directors',
      });
    }
  },
};
