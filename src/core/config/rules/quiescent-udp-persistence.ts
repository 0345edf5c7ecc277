// The trap from the LVS troubleshooting notes: with persistence, a real server
// set to weight 0 (keepalived inhibit_on_failure, or ipvsadm -w 0) keeps its
// persistence templates, and UDP clients with a fixed source port (syslog, SIP,
// RADIUS) keep being sent to the dead server until the template expires.
import type { SourceLocation } from '../../findings/finding';
import { toRange } from '../location';
import type { LintRule } from './rule';

export const quiescentUdpPersistence: LintRule = {
  code: 'quiescent-udp-persistence',
  severity: 'warning',
  languages: ['keepalived', 'ipvsadm'],
  description: 'Weight 0 (inhibit_on_failure / -w 0) on a persistent UDP service: clients stay on the dead server.',
  check(ctx) {
    // One finding per statement: a virtual_server's inhibit_on_failure covers all its
    // real servers, and a virtual_server group is several services of one block.
    const done = new Set<string>();
    for (const svc of ctx.model.services) {
      if (svc.protocol !== 'udp' || svc.persistenceSeconds <= 0) continue;
      for (const rs of svc.realServers) {
        let loc: SourceLocation | undefined;
        let what: string;
        let who = rs.address;
        if (ctx.language === 'keepalived') {
          if (!rs.inhibitOnFailure) continue;
          const own = rs.optionLocations?.inhibit_on_failure;
          loc = own ?? svc.optionLocations?.inhibit_on_failure;
          what = 'inhibit_on_failure sets a failed real server to weight 0';
          // The virtual_server's statement covers every real server without one of its own.
          if (!own && svc.realServers.filter((r) => !r.optionLocations?.inhibit_on_failure).length > 1) who = 'a failed real server';
        } else {
          if (rs.weight !== 0) continue;
          loc = rs.optionLocations?.weight;
          what = `real server ${rs.address} has weight 0`;
        }
        if (!loc) continue;
        const key = `${loc.file}:${loc.line}:${loc.column}`;
        if (done.has(key)) continue;
        done.add(key);
        ctx.report({
          file: loc.file,
          range: toRange(loc),
          message: `${what} on a persistent UDP service: clients with a fixed source port keep going to ${who} while their persistence template lives (${svc.persistenceSeconds} s). Remove the real server instead of quiescing it, or set net.ipv4.vs.expire_quiescent_template=1 and net.ipv4.vs.expire_nodest_conn=1 on the directors`,
        });
      }
    }
  },
};
