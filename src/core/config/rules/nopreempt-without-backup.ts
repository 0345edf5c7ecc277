// keepalived honours nopreempt only when the instance starts in state BACKUP:
// with `state MASTER` it clears nopreempt ("nopreempt will not work with initial
// state MASTER"). Without a state the instance starts as BACKUP, which works but
// is worth writing down (info). A later `preempt` cancels nopreempt (vrrpSettings).
import { tokenRange } from '../keepalived/ast';
import type { LintRule } from './rule';
import { insertLineBefore, vrrpInstances } from './vrrp-common';

export const nopreemptWithoutBackup: LintRule = {
  code: 'nopreempt-without-backup',
  severity: 'error',
  languages: ['keepalived'],
  description: 'nopreempt without state BACKUP has no effect.',
  check(ctx) {
    for (const v of vrrpInstances(ctx)) {
      const nopreempt = v.nopreempt;
      if (!nopreempt) continue;
      const state = v.stateStatement;
      if (state?.args[0]?.text.toUpperCase() === 'BACKUP' || state?.templated) continue;
      const explicit = state?.args[0]?.text;
      const edit = state?.args[0] ? { file: state.file, range: tokenRange(state.args[0]), newText: 'BACKUP' } : insertLineBefore(ctx, nopreempt, 'state BACKUP');
      ctx.report({
        severity: explicit ? 'error' : 'info',
        file: nopreempt.file,
        range: tokenRange(nopreempt.keyword),
        message: explicit
          ? `nopreempt only works with 'state BACKUP'; with state ${explicit} keepalived clears it and this director preempts. Set state BACKUP on every director of ${v.instance.args[0]?.text ?? 'this instance'}`
          : `nopreempt relies on the instance starting as BACKUP, keepalived's default when no state is given: write 'state BACKUP' so it stays that way on every director`,
        fixes: [{ title: "Set 'state BACKUP'", isPreferred: true, edits: [edit] }],
      });
    }
  },
};
