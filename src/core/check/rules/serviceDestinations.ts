// A service with no real server, or whose real servers all have weight 0, takes
// traffic and sends it nowhere: IPVS answers ICMP port unreachable (seen in
// fixtures/lab/no-real-servers) and weight 0 means "no new connections".
import type { Finding } from '../../findings/finding';
import type { CheckRule } from '../types';
import { liveServiceKey } from './ipvsDrift';
import { serviceKey } from '../../model/cluster';

export const serviceDestinations: CheckRule = (ctx) => {
  const out: Finding[] = [];
  const byKey = new Map(ctx.model.services.map((s) => [serviceKey(s), s]));
  const reported = new Set<string>();
  for (const d of ctx.directors) {
    for (const l of d.ipvs?.services ?? []) {
      const key = liveServiceKey(l);
      const svc = byKey.get(key);
      if (l.destinations.length === 0) {
        reported.add(key);
        out.push({
          code: 'check-service-no-destinations',
          severity: 'error',
          message: `Service ${key} on ${d.name} has no real servers: every new connection is refused by the director (ICMP port unreachable).`,
          advice: svc?.realServers.length
            ? 'All real servers were removed, usually by failing health checks: see the keepalived log, then the servers.'
            : 'Add real servers (real_server blocks / ipvsadm -a), or a sorry_server.',
          evidence: [{ host: d.name, text: `${d.ipvsSource} line ${l.line}: ${key} ${l.scheduler ?? ''} with no "->" lines`.trim() }],
          location: svc?.location,
          service: key,
        });
      } else if (l.destinations.every((x) => x.weight === 0)) {
        reported.add(key);
        out.push({
          code: 'check-all-weights-zero',
          severity: 'error',
          message: `Every real server of ${key} on ${d.name} has weight 0: no new connection can be scheduled.`,
          advice: 'Weight 0 = quiescent: bring at least one server back (its health check, or its weight).',
          evidence: l.destinations.map((x) => ({ host: d.name, text: `${d.ipvsSource} line ${x.line}: -> ${x.address}:${x.port} weight 0` })),
          location: svc?.location,
          service: key,
        });
      }
    }
  }
  if (!ctx.modelFromLiveTable) {
    for (const svc of ctx.model.services) {
      const key = serviceKey(svc);
      if (reported.has(key) || svc.realServers.length === 0 || !svc.realServers.every((r) => r.weight === 0)) continue;
      out.push({
        code: 'check-all-weights-zero',
        severity: 'error',
        message: `Every real server of ${key} is configured with weight 0: no new connection can be scheduled.`,
        advice: 'Give at least one real server a weight above 0.',
        evidence: [{ host: ctx.model.sources[0] ?? 'config', text: svc.realServers.map((r) => `${r.address}:${r.port} weight 0`).join(', ') }],
        location: svc.location,
        service: key,
      });
    }
  }
  return out;
};
