// The same virtual service added twice: the second -A fails ("Service already
// exists"), so its scheduler and persistence options are not applied.
import { replayIpvsadm } from '../ipvsadm/replay';
import type { LintRule } from './rule';

export const ipvsadmDuplicateService: LintRule = {
  code: 'ipvsadm-duplicate-service',
  severity: 'error',
  languages: ['ipvsadm'],
  description: 'Virtual service added twice.',
  check(ctx) {
    if (!ctx.ipvsadm) return;
    for (const e of replayIpvsadm(ctx.ipvsadm).filter((x) => x.kind === 'duplicate-service')) {
      ctx.report({ file: ctx.ipvsadm.file, range: e.range, message: `service ${e.what} is already defined (ipvsadm: "Service already exists"): use -E to change it, or remove this line` });
    }
  },
};
