// Small helpers the check rules share: addresses a host holds, the evidence line
// from a command's output, and where in the config to point.

import type { Evidence, SourceLocation } from '../findings/finding';
import type { RealServer, VirtualService } from '../model/cluster';
import { serviceKey } from '../model/cluster';
import { formatEndpoint, normalizeAddress } from '../state/endpoint';
import type { HostState } from './types';

export interface HeldAddress {
  address: string;
  prefix: number;
  iface: string;
  /** Interface flags include UP. */
  up: boolean;
}

/** IPv4 and IPv6 addresses (IPv6 in canonical form, link-local ones left out: no service uses them). */
export function heldAddresses(state: HostState): HeldAddress[] {
  return (state.interfaces ?? []).flatMap((itf) =>
    itf.addresses
      .filter((a) => a.family === 'inet' || (a.family === 'inet6' && a.scope !== 'link'))
      .map((a) => ({ address: normalizeAddress(a.address), prefix: a.prefix, iface: itf.name, up: itf.flags.includes('UP') })),
  );
}

/** `192.0.2.100/24 on eth0`, `2001:db8::100/128 on lo`. */
export function heldText(a: HeldAddress): string {
  return `${a.address}/${a.prefix} on ${a.iface}`;
}

/** The first line of a command's raw output matching `re`, as evidence. */
export function evidenceLine(state: HostState, label: string, re: RegExp, fallback?: string): Evidence {
  const raw = state.raw[label];
  const line = raw?.split('\n').find((l) => re.test(l));
  return { host: state.name, text: line !== undefined ? `${label}: ${line.trim()}` : fallback ?? `${label}: (no matching line)` };
}

export function sysctlEvidence(state: HostState, keys: string[]): Evidence {
  const lines = keys.map((k) => `${k} = ${state.sysctl?.get(k) ?? '(absent)'}`);
  return { host: state.name, text: `sysctl: ${lines.join('; ')}` };
}

export function serviceName(s: VirtualService): string {
  return serviceKey(s);
}

export function realServerName(rs: RealServer): string {
  const ep = formatEndpoint(rs.address, rs.port);
  return rs.name && rs.name !== rs.address ? `${rs.name} (${ep})` : ep;
}

/** The config line that decides the forwarding method of a service, else the service block. */
export function methodLocation(s: VirtualService): SourceLocation | undefined {
  return s.optionLocations?.lb_kind ?? s.optionLocations?.lvs_method ?? s.location;
}

/** Service VIP without prefix (fwmark services have none). */
export function serviceVip(s: VirtualService): string | undefined {
  return s.vip;
}

/** `192.0.2.100/24 dev eth0 label eth0:1` → `192.0.2.100`. */
export function bareAddress(vip: string): string {
  return vip.trim().split(/\s+/)[0].split('/')[0];
}

export function uniq<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}
