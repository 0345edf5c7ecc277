// The cluster model: what the user's keepalived.conf / ipvsadm rules (or a
// director's live `ipvsadm -Ln`) say the LVS cluster is. The capture planner,
// the analysis (config line to blame), the cluster check and the VS Code layer
// all read this; the config parsers and the ipvsadm output parser build it.

import type { SourceLocation } from '../findings/finding';
import { normalizeAddress } from '../state/endpoint';

export type ForwardingMethod = 'nat' | 'dr' | 'tun';
export type ServiceProtocol = 'tcp' | 'udp' | 'sctp';

export interface RealServer {
  /** A short name for lanes and messages (host name from the hosts file, else the address). */
  name: string;
  address: string;
  port: number;
  weight: number;
  /** Per-real-server method override (ipvsadm allows it; keepalived's lvs_method is per service). */
  method?: ForwardingMethod;
  /** Checker kinds configured (TCP_CHECK, HTTP_GET, ...). */
  checkers?: string[];
  /** keepalived `inhibit_on_failure`: set weight 0 instead of removing on failure. */
  inhibitOnFailure?: boolean;
  location?: SourceLocation;
  /** Where individual values were set: `address`, `port`, `weight`, checker names (`TCP_CHECK`...). */
  optionLocations?: Record<string, SourceLocation>;
}

export interface VirtualService {
  protocol: ServiceProtocol;
  /** VIP address; absent for fwmark services. */
  vip?: string;
  port?: number;
  fwmark?: number;
  method: ForwardingMethod;
  scheduler: string;
  /**
   * Scheduler flags (keepalived's `sh-port`, `sh-fallback`, `mh-port`, `mh-fallback`,
   * `flag-1..3` keywords; ipvsadm `-b`): absent = none.
   */
  schedulerFlags?: string[];
  /** 0 = no persistence. */
  persistenceSeconds: number;
  persistenceNetmask?: string;
  quorum?: number;
  realServers: RealServer[];
  /** A sorry server, when configured. */
  sorryServer?: { address: string; port: number };
  location?: SourceLocation;
  /** Where the value of individual options was set, by keyword (`lb_kind`, `persistence_timeout`...). */
  optionLocations?: Record<string, SourceLocation>;
}

export interface VrrpInstance {
  name: string;
  state?: 'MASTER' | 'BACKUP';
  interface?: string;
  virtualRouterId?: number;
  priority?: number;
  advertIntSec?: number;
  virtualIpAddresses: string[];
  unicastPeers: string[];
  nopreempt?: boolean;
  location?: SourceLocation;
  /** Where individual options were set, by keyword (`priority`, `virtual_router_id`, `state`...). */
  optionLocations?: Record<string, SourceLocation>;
}

export interface ClusterModel {
  services: VirtualService[];
  vrrpInstances: VrrpInstance[];
  /** Files the model was built from. */
  sources: string[];
}

/** `tcp:192.0.2.10:80` style key for a service (fwmark services: `fwm:<mark>`). */
export function serviceKey(s: Pick<VirtualService, 'protocol' | 'vip' | 'port' | 'fwmark'>): string {
  if (s.fwmark !== undefined) return `fwm:${s.fwmark}`;
  // IPv6 in its canonical spelling: `2001:DB8:0::10` and `2001:db8::10` are one service.
  const vip = s.vip && s.vip.includes(':') ? `[${normalizeAddress(s.vip)}]` : s.vip;
  return `${s.protocol}:${vip}:${s.port}`;
}
