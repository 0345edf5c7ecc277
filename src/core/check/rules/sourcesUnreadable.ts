// A source a rule needs that could not be read (a command not found, refused, timed
// out, or output not understood) silently skips that rule: say so, per host, so
// that "no findings" is never mistaken for a clean bill of health. The IPVS table
// itself has its own finding (check-ipvs-unreadable), an unreachable host too.
import type { Finding } from '../../findings/finding';
import type { CheckContext, CheckRule, HostState, UnreadSource } from '../types';

/** What each source feeds, per role (sources no rule reads are left out). */
function checksFed(source: string, s: HostState, ctx: CheckContext): string | undefined {
  const director = s.role === 'director';
  const hasNat = ctx.model.services.some((v) => v.method === 'nat' || v.realServers.some((r) => r.method === 'nat'));
  switch (source) {
    case 'ip addr':
      return director ? 'VIP holders, VRRP state against the VIPs' : 'VIP on lo / tunnel, ARP sysctls, NAT route';
    case 'ip route':
      return director || !hasNat ? undefined : 'the NAT real server\'s route back through the director';
    case 'sysctl':
      return director ? `ip_forward${hasNat ? ' (NAT)' : ''}, expire_nodest_conn / expire_quiescent_template` : 'ARP sysctls (arp_ignore / arp_announce), rp_filter on the tunnel';
    case 'ss -lntu':
      return 'a listener on the service port';
    case 'ipvsadm -Lnc':
      return 'connections stuck in SYN_RECV';
    case 'ipvsadm -Ln --rate':
      return 'quiescent (weight 0) servers still receiving';
    case 'kernel config':
      return 'kernel support for the protocols and schedulers in use';
    case 'keepalived log':
      return ctx.model.vrrpInstances.length ? 'VRRP state (MASTER / BACKUP) against the VIP holders' : undefined;
    default:
      return undefined;
  }
}

export const sourcesUnreadable: CheckRule = (ctx) => {
  const out: Finding[] = [];
  for (const s of ctx.states) {
    if (s.unreachable !== undefined) continue;
    const items: { u: UnreadSource; checks: string }[] = [];
    for (const u of s.unread ?? []) {
      const checks = checksFed(u.source, s, ctx);
      if (checks && !items.some((i) => i.u.source === u.source)) items.push({ u, checks });
    }
    // A real server whose listeners were read only in part.
    if (s.listenersSkipped?.length) {
      items.push({
        u: { source: 'ss -lntu', why: `${s.listenersSkipped.length} line(s) not understood and skipped` },
        checks: 'a listener on the service port (judged on the lines that were understood)',
      });
    }
    if (items.length === 0) continue;
    // Missing on purpose (no kernel config kept, no keepalived journal) is a note; a failure is a warning.
    const severity = items.some((i) => !i.u.absent) ? 'warning' : 'info';
    out.push({
      code: 'check-source-unreadable',
      severity,
      message: `Some checks did not run on ${s.role} ${s.name}, because what they read could not be read: ${items
        .map((i) => `${i.u.source} (${i.u.timedOut ? 'timed out' : i.u.why}) → not checked: ${i.checks}`)
        .join('; ')}.`,
      advice: items.some((i) => i.u.timedOut)
        ? 'A command that hangs (a slow journal, a stuck NFS mount...) leaves its check out: run it by hand on the host, or raise --timeout.'
        : 'Install or allow the command for the SSH user (sudo for ipvsadm), then check again; until then these parts of the host are unknown, not healthy.',
      evidence: items.map((i) => ({ host: s.name, text: `${i.u.source}: ${i.u.why}` })),
    });
  }
  return out;
};
