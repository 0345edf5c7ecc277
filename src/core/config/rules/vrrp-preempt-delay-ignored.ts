// preempt_delay keepalived clears (vrrp.c vrrp_complete_instance; keepalived -t
// exits 5): with initial state MASTER ("preempt delay will not work with initial
// state MASTER - clearing"), in strict mode ("preempt_delay is incompatible with
// strict mode - resetting") and with nopreempt ("preempt_delay is incompatible
// with nopreempt mode - resetting").
import { headerRange } from '../keepalived/ast';
import { deleteLines, related, strictSource, vrrpInstances } from './vrrp-common';
import type { LintRule } from './rule';

export const vrrpPreemptDelayIgnored: LintRule = {
  code: 'vrrp-preempt-delay-ignored',
  severity: 'error',
  languages: ['keepalived'],
  description: 'preempt_delay that keepalived clears (state MASTER, strict mode or nopreempt).',
  check(ctx) {
    for (const v of vrrpInstances(ctx)) {
      const pd = v.preemptDelay;
      const value = Number(pd?.args[0]?.text);
      if (!pd || v.templated || !(value > 0)) continue;
      const del = deleteLines(ctx, pd);
      const fixes = del ? [{ title: 'Remove preempt_delay', edits: [del] }] : undefined;
      const base = { file: pd.file, range: headerRange(pd), fixes };
      if (v.effectiveState === 'MASTER') {
        // keepalived clears nopreempt first for state MASTER (nopreempt-without-backup), then preempt_delay.
        ctx.report({ ...base, message: `preempt_delay does not work with initial state MASTER: keepalived clears it ("preempt delay will not work with initial state MASTER - clearing") and ${v.name} preempts at once. Use state BACKUP if the takeover should wait`, related: related(v.stateStatement, 'state MASTER is set here') });
      } else if (v.strict) {
        ctx.report({ ...base, message: `preempt_delay is not allowed with ${strictSource(v)}: keepalived resets it ("preempt_delay is incompatible with strict mode - resetting"). Remove it, or strict mode`, related: related(v.strictStatement, 'strict mode is set here') });
      } else if (v.nopreempt) {
        ctx.report({ ...base, message: `preempt_delay has no meaning with nopreempt (this director never preempts): keepalived resets it ("preempt_delay is incompatible with nopreempt mode - resetting"). Remove one of the two`, related: related(v.nopreempt, 'nopreempt is set here') });
      }
    }
  },
};
