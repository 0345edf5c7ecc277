// health-check-failing: the director's checker (keepalived TCP_CHECK / HTTP_GET,
// ldirectord) talks to a real server and gets a refusal, no answer or an HTTP error.
// The checker then removes the server (or sets weight 0 with inhibit_on_failure).

import type { Finding } from '../../findings/finding';
import { locate, plural, pointEvidence, type Rule } from './rule';

export const healthCheckFailing: Rule = {
  code: 'health-check-failing',
  severity: 'warning',
  summary: "The director's health checks of a real server fail",
  check(ctx) {
    const findings: Finding[] = [];
    for (const hc of ctx.healthChecks) {
      const failed = hc.refused + hc.unanswered + hc.httpErrors;
      if (failed === 0) continue;
      const rs = hc.rs ?? hc.rsAddress;
      const what =
        hc.httpErrors > 0
          ? `answers HTTP ${hc.lastHttpStatus} (${plural(hc.httpErrors, 'check')})`
          : hc.refused > 0
            ? `refuses the connection with RST (${plural(hc.refused, 'check')})`
            : `does not answer (${plural(hc.unanswered, 'check')})`;
      const svc = ctx.services.services.find((s) => s.realServers.some((r) => r.address === hc.rsAddress && r.port === hc.port)) ??
        ctx.services.services.find((s) => s.realServers.some((r) => r.port === hc.port));
      const stillIn = ctx.services.services.some((s) => s.realServers.some((r) => r.address === hc.rsAddress && r.port === hc.port && r.weight > 0));
      findings.push({
        code: 'health-check-failing',
        severity: 'warning',
        message: `Health checks from ${hc.director} to ${rs} (${hc.rsAddress}:${hc.port}) fail: ${rs} ${what}${hc.ok ? `; ${hc.ok} passed` : ''}. The checker takes ${rs} out of ${hc.port === svc?.realServers[0]?.port && svc ? `${svc.protocol} ${svc.vip}:${svc.port}` : 'the service'}${stillIn ? ', yet capture.json still lists it with weight > 0' : ' (it is not in the service now)'}.`,
        advice:
          hc.httpErrors > 0
            ? `On ${rs}: fix the application behind the checked URL (it returns ${hc.lastHttpStatus}), or check url/status_code in the HTTP_GET block.`
            : `On ${rs}: start the service on port ${hc.port} (ss -lnt), or check connect_port/connect_ip in the checker if it probes the wrong port.`,
        evidence: [pointEvidence(ctx, hc.point, hc.packets, `${plural(hc.attempts, 'check')} ${hc.director} → ${hc.rsAddress}:${hc.port}: ${failed} failed`, hc.first)],
        realServer: rs,
        location: locate(ctx, svc, rs),
      });
    }
    return findings;
  },
};
