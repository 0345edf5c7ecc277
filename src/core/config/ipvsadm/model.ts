// ipvsadm rules → ClusterModel, by replaying the commands in order the way the
// kernel table would change (-A adds, -E edits, -D deletes, -a/-e/-d for real
// servers, -C clears). Commands with shell expansions are skipped, and so are
// commands ipvsadm refuses: the model holds what ipvsadm would have left.
import type { SourceLocation } from '../../findings/finding';
import type { ClusterModel, RealServer, VirtualService } from '../../model/cluster';
import { serviceKey } from '../../model/cluster';
import type { Range } from '../diagnostic';
import { toLocation } from '../location';
import type { Endpoint, IpvsadmCommand, ParsedIpvsadm, Word } from './parser';

function wordLoc(file: string, w: Word): SourceLocation {
  return toLocation(file, { start: { line: w.line, character: w.start }, end: { line: w.line, character: w.end } });
}

export function commandServiceKey(c: IpvsadmCommand): string | undefined {
  if (c.fwmark !== undefined) return `fwm:${c.fwmark}`;
  if (!c.service || !c.protocol) return undefined;
  return serviceKey({ protocol: c.protocol, vip: c.service.host, port: c.service.port ?? 0 });
}

export function destKey(d: Endpoint, servicePort: number | undefined): string {
  return `${d.host}:${d.port ?? servicePort ?? 0}`;
}

function rangeLoc(file: string, r: Range): SourceLocation {
  return toLocation(file, r);
}

export function ipvsadmToModel(parsed: ParsedIpvsadm[]): ClusterModel {
  const model: ClusterModel = { services: [], vrrpInstances: [], sources: [] };
  for (const p of parsed) {
    model.sources.push(p.file);
    const table = new Map<string, VirtualService>();
    for (const c of p.commands) {
      if (c.invalid) continue;
      if (c.op === 'clear') {
        table.clear();
        continue;
      }
      const key = commandServiceKey(c);
      if (!key) continue;
      const existing = table.get(key);
      switch (c.op) {
        case 'add-service':
        case 'edit-service': {
          // "Service already exists" / "No such service": the table does not change.
          if ((c.op === 'add-service' && existing) || (c.op === 'edit-service' && !existing)) break;
          const svc: VirtualService = existing ?? {
            protocol: c.protocol ?? 'tcp',
            vip: c.service?.host,
            port: c.service?.port ?? (c.fwmark === undefined ? 0 : undefined),
            fwmark: c.fwmark,
            method: 'dr',
            scheduler: 'wlc',
            persistenceSeconds: 0,
            realServers: [],
            location: rangeLoc(p.file, c.range),
            optionLocations: {},
          };
          const loc = (svc.optionLocations ??= {});
          if (c.scheduler) {
            svc.scheduler = c.scheduler.text;
            loc.scheduler = wordLoc(p.file, c.scheduler);
          }
          if (c.persistent) {
            svc.persistenceSeconds = c.persistent.seconds;
            loc.persistent = wordLoc(p.file, c.persistent.word);
          }
          if (c.netmask) svc.persistenceNetmask = c.netmask.text;
          if (c.schedFlags) {
            const flags = c.schedFlags.text.split(',').filter(Boolean);
            if (flags.length) svc.schedulerFlags = flags;
            else delete svc.schedulerFlags;
          }
          if (c.serviceWord) loc.port = wordLoc(p.file, c.serviceWord);
          table.set(key, svc);
          break;
        }
        case 'delete-service':
          table.delete(key);
          break;
        case 'add-dest':
        case 'edit-dest':
        case 'delete-dest': {
          if (!existing || !c.dest) break;
          const dk = destKey(c.dest, existing.port);
          // As the kernel sees it: -a/-e with DR or TUN take the service port (ipvsadm sets it), -d the port written.
          const port = (written: number, method: string | undefined): number => (existing.fwmark === undefined && existing.port && method !== 'nat' ? existing.port : written);
          const wanted = `${c.dest.host}:${port(c.dest.port ?? existing.port ?? 0, c.op === 'delete-dest' ? 'nat' : (c.method?.kind ?? 'dr'))}`;
          const idx = existing.realServers.findIndex((r) => `${r.address}:${r.port}` === dk || `${r.address}:${port(r.port, r.method)}` === wanted);
          if (c.op === 'delete-dest') {
            if (idx >= 0) existing.realServers.splice(idx, 1);
            break;
          }
          // "Destination already exists" / "No such destination": the table does not change.
          if ((c.op === 'add-dest' && idx >= 0) || (c.op === 'edit-dest' && idx < 0)) break;
          const rs: RealServer = idx >= 0
            ? existing.realServers[idx]
            : {
                name: c.dest.host,
                address: c.dest.host,
                port: c.dest.port ?? existing.port ?? 0,
                weight: 1,
                method: 'dr',
                location: rangeLoc(p.file, c.range),
                optionLocations: { address: wordLoc(p.file, c.dest.word), port: wordLoc(p.file, c.dest.word) },
              };
          if (c.weight) {
            rs.weight = c.weight.value;
            (rs.optionLocations ??= {}).weight = wordLoc(p.file, c.weight.word);
          }
          if (c.method) {
            rs.method = c.method.kind;
            (rs.optionLocations ??= {}).method = wordLoc(p.file, c.method.word);
          }
          if (idx < 0) existing.realServers.push(rs);
          break;
        }
        default:
          break;
      }
    }
    for (const svc of table.values()) {
      // The service's method is what its real servers use (ipvsadm sets it per destination).
      if (svc.realServers.length > 0) svc.method = svc.realServers[0].method ?? 'dr';
      model.services.push(svc);
    }
  }
  return model;
}
