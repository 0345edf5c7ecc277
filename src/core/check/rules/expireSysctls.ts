// Two IPVS sysctls that decide what happens to clients of a server that is gone
// (reference §1.4 P1/P2): with persistence and quiescent (weight 0) servers,
// expire_quiescent_template=0 keeps sending known clients to the dead server until
// the template expires; for UDP, expire_nodest_conn=0 black-holes a fixed client
// port after its server was removed, as long as packets keep the entry alive.
import type { Finding } from '../../findings/finding';
import type { CheckRule } from '../types';
import { serviceName, sysctlEvidence } from '../helpers';
import { liveServiceKey } from './ipvsDrift';

export const expireSysctls: CheckRule = (ctx) => {
  const out: Finding[] = [];
  for (const d of ctx.directors) {
    if (!d.sysctl) continue;
    const quiescentTpl = d.sysctl.get('net.ipv4.vs.expire_quiescent_template');
    const liveZero = new Set(
      (d.ipvs?.services ?? []).filter((l) => l.destinations.some((x) => x.weight === 0)).map((l) => liveServiceKey(l)),
    );
    const persistentQuiescent = ctx.model.services.filter(
      (s) => s.persistenceSeconds > 0 && (s.realServers.some((r) => r.inhibitOnFailure || r.weight === 0) || liveZero.has(serviceName(s))),
    );
    if (quiescentTpl === '0' && persistentQuiescent.length > 0) {
      const s = persistentQuiescent[0];
      out.push({
        code: 'check-quiescent-expire',
        severity: 'warning',
        message: `${persistentQuiescent.map(serviceName).join(', ')} ${persistentQuiescent.length === 1 ? 'is' : 'are'} persistent with quiescent real servers (weight 0 / inhibit_on_failure), and net.ipv4.vs.expire_quiescent_template=0 on ${d.name}: clients already seen keep going to a failed server until their persistence template expires.`,
        advice: 'Set net.ipv4.vs.expire_quiescent_template=1 (persist it in /etc/sysctl.d/).',
        evidence: [sysctlEvidence(d, ['net.ipv4.vs.expire_quiescent_template'])],
        location: s.optionLocations?.persistence_timeout ?? s.location,
        service: serviceName(s),
        fix: {
          description: `Expire persistence templates of quiescent servers on ${d.name} (until reboot)`,
          host: d.name,
          argv: ['sysctl', '-w', 'net.ipv4.vs.expire_quiescent_template=1'],
          sudo: true,
        },
      });
    }
    const udp = ctx.model.services.filter((s) => s.protocol === 'udp');
    if (d.sysctl.get('net.ipv4.vs.expire_nodest_conn') === '0' && udp.length > 0) {
      out.push({
        code: 'check-expire-nodest-conn',
        severity: 'info',
        message: `net.ipv4.vs.expire_nodest_conn=0 on ${d.name} with UDP service ${udp.map(serviceName).join(', ')}: after a real server is removed, a client that keeps its source port (syslog, SIP, RADIUS...) is silently dropped until the entry times out.`,
        advice: 'Set net.ipv4.vs.expire_nodest_conn=1 if UDP clients reuse their source port.',
        evidence: [sysctlEvidence(d, ['net.ipv4.vs.expire_nodest_conn'])],
        location: udp[0].location,
        service: serviceName(udp[0]),
        fix: {
          description: `Expire connection entries whose real server is gone on ${d.name} (until reboot)`,
          host: d.name,
          argv: ['sysctl', '-w', 'net.ipv4.vs.expire_nodest_conn=1'],
          sudo: true,
        },
      });
    }
  }
  return out;
};
