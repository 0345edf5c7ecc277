// vrrp-no-adverts: the VRRP master stopped advertising and nobody took over (the VIP
// is gone), or the config runs VRRP but the directors' captures hold no advert at all.

import type { Finding } from '../../findings/finding';
import { fmtTime, pointEvidence, type Rule } from './rule';
import { vrrpSenders } from './vrrpSplitBrain';

export const vrrpNoAdverts: Rule = {
  code: 'vrrp-no-adverts',
  severity: 'error',
  summary: 'VRRP adverts stop (or never appear) and no director takes over',
  check(ctx) {
    const findings: Finding[] = [];
    const senders = vrrpSenders(ctx.vrrp);
    const vrids = new Set(senders.map((s) => s.vrid));
    for (const vrid of vrids) {
      const group = senders.filter((s) => s.vrid === vrid);
      const lastAdvert = Math.max(...group.flatMap((s) => s.segments.map((g) => g.end)));
      if (!Number.isFinite(lastAdvert)) continue;
      const last = group.find((s) => s.segments.some((g) => g.end === lastAdvert))!;
      const view = last.views.find((v) => v.segments.some((g) => g.end === lastAdvert)) ?? last.views[0];
      if (view.resignedAt && view.resignedAt.ts >= lastAdvert) continue; // a clean hand-over (priority 0)
      const captureEnd = ctx.points[view.point].table.last;
      const silence = captureEnd - lastAdvert;
      if (silence <= 3 * last.interval + 1) continue;
      findings.push({
        code: 'vrrp-no-adverts',
        severity: 'error',
        message: `VRRP master ${last.src} for VRID ${vrid} stopped advertising at ${fmtTime(lastAdvert)} without resigning (no priority-0 advert), and no other director took over for the remaining ${silence.toFixed(1)} s: the VIP has no owner.`,
        advice:
          'Check keepalived on the master (crashed or killed with SIGKILL, host hung, interface down) and on the backup (is it running, does it receive adverts, is its vrrp_instance on the same VRID and interface).',
        evidence: [pointEvidence(ctx, view.point, [view.firstN, view.lastN], `last VRRP advert from ${last.src} (priority ${view.priorities.join('/')})`, lastAdvert)],
        location: ctx.model?.vrrpInstances.find((v) => v.virtualRouterId === vrid)?.location,
      });
    }
    // Configured VRRP, directors captured long enough with a filter that lets VRRP
    // through, and not one advert. (Without such a filter, VIP-only captures would
    // never show adverts and prove nothing.)
    const instances = ctx.model?.vrrpInstances ?? [];
    if (instances.length > 0 && senders.length === 0) {
      const directors = ctx.points.filter((p) => p.spec.role === 'director' && p.readable && /\bvrrp\b|\b112\b/.test(p.spec.filter ?? ''));
      const interval = Math.max(...instances.map((v) => v.advertIntSec ?? 1));
      const watched = directors.filter((p) => p.table.packets > 0 && p.table.last - p.table.first > 3 * interval);
      if (watched.length > 0) {
        findings.push({
          code: 'vrrp-no-adverts',
          severity: 'warning',
          message: `The config runs VRRP (${instances.map((v) => `${v.name}, VRID ${v.virtualRouterId ?? '?'}`).join('; ')}), but no VRRP advert was captured on ${watched.map((p) => p.spec.host).join(', ')} in ${(watched[0].table.last - watched[0].table.first).toFixed(1)} s.`,
          advice: 'Check that keepalived runs on the directors, that the vrrp_instance interface is the captured one, and that nothing filters IP protocol 112.',
          evidence: watched.map((p) => pointEvidence(ctx, p.index, [], `${p.table.packets} packets captured, none VRRP`)),
          location: instances[0].location,
        });
      }
    }
    return findings;
  },
};
