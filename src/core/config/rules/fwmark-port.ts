// A fwmark virtual_server has no port, and DR/TUN cannot change the destination
// port: the packet reaches the real server on the port the client used. keepalived
// clears the port of a DR/TUN real_server or sorry_server of a fwmark service
// ("real server ... has port specified - clearing", a keepalived -t error). NAT
// real servers may have one (NAT rewrites the port).
import { type Statement, child, children, tokenRange } from '../keepalived/ast';
import { topLevel } from '../keepalived/query';
import type { LintRule } from './rule';
import { deleteValueEdit, isSkippedServer, rsMethod, sorryMethod, vsShape } from './virtual-server';

export const fwmarkPort: LintRule = {
  code: 'fwmark-port',
  severity: 'error',
  languages: ['keepalived'],
  description: 'DR/TUN real_server or sorry_server with a port in a fwmark virtual_server: keepalived clears it.',
  check(ctx) {
    for (const vs of topLevel(ctx.keepalived, 'virtual_server')) {
      const shape = vsShape(ctx.keepalived, vs);
      if (!shape.fwmark) continue;
      const servers: Array<{ s: Statement; method: string; what: string }> = children(vs, 'real_server').map((rs) => ({ s: rs, method: rsMethod(vs, rs), what: `real server ${rs.args[0]?.text ?? ''}` }));
      const sorry = child(vs, 'sorry_server');
      if (sorry) servers.push({ s: sorry, method: sorryMethod(vs), what: `sorry server ${sorry.args[0]?.text ?? ''}` });
      for (const { s, method, what } of servers) {
        const port = s.args[1];
        if (s.templated || isSkippedServer(s) || method === 'NAT' || !port || Number(port.text) === 0) continue;
        const verb = shape.group ? 'port will be ignored' : 'clearing';
        const quote = s.keyword.text === 'sorry_server'
          ? `${shape.group ? 'fwmark ' : ''}virtual server ${shape.name}, sorry server has port specified - ${verb}`
          : `fwmark virtual server ${shape.name}, real server [${s.args[0].text}]:none:${port.text} has port specified - ${verb}`;
        ctx.report({
          file: s.file,
          range: tokenRange(port),
          message: `${what} has port ${port.text} in a fwmark virtual_server with ${method}: ${method} cannot change the destination port, so packets reach it on the port the client used, and keepalived ${shape.group ? 'ignores' : 'clears'} this port (keepalived: "${quote}"). Remove the port (or use NAT to map ports)`,
          fixes: [{ title: 'Remove the port', isPreferred: true, edits: [deleteValueEdit(s, port)] }],
        });
      }
    }
  },
};
