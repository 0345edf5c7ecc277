// A director without IPVS in its kernel (or with the module not loaded) forwards
// nothing: packets to the VIP reach the local stack instead (reference §1.5 K2).
import type { Finding } from '../../findings/finding';
import type { CheckRule } from '../types';

export const ipvsMissing: CheckRule = (ctx) => {
  const out: Finding[] = [];
  const firstService = ctx.model.services.find((s) => s.location)?.location;
  for (const d of ctx.directors) {
    if (d.unreachable) continue;
    if (d.ipvsUnavailable?.kind === 'kernel') {
      const release = d.kernelRelease ? ` (kernel ${d.kernelRelease})` : '';
      out.push({
        code: 'check-ipvs-missing',
        severity: 'error',
        message: `IPVS is not available on director ${d.name}${release}: ${d.ipvsUnavailable.reason}. No virtual service can work here.`,
        advice:
          'Load the module (`modprobe ip_vs`) or use a kernel built with CONFIG_IP_VS; then let keepalived / ipvsadm-restore load the rules again.',
        evidence: [{ host: d.name, text: d.ipvsUnavailable.reason }],
        location: firstService,
      });
    } else if (!d.ipvs) {
      out.push({
        code: 'check-ipvs-unreadable',
        severity: 'warning',
        message: `Could not read the IPVS table of director ${d.name}, so it was not compared with the config.`,
        advice: 'Install ipvsadm, allow it through sudo for the SSH user, or make /proc/net/ip_vs readable.',
        evidence: d.notes.filter((n) => /ipvs/i.test(n)).map((text) => ({ host: d.name, text })),
        location: firstService,
      });
    }
  }
  return out;
};
