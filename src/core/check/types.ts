// Shapes shared by the cluster check: which hosts to read, what was read from
// each, and what the rules see.

import type { Finding } from '../findings/finding';
import type { ClusterModel, RealServer, VirtualService } from '../model/cluster';
import type { RemoteHost } from '../ssh/remote';
import type {
  IpvsConnection,
  IpvsTable,
  IpvsUnavailable,
  KeepalivedLogState,
  KernelConfig,
  ListeningSocket,
  NetInterface,
  Route,
  SysctlMap,
} from '../state';

export type CheckRole = 'director' | 'real-server';

export interface CheckHost {
  host: RemoteHost;
  role: CheckRole;
  /** For real servers: the real-server name or address in the model (else matched by the host's addresses). */
  realServer?: string;
}

export interface CheckOptions {
  /** What the config says. Absent: taken from the first director's live table (no drift check then). */
  model?: ClusterModel;
  hosts: Map<string, CheckHost>;
  /** Per command. Default 15 s. */
  timeoutMs?: number;
  /** Finding codes to leave out (e.g. `check-ipvs-missing` against an emulated director). */
  ignore?: string[];
  signal?: AbortSignal;
}

/** Everything read from one host. A missing field = that command failed; `notes` say why. */
export interface HostState {
  name: string;
  role: CheckRole;
  /** Set when not even the first command ran (connection refused, auth...). */
  unreachable?: string;
  interfaces?: NetInterface[];
  routes?: Route[];
  sysctl?: SysctlMap;
  listeners?: ListeningSocket[];
  /** Live IPVS table (from ipvsadm, else /proc/net/ip_vs). */
  ipvs?: IpvsTable;
  ipvsSource?: string;
  ipvsUnavailable?: IpvsUnavailable;
  ipvsStats?: IpvsTable;
  ipvsRate?: IpvsTable;
  connections?: IpvsConnection[];
  kernelConfig?: KernelConfig;
  kernelRelease?: string;
  /** VRRP states keepalived logged (directors). */
  keepalived?: KeepalivedLogState;
  /** Raw output per command label, for evidence lines. */
  raw: Record<string, string>;
  /** Commands that could not be run or read, in words. */
  notes: string[];
  /** The sources (command labels) that could not be read, and why: the checks that need them did not run. */
  unread?: UnreadSource[];
  /** `ss -lntu` lines that were not understood and skipped. */
  listenersSkipped?: { line: number; text: string }[];
}

export interface UnreadSource {
  /** Command label (`sysctl`, `ss -lntu`, `keepalived log`...). */
  source: string;
  why: string;
  /** The command did not finish in time (as opposed to failing). */
  timedOut?: boolean;
  /** The command is missing on the host, or the data is not there (no kernel config, no journal). */
  absent?: boolean;
}

/** Per-host summary returned to callers (CLI, tree view). */
export interface HostSummary {
  name: string;
  role: CheckRole;
  reachable: boolean;
  /** IPv4 addresses held, with interface: `192.0.2.100 on lo`. */
  addresses: string[];
  /** Directors: `present`, `missing` or `unknown`. */
  ipvs?: 'present' | 'missing' | 'unknown';
  /** Directors: number of live services / destinations. */
  liveServices?: number;
  /** Real servers: the model real servers this host is. */
  realServers?: string[];
  /** Service VIPs this host holds (directors) or has on lo/tunnel (real servers). */
  vips: string[];
  /** Directors: VRRP state per instance as keepalived logged it (`VI_1 MASTER`), or `keepalived stopped`. */
  vrrp?: string[];
  notes: string[];
}

export interface CheckResult {
  findings: Finding[];
  hosts: HostSummary[];
  /** Whether the model came from a config (drift was checked) or from the live table. */
  modelFromLiveTable: boolean;
}

/** A real server of a service, with the host that is that real server (if we read it). */
export interface RealServerOnHost {
  service: VirtualService;
  realServer: RealServer;
  state: HostState;
}

export interface CheckContext {
  model: ClusterModel;
  modelFromLiveTable: boolean;
  states: HostState[];
  directors: HostState[];
  realServerHosts: HostState[];
  /** Every (service, real server) whose host was read. */
  placements: RealServerOnHost[];
}

export type CheckRule = (ctx: CheckContext) => Finding[];
