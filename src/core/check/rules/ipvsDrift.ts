// The director's live IPVS table against the config: services and real servers
// missing or extra, weights, forwarding method, scheduler, persistence. Only when
// the model came from a config (comparing the live table with itself says nothing).
import type { Finding } from '../../findings/finding';
import { serviceKey, type VirtualService } from '../../model/cluster';
import { formatEndpoint, forwardToMethod, livePersistence, type IpvsService } from '../../state';
import { methodLocation, realServerName } from '../helpers';
import type { CheckRule, HostState } from '../types';

export function liveServiceKey(s: IpvsService): string {
  if (s.protocol === 'fwm') return `fwm:${s.fwmark}`;
  return serviceKey({ protocol: s.protocol, vip: s.vip, port: s.port });
}

const methodNames = { nat: 'NAT (Masq)', dr: 'DR (Route)', tun: 'TUN (Tunnel)' };

export const ipvsDrift: CheckRule = (ctx) => {
  if (ctx.modelFromLiveTable) return [];
  const out: Finding[] = [];
  for (const d of ctx.directors) {
    if (!d.ipvs) continue;
    const live = new Map(d.ipvs.services.map((s) => [liveServiceKey(s), s]));
    const configured = new Set<string>();
    for (const svc of ctx.model.services) {
      const key = serviceKey(svc);
      configured.add(key);
      const l = live.get(key);
      if (!l) {
        out.push({
          code: 'check-ipvs-drift-service-missing',
          severity: 'error',
          message: `Service ${key} is in the config but not in the IPVS table of ${d.name}: traffic to it is not balanced there.`,
          advice: 'Reload keepalived (or re-apply the ipvsadm rules) and look at its log for the reason it did not install the service.',
          evidence: [{ host: d.name, text: `${d.ipvsSource}: no line for ${key} (${d.ipvs.services.length} services listed)` }],
          location: svc.location,
          service: key,
        });
        continue;
      }
      out.push(...compareService(d, svc, l, key));
    }
    for (const [key, l] of live) {
      if (configured.has(key)) continue;
      out.push({
        code: 'check-ipvs-drift-service-extra',
        severity: 'warning',
        message: `The IPVS table of ${d.name} has service ${key}, which the config does not define (left over from an older config or added by hand).`,
        advice: `Remove it (ipvsadm -D ${l.protocol === 'fwm' ? `-f ${l.fwmark}` : `${l.protocol === 'udp' ? '-u' : '-t'} ${formatEndpoint(l.vip ?? '', l.port)}`}) or add it to the config.`,
        evidence: [{ host: d.name, text: `${d.ipvsSource} line ${l.line}: ${key} ${l.scheduler ?? ''}`.trim() }],
        service: key,
      });
    }
  }
  return out;
};

