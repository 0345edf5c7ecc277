// The capture plan: for each host of a virtual service, its role, how to find
// the interface to listen on, and the BPF filter — derived from the forwarding
// method (lvs-reference §7.3 and DESIGN "Captures"). Pure: no host is contacted
// here; the interface is resolved on the host when the capture runs (discover.ts).

import type { ClusterModel, ForwardingMethod, RealServer, ServiceProtocol, VirtualService } from '../model/cluster';
import { serviceKey } from '../model/cluster';
import type { HostRole, ManifestService } from './manifest';
import { InvalidValueError, validateAddress, validateBpfFilter, validateInterface } from '../ssh/quote';

/** Where to listen, in order of preference: the interface holding an address, the route towards one, the default route. */
export type InterfaceHint = { holds: string } | { routeTo: string } | { defaultRoute: true };

export interface PlannedPoint {
  host: string;
  role: HostRole;
  realServer?: string;
  /** Set when the user named the interface; otherwise found from `interfaceFrom` on the host. */
  interface?: string;
  interfaceFrom: InterfaceHint[];
  /**
   * BPF filter. The token `{self}` stands for the address of the chosen interface
   * (a NAT real server whose address the config does not give). The clause that
   * excludes our own SSH session is added on the host, where our address is known.
   */
  filter: string;
  /** Why this point exists, for logs and the plan preview. */
  purpose: string;
  /**
   * For a real-server host the plan could not match to a real server (no address in
   * the hosts file): one variant per real server, keyed by its address; the host's
   * own addresses pick the variant when the capture runs.
   */
  byAddress?: Record<string, { realServer: string; filter: string; interfaceFrom: InterfaceHint[] }>;
}

export interface PlanHost {
  name: string;
  role: HostRole;
  /** The host's address in the service (its real-server address). */
  address?: string;
  /** Real-server name in the model, when it differs from the host name. */
  realServer?: string;
  /** Force an interface. */
  interface?: string;
}

export interface CapturePlan {
  target: { vip: string; protocol?: ServiceProtocol; port?: number };
  services: ManifestService[];
  points: PlannedPoint[];
  /** Things the user should know (real server without a host, no director given...). */
  warnings: string[];
  /** Config file the services came from. */
  config?: string;
}

export interface PlanOptions {
  /** Add VRRP (IP protocol 112) on directors. */
  vrrp?: boolean;
  /** Add health-check traffic (director to real-server service ports) on directors. */
  healthChecks?: boolean;
}

export type PlanInput = PlanOptions & {
  hosts: PlanHost[];
} & (
    | { model: ClusterModel; service: string }
    | { target: { vip: string; protocol?: ServiceProtocol; port?: number }; method?: ForwardingMethod; services?: VirtualService[] }
  );

/** `tcp:192.0.2.10:80`, `tcp 192.0.2.10:80`, `udp:[2001:db8::1]:53`, `192.0.2.10` (any protocol and port). */
export function parseServiceSpec(spec: string): { vip: string; protocol?: ServiceProtocol; port?: number } {
  const s = spec.trim();
  const m = /^(?:(tcp|udp|sctp)[:\s]\s*)?(\[[0-9A-Fa-f:.]+\]|[0-9.]+|[0-9A-Fa-f:]+)(?::(\d{1,5}))?$/.exec(s);
  if (!m) throw new Error(`service "${spec}" is not of the form tcp:192.0.2.10:80 (or udp / sctp, or just an address)`);
  const vip = validateAddress(m[2].replace(/^\[|\]$/g, ''));
  const port = m[3] === undefined ? undefined : Number(m[3]);
  if (port !== undefined && (port < 1 || port > 65535)) throw new Error(`service "${spec}": port ${port} is out of range 1-65535`);
  return { vip, protocol: m[1] as ServiceProtocol | undefined, port };
}

/** `validateAddress`, with what the address belongs to in the message. */
function checkAddress(address: string, what: string): void {
  try {
    validateAddress(address);
  } catch (e) {
    if (e instanceof InvalidValueError) throw new InvalidValueError(`address of ${what}`, address, 'not an IPv4 or IPv6 address');
    throw e;
  }
}

/** Placeholder for the capture interface's own address, filled in on the host. */
export const SELF = '{self}';

