// capture.json: the contract between capture, analysis, CLI and fixtures
// (see DESIGN.md "The capture folder"). A capture taken by hand with tcpdump and
// a hand-written capture.json analyses the same way as one the extension took.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeText } from '../config/lint';
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
  /** How far clockOffsetMs may be off, in milliseconds (half the round trip it was measured
   *  in). Absent in older captures. */
  clockUncertaintyMs?: number;
  /** When this point's tcpdump was listening (it said "listening on"), host clock, seconds
   *  since the epoch like pcap timestamps. Absent in older captures. */
  captureStart?: number;
  /** When this point's capture ended, host clock, seconds since the epoch: tcpdump stopped,
   *  or the file was cut there (size limit, lost connection). Absent when unknown. */
  captureEnd?: number;
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
  /**
   * The config files copied into the folder (`config` first, then the files it includes):
   * `file` relative to the folder, `source` where it was copied from — relative to the
   * workspace folder of the capture (forward slashes), or absolute. Lets a finding on a
   * copy be shown on the user's own file. Absent in older captures.
   */
  configFiles?: ConfigFileCopy[];
  /** Host state dumps: host -> command -> file relative to the folder. */
  state?: Record<string, Record<string, string>>;
  errors?: Array<{ host: string; message: string }>;
  /** Things the capture plan could not cover (a real server without a host, ...). */
  warnings?: string[];
  note?: string;
}

/**
 * A capture error as a line naming its host once: `rs2: the message`, or the message alone
 * when it already starts with the host (`rs2 (192.0.2.12:22): …`, `rs2: …`).
 */
export function hostMessage(host: string, message: string): string {
  return message.startsWith(`${host}: `) || message.startsWith(`${host} (`) ? message : `${host}: ${message}`;
}

export interface ConfigFileCopy {
  file: string;
  source: string;
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
    // Informational (the capture's window and clock doubt): dropped when not a number.
    for (const k of ['clockUncertaintyMs', 'captureStart', 'captureEnd'])
      if (pt[k] !== undefined && !(typeof pt[k] === 'number' && Number.isFinite(pt[k]) && (pt[k] as number) >= 0)) delete pt[k];
  });
  if (m.services === undefined) m.services = [];
  if (!Array.isArray(m.services)) fail('"services" must be an array');
  (m.services as unknown[]).forEach((s, i) => {
    const sv = s as Record<string, unknown>;
    if (!methods.includes(sv.method as ForwardingMethod)) fail(`services[${i}].method must be nat, dr or tun`);
    if (!Array.isArray(sv.realServers)) fail(`services[${i}].realServers must be an array`);
  });
  // Informational: entries that are not a path inside the folder and a source are left out (never fatal).
  if (m.configFiles !== undefined) {
    const ok = Array.isArray(m.configFiles) ? (m.configFiles as unknown[]).filter(isConfigFileCopy) : [];
    if (ok.length) m.configFiles = ok;
    else delete m.configFiles;
  }
  return m as unknown as CaptureManifest;
}

const insideFolder = (p: string): boolean => !path.isAbsolute(p) && !p.split(/[\\/]/).includes('..');

function isConfigFileCopy(x: unknown): x is ConfigFileCopy {
  const c = x as Partial<ConfigFileCopy> | null;
  return typeof c === 'object' && c !== null && typeof c.file === 'string' && !!c.file && insideFolder(c.file) && typeof c.source === 'string' && !!c.source;
}

/**
 * Copies a config into a capture folder with the files it includes from its own folder
 * or below (at the same relative place, so the copy's `include` lines still resolve);
 * returns the capture.json fields that name them. `root`: the folder sources are
 * recorded relative to (the workspace folder); a file outside it is recorded absolute.
 */
export function copyConfig(configFile: string, outDir: string, root?: string): Pick<CaptureManifest, 'config' | 'configFiles'> {
  const main = path.resolve(configFile);
  const name = path.basename(main);
  const posix = (p: string): string => p.split(path.sep).join('/');
  const source = (f: string): string => {
    const rel = root ? path.relative(path.resolve(root), f) : '';
    return rel && insideFolder(rel) ? posix(rel) : f;
  };
  fs.copyFileSync(main, path.join(outDir, name));
  const configFiles: ConfigFileCopy[] = [{ file: name, source: source(main) }];
  let included: string[] = [];
  try {
    included = analyzeText(fs.readFileSync(main, 'utf8'), main)?.keepalived?.files.slice(1) ?? [];
  } catch {
    // the copy of the main file is what there is
  }
  for (const f of included) {
    const rel = path.relative(path.dirname(main), f);
    // Above the config's folder, the copy's include would not reach it anyway.
    if (!rel || !insideFolder(rel) || posix(rel) === 'capture.json') continue;
    const dest = path.join(outDir, rel);
    if (fs.existsSync(dest)) continue;
    try {
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.copyFileSync(f, dest);
      configFiles.push({ file: posix(rel), source: source(f) });
    } catch {
      // unreadable now: the copy's include reports it
    }
  }
  return { config: name, configFiles };
}
