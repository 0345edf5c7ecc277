// A UDP service checked with TCP_CHECK, HTTP_GET, SSL_GET or SMTP_CHECK probes a
// TCP port on the real server: it says nothing about the UDP service (and fails
// when nothing listens on TCP, removing a healthy server).
import { toRange } from '../location';
import type { LintRule } from './rule';

const TCP_CHECKERS = ['TCP_CHECK', 'HTTP_GET', 'SSL_GET', 'SMTP_CHECK'];

export const udpTcpChecker: LintRule = {
  code: 'udp-tcp-checker',
  severity: 'warning',
  languages: ['keepalived'],
  description: 'UDP virtual service health-checked over TCP/HTTP.',
  check(ctx) {
    for (const svc of ctx.model.services) {
      if (svc.protocol !== 'udp') continue;
      for (const rs of svc.realServers) {
        for (const checker of rs.checkers ?? []) {
          if (!TCP_CHECKERS.includes(checker)) continue;
          const loc = rs.optionLocations?.[checker];
          if (!loc) continue;
          const range = { start: toRange(loc).start, end: { line: toRange(loc).start.line, character: toRange(loc).start.character + checker.length } };
          ctx.report({
            file: loc.file,
            range,
            message: `${checker} checks TCP, but this virtual service is UDP: the check does not test the UDP service of ${rs.address}. Use UDP_CHECK, DNS_CHECK or MISC_CHECK (or connect_port to a TCP port that really reflects the service)`,
            fixes: [{ title: 'Change to UDP_CHECK', edits: [{ file: loc.file, range, newText: 'UDP_CHECK' }] }],
          });
        }
      }
    }
  },
};
