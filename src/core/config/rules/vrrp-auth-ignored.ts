// VRRP authentication keepalived does not use. keepalived -t reports the first
// three and drops the authentication (vrrp.c vrrp_complete_instance, in this
// order): strict mode ("Strict mode does not support authentication. Ignoring."),
// VRRP version 3 ("VRRP version 3 does not support authentication. Ignoring."),
// auth_type without auth_pass ("Authentication specified but no password given.
// Ignoring"). auth_pass without auth_type is silently unauthenticated (warning).
// A director whose peer still authenticates then drops every advert of the other:
// both become MASTER.
import { headerRange } from '../keepalived/ast';
import { deleteLines, insertLineBefore, related, strictSource, versionSource, vrrpInstances } from './vrrp-common';
import type { LintRule } from './rule';

export const vrrpAuthIgnored: LintRule = {
  code: 'vrrp-auth-ignored',
  severity: 'error',
  languages: ['keepalived'],
  description: 'VRRP authentication keepalived ignores (strict mode, VRRP version 3, no auth_pass or no auth_type).',
  check(ctx) {
    for (const v of vrrpInstances(ctx)) {
      const auth = v.authentication;
      if (!auth || v.templated) continue;
      const type = v.authType?.args[0]?.text;
      if (type === 'PASS' || type === 'AH') {
        const del = deleteLines(ctx, auth);
        const fixes = del ? [{ title: 'Remove the authentication block', edits: [del] }] : undefined;
        if (v.strict) {
          ctx.report({
            file: auth.file,
            range: headerRange(auth),
            message: `${strictSource(v)} does not allow VRRP authentication: keepalived ignores it ("Strict mode does not support authentication. Ignoring."). Remove the authentication block from ${v.name} on every director, or a director that still sends it drops the other's adverts`,
            related: related(v.strictStatement, 'strict mode is set here'),
            fixes,
          });
        } else if (v.version === 3) {
          ctx.report({
            file: auth.file,
            range: headerRange(auth),
            message: `${v.name} runs VRRP version 3 (${versionSource(v)}), which has no authentication: keepalived ignores it ("VRRP version 3 does not support authentication. Ignoring."). Remove the authentication block from ${v.name} on every director`,
            related: related(v.versionStatement, 'VRRP version 3 is set here'),
            fixes,
          });
        } else if (!v.authPass?.args[0]?.text) {
          ctx.report({
            file: v.authType!.file,
            range: headerRange(v.authType!),
            message: `auth_type ${type} without auth_pass: keepalived ignores the authentication ("Authentication specified but no password given. Ignoring"). Add auth_pass (at most 8 characters, the same on every director)`,
          });
        }
      } else if (!v.authType && v.authPass) {
        ctx.report({
          file: v.authPass.file,
          range: headerRange(v.authPass),
          severity: 'warning',
          message: `auth_pass without auth_type: keepalived sends ${v.name}'s adverts unauthenticated, and a director that has auth_type PASS drops them. Add 'auth_type PASS' (on every director)`,
          fixes: [{ title: "Add 'auth_type PASS'", isPreferred: true, edits: [insertLineBefore(ctx, v.authPass, 'auth_type PASS')] }],
        });
      }
    }
  },
};
