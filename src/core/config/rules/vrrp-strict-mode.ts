// What strict mode (global vrrp_strict, or strict_mode in the instance) does not
// allow, besides authentication (vrrp-auth-ignored) and preempt_delay
// (vrrp-preempt-delay-ignored):
//  - state MASTER without priority 255, or priority 255 with state BACKUP:
//    keepalived reports "State MASTER must match being address owner" and starts
//    the instance in the state the priority gives (error);
//  - unicast peers: keepalived 2.2.7 accepts them, newer releases refuse
//    ("Unicast peers are not supported in strict mode") and do not start the
//    instance on a multicast-capable interface (warning).
import { headerRange, tokenRange } from '../keepalived/ast';
import { related, strictSource, vrrpInstances } from './vrrp-common';
import type { LintRule } from './rule';

export const vrrpStrictMode: LintRule = {
  code: 'vrrp-strict-mode',
  severity: 'error',
  languages: ['keepalived'],
  description: 'vrrp_instance settings strict mode (vrrp_strict / strict_mode) overrides or refuses.',
  check(ctx) {
    for (const v of vrrpInstances(ctx)) {
      if (!v.strict || v.templated) continue;
      const strict = strictSource(v);
      const st = v.stateStatement;
      if (st && v.state && v.priorityStatement && (v.state === 'MASTER') !== (v.priority === 255)) {
        const want = v.priority === 255 ? 'MASTER' : 'BACKUP';
        ctx.report({
          file: st.file,
          range: headerRange(st),
          message:
            v.state === 'MASTER'
              ? `with ${strict} only the address owner (priority 255) may start as MASTER: keepalived reports "State MASTER must match being address owner" and starts ${v.name} as BACKUP (priority ${v.priority}). Set state BACKUP, or priority 255 on the one director that owns the VIPs`
              : `with ${strict} the address owner (priority 255) starts as MASTER: keepalived reports "State MASTER must match being address owner" and ignores state BACKUP. Set state MASTER, or a priority below 255`,
          related: related(v.strictStatement, 'strict mode is set here'),
          fixes: st.args[0] ? [{ title: `Set 'state ${want}'`, isPreferred: true, edits: [{ file: st.file, range: tokenRange(st.args[0]), newText: want }] }] : undefined,
        });
      }
      if (v.unicastPeerBlock && v.peers.length > 0) {
        ctx.report({
          file: v.unicastPeerBlock.file,
          range: headerRange(v.unicastPeerBlock),
          severity: 'warning',
          message: `${strict} is RFC-strict VRRP, which is multicast only: keepalived 2.2.7 accepts unicast_peer here, but newer releases refuse it ("Unicast peers are not supported in strict mode") and do not start ${v.name}. Remove ${strict} or the unicast peers`,
          related: related(v.strictStatement, 'strict mode is set here'),
        });
      }
    }
  },
};
