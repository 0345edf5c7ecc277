// A virtual service with no real server answers nothing: the director's own stack
// replies (TCP RST / ICMP port unreachable). keepalived drops such a virtual_server
// entirely ("has no real servers - ignoring", an error for keepalived -t) before it
// looks at anything else, so a sorry_server does not save it; real_server lines
// keepalived cannot parse (bad address or port) are skipped and do not count.
import { child, children, headerRange } from '../keepalived/ast';
import { topLevel } from '../keepalived/query';
import { toRange } from '../location';
import { isIP } from '../values';
import type { LintContext, LintRule } from './rule';
import { hasHiddenContent, isSkippedServer, vsShape } from './virtual-server';

function checkKeepalived(ctx: LintContext): void {
  for (const vs of topLevel(ctx.keepalived, 'virtual_server')) {
    const shape = vsShape(ctx.keepalived, vs);
    // keepalived skips a virtual_server whose address it cannot parse, with its own message.
    if (!shape.fwmark && !shape.group && !(vs.args[0] && (vs.args[0].text.includes('$') || isIP(vs.args[0].text)))) continue;
    const listed = children(vs, 'real_server');
    const skipped = listed.filter(isSkippedServer);
    if (listed.length > skipped.length || hasHiddenContent(vs)) continue;
    const sorry = child(vs, 'sorry_server');
    const parts = [`virtual_server ${vs.args.map((a) => a.text).join(' ')} has no real servers, so keepalived ignores it ("has no real servers - ignoring")`];
    if (skipped.length > 0) parts.push(`: keepalived skips ${skipped.map((s) => `real_server ${s.args[0]?.text ?? ''} (line ${s.keyword.line + 1})`).join(', ')}, whose address or port it cannot read`);
    if (sorry) parts.push(`; the sorry_server does not count — keepalived drops the whole virtual_server, sorry server included`);
    parts.push('. Clients get a reset or ICMP port unreachable from the director. Add a real_server block');
    const related = [
      ...skipped.map((s) => ({ file: s.file, range: headerRange(s), message: 'skipped by keepalived: invalid address or port' })),
      ...(sorry ? [{ file: sorry.file, range: headerRange(sorry), message: 'sorry server: not used, the virtual_server is ignored' }] : []),
    ];
    ctx.report({ severity: 'error', file: vs.file, range: headerRange(vs), message: parts.join(''), related: related.length ? related : undefined });
  }
}

export const noRealServers: LintRule = {
  code: 'no-real-servers',
  severity: 'warning',
  languages: ['keepalived', 'ipvsadm'],
  description: 'Virtual service without any real server (keepalived ignores it, even with a sorry_server).',
  check(ctx) {
    if (ctx.language === 'keepalived') {
      checkKeepalived(ctx);
      return;
    }
    for (const svc of ctx.model.services) {
      if (svc.realServers.length > 0 || !svc.location) continue;
      ctx.report({
        severity: 'warning',
        file: svc.location.file,
        range: toRange(svc.location),
        message: 'this virtual service has no real servers: clients get a reset or ICMP port unreachable from the director. Add real servers',
      });
    }
  },
};
