// One-packet scheduling schedules every datagram on its own; keepalived resets it
// on TCP/SCTP services ("one packet scheduling requires UDP - resetting"). It only
// checks services with an address: a fwmark service (or a group of fwmarks only)
// has no protocol of its own (keepalived ignores `protocol` there, fwmark-protocol's
// finding), so its ops is left alone.
import { child, tokenRange } from '../keepalived/ast';
import { topLevel } from '../keepalived/query';
import type { LintRule } from './rule';
import { vsShape } from './virtual-server';

export const opsRequiresUdp: LintRule = {
  code: 'ops-requires-udp',
  severity: 'error',
  languages: ['keepalived'],
  description: 'ops (one-packet scheduling) on a service that is not UDP.',
  check(ctx) {
    for (const vs of topLevel(ctx.keepalived, 'virtual_server')) {
      const ops = child(vs, 'ops');
      const protoSt = child(vs, 'protocol');
      const proto = protoSt?.args[0]?.text.toUpperCase();
      // No protocol, or one keepalived does not know ("Unknown protocol X - ignoring"): the service is UDP.
      if (!ops || !protoSt || protoSt.templated || (proto !== 'TCP' && proto !== 'SCTP')) continue;
      const shape = vsShape(ctx.keepalived, vs);
      if (shape.fwmarkOnly) continue;
      ctx.report({
        file: ops.file,
        range: tokenRange(ops.keyword),
        message: `ops (one-packet scheduling) only works for UDP; this service is ${proto} and keepalived ignores it (keepalived: "Virtual server ${shape.name}: one packet scheduling requires UDP - resetting"). Remove ops`,
      });
    }
  },
};
