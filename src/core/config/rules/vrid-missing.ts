// Without virtual_router_id a VRRP instance cannot run: keepalived refuses it.
import { child, tokenRange } from '../keepalived/ast';
import { topLevel } from '../keepalived/query';
import type { LintRule } from './rule';

export const vridMissing: LintRule = {
  code: 'vrid-missing',
  severity: 'error',
  languages: ['keepalived'],
  description: 'vrrp_instance without virtual_router_id.',
  check(ctx) {
    for (const vi of topLevel(ctx.keepalived, 'vrrp_instance')) {
      if (child(vi, 'virtual_router_id') || vi.body?.some((s) => s.templated)) continue;
      ctx.report({
        file: vi.file,
        range: tokenRange(vi.args[0] ?? vi.keyword),
        message: `vrrp_instance ${vi.args[0]?.text ?? ''} has no virtual_router_id: add one (1-255, the same on every director of this instance, unique on the segment)`,
      });
    }
  },
};
