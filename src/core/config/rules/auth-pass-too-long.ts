// VRRPv2 simple-text authentication carries 8 bytes: keepalived truncates a longer
// auth_pass ("Truncating auth_pass to 8 characters"), so two routers with
// passwords that differ only after the 8th character still authenticate.
import { child } from '../keepalived/ast';
import { tokenRange } from '../keepalived/ast';
import { topLevel } from '../keepalived/query';
import type { LintRule } from './rule';

export const authPassTooLong: LintRule = {
  code: 'auth-pass-too-long',
  severity: 'error',
  languages: ['keepalived'],
  description: 'VRRP auth_pass longer than 8 characters (silently truncated).',
  check(ctx) {
    for (const vi of topLevel(ctx.keepalived, 'vrrp_instance')) {
      const pass = child(child(vi, 'authentication'), 'auth_pass');
      const tok = pass?.args[0];
      if (!tok || pass?.templated || tok.text.length <= 8) continue;
      const range = tokenRange(tok);
      const short = tok.text.slice(0, 8);
      ctx.report({
        file: pass.file,
        range,
        message: `auth_pass is ${tok.text.length} characters; VRRP uses only the first 8, so keepalived truncates it. Shorten it to 8 characters (the same on every director)`,
        fixes: [{ title: 'Truncate to 8 characters', isPreferred: true, edits: [{ file: pass.file, range, newText: tok.quoted ? JSON.stringify(short) : short }] }],
      });
    }
  },
};
