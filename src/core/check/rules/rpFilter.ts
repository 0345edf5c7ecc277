// LVS/TUN: the decapsulated packet (source = client) arrives on tunl0, while the
// route back to the client leaves by eth0; strict reverse-path filtering (1) drops
// it (reference §1.3 T3). Effective value = max(conf/all, conf/tunl0); 0 or 2 pass.
import type { Finding } from '../../findings/finding';
import { effectiveConf } from '../../state';
import type { CheckRule } from '../types';
import { realServerName, serviceName, sysctlEvidence } from '../helpers';

export const rpFilter: CheckRule = (ctx) => {
  const out: Finding[] = [];
  const done = new Set<string>();
  for (const p of ctx.placements) {
    const s = p.state;
    if ((p.realServer.method ?? p.service.method) !== 'tun' || done.has(s.name) || !s.sysctl || !s.interfaces) continue;
    done.add(s.name);
    for (const t of s.interfaces.filter((i) => i.linkType === 'ipip' || /^tunl\d*$/.test(i.name))) {
      const eff = effectiveConf(s.sysctl, t.name, 'rp_filter');
      if (eff !== 1) continue;
      out.push({
        code: 'check-rp-filter',
        severity: 'error',
        message: `Strict reverse-path filtering applies to ${t.name} on real server ${s.name} (${realServerName(p.realServer)}): packets decapsulated from the director, with the client as source, are dropped.`,
        advice: `Set net.ipv4.conf.${t.name}.rp_filter=2 (loose) or 0; the effective value is the larger of all and ${t.name}, so conf.all must not be 1 either if ${t.name} is 0.`,
        evidence: [sysctlEvidence(s, ['net.ipv4.conf.all.rp_filter', `net.ipv4.conf.${t.name}.rp_filter`])],
        location: p.realServer.location ?? p.service.location,
        service: serviceName(p.service),
        realServer: p.realServer.name,
        fix: {
          description: `Loose reverse-path filtering on ${t.name} of ${s.name} (until reboot)`,
          host: s.name,
          argv: ['sysctl', '-w', `net.ipv4.conf.${t.name}.rp_filter=2`],
          sudo: true,
        },
      });
    }
  }
  return out;
};
