// dr-reply-wrong-source: a DR/TUN real server answers from its own address instead of
// the VIP (service bound to the RIP only, or the VIP missing and something else
// answering), so the client's connection to the VIP never sees a valid reply.

import type { Finding } from '../../findings/finding';
import type { ConnFacts } from '../facts';
import { connEvidence, firstOfEach, forEachConn, listText, locate, plural, type Rule } from './rule';

/** Whether the endpoint text `e` (`ip:port`) is at address `ip` (no text built per call). */
function atAddress(e: string, ip: string): boolean {
  return e.length > ip.length && e.charCodeAt(ip.length) === 58 && e.startsWith(ip);
}

/** The first reply source that is neither ICMP nor the VIP (and is the real server's own
 *  address, when known). */
function wrongSource(replySrcs: string[], vip: string, rip: string | undefined): string | undefined {
  for (let k = 0; k < replySrcs.length; k++) {
    const e = replySrcs[k];
    if (!e.endsWith(':icmp') && !atAddress(e, vip) && (!rip || atAddress(e, rip))) return e;
  }
  return undefined;
}

// Reply sources are lists shared by the flows (and the views made of them) and never changed:
// the last list judged, for the same VIP, is answered again without reading its texts.
let lastSrcs: string[] | undefined;
let lastVip = '';
let lastWrong = false;

/** Whether a reply source is neither ICMP nor the VIP (whoever's address it is). */
function anyWrongSource(replySrcs: string[], vip: string): boolean {
  if (replySrcs !== lastSrcs || vip !== lastVip) {
    lastWrong = wrongSource(replySrcs, vip, undefined) !== undefined;
    lastSrcs = replySrcs;
    lastVip = vip;
  }
  return lastWrong;
}

export const drReplyWrongSource: Rule = {
  code: 'dr-reply-wrong-source',
  severity: 'error',
  summary: 'A DR/TUN real server replies from its own address instead of the VIP',
  suspect(c) {
    const method = c.service?.method;
    if (method !== 'dr' && method !== 'tun') return false;
    for (let vi = 0; vi < c.rsViews.length; vi++) if (anyWrongSource(c.rsViews[vi].replySrcs, c.conn.vip)) return true;
    return false;
  },
  check(ctx) {
    const findings: Finding[] = [];
    // Per real server, per wrong source and the VIP:port it stands in for.
    const byRs = new Map<string, { conns: ConnFacts[]; sources: { src: string; instead: string; conns: ConnFacts[] }[] }>();
    forEachConn(ctx.suspects, (c) => {
      const method = c.service?.method;
      if (method !== 'dr' && method !== 'tun') return;
      for (let vi = 0; vi < c.rsViews.length; vi++) {
        const v = c.rsViews[vi];
        const rip = ctx.services.rsAddressByName.get(v.rs);
        const wrong = wrongSource(v.replySrcs, c.conn.vip, rip);
        if (!wrong) continue;
        const entry = byRs.get(v.rs) ?? { conns: [], sources: [] };
        entry.conns.push(c);
        const instead = c.conn.vport === undefined ? c.conn.vip : `${c.conn.vip}:${c.conn.vport}`;
        const same = entry.sources.find((x) => x.src === wrong && x.instead === instead);
        if (same) same.conns.push(c);
        else entry.sources.push({ src: wrong, instead, conns: [c] });
        byRs.set(v.rs, entry);
      }
    });
    for (const [rs, { conns, sources }] of byRs) {
      const svc = conns[0].service;
      const wrongs = sources.map((x) => `from ${x.src} instead of ${x.instead}`);
      const srcOf = (c: ConnFacts): string => sources.find((x) => x.conns.includes(c))?.src ?? '?';
      findings.push({
        code: 'dr-reply-wrong-source',
        severity: 'error',
        message: `${rs} answers ${plural(conns.length, 'connection')} to the VIP ${conns[0].conn.vip} ${listText(wrongs)}; with ${svc?.method === 'tun' ? 'LVS/TUN' : 'LVS/DR'} the real server must reply from the VIP, or the client drops the reply.`,
        advice: `On ${rs}: put the VIP on lo (DR) or tunl0 (TUN) as a /32, make the service listen on the VIP (or 0.0.0.0), and for UDP make the server reply from the address it was reached at (bind to the VIP).`,
        evidence: firstOfEach(sources.map((x) => x.conns), 3).flatMap((c) => connEvidence(ctx, c, (p) => p.spec.role === 'real-server', () => `reply from ${srcOf(c)} to ${c.conn.client}:${c.conn.clientPort}`)),
        realServer: rs,
        location: locate(ctx, svc, rs),
        connections: conns.map((c) => c.conn.id),
      });
    }
    return findings;
  },
};
