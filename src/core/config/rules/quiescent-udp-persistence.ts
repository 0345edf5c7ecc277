// The trap from the LVS troubleshooting notes: with persistence, a real server
// set to weight 0 (keepalived inhibit_on_failure, or ipvsadm -w 0) keeps its
// persistence templates, and UDP clients with a fixed source port (syslog, SIP,
// RADIUS) keep being sent to the dead server until the template expires.
import { toRange } from '../location';
import type { LintRule } from './rule';

export const quiescentUdpPersistence: LintRule = {
  code: 'quiescent-udp-persistence',
  severity: 'warning',
  languages: ['keepalived', 'ipvsadm'],
  description: 'Weight 0 (inhibit_on_failure / -w 0) on a persistent UDP service: clients stay on the dead server.',
  check(ctx) {
    for (const svc of ctx.model.services) {
      if (svc.protocol !== 'udp' || svc.persistenceSeconds <= 0) continue;
      for (const rs of svc.realServers) {
        const loc = ctx.language === 'keepalived'
          ? rs.inhibitOnFailure ? (rs.optionLocations?.inhibit_on_failure ?? svc.optionLocations?.inhibit_on_failure) : undefined
          : rs.weight === 0 ? rs.optionLocations?.weight : undefined;
        if (!loc) continue;
        const what = ctx.language === 'keepalived' ? 'inhibit_on_failure sets a failed real server to weight 0' : `real server ${rs.address} has weight 0`;
        ctx.report({
          file: loc.file,
          range: toRange(loc),
          message: `${what} on a persistent UDP service: clients with a fixed source port keep going to ${rs.address} while their persistence template lives (${svc.persistenceSeconds} s). Remove the real server instead of quiescing it, or set net.ipv4.vs.expire_quiescent_template=1 and net.ipv4.vs.expire_nodest_conn=1 on the directors`,
        });
      }
    }
  },
};
