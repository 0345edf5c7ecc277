// A fwmark virtual_server matches packets by firewall mark alone, whatever their
// protocol: keepalived ignores `protocol` there ("protocol specified for fwmark -
// protocol will be ignored", a keepalived -t error). Match the protocol in the
// firewall rule that sets the mark instead.
import { child, headerRange } from '../keepalived/ast';
import { topLevel } from '../keepalived/query';
import type { LintRule } from './rule';
import { deleteLineEdit, vsShape } from './virtual-server';

export const fwmarkProtocol: LintRule = {
  code: 'fwmark-protocol',
  severity: 'error',
  languages: ['keepalived'],
  description: '`protocol` in a fwmark virtual_server: keepalived ignores it.',
  check(ctx) {
    for (const vs of topLevel(ctx.keepalived, 'virtual_server')) {
      const proto = child(vs, 'protocol');
      // keepalived only records TCP/UDP/SCTP; any other value is its own error.
      if (!proto || proto.templated || !/^(tcp|udp|sctp)$/i.test(proto.args[0]?.text ?? '')) continue;
      const shape = vsShape(ctx.keepalived, vs);
      if (!shape.fwmarkOnly) continue;
      const edit = deleteLineEdit(ctx, proto);
      ctx.report({
        file: proto.file,
        range: headerRange(proto),
        message: `protocol ${proto.args[0].text} is ignored on a fwmark virtual_server (keepalived: "Virtual server ${shape.name}: protocol specified for fwmark - protocol will be ignored"): the firewall mark alone selects the packets, whatever their protocol. Remove this line, and match the protocol in the rule that sets the mark`,
        fixes: edit ? [{ title: 'Remove the protocol line', isPreferred: true, edits: [edit] }] : undefined,
      });
    }
  },
};
