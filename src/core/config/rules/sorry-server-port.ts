// DR and TUN cannot change the destination port, so a DR/TUN sorry_server must
// listen on the virtual port: keepalived resets a different port ("virtual server
// ... and sorry server ports don't match - resetting", a keepalived -t error), the
// same as for real servers (dr-port-remap). fwmark services: see fwmark-port.
import { child, tokenRange } from '../keepalived/ast';
import { topLevel } from '../keepalived/query';
import type { LintRule } from './rule';
import { deleteValueEdit, isSkippedServer, sorryMethod, vsShape } from './virtual-server';

export const sorryServerPort: LintRule = {
  code: 'sorry-server-port',
  severity: 'error',
  languages: ['keepalived'],
  description: 'DR/TUN sorry_server on a port different from the virtual port: keepalived resets it.',
  check(ctx) {
    for (const vs of topLevel(ctx.keepalived, 'virtual_server')) {
      const sorry = child(vs, 'sorry_server');
      const port = sorry?.args[1];
      if (!sorry || !port || sorry.templated || isSkippedServer(sorry) || Number(port.text) === 0) continue;
      const method = sorryMethod(vs);
      const shape = vsShape(ctx.keepalived, vs);
      if (method === 'NAT' || shape.fwmarkOnly || (vs.args[1]?.text ?? '').includes('$')) continue;
      let vports: number[];
      if (shape.group) {
        const g = topLevel(ctx.keepalived, 'virtual_server_group').find((s) => s.args[0]?.text === vs.args[1]?.text);
        const entries = (g?.body ?? []).filter((e) => e.entry && e.keyword.text !== 'fwmark');
        if (entries.some((e) => e.templated)) continue;
        vports = [...new Set(entries.map((e) => Number(e.args[0]?.text ?? 0)))];
      } else vports = [shape.port ?? 0];
      const other = vports.filter((p) => p !== Number(port.text));
      if (other.length === 0) continue;
      const range = tokenRange(port);
      const fixPort = vports.length === 1 ? vports[0] : undefined;
      const quote = shape.group
        ? `virtual server ${shape.name}, sorry server has port specified - port will be ignored`
        : `virtual server ${shape.name} and sorry server ports don't match - resetting`;
      ctx.report({
        file: sorry.file,
        range,
        message: `${method} sorry server ${sorry.args[0].text} port ${port.text} differs from the virtual port ${other.map((p) => (p === 0 ? '0 (all ports)' : String(p))).join(', ')}: ${method} cannot change the destination port, so keepalived ${shape.group ? 'ignores this port' : `resets it to ${other[0]}`} (keepalived: "${quote}"). Make the sorry server listen on the virtual port and set it here, or use sorry_server_lvs_method NAT`,
        fixes: fixPort === undefined ? undefined : fixPort === 0
          ? [{ title: 'Remove the sorry server port', isPreferred: true, edits: [deleteValueEdit(sorry, port)] }]
          : [{ title: `Set the sorry server port to ${fixPort}`, isPreferred: true, edits: [{ file: sorry.file, range, newText: String(fixPort) }] }],
      });
    }
  },
};
