// capture.json: the contract between capture, analysis, CLI and fixtures
// (see DESIGN.md "The capture folder"). A capture taken by hand with tcpdump and
// a hand-written capture.json analyses the same way as one the extension took.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ForwardingMethod, ServiceProtocol } from '../model/cluster';

export type HostRole = 'director' | 'real-server' | 'client' | 'router' | 'other';

export interface ManifestRealServer {
  name: string;
  address: string;
  port: number;
  weight: number;
}

export interface ManifestService {
  protocol: ServiceProtocol;
  vip?: string;
  port?: number;
  fwmark?: number;
  method: ForwardingMethod;
  scheduler?: string;
  persistenceSeconds?: number;
  realServers: ManifestRealServer[];
}

export interface CapturePoint {
  host: string;
  role: HostRole;
  /** Interface name, or `any`. */
  interface: string;
  /** pcap/pcapng path relative to the capture folder. */
  file: string;
  filter?: string;
  /** Host clock minus local clock, in milliseconds (add -offset to host times to get local time). */
  clockOffsetMs?: number;
  /** For real servers: the `name` of the real server in `services[].realServers`. */
  realServer?: string;
  tcpdumpVersion?: string;
  /** Packets tcpdump reported as captured / dropped by the kernel. */
  packetsCaptured?: number;
  packetsDropped?: number;
}

export interface CaptureManifest {
  format: 1;
  startedAt?: string;
  stoppedAt?: string;
  target: { vip: string; protocol?: ServiceProtocol; port?: number };
  services: ManifestService[];
  points: CapturePoint[];
  /** Config file (relative to the folder, or absolute) the services came from. */
  config?: string;
  /** Host state dumps: host -> command -> file relative to the folder. */
  state?: Record<string, Record<string, string>>;
  errors?: Array<{ host: string; message: string }>;
  /** Things the capture plan could not cover (a real server without a host, ...). */
  warnings?: string[];
  note?: string;
}

export class ManifestError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'ManifestError';
  }
}

const roles: HostRole[] = ['director', 'real-server', 'client', 'router', 'other'];
const methods: ForwardingMethod[] = ['nat', 'dr', 'tun'];

/** Reads and validates `<folder>/capture.json`; errors name the field at fault. */
export function readManifest(folder: string): CaptureManifest {
  const file = path.join(folder, 'capture.json');
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ManifestError(file, `cannot read capture.json: ${(e as Error).message}`);
  }
  return validateManifest(raw, file);
}

export function validateManifest(raw: unknown, file = 'capture.json'): CaptureManifest {
  const fail = (msg: string): never => {
    throw new ManifestError(file, msg);
  };
  if (typeof raw !== 'object' || raw === null) fail('top level must be an object');
  const m = raw as Record<string, unknown>;
  if (m.format !== 1) fail(`unsupported "format" ${JSON.stringify(m.format)} (expected 1)`);
  const target = m.target as Record<string, unknown> | undefined;
  if (!target || typeof target.vip !== 'string') fail('"target.vip" must be a string');
  if (!Array.isArray(m.points)) fail('"points" must be an array');
  (m.points as unknown[]).forEach((p, i) => {
    const pt = p as Record<string, unknown>;
    if (typeof pt !== 'object' || pt === null) fail(`points[${i}] must be an object`);
    if (typeof pt.host !== 'string' || !pt.host) fail(`points[${i}].host must be a non-empty string`);
    if (!roles.includes(pt.role as HostRole)) fail(`points[${i}].role must be one of ${roles.join(', ')}`);
    if (typeof pt.file !== 'string' || !pt.file) fail(`points[${i}].file must be a non-empty string`);
    if (path.isAbsolute(pt.file as string) || (pt.file as string).split(/[\\/]/).includes('..'))
      fail(`points[${i}].file must be a path inside the capture folder`);
    if (pt.interface === undefined) pt.interface = 'any';
  });
  if (m.services === undefined) m.services = [];
  if (!Array.isArray(m.services)) fail('"services" must be an array');
  (m.services as unknown[]).forEach((s, i) => {
    const sv = s as Record<string, unknown>;
    if (!methods.includes(sv.method as ForwardingMethod)) fail(`services[${i}].method must be nat, dr or tun`);
    if (!Array.isArray(sv.realServers)) fail(`services[${i}].realServers must be an array`);
  });
  return m as unknown as CaptureManifest;
}
