// Every real server at weight 0: the service is quiesced and takes no new
// connections — usually a leftover from maintenance.
import { toRange } from '../location';
import type { LintRule } from './rule';

export const allWeightsZero: LintRule = {
  code: 'all-weights-zero',
  severity: 'warning',
  languages: ['keepalived', 'ipvsadm'],
  description: 'Every real server of a service has weight 0: no new connections are scheduled.',
  check(ctx) {
    for (const svc of ctx.model.services) {
      if (svc.realServers.length === 0 || svc.realServers.some((r) => r.weight > 0) || !svc.location) continue;
      ctx.report({
        // keepalived -t reports it (quorum exceeds the total weight) and fails.
        severity: ctx.language === 'keepalived' ? 'error' : 'warning',
        file: svc.location.file,
        range: toRange(svc.location),
        message: 'every real server of this service has weight 0: IPVS schedules no new connections to any of them. Give at least one a weight of 1 or more',
      });
    }
  },
};
