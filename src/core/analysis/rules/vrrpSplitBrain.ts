// vrrp-split-brain: two directors advertise as VRRP master for the same VRID at the
// same time (adverts not received by the peer: firewall without protocol 112,
// multicast filtered, wrong unicast_peer). Both then hold the VIP.

import type { Finding } from '../../findings/finding';
import type { VrrpSegment, VrrpSender } from '../flowTable';
import { fmtTime, pointEvidence, type Rule } from './rule';

interface Sender {
  vrid: number;
  src: string;
  interval: number;
  segments: VrrpSegment[];
  views: VrrpSender[];
}

/** One entry per (VRID, sender) over all points, with the spans it was advertising. */
export function vrrpSenders(all: VrrpSender[]): Sender[] {
  const m = new Map<string, Sender>();
  for (const v of all) {
    const key = `${v.vrid}|${v.src}`;
    let s = m.get(key);
    if (!s) m.set(key, (s = { vrid: v.vrid, src: v.src, interval: v.intervalSec || 1, segments: [], views: [] }));
    s.views.push(v);
    s.segments.push(...v.segments);
  }
  return [...m.values()];
}

function overlap(a: VrrpSegment[], b: VrrpSegment[]): { start: number; end: number } | undefined {
  let best: { start: number; end: number } | undefined;
  for (const x of a) {
    for (const y of b) {
      const start = Math.max(x.start, y.start);
      const end = Math.min(x.end, y.end);
      if (end > start && (!best || end - start > best.end - best.start)) best = { start, end };
    }
  }
  return best;
}

export const vrrpSplitBrain: Rule = {
  code: 'vrrp-split-brain',
  severity: 'error',
  summary: 'Two directors advertise as VRRP master for the same VRID',
  check(ctx) {
    const findings: Finding[] = [];
    const senders = vrrpSenders(ctx.vrrp);
    for (let i = 0; i < senders.length; i++) {
      for (let j = i + 1; j < senders.length; j++) {
        const a = senders[i];
        const b = senders[j];
        if (a.vrid !== b.vrid) continue;
        const o = overlap(a.segments, b.segments);
        // A master hands over within one interval; both advertising for three is split brain.
        if (!o || o.end - o.start < 3 * Math.max(a.interval, b.interval)) continue;
        const va = a.views[0];
        const vb = b.views[0];
        findings.push({
          code: 'vrrp-split-brain',
          severity: 'error',
          message: `Split brain on VRID ${a.vrid}: ${a.src} and ${b.src} both advertise as VRRP master from ${fmtTime(o.start)} to ${fmtTime(o.end)} (${(o.end - o.start).toFixed(1)} s) — each is not receiving the other's adverts, so both hold the VIP.`,
          advice:
            'Let VRRP through between the directors (IP protocol 112 to 224.0.0.18, e.g. nft "ip protocol vrrp accept"; in clouds use unicast_peer), check that both use the same virtual_router_id, auth and version, and that multicast is not filtered by the switch.',
          evidence: [
            pointEvidence(ctx, va.point, [va.firstN, va.lastN], `VRRP adverts from ${a.src} (priority ${va.priorities.join('/')}, every ${a.interval}s)`, va.first),
            pointEvidence(ctx, vb.point, [vb.firstN, vb.lastN], `VRRP adverts from ${b.src} (priority ${vb.priorities.join('/')}, every ${b.interval}s)`, vb.first),
          ],
          location: ctx.model?.vrrpInstances.find((v) => v.virtualRouterId === a.vrid)?.location,
        });
      }
    }
    return findings;
  },
};
