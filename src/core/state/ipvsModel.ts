// A cluster model built from a director's live IPVS table (`ipvsadm-save -n` or
// `ipvsadm -Ln`), for when there is no config file to compare against, and for
// naming the services the live table holds in the same terms as the config.

import type { ClusterModel, RealServer, VirtualService } from '../model/cluster';
import { forwardToMethod, type IpvsService, type IpvsTable } from './ipvsadmList';

/** The model's view of one live service. `file` (when given) becomes the location of each line. */
export function serviceFromIpvs(s: IpvsService, file?: string): VirtualService {
  const methods = s.destinations.map((d) => (d.forward ? forwardToMethod[d.forward] : undefined)).filter((m) => m !== undefined);
  const method = methods[0] ?? 'dr';
  const realServers: RealServer[] = s.destinations.map((d) => {
    const rs: RealServer = { name: d.address, address: d.address, port: d.port, weight: d.weight ?? 1 };
    const m = d.forward ? forwardToMethod[d.forward] : undefined;
    if (m && m !== method) rs.method = m;
    if (file) rs.location = { file, line: d.line, column: 1 };
    return rs;
  });
  const v: VirtualService = {
    protocol: s.protocol === 'fwm' ? 'tcp' : s.protocol,
    method,
    scheduler: s.scheduler ?? 'wlc',
    // From /proc/net/ip_vs with HZ unknown: the timeout in ticks over the smallest HZ (100)
    // is an upper bound; what matters to the model is that it is persistent.
    persistenceSeconds: s.persistenceSeconds ?? (s.persistenceTicks ? Math.max(1, Math.round(s.persistenceTicks / 100)) : 0),
    realServers,
  };
  if (s.vip !== undefined) v.vip = s.vip;
  if (s.port !== undefined) v.port = s.port;
  if (s.fwmark !== undefined) v.fwmark = s.fwmark;
  if (s.persistenceNetmask !== undefined) v.persistenceNetmask = s.persistenceNetmask;
  if (s.schedulerFlags?.length) v.schedulerFlags = [...s.schedulerFlags];
  if (file) v.location = { file, line: s.line, column: 1 };
  return v;
}

export function modelFromIpvs(table: IpvsTable, file?: string): ClusterModel {
  return { services: table.services.map((s) => serviceFromIpvs(s, file)), vrrpInstances: [], sources: file ? [file] : [] };
}
