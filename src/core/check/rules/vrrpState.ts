// The VIP holders against what keepalived says its VRRP state is (from its log):
// two MASTERs of one instance = split brain; a MASTER without the VIP, or a VIP on
// a director whose keepalived is BACKUP / stopped (left behind by a crash, or
// added by hand), means the addresses do not follow VRRP (reference §1.6 H1/H8).
import type { Finding } from '../../findings/finding';
import type { CheckRule } from '../types';
import { bareAddress, heldAddresses } from '../helpers';

export const vrrpState: CheckRule = (ctx) => {
  const out: Finding[] = [];
  for (const inst of ctx.model.vrrpInstances) {
    const vips = inst.virtualIpAddresses.map(bareAddress);
    if (vips.length === 0) continue;
    const known = ctx.directors.filter((d) => d.keepalived && d.interfaces);
    const stateOf = (d: (typeof known)[number]): string => (d.keepalived!.stopped ? 'STOPPED' : d.keepalived!.instances.get(inst.name)?.state ?? 'UNKNOWN');
    const evidence = (d: (typeof known)[number]): { host: string; text: string } => {
      const e = d.keepalived!.instances.get(inst.name);
      const stop = d.keepalived!.stoppedLine;
      return { host: d.name, text: d.keepalived!.stopped ? `keepalived log: ${stop ? stop.text : 'Stopped Keepalived'}` : e ? `keepalived log: ${e.text}` : `keepalived log: no state for ${inst.name}` };
    };
    const masters = known.filter((d) => stateOf(d) === 'MASTER');
    if (masters.length > 1) {
      out.push({
        code: 'check-vrrp-two-masters',
        severity: 'error',
        message: `keepalived on ${masters.map((d) => d.name).join(' and ')} both say they are MASTER of ${inst.name}: split brain, they do not receive each other's adverts.`,
        advice: 'Let IP protocol 112 (or the unicast peers) through between the directors; check virtual_router_id and authentication match.',
        evidence: masters.map(evidence),
        location: inst.location,
      });
    }
    for (const d of known) {
      const state = stateOf(d);
      const held = vips.filter((v) => heldAddresses(d).some((a) => a.address === v));
      if (state === 'MASTER' && held.length < vips.length) {
        out.push({
          code: 'check-vrrp-master-without-vip',
          severity: 'error',
          message: `keepalived on ${d.name} is MASTER of ${inst.name} but ${vips.filter((v) => !held.includes(v)).join(', ')} ${vips.length - held.length === 1 ? 'is' : 'are'} not configured there: nobody answers for ${vips.length - held.length === 1 ? 'it' : 'them'}.`,
          advice: 'Look for errors adding the address in keepalived\'s log (wrong interface or prefix), or an address removed by hand / by network scripts.',
          evidence: [evidence(d), { host: d.name, text: `ip addr: ${heldAddresses(d).map((a) => a.address).join(', ')}` }],
          location: inst.optionLocations?.virtual_ipaddress ?? inst.location,
        });
      } else if (state !== 'MASTER' && state !== 'UNKNOWN' && held.length > 0) {
        out.push({
          code: 'check-vrrp-vip-without-master',
          severity: 'error',
          message: `${d.name} holds ${held.join(', ')} of ${inst.name} although its keepalived is ${state}: the address was probably left behind (keepalived killed) or added by hand${
            ctx.directors.length > 1 ? ', and competes with whichever director is MASTER' : ', and nothing manages it now (no failover)'
          }.`,
          advice: `Remove it (ip addr del ${held[0]}/… dev …) or restart keepalived so VRRP owns it again.`,
          evidence: [evidence(d), { host: d.name, text: `ip addr: ${held.join(', ')} configured` }],
          location: inst.location,
        });
      }
    }
  }
  return out;
};
