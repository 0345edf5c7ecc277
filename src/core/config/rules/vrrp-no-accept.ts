// VIP traffic dropped (reference §1.6 H16): when accept mode is off, the master
// that is not the address owner (priority != 255) installs a firewall rule that
// drops everything sent to the VIPs (RFC 3768/5798 "Accept_Mode"), before IPVS
// sees it. Accept mode is off with `no_accept`, and by default in strict mode
// (vrrp_strict / strict_mode). With VRRP version 2 strict mode even resets an
// explicit `accept` ("warning - accept mode for VRRP version 2 does not comply
// with RFC3768 - resetting", keepalived -t exits 5): error. Otherwise keepalived
// says nothing: warning. (vrrp.c vrrp_complete_instance, _WITH_FIREWALL_ builds,
// which distributions ship.)
import { headerRange } from '../keepalived/ast';
import { at, atInstance, deleteLines, firstBodyStatement, insertLineBefore, related, strictSource, vrrpInstances } from './vrrp-common';
import type { LintRule } from './rule';

export const vrrpNoAccept: LintRule = {
  code: 'vrrp-no-accept',
  severity: 'warning',
  languages: ['keepalived'],
  description: 'A non-owner VRRP master drops all traffic to its VIPs (no_accept, or vrrp_strict without accept).',
  check(ctx) {
    for (const v of vrrpInstances(ctx)) {
      if (v.priority === 255 || v.templated || v.vips.length + v.excluded.length === 0) continue;
      const acc = v.acceptStatement;
      const where = v.priorityStatement ? at(v.priorityStatement) : atInstance(v);
      const drop = `when ${v.name} is MASTER, keepalived adds a firewall rule that drops all traffic to its VIPs (priority ${v.priority} is not the address owner's 255), so IPVS never sees it and clients get no answer`;
      if (acc?.keyword.text === 'no_accept') {
        const del = deleteLines(ctx, acc);
        ctx.report({
          file: acc.file,
          range: headerRange(acc),
          message: `no_accept: ${drop}. Remove no_accept (or use accept)`,
          fixes: del ? [{ title: 'Remove no_accept', isPreferred: true, edits: [del] }] : undefined,
        });
        continue;
      }
      if (!v.strict) continue;
      const strict = strictSource(v);
      if (v.version === 2) {
        if (acc) {
          ctx.report({
            file: acc.file,
            range: headerRange(acc),
            severity: 'error',
            message: `accept does not work with ${strict} and VRRP version 2: keepalived resets it ("accept mode for VRRP version 2 does not comply with RFC3768 - resetting"), and ${drop}. Remove ${strict}, or use version 3 with accept on every director`,
            related: related(v.strictStatement, 'strict mode is set here'),
          });
        } else {
          ctx.report({
            ...where,
            message: `${strict}: ${drop}. With VRRP version 2 'accept' does not help (keepalived resets it): remove ${strict}, or use version 3 with accept on every director`,
            related: related(v.strictStatement, 'strict mode is set here'),
          });
        }
        continue;
      }
      if (acc) continue; // version 3 with accept: fine
      const first = v.priorityStatement ?? firstBodyStatement(v);
      ctx.report({
        ...where,
        message: `${strict} without accept: ${drop}. Add 'accept' to ${v.name}`,
        related: related(v.strictStatement, 'strict mode is set here'),
        fixes: first ? [{ title: "Add 'accept'", isPreferred: true, edits: [insertLineBefore(ctx, first, 'accept')] }] : undefined,
      });
    }
  },
};
