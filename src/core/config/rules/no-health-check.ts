// A real_server without any checker block (TCP_CHECK, HTTP_GET, MISC_CHECK...) is
// added to IPVS once and never taken out: keepalived has nothing that tells it the
// server died, so IPVS keeps scheduling new connections to it. keepalived -t says
// nothing about it. A warning when other real servers of the same virtual_server
// are checked (one was forgotten); only info when none of them is, since keepalived
// is then used on purpose as a static IPVS loader (another tool rewrites the pool).
import type { ConfigFix } from '../diagnostic';
import { type Statement, child, headerRange } from '../keepalived/ast';
import { topLevel } from '../keepalived/query';
import { isCheckerKeyword } from '../keepalived/schema';
import { bodyIndent, indentUnit } from './edits';
import type { LintContext, LintRule } from './rule';
import { hasHiddenContent, keptRealServers, vsShape } from './virtual-server';

function hasChecker(rs: Statement): boolean {
  return (rs.body ?? []).some((s) => !s.entry && isCheckerKeyword(s.keyword.text));
}

/** Inserts a minimal checker before the real_server's closing brace, when that brace is on its own line. */
function addCheckerFix(ctx: LintContext, rs: Statement, checker: string): ConfigFix | undefined {
  const close = rs.close;
  if (!close || !rs.open || close.line === rs.open.line) return undefined;
  const closeLine = ctx.lineText(rs.file, close.line);
  if (closeLine.slice(0, close.start).trim() !== '') return undefined;
  // The file's own indentation: the real server's lines', one unit deeper inside the checker.
  const indent = bodyIndent(ctx, rs);
  const unit = indentUnit(ctx, rs);
  const at = { line: close.line, character: 0 };
  return {
    title: `Add a ${checker} health check`,
    isPreferred: true,
    edits: [{ file: rs.file, range: { start: at, end: at }, newText: `${indent}${checker} {\n${indent}${unit}connect_timeout 3\n${indent}}\n` }],
  };
}

export const noHealthCheck: LintRule = {
  code: 'no-health-check',
  severity: 'warning',
  languages: ['keepalived'],
  description: 'real_server without a health check: keepalived never removes it when it dies.',
  check(ctx) {
    for (const vs of topLevel(ctx.keepalived, 'virtual_server')) {
      // keepalived skips unreadable real servers and drops duplicates (their own findings).
      const servers = keptRealServers(vs).filter((rs) => !rs.templated);
      const checked = servers.filter(hasChecker).length;
      const proto = child(vs, 'protocol')?.args[0]?.text.toUpperCase();
      const checker = vsShape(ctx.keepalived, vs).fwmark ? undefined : proto === 'TCP' ? 'TCP_CHECK' : proto === 'UDP' ? 'UDP_CHECK' : undefined;
      for (const rs of servers) {
        if (hasChecker(rs) || hasHiddenContent(rs)) continue;
        const name = rs.args.map((a) => a.text).join(' ');
        const fix = checker ? addCheckerFix(ctx, rs, checker) : undefined;
        ctx.report({
          severity: checked > 0 ? 'warning' : 'info',
          file: rs.file,
          range: headerRange(rs),
          message: checked > 0
            ? `real server ${name} has no health check, unlike the other real servers of this virtual_server: keepalived never takes it out, so when it dies IPVS keeps sending it new connections. Add a checker block (TCP_CHECK, HTTP_GET, MISC_CHECK...)`
            : `real server ${name} has no health check (no real server of this virtual_server has one): keepalived never takes it out, so when it dies IPVS keeps sending it new connections. Add a checker block (TCP_CHECK, HTTP_GET, MISC_CHECK...), unless another tool manages this pool`,
          fixes: fix ? [fix] : undefined,
        });
      }
    }
  },
};
