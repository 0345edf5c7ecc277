// The address owner (priority 255) always takes the VIPs: keepalived resets
// nopreempt on it ("(VI) nopreempt is incompatible with priority 255. resetting
// nopreempt", vrrp.c; keepalived -t exits 5), so this director preempts whatever
// the config says. (state MASTER + nopreempt is nopreempt-without-backup.)
import { headerRange } from '../keepalived/ast';
import { deleteLines, vrrpInstances } from './vrrp-common';
import type { LintRule } from './rule';

export const vrrpOwnerNopreempt: LintRule = {
  code: 'vrrp-owner-nopreempt',
  severity: 'error',
  languages: ['keepalived'],
  description: 'nopreempt on an instance with priority 255 (keepalived resets it).',
  check(ctx) {
    for (const v of vrrpInstances(ctx)) {
      if (!v.nopreempt || !v.priorityStatement || v.priority !== 255 || v.templated) continue;
      const del = deleteLines(ctx, v.nopreempt);
      ctx.report({
        file: v.nopreempt.file,
        range: headerRange(v.nopreempt),
        message: `nopreempt has no effect with priority 255 (the address owner always takes the VIPs back): keepalived resets it ("nopreempt is incompatible with priority 255"). Give ${v.name} a priority below 255 on every director if it must not preempt, or remove nopreempt`,
        related: [{ file: v.priorityStatement.file, range: headerRange(v.priorityStatement), message: 'priority 255 is set here' }],
        fixes: del ? [{ title: 'Remove nopreempt', edits: [del] }] : undefined,
      });
    }
  },
};
