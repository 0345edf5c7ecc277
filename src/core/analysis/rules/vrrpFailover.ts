// vrrp-failover (info): a VRRP master handed over during the capture — the old master
// resigned (priority 0) or fell silent and another director started advertising. Not a
// fault by itself, but it explains connections that moved or broke at that moment.

import type { Finding } from '../../findings/finding';
import { fmtTime, pointEvidence, type Rule } from './rule';
import { vrrpSenders } from './vrrpSplitBrain';

export const vrrpFailover: Rule = {
  code: 'vrrp-failover',
  severity: 'info',
  summary: 'A VRRP master handed over to another director during the capture',
  check(ctx) {
    const findings: Finding[] = [];
    const senders = vrrpSenders(ctx.vrrp);
    for (const vrid of new Set(senders.map((s) => s.vrid))) {
      const active = senders
        .filter((s) => s.vrid === vrid && s.segments.length > 0)
        .map((s) => ({ s, start: Math.min(...s.segments.map((g) => g.start)), end: Math.max(...s.segments.map((g) => g.end)) }))
        .sort((a, b) => a.start - b.start);
      for (let i = 1; i < active.length; i++) {
        const from = active[i - 1];
        const to = active[i];
        if (to.start < from.end) continue; // overlapping masters: split brain, reported elsewhere
        const resigned = from.s.views.find((v) => v.resignedAt)?.resignedAt;
        const vf = from.s.views[0];
        const vt = to.s.views[0];
        findings.push({
          code: 'vrrp-failover',
          severity: 'info',
          message: `VRRP failover on VRID ${vrid}: ${from.s.src} ${resigned ? `resigned (priority 0) at ${fmtTime(resigned.ts)}` : `stopped advertising at ${fmtTime(from.end)}`}, ${to.s.src} (priority ${vt.priorities.filter((p) => p > 0).join('/')}) advertises as master from ${fmtTime(to.start)} (${((to.start - (resigned?.ts ?? from.end)) * 1000).toFixed(0)} ms later).`,
          advice: 'Expected when keepalived is stopped or a director fails; connections through the old master continue only with connection sync (lvs_sync_daemon) or sloppy_tcp.',
          evidence: [
            pointEvidence(ctx, vf.point, resigned ? [resigned.n] : [vf.lastN], `last advert from ${from.s.src}`, resigned?.ts ?? from.end),
            pointEvidence(ctx, vt.point, [vt.firstN], `first advert from ${to.s.src}`, to.start),
          ],
          location: ctx.model?.vrrpInstances.find((v) => v.virtualRouterId === vrid)?.location,
        });
      }
    }
    return findings;
  },
};
