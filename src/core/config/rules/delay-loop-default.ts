// A health check without delay_loop (in its checker block, its real_server or the
// virtual_server) runs every 60 s, keepalived's default: a real server that dies
// keeps getting new connections for up to a minute, plus connect_timeout and the
// retries, before keepalived takes it out. Legitimate for slow checks, so an info,
// once per virtual_server, with a fix that sets the usual few seconds.
import { child, tokenRange } from '../keepalived/ast';
import { topLevel } from '../keepalived/query';
import { isCheckerKeyword } from '../keepalived/schema';
import { bodyIndent } from './edits';
import type { LintRule } from './rule';
import { hasHiddenContent, keptRealServers } from './virtual-server';

export const delayLoopDefault: LintRule = {
  code: 'delay-loop-default',
  severity: 'info',
  languages: ['keepalived'],
  description: 'Health checks that run at the default delay_loop of 60 s: a dead real server is taken out slowly.',
  check(ctx) {
    for (const vs of topLevel(ctx.keepalived, 'virtual_server')) {
      if (child(vs, 'delay_loop') || hasHiddenContent(vs)) continue;
      const slow = keptRealServers(vs).some((rs) => {
        if (rs.templated || hasHiddenContent(rs) || child(rs, 'delay_loop')) return false;
        return (rs.body ?? []).some((c) => !c.entry && isCheckerKeyword(c.keyword.text) && !child(c, 'delay_loop') && !hasHiddenContent(c));
      });
      if (!slow) continue;
      const line = vs.keyword.line;
      const at = vs.open && vs.open.line === line ? { line: line + 1, character: 0 } : undefined;
      ctx.report({
        file: vs.file,
        range: tokenRange(vs.keyword),
        message: 'no delay_loop: keepalived runs the health checks of this virtual_server every 60 s (its default), so a real server that dies keeps getting new connections for up to a minute (plus connect_timeout and the retries) before it is taken out. Set delay_loop to the seconds between checks you want (e.g. 6)',
        fixes: at ? [{ title: "Add 'delay_loop 6'", edits: [{ file: vs.file, range: { start: at, end: at }, newText: `${bodyIndent(ctx, vs)}delay_loop 6\n` }] }] : undefined,
      });
    }
  },
};
