// sh-port/sh-fallback belong to the sh scheduler and mh-port/mh-fallback to mh;
// keepalived ignores them with any other scheduler ("only applies to sh scheduler").
import { child, tokenRange } from '../keepalived/ast';
import { topLevel } from '../keepalived/query';
import type { LintRule } from './rule';

export const schedFlagMismatch: LintRule = {
  code: 'sched-flag-mismatch',
  severity: 'error',
  languages: ['keepalived'],
  description: 'sh-*/mh-* scheduler flag with another scheduler.',
  check(ctx) {
    for (const vs of topLevel(ctx.keepalived, 'virtual_server')) {
      const sched = child(vs, 'lb_algo', 'lvs_sched')?.args[0]?.text ?? 'wlc';
      for (const s of vs.body ?? []) {
        const m = /^(sh|mh)-(port|fallback)$/.exec(s.keyword.text);
        if (s.entry || !m || m[1] === sched) continue;
        ctx.report({ file: s.file, range: tokenRange(s.keyword), message: `${s.keyword.text} only applies to the ${m[1]} scheduler (this service uses ${sched}): keepalived ignores it. Remove it or use lb_algo ${m[1]}` });
      }
    }
  },
};
