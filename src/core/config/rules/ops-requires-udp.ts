// One-packet scheduling schedules every datagram on its own; keepalived resets it
// on TCP services ("one packet scheduling requires UDP - resetting").
import { child, tokenRange } from '../keepalived/ast';
import { topLevel } from '../keepalived/query';
import type { LintRule } from './rule';

export const opsRequiresUdp: LintRule = {
  code: 'ops-requires-udp',
  severity: 'error',
  languages: ['keepalived'],
  description: 'ops (one-packet scheduling) on a service that is not UDP.',
  check(ctx) {
    for (const vs of topLevel(ctx.keepalived, 'virtual_server')) {
      const ops = child(vs, 'ops');
      const proto = child(vs, 'protocol')?.args[0]?.text.toUpperCase();
      if (!ops || proto === undefined || proto === 'UDP') continue;
      ctx.report({ file: ops.file, range: tokenRange(ops.keyword), message: `ops (one-packet scheduling) only works for UDP; this service is ${proto} and keepalived ignores it. Remove ops` });
    }
  },
};
