// Which director holds each VIP. Exactly one must (with VRRP: the MASTER). Two
// holders = split brain, both answer ARP for the VIP (reference §1.6 H1); none =
// nobody receives the traffic (keepalived down everywhere, or VRRP stuck in BACKUP).
import type { Finding, SourceLocation } from '../../findings/finding';
import type { CheckRule } from '../types';
import { bareAddress, evidenceLine, heldAddresses, serviceName, uniq } from '../helpers';

export const vipHolders: CheckRule = (ctx) => {
  const directors = ctx.directors.filter((d) => !d.unreachable);
  // Judge only when every director's addresses were read.
  if (directors.length === 0 || directors.length !== ctx.directors.length || directors.some((d) => !d.interfaces)) return [];
  const vips = new Map<string, { location?: SourceLocation; what: string }>();
  for (const v of ctx.model.vrrpInstances) {
    for (const a of v.virtualIpAddresses) {
      const ip = bareAddress(a);
      if (!vips.has(ip)) vips.set(ip, { location: v.location, what: `VRRP instance ${v.name}` });
    }
  }
  for (const s of ctx.model.services) {
    if (s.vip && !vips.has(s.vip)) vips.set(s.vip, { location: s.location, what: `service ${serviceName(s)}` });
  }
  const out: Finding[] = [];
  for (const [vip, { location, what }] of vips) {
    const holders = directors.filter((d) => heldAddresses(d).some((a) => a.address === vip));
    const escaped = vip.replace(/\./g, '\\.');
    if (holders.length > 1) {
      out.push({
        code: 'check-vip-held-by-both',
        severity: 'error',
        message: `VIP ${vip} (${what}) is configured on ${holders.length} directors at once (${holders.map((d) => d.name).join(', ')}): split brain — both answer ARP for it and clients land on either.`,
        advice: 'The directors do not hear each other\'s VRRP adverts: check that IP protocol 112 (or unicast peers) passes between them, and that virtual_router_id / auth match.',
        evidence: holders.map((d) => evidenceLine(d, 'ip addr', new RegExp(`inet6? ${escaped}/`, 'i'))),
        location,
      });
    } else if (holders.length === 0) {
      out.push({
        code: 'check-vip-held-by-none',
        severity: 'error',
        message: `No director holds VIP ${vip} (${what}): ${directors.map((d) => d.name).join(', ')} checked; traffic to it goes nowhere.`,
        advice: ctx.model.vrrpInstances.length
          ? 'Is keepalived running on the directors, and is one of them MASTER? See its log ("Entering MASTER STATE").'
          : 'Add the VIP to the director (ip addr add VIP/32 dev <LAN interface>) or let keepalived manage it.',
        evidence: directors.map((d) => ({
          host: d.name,
          text: `ip addr: ${uniq(heldAddresses(d).map((a) => `${a.address} on ${a.iface}`)).join(', ') || '(no address)'}`,
        })),
        location,
      });
    }
  }
  return out;
};