function compareService(d: HostState, svc: VirtualService, l: IpvsService, key: string): Finding[] {
  const out: Finding[] = [];
  const ev = (text: string): { host: string; text: string } => ({ host: d.name, text: `${d.ipvsSource} line ${l.line}: ${text}` });
  if (l.scheduler && svc.scheduler && l.scheduler !== svc.scheduler) {
    out.push({
      code: 'check-ipvs-drift-scheduler',
      severity: 'warning',
      message: `Service ${key} on ${d.name} runs scheduler "${l.scheduler}" but the config says "${svc.scheduler}".`,
      advice: 'Reload the config so the running table matches it.',
      evidence: [ev(`${key} ${l.scheduler}`)],
      location: svc.optionLocations?.lb_algo ?? svc.optionLocations?.lvs_sched ?? svc.location,
      service: key,
    });
  }
  const live = livePersistence(l);
  if (live.persistent !== (svc.persistenceSeconds > 0)) {
    out.push({
      code: 'check-ipvs-drift-persistence',
      severity: 'warning',
      message: `Service ${key} on ${d.name} is ${live.persistent ? `persistent (${live.text})` : 'not persistent'} but the config says ${svc.persistenceSeconds > 0 ? `persistence_timeout ${svc.persistenceSeconds}` : 'no persistence'}.`,
      advice: 'Reload the config so the running table matches it.',
      evidence: [ev(`${key} ${l.scheduler ?? ''}${live.persistent ? ` persistent ${l.persistenceTicks ?? l.persistenceSeconds}` : ''}`)],
      location: svc.optionLocations?.persistence_timeout ?? svc.location,
      service: key,
    });
  }
  const nonNat = svc.method !== 'nat';
  const matched = new Set<number>();
  for (const rs of svc.realServers) {
    // For DR/TUN the kernel forces the service port, whatever the config said.
    let idx = l.destinations.findIndex((x, i) => !matched.has(i) && x.address === rs.address && x.port === rs.port);
    if (idx < 0 && nonNat) idx = l.destinations.findIndex((x, i) => !matched.has(i) && x.address === rs.address);
    if (idx < 0) {
      out.push({
        code: 'check-ipvs-drift-destination-missing',
        severity: 'warning',
        message: `Real server ${realServerName(rs)} of ${key} is in the config but not in the IPVS table of ${d.name}${rs.checkers?.length ? ' (likely cause: its health check failed and keepalived removed it)' : ''}.`,
        advice: rs.checkers?.length
          ? `See why the ${rs.checkers.join('/')} check fails (keepalived log), or whether the server is down.`
          : 'Re-apply the rules, or see why the real server was removed.',
        evidence: [ev(`${key}: destinations ${l.destinations.map((x) => formatEndpoint(x.address, x.port)).join(', ') || '(none)'}`)],
        location: rs.location ?? svc.location,
        service: key,
        realServer: rs.name,
      });
      continue;
    }
    matched.add(idx);
    const dst = l.destinations[idx];
    const liveMethod = dst.forward ? forwardToMethod[dst.forward] : undefined;
    const wanted = rs.method ?? svc.method;
    if (liveMethod && liveMethod !== wanted) {
      out.push({
        code: 'check-ipvs-drift-method',
        severity: 'error',
        message: `Real server ${realServerName(rs)} of ${key} is forwarded with ${methodNames[liveMethod]} on ${d.name}, but the config says ${methodNames[wanted]}.`,
        advice: 'The real server is prepared for one method and receives the other: reload the config, and check lb_kind.',
        evidence: [{ host: d.name, text: `${d.ipvsSource} line ${dst.line}: -> ${formatEndpoint(dst.address, dst.port)} ${dst.forward}` }],
        location: methodLocation(svc),
        service: key,
        realServer: rs.name,
      });
    }
    if (dst.weight !== undefined && dst.weight !== rs.weight) {
      const inhibited = dst.weight === 0 && rs.inhibitOnFailure;
      out.push({
        code: 'check-ipvs-drift-weight',
        severity: 'warning',
        message: inhibited
          ? `Real server ${realServerName(rs)} of ${key} has weight 0 on ${d.name} (config ${rs.weight}): likely its health check failed and inhibit_on_failure kept it quiescent (or the weight was set by hand).`
          : `Real server ${realServerName(rs)} of ${key} has weight ${dst.weight} on ${d.name}, but the config says ${rs.weight}.`,
        advice: inhibited ? 'See why the health check fails; existing (and persistent) clients still reach it.' : 'Reload the config, or see who changed the weight.',
        evidence: [{ host: d.name, text: `${d.ipvsSource} line ${dst.line}: -> ${formatEndpoint(dst.address, dst.port)} ${dst.forward ?? ''} ${dst.weight}`.replace(/\s+/g, ' ') }],
        location: rs.location ?? svc.location,
        service: key,
        realServer: rs.name,
      });
    }
  }
  l.destinations.forEach((x, i) => {
    if (matched.has(i)) return;
    out.push({
      code: 'check-ipvs-drift-destination-extra',
      severity: 'warning',
      message: `The IPVS table of ${d.name} sends ${key} also to ${formatEndpoint(x.address, x.port)}, which the config does not list.`,
      advice: 'Remove the destination or add the real server to the config.',
      evidence: [{ host: d.name, text: `${d.ipvsSource} line ${x.line}: -> ${formatEndpoint(x.address, x.port)} ${x.forward ?? ''} ${x.weight ?? ''}`.trim() }],
      location: svc.location,
      service: key,
    });
  });
  return out;
}
