// A real server added to (or a service edited/deleted that was) never defined
// earlier in the rules: the kernel refuses it, and ipvsadm says "Service not
// defined" for -a/-e/-d but "No such service" for -E/-D (ipvs_strerror in
// libipvs). Usually a typo in the address, port or protocol (-t vs -u).
import { replayIpvsadm } from '../ipvsadm/replay';
import type { LintRule } from './rule';

export const ipvsadmUndefinedService: LintRule = {
  code: 'ipvsadm-undefined-service',
  severity: 'error',
  languages: ['ipvsadm'],
  description: 'Real server added to, or edit/delete of, a virtual service that was never defined.',
  check(ctx) {
    if (!ctx.ipvsadm) return;
    for (const e of replayIpvsadm(ctx.ipvsadm).filter((x) => x.kind === 'undefined-service')) {
      const said = e.op === 'edit-service' || e.op === 'delete-service' ? 'No such service' : 'Service not defined';
      const fix = e.op === 'delete-service' ? 'there is nothing to delete — remove this line, or fix the address, port or protocol' : 'add it with -A first, or fix the address, port or protocol';
      ctx.report({
        file: ctx.ipvsadm.file,
        range: e.range,
        message: `service ${e.what} is not defined before this line (ipvsadm: "${said}"): ${fix}`,
      });
    }
  },
};