/** A service of the model as capture.json records it. */
export function manifestService(s: VirtualService): ManifestService {
  const m: ManifestService = {
    protocol: s.protocol,
    method: s.method,
    scheduler: s.scheduler,
    persistenceSeconds: s.persistenceSeconds,
    realServers: s.realServers.map((r) => ({ name: r.name, address: r.address, port: r.port, weight: r.weight })),
  };
  // absent, not undefined: capture.json round-trips exactly
  if (s.vip !== undefined) m.vip = s.vip;
  if (s.port !== undefined) m.port = s.port;
  if (s.fwmark !== undefined) m.fwmark = s.fwmark;
  return m;
}

/** `tcp port 80`, or `port 80` when the protocol is open, or nothing. */
function portClause(protocol: ServiceProtocol | undefined, port: number | undefined): string | undefined {
  if (port === undefined) return protocol ? protocol : undefined;
  return protocol ? `${protocol} port ${port}` : `port ${port}`;
}

/** Traffic to/from `addr` on the service port, plus ICMP about it (port unreachable, frag needed). */
function serviceClause(addr: string, protocol: ServiceProtocol | undefined, port: number | undefined): string {
  if (addr !== SELF) validateAddress(addr);
  const p = portClause(protocol, port);
  return p ? `(host ${addr} and (${p} or icmp or icmp6))` : `host ${addr}`;
}

const or = (parts: Array<string | undefined>): string => {
  const list = [...new Set(parts.filter((x): x is string => !!x))];
  return list.length === 1 ? list[0] : list.map((x) => (x.startsWith('(') || !x.includes(' ') ? x : `(${x})`)).join(' or ');
};

