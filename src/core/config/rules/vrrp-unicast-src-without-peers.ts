// unicast_src_ip without unicast_peer: keepalived keeps using multicast, with
// that address as the source ("(VI) A unicast keyword has been specified without
// any unicast peers. Defaulting to multicast. This usage is deprecated",
// keepalived 2.2.7 -t, exit 5). Where multicast does not pass (clouds, some
// switches) the directors never hear each other: both become MASTER.
import { headerRange } from '../keepalived/ast';
import { vrrpInstances } from './vrrp-common';
import type { LintRule } from './rule';

export const vrrpUnicastSrcWithoutPeers: LintRule = {
  code: 'vrrp-unicast-src-without-peers',
  severity: 'warning',
  languages: ['keepalived'],
  description: 'unicast_src_ip without unicast_peer: the instance still uses multicast.',
  check(ctx) {
    for (const v of vrrpInstances(ctx)) {
      const src = v.unicastSrc;
      if (!src || v.peers.length > 0 || v.templated) continue;
      ctx.report({
        file: src.file,
        range: headerRange(src),
        message: `unicast_src_ip without unicast_peer: ${v.name} still sends multicast adverts (keepalived: "A unicast keyword has been specified without any unicast peers. Defaulting to multicast"). Add unicast_peer { <the other directors' addresses> }, or write mcast_src_ip if multicast is meant`,
        fixes: [{ title: 'Rename to mcast_src_ip (keep multicast)', edits: [{ file: src.file, range: { start: { line: src.keyword.line, character: src.keyword.start }, end: { line: src.keyword.line, character: src.keyword.end } }, newText: 'mcast_src_ip' }] }],
      });
    }
  },
};
