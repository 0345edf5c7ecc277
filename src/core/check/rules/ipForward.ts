// LVS/NAT needs the director to forward: the real servers' replies come back
// through it to be un-NATed (reference §1.1 N3; ipvsadm(8) examples set ip_forward=1).
import type { Finding } from '../../findings/finding';
import type { CheckRule } from '../types';
import { methodLocation, serviceName, sysctlEvidence } from '../helpers';

export const ipForward: CheckRule = (ctx) => {
  const nat = ctx.model.services.filter((s) => s.method === 'nat' || s.realServers.some((r) => r.method === 'nat'));
  if (nat.length === 0) return [];
  const out: Finding[] = [];
  for (const d of ctx.directors) {
    const v = d.sysctl?.get('net.ipv4.ip_forward');
    if (v !== '0') continue;
    out.push({
      code: 'check-ip-forward-off',
      severity: 'error',
      message: `IP forwarding is off on director ${d.name}, but ${nat.map(serviceName).join(', ')} use${nat.length === 1 ? 's' : ''} NAT: the real servers' replies will not be forwarded back to the clients.`,
      advice: 'Set net.ipv4.ip_forward=1 (and persist it in /etc/sysctl.d/).',
      evidence: [sysctlEvidence(d, ['net.ipv4.ip_forward'])],
      location: methodLocation(nat[0]),
      service: serviceName(nat[0]),
      fix: { description: `Turn on IP forwarding on ${d.name} (until reboot)`, host: d.name, argv: ['sysctl', '-w', 'net.ipv4.ip_forward=1'], sudo: true },
    });
  }
  return out;
};
