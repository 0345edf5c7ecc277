// Shared by the rules that flag a virtual_server option keepalived fills in with
// a default ("no scheduler set, setting default 'wlc'"...): keepalived -t counts
// these as configuration errors, and the defaults surprise people (a missing
// `protocol` makes a UDP service in keepalived 2.2.7; a missing `lb_kind` is NAT).
import { type Statement, child, tokenRange } from '../keepalived/ast';
import { topLevel } from '../keepalived/query';
import { bodyIndent } from './edits';
import type { LintContext, LintRule } from './rule';

export function missingOptionRule(code: string, keywords: string[], insert: string, message: (vs: Statement) => string, skipFwmark = false): LintRule {
  return {
    code,
    severity: 'error',
    languages: ['keepalived'],
    description: `virtual_server without ${keywords[0]}.`,
    check(ctx: LintContext) {
      for (const vs of topLevel(ctx.keepalived, 'virtual_server')) {
        if (child(vs, ...keywords) || (skipFwmark && vs.args[0]?.text === 'fwmark')) continue;
        // A templated or included body may set it where we cannot see.
        if (vs.body?.some((s) => s.templated || s.file !== vs.file || /^include/.test(s.keyword.text))) continue;
        const line = vs.keyword.line;
        const indent = bodyIndent(ctx, vs);
        const at = vs.open && vs.open.line === line ? { line: line + 1, character: 0 } : undefined;
        ctx.report({
          code,
          severity: 'error',
          file: vs.file,
          range: tokenRange(vs.keyword),
          message: message(vs),
          fixes: at ? [{ title: `Add '${insert}'`, isPreferred: true, edits: [{ file: vs.file, range: { start: at, end: at }, newText: `${indent}${insert}\n` }] }] : undefined,
        });
      }
    },
  };
}
