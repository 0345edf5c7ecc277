// Which addresses and ports matter in a capture: the virtual services (VIP:port) and
// their real servers (RIP:port), from capture.json (and the config model when there is
// one). The flow tables ask this, for every packet, which side is the server.

import type { CaptureManifest, ManifestRealServer, ManifestService } from '../capture/manifest';

export type ServerKind = 'vip' | 'rs';

export interface ServerMatch {
  kind: ServerKind;
  /** Undefined for traffic to a VIP port no service is configured for. */
  service?: ManifestService;
  rs?: ManifestRealServer;
}

export class ServiceMap {
  readonly vips = new Set<string>();
  /** RS address -> name (names from capture.json; the address when nameless). */
  readonly rsByAddress = new Map<string, string>();
  /** RS name -> address. */
  readonly rsAddressByName = new Map<string, string>();
  /** proto -> ip -> port -> match: nested so the per-packet lookup builds no strings. */
  private readonly endpoints = new Map<string, Map<string, Map<number, ServerMatch>>>();
  /** Services with no port (fwmark / port 0 = all ports) by `proto|vip`. */
  private readonly anyPort = new Map<string, ServerMatch>();

  constructor(readonly manifest: CaptureManifest) {
    const services = manifest.services.length > 0 ? manifest.services : [];
    if (manifest.target?.vip) this.vips.add(manifest.target.vip);
    for (const svc of services) {
      if (svc.vip) {
        this.vips.add(svc.vip);
        if (svc.port === undefined || svc.port === 0) this.anyPort.set(`${svc.protocol}|${svc.vip}`, { kind: 'vip', service: svc });
        else this.setEndpoint(svc.protocol, svc.vip, svc.port, { kind: 'vip', service: svc });
      }
      for (const rs of svc.realServers) {
        this.addRealServer(rs.name || rs.address, rs.address);
        const port = rs.port || svc.port;
        if (port !== undefined) this.setEndpoint(svc.protocol, rs.address, port, { kind: 'rs', service: svc, rs });
      }
    }
  }

  /** `prefer`: this name wins over one known before (capture point names are the lanes' names). */
  addRealServer(name: string, address: string, prefer = false): void {
    if (prefer || !this.rsByAddress.has(address)) this.rsByAddress.set(address, name);
    if (!this.rsAddressByName.has(name)) this.rsAddressByName.set(name, address);
  }

  private setEndpoint(proto: string, ip: string, port: number, m: ServerMatch): void {
    let byIp = this.endpoints.get(proto);
    if (!byIp) this.endpoints.set(proto, (byIp = new Map()));
    let byPort = byIp.get(ip);
    if (!byPort) byIp.set(ip, (byPort = new Map()));
    if (!byPort.has(port)) byPort.set(port, m);
  }

  /** The server side of `ip:port` for this protocol, or undefined when it is not one of ours. */
  server(proto: string, ip: string, port: number | undefined): ServerMatch | undefined {
    if (port !== undefined) {
      const m = this.endpoints.get(proto)?.get(ip)?.get(port);
      if (m) return m;
    }
    if (this.vips.has(ip)) return this.anyPort.get(`${proto}|${ip}`) ?? { kind: 'vip' };
    return undefined;
  }

  /** The service a connection to VIP:port belongs to. */
  serviceFor(proto: string, vip: string, port: number | undefined): ManifestService | undefined {
    const m = this.server(proto, vip, port);
    return m?.service;
  }

  isRealServerAddress(ip: string): boolean {
    return this.rsByAddress.has(ip);
  }

  get services(): ManifestService[] {
    return this.manifest.services;
  }
}
