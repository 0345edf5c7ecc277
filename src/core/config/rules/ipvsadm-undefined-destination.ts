// -e/-d of a real server that the service does not have: "No such destination".
import { replayIpvsadm } from '../ipvsadm/replay';
import type { LintRule } from './rule';

export const ipvsadmUndefinedDestination: LintRule = {
  code: 'ipvsadm-undefined-destination',
  severity: 'error',
  languages: ['ipvsadm'],
  description: 'Edit or delete of a real server the service does not have.',
  check(ctx) {
    if (!ctx.ipvsadm) return;
    for (const e of replayIpvsadm(ctx.ipvsadm).filter((x) => x.kind === 'undefined-dest')) {
      ctx.report({ file: ctx.ipvsadm.file, range: e.range, message: `real server ${e.what} is not in this service (ipvsadm: "No such destination"): add it with -a first, or fix the address` });
    }
  },
};