export function planCapture(input: PlanInput): CapturePlan {
  const warnings: string[] = [];
  let target: CapturePlan['target'];
  let services: VirtualService[];
  let config: string | undefined;
  let method: ForwardingMethod | undefined;
  if ('model' in input) {
    const want = input.service.trim();
    const parsed = /^fwm:/.test(want) ? undefined : parseServiceSpec(want);
    const key = parsed && parsed.protocol && parsed.port !== undefined ? serviceKey({ protocol: parsed.protocol, vip: parsed.vip, port: parsed.port }) : want;
    const svc = input.model.services.find((s) => serviceKey(s) === key);
    if (!svc) {
      const known = input.model.services.map(serviceKey).join(', ') || 'none';
      throw new Error(`no virtual service ${want} in ${input.model.sources.join(', ') || 'the config'} (services: ${known})`);
    }
    if (!svc.vip) throw new Error(`service ${want} is a fwmark service: give the VIP to capture with --service tcp:<VIP>:<port>`);
    target = { vip: svc.vip, protocol: svc.protocol, port: svc.port };
    services = input.model.services.filter((s) => s.vip === svc.vip);
    // The file that defines this service: a workspace may hold several configs.
    config = svc.location?.file ?? input.model.sources[0];
    method = svc.method;
  } else {
    target = input.target;
    validateAddress(target.vip);
    services = (input.services ?? []).filter((s) => s.vip === target.vip);
    method = input.method ?? services[0]?.method;
  }
  const mainService = services.find((s) => s.protocol === target.protocol && s.port === target.port) ?? services[0];
  const realServers: RealServer[] = mainService ? mainService.realServers : [];
  // Every address that reaches a host (filters, interface hints) or capture.json, whatever the
  // method: not only those that end up in a filter.
  for (const s of services)
    for (const r of s.realServers) checkAddress(r.address, `${r.name === r.address ? 'a real server' : `real server ${JSON.stringify(r.name)}`} in ${serviceKey(s)}`);
  for (const h of input.hosts) if (h.address !== undefined) checkAddress(h.address, `host ${JSON.stringify(h.name)}`);
  if (!method) warnings.push('forwarding method unknown (no service in the config for this VIP): capturing everything to and from the VIP');
  for (const h of input.hosts) if (h.interface) validateInterface(h.interface);

  const rsOf = (h: PlanHost): RealServer | undefined =>
    realServers.find((r) => r.name === (h.realServer ?? h.name) || (h.address !== undefined && r.address === h.address));
  const { vip, protocol, port } = target;
  const points: PlannedPoint[] = [];
  const add = (p: PlannedPoint): void => {
    validateBpfFilter(p.filter);
    for (const v of Object.values(p.byAddress ?? {})) validateBpfFilter(v.filter);
    points.push(p);
  };

  // Real-server side clauses, as the director sees them on its forwarding interface.
  const rsClause = (r: RealServer): string => serviceClause(r.address, protocol, r.port);
  const directors = input.hosts.filter((h) => h.role === 'director');
  if (directors.length === 0) warnings.push('no director among the hosts: only the real servers and clients are captured');

  const rsPoint = (
    r: RealServer | undefined,
    addr: string | undefined,
    rport: number | undefined,
  ): Pick<PlannedPoint, 'realServer' | 'interfaceFrom' | 'filter' | 'purpose'> => {
    const hints: InterfaceHint[] = addr ? [{ holds: addr }, { defaultRoute: true }] : [{ defaultRoute: true }];
    if (method === 'nat')
      return { realServer: r?.name, interfaceFrom: hints, filter: serviceClause(addr ?? SELF, protocol, rport), purpose: 'own address and service port (NAT)' };
    const tun = method === 'tun' ? `(ip proto 4 and host ${addr ?? SELF})` : undefined;
    return {
      realServer: r?.name,
      interfaceFrom: hints,
      filter: or([serviceClause(vip, protocol, rport), tun, 'arp']),
      purpose: method === 'tun' ? 'IP-in-IP from the director, replies from the VIP, ARP (TUN)' : 'VIP traffic and ARP (DR)',
    };
  };

  for (const h of input.hosts) {
    const base = { host: h.name, role: h.role, interface: h.interface };
    if (h.role === 'director') {
      const front = serviceClause(vip, protocol, port);
      const extra = [input.vrrp ? 'ip proto 112' : undefined];
      if (method === 'nat') {
        // Two sides, usually two interfaces: clients reach the VIP; the director talks to RIP:port.
        add({ ...base, interfaceFrom: [{ holds: vip }, { defaultRoute: true }], filter: or([front, ...extra]), purpose: 'client side: VIP and port' });
        if (realServers.length)
          add({
            ...base,
            interfaceFrom: [{ routeTo: realServers[0].address }],
            filter: or(realServers.map(rsClause)),
            purpose: 'forwarded side: real-server addresses and ports (NAT)',
          });
      } else if (method === 'tun') {
        const tun = realServers.length ? `(ip proto 4 and (${realServers.map((r) => `host ${validateAddress(r.address)}`).join(' or ')}))` : 'ip proto 4';
        add({
          ...base,
          interfaceFrom: [{ holds: vip }, { defaultRoute: true }],
          filter: or([front, tun, ...extra, input.healthChecks ? or(realServers.map(rsClause)) : undefined]),
          purpose: 'VIP and port, and IP-in-IP to the real servers (TUN)',
        });
      } else {
        // DR: the forwarded copy keeps the VIP as destination (only the MAC changes), so `host VIP` sees both.
        add({
          ...base,
          interfaceFrom: [{ holds: vip }, { defaultRoute: true }],
          filter: or([front, method === 'dr' ? 'arp' : undefined, ...extra, input.healthChecks ? or(realServers.map(rsClause)) : undefined]),
          purpose: method === 'dr' ? 'VIP and port; forwarded copies towards real-server MACs (DR)' : 'VIP traffic',
        });
      }
      if (method === 'nat' && input.healthChecks && realServers.length === 0)
        warnings.push('health checks asked for but no real servers are known');
    } else if (h.role === 'real-server') {
      const r = rsOf(h);
      if (!r && !h.address && realServers.length) {
        // Which real server this host is will be known from its addresses.
        const variants: NonNullable<PlannedPoint['byAddress']> = {};
        for (const rs of realServers) {
          const one = rsPoint(rs, rs.address, rs.port);
          variants[rs.address] = { realServer: rs.name, filter: one.filter, interfaceFrom: one.interfaceFrom };
        }
        const generic = rsPoint(undefined, undefined, port);
        add({ ...base, ...generic, byAddress: variants });
        continue;
      }
      add({ ...base, ...rsPoint(r, h.address ?? r?.address, r?.port ?? port) });
    } else {
      add({ ...base, interfaceFrom: [{ routeTo: vip }, { defaultRoute: true }], filter: serviceClause(vip, protocol, port), purpose: 'traffic to the VIP' });
    }
  }
  const unmatched = input.hosts.some((h) => h.role === 'real-server' && !rsOf(h) && !h.address);
  for (const r of realServers)
    if (!unmatched && !input.hosts.some((h) => h.role === 'real-server' && rsOf(h) === r))
      warnings.push(`real server ${r.name} (${r.address}) has no host to capture on`);
  return { target, services: services.map(manifestService), points, warnings, config };
}
