// arp-problem: a real server answers ARP for the VIP (LVS/DR and LVS/TUN), so the
// router sends client traffic straight to it and the director is bypassed.

import type { Evidence, Finding } from '../../findings/finding';
import type { ArpEvent } from '../flowTable';
import { clientRequest, firstRequested, forEachConn, locate, pointEvidence, recordsAt, serviceRealServer, type Rule } from './rule';

export const arpProblem: Rule = {
  code: 'arp-problem',
  severity: 'error',
  summary: 'A real server answers ARP for the VIP (arp_ignore/arp_announce not set)',
  // A request at a real server that the director did not forward (see the bypass below).
  suspect: (c) => !c.forwarded && c.service?.method !== 'nat' && firstRequested(c) !== undefined,
  check(ctx) {
    const findings: Finding[] = [];
    // Who claimed each VIP: ARP replies, and gratuitous ARP (sender = target = VIP).
    const claims = ctx.arp.filter(
      (a) => ctx.services.vips.has(a.senderIp) && (a.op === 'reply' || a.op === 2 || a.senderIp === a.targetIp),
    );
    const byRs = new Map<string, ArpEvent[]>();
    for (const a of claims) {
      const rs = ctx.rsMacs.get(a.senderMac);
      if (rs && !ctx.directorMacs.has(a.senderMac)) {
        const list = byRs.get(rs) ?? [];
        list.push(a);
        byRs.set(rs, list);
      }
    }
    // Requests for the VIP that reached a real server without passing the director.
    const bypass = new Map<string, { point: number; packets: number[]; ts: number; macs: Set<string> }>();
    forEachConn(ctx.suspects, (c) => {
      if (c.forwarded || c.service?.method === 'nat') return;
      for (let vi = 0; vi < c.rsViews.length; vi++) {
        const v = c.rsViews[vi];
        if (v.requests === 0) continue;
        const foreign = v.reqSrcMacs.filter((m) => !ctx.directorMacs.has(m));
        if (foreign.length === 0 && ctx.directorMacs.size > 0) continue;
        const b = bypass.get(v.rs) ?? { point: v.point, packets: [], ts: v.first, macs: new Set<string>() };
        for (const m of foreign) b.macs.add(m);
        // The client's requests that arrived from those MACs (not the real server's own replies,
        // nor requests the director did forward), at the one point the line names: up to 5 per
        // connection, 10 in all.
        if (b.packets.length < 10) {
          const recs = recordsAt(ctx, c, b.point, (s, i, p) => clientRequest(s, i, p) && !ctx.directorMacs.has(s.addr(i).srcMac ?? ''));
          for (const r of recs.slice(0, 5)) if (b.packets.length < 10) b.packets.push(r.n);
        }
        bypass.set(v.rs, b);
      }
    });
    const culprits = new Set([...byRs.keys(), ...bypass.keys()]);
    for (const rs of culprits) {
      const arps = byRs.get(rs) ?? [];
      const by = bypass.get(rs);
      const evidence: Evidence[] = [];
      const vip = arps[0]?.senderIp ?? ctx.manifest.target.vip;
      const mac = arps[0]?.senderMac;
      for (const [point, list] of groupPoints(arps)) {
        evidence.push(
          pointEvidence(ctx, point, list.map((a) => a.n), `ARP: ${vip} is-at ${list[0].senderMac} — sent by ${rs}, not by a director`, list[0].ts),
        );
      }
      if (by) {
        evidence.push(
          pointEvidence(ctx, by.point, by.packets, `client requests for ${vip} arrive at ${rs} directly from ${[...by.macs].join(', ') || 'another MAC'}, without passing the director`, by.ts),
        );
      }
      if (!arps.length && !by) continue;
      // Only a bypass without an ARP reply seen is weaker evidence, but the pattern is the same.
      const message = arps.length
        ? `${rs} answers ARP for the VIP ${vip} (is-at ${mac}), competing with the director: whoever answers first gets the clients' traffic, so requests${by ? ' go straight to ' + rs + ' and' : ''} bypass the director (no scheduling, no failover).`
        : `Client requests for the VIP ${vip} reach ${rs} without passing the director: the router resolved the VIP to ${rs}'s MAC — ${rs} answers ARP for the VIP.`;
      const svc = ctx.services.services.find((s) => serviceRealServer(ctx, s, rs) !== undefined) ?? ctx.services.services[0];
      findings.push({
        code: 'arp-problem',
        severity: 'error',
        message,
        advice: `On ${rs} (and every DR/TUN real server) set net.ipv4.conf.all.arp_ignore=1 and arp_announce=2 (and the same on the LAN interface; the kernel uses the larger of "all" and the interface), keep the VIP on lo (or tunl0) only, then flush the router's ARP entry for ${vip}.`,
        evidence,
        realServer: rs,
        service: svc ? `${svc.protocol}:${svc.vip}:${svc.port}` : undefined,
        location: locate(ctx, svc, rs),
        connections: ctx.conns.filter((c) => c.rsViews.some((v) => v.rs === rs && v.requests > 0) && !c.forwarded).map((c) => c.conn.id),
      });
    }
    // Several MACs answering the same ARP request for the VIP, none known as a real server.
    if (findings.length === 0) {
      const replies = claims.filter((a) => a.op === 'reply' || a.op === 2).sort((a, b) => a.ts - b.ts);
      for (let i = 0; i < replies.length; i++) {
        const other = replies.find((b) => b.senderMac !== replies[i].senderMac && Math.abs(b.ts - replies[i].ts) < 1 && b.senderIp === replies[i].senderIp);
        if (!other) continue;
        const strangers = [replies[i], other].filter((a) => !ctx.directorMacs.has(a.senderMac));
        if (strangers.length === 0) continue;
        findings.push({
          code: 'arp-problem',
          severity: 'error',
          message: `Two machines answer ARP for the VIP ${replies[i].senderIp} within a second (${replies[i].senderMac} and ${other.senderMac}); one of them (${strangers.map((s) => s.senderMac).join(', ')}) is not a known director — typically a real server without arp_ignore/arp_announce.`,
          advice: 'Find the machine with that MAC; on DR/TUN real servers set arp_ignore=1 and arp_announce=2 (all and the LAN interface).',
          evidence: [
            pointEvidence(ctx, replies[i].point, [replies[i].n], `ARP reply ${replies[i].senderIp} is-at ${replies[i].senderMac}`, replies[i].ts),
            pointEvidence(ctx, other.point, [other.n], `ARP reply ${other.senderIp} is-at ${other.senderMac}`, other.ts),
          ],
        });
        break;
      }
    }
    return findings;
  },
};

function groupPoints(arps: ArpEvent[]): Map<number, ArpEvent[]> {
  const m = new Map<number, ArpEvent[]>();
  for (const a of arps) {
    const l = m.get(a.point) ?? [];
    l.push(a);
    m.set(a.point, l);
  }
  return m;
}
