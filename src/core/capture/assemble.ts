// A capture folder from pcaps taken by hand (tcpdump on the director and on each real server,
// copied to a laptop): capture.json written for them, the pcaps hard-linked (copied across file
// systems) beside it, so `analyze` reads the folder as one the extension captured. Nothing here
// modifies the original files; a run that fails leaves nothing behind. The CLI (`lvs-trace
// assemble`) and the VS Code command both call assembleCapture(). No `vscode` import.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeText, type AnalyzedDocument } from '../config/lint';
import { configDirectors, type ConfigDirectors } from '../config/directors';
import { describeFileError, plainFileError } from '../fileErrors';
import { serviceKey, type ClusterModel, type ForwardingMethod, type RealServer, type ServiceProtocol, type VirtualService } from '../model/cluster';
import { openFrames } from '../pcap/read';
import { isClassicMagic } from '../pcap/classic';
import { LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2 } from '../pcap/linkTypes';
import { PCAPNG_SHB } from '../pcap/pcapng';
import { InvalidValueError, validateInterface } from '../ssh/quote';
import { normalizeAddress } from '../state/endpoint';
import { guessTarget } from './guessTarget';
import { copyConfig, validateManifest, type CaptureManifest, type CapturePoint, type HostRole, type ManifestService } from './manifest';
import { outFolderBefore, removeFailedOutput } from './outFolder';
import { manifestService, parseServiceSpec } from './plan';

export const HOST_ROLES: readonly HostRole[] = ['director', 'real-server', 'client', 'router', 'other'];
const METHODS: readonly ForwardingMethod[] = ['nat', 'dr', 'tun'];

/** The interface of a point whose file does not tell it (not `any`, which means "every interface"). */
export const UNKNOWN_INTERFACE = 'unknown';

export const ASSEMBLED_NOTE =
  'assembled from pcap files taken by hand: when each capture started and ended and the hosts\' clock offsets are unknown, so each point counts from its first to its last packet';

/** One pcap file and what the user said about it. */
export interface AssemblePoint {
  file: string;
  /** Default: from the file name (`rs1-eth0.pcap` -> rs1). */
  host?: string;
  /** Checked against HOST_ROLES. Default: inferred from the config (inferRole), else an error. */
  role?: string;
  /** Default: from the file name (`rs1-eth0.pcap` -> eth0), `any` for a Linux cooked capture, else `unknown`. */
  interface?: string;
  /** How the user gave this point (a CLI argument), to say where a problem is. Default: the file. */
  given?: string;
}

/** A host the user described elsewhere (a hosts file): its role and cluster address. */
export interface KnownHost {
  name: string;
  role?: HostRole;
  /** Its address in the cluster (a real server's address), not the SSH one. */
  address?: string;
  realServer?: string;
}

/** The cluster config the services come from. */
export interface AssembleConfig {
  model: ClusterModel;
  /** What the config says the directors are (router_id, unicast_src_ip, unicast_peer). */
  directors?: ConfigDirectors;
  /** The config file copied into the folder (with what it includes) and named by capture.json.
   *  Default: the file that defines the target's service (mapped through `topLevel`). */
  file?: string;
  /** The config read on its own that holds a file (a conf.d file's includer). */
  topLevel?: (file: string) => string;
  /** The folder the copies' sources are recorded relative to (the workspace folder). */
  root?: string;
}

export interface AssembleInput {
  points: AssemblePoint[];
  config?: AssembleConfig;
  /** `tcp:192.0.2.10:80`, `192.0.2.10` ... (parseServiceSpec), or `fwm:N` with a config. Default:
   *  guessed from the director's pcap (with the config's VIPs). */
  service?: string;
  /** nat, dr or tun: the services' method when no config gives it. */
  method?: string;
  hosts?: KnownHost[];
  /** How the destination folder is named in messages (`--out`). */
  outLabel?: string;
}

export interface AssemblyPlan {
  manifest: CaptureManifest;
  /** The original file of each of manifest.points, in order. */
  sources: string[];
  warnings: string[];
  /** The config file to copy into the folder. */
  configFile?: string;
  configRoot?: string;
}

export interface AssembleResult {
  folder: string;
  manifest: CaptureManifest;
  warnings: string[];
  files: Array<{ source: string; file: string; how: 'linked' | 'copied' }>;
}

/** Every problem with the input at once, each naming what is wrong and where. */
export class AssembleError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.length === 1 ? problems[0] : `${problems.length} problems:\n  ${problems.join('\n  ')}`);
    this.name = 'AssembleError';
  }
}

/** A config file as assembleCapture() takes it: its model and the directors it names. */
export function loadAssembleConfig(file: string): AssembleConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read the config ${describeFileError(file, e)}`);
  }
  const doc: AnalyzedDocument | undefined = analyzeText(text, file);
  if (!doc) throw new Error(`${file} is neither a keepalived.conf nor ipvsadm rules`);
  return { model: doc.model, directors: configDirectors(doc), file };
}

// ---- what a file name says ----------------------------------------------------------------

/** Interface names as Linux and tcpdump spell them, for `HOST-IFACE.pcap`. */
const IFACE_RE = /^(?:any|lo|(?:eth|ens|enp|eno|enx|em|bond|br|vlan|tunl|tun|tap|gre|ipip|wlan|wlp|veth|team|ib|vxlan|virbr|ppp)\d[\w.]*)$/;
const PCAP_EXT_RE = /\.(?:pcap|pcapng|cap)$/i;
const HOST_RE = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

/** The host (and interface) a file name gives: `rs1-eth0.pcap` -> rs1, eth0; `lb1.pcap` -> lb1. */
export function pointFromFileName(file: string): { host: string; interface?: string } {
  const base = path.basename(file).replace(PCAP_EXT_RE, '');
  const m = /^(.+)[-_]([^-_]+)$/.exec(base);
  const [host, iface] = m && IFACE_RE.test(m[2]) ? [m[1], m[2]] : [base, undefined];
  // A label only: characters a host name may not hold become `_`.
  const clean = host.replace(/[^A-Za-z0-9._:-]/g, '_').replace(/^[^A-Za-z0-9]+/, '') || 'host';
  return iface ? { host: clean, interface: iface } : { host: clean };
}

/** Why a host name cannot be used (undefined: it can). */
export function hostNameProblem(host: string): string | undefined {
  return HOST_RE.test(host) ? undefined : `host name "${host}" may hold only letters, digits and . _ : - (and start with a letter or digit)`;
}

/** Why an interface name cannot be used (undefined: it can). */
export function interfaceProblem(name: string): string | undefined {
  try {
    validateInterface(name);
    return undefined;
  } catch (e) {
    return e instanceof InvalidValueError ? e.message : String(e);
  }
}

// ---- what a host is -------------------------------------------------------------------------

const lower = (s: string): string => normalizeAddress(s.trim().toLowerCase());
/** The names and addresses a host goes by: its name, and its address from the hosts file. */
function idsOf(host: string, hosts: KnownHost[] = []): { ids: Set<string>; known?: KnownHost } {
  const known = hosts.find((h) => lower(h.name) === lower(host));
  const ids = new Set([host, known?.address, known?.realServer].filter((x): x is string => !!x).map(lower));
  return { ids, known };
}

const rsMatches = (r: Pick<RealServer, 'name' | 'address'>, ids: Set<string>): boolean => ids.has(lower(r.name)) || ids.has(lower(r.address));

/** A host named after its role (`director`, `client`, `router`) is one. */
const ROLE_NAMES: Record<string, HostRole> = { director: 'director', client: 'client', router: 'router' };

/**
 * The role a host has when the user did not say: the hosts file's; a real server of the config
 * (by name or address); a director of the config (router_id, unicast_src_ip, unicast_peer); a
 * host called `director`, `client` or `router`. Undefined: it cannot be told safely.
 */
export function inferRole(host: string, ctx: Pick<AssembleInput, 'config' | 'hosts'>): { role: HostRole; why: string } | undefined {
  const { ids, known } = idsOf(host, ctx.hosts);
  if (known?.role) return { role: known.role, why: 'as the hosts file says' };
  const config = ctx.config;
  const from = config ? configName(config) : 'the config';
  const rs = config?.model.services.flatMap((s) => s.realServers).find((r) => rsMatches(r, ids));
  if (rs || known?.realServer) return { role: 'real-server', why: rs ? `real server ${rs.name} of ${from}` : 'a real server of the hosts file' };
  const d = config?.directors;
  const peers = config?.model.vrrpInstances.flatMap((v) => v.unicastPeers) ?? [];
  const director = [...(d?.names ?? []), ...(d?.addresses ?? []), ...peers].find((x) => ids.has(lower(x)));
  if (director) return { role: 'director', why: `a director of ${from} (${director})` };
  const named = ROLE_NAMES[host.toLowerCase()];
  if (named) return { role: named, why: 'by its name' };
  return undefined;
}

// ---- what a file is -------------------------------------------------------------------------

/** Why a file is no pcap or pcapng file we can use (undefined: it is one). Reads its first bytes. */
export function pcapProblem(file: string): string | undefined {
  let fd: number;
  try {
    if (fs.statSync(file).isDirectory()) return `${file}: is a folder, not a pcap file`;
    fd = fs.openSync(file, 'r');
  } catch (e) {
    return describeFileError(file, e);
  }
  const head = Buffer.alloc(4);
  let n: number;
  try {
    n = fs.readSync(fd, head, 0, 4, 0);
  } catch (e) {
    return describeFileError(file, e);
  } finally {
    fs.closeSync(fd);
  }
  if (n === 0) return `${file}: is empty, not a pcap file`;
  if (n >= 2 && head[0] === 0x1f && head[1] === 0x8b) return `${file}: is gzip-compressed; uncompress it first (gunzip)`;
  const magic = n === 4 ? head.readUInt32BE(0) : -1;
  if (magic !== PCAPNG_SHB && !isClassicMagic(magic))
    return `${file}: not a pcap or pcapng file (it starts with ${[...head.subarray(0, n)].map((b) => b.toString(16).padStart(2, '0')).join(' ')}; a pcap starts with d4 c3 b2 a1 or a1 b2 c3 d4, a pcapng with 0a 0d 0d 0a)`;
  try {
    openFrames(file).close(); // the header itself
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
}

/** `any` for a file of Linux cooked frames (what tcpdump -i any writes), else `unknown`. */
function interfaceOfLinkType(file: string): string {
  let linkType: number | undefined;
  try {
    const frames = openFrames(file);
    try {
      if (!frames.summary.linkTypes.length) frames.read(() => false, 1);
      linkType = frames.summary.linkTypes[0];
    } finally {
      frames.close();
    }
  } catch {
    // a corrupt file: the analysis says so
  }
  return linkType === LINKTYPE_LINUX_SLL || linkType === LINKTYPE_LINUX_SLL2 ? 'any' : UNKNOWN_INTERFACE;
}

const configName = (c: AssembleConfig): string => (c.file ? path.basename(c.file) : 'the config');

const sameAddress = (a: string | undefined, b: string | undefined): boolean => a !== undefined && b !== undefined && lower(a) === lower(b);

// ---- the plan ---------------------------------------------------------------------------------

interface PointDraft {
  where: string;
  file: string;
  host: string;
  role?: HostRole;
  interface: string;
  realpath?: string;
  /** The file is a pcap or pcapng file. */
  readable: boolean;
}

/**
 * Checks every input and works out capture.json (nothing is written): throws AssembleError
 * naming every problem. `outDir`, when given, is checked too (new, or an empty folder).
 */
export function planAssembly(input: AssembleInput, outDir?: string): AssemblyPlan {
  const problems: string[] = [];
  const warnings: string[] = [];
  if (!input.points.length) problems.push('no pcap file given');
  let method: ForwardingMethod | undefined;
  if (input.method !== undefined) {
    if (METHODS.includes(input.method as ForwardingMethod)) method = input.method as ForwardingMethod;
    else problems.push(`forwarding method "${input.method}" must be nat, dr or tun`);
  }

  const drafts: PointDraft[] = [];
  input.points.forEach((p) => {
    const where = p.given ?? p.file;
    const fromName = pointFromFileName(p.file);
    const fileProblem = pcapProblem(p.file);
    if (fileProblem) problems.push(fileProblem); // it names the file
    const host = p.host?.trim() || fromName.host;
    const hostProblem = hostNameProblem(host);
    if (hostProblem) problems.push(`${where}: ${hostProblem}`);
    let iface = p.interface?.trim() || fromName.interface;
    const ifaceProblem = iface ? interfaceProblem(iface) : undefined;
    if (ifaceProblem) problems.push(`${where}: ${ifaceProblem}`);
    // Not given, nor in the file name: tcpdump -i any writes Linux cooked headers.
    if (!iface && !fileProblem) iface = interfaceOfLinkType(p.file);
    let role: HostRole | undefined;
    if (p.role !== undefined && p.role !== '') {
      if (HOST_ROLES.includes(p.role as HostRole)) role = p.role as HostRole;
      else problems.push(`${where}: unknown role "${p.role}" (roles: ${HOST_ROLES.join(', ')})`);
    } else if (!hostProblem) {
      role = inferRole(host, input)?.role;
      if (!role)
        problems.push(
          `${where}: cannot tell what host ${host} is (${input.config ? `${configName(input.config)} names no real server or director ${host}` : 'no config was given to tell'}); give its role: ${HOST_ROLES.join(', ')}`,
        );
    }
    let realpath: string | undefined;
    try {
      realpath = fs.realpathSync(p.file);
    } catch {
      // reported above
    }
    drafts.push({ where, file: p.file, host, role, interface: iface ?? UNKNOWN_INTERFACE, realpath, readable: !fileProblem });
  });

  // The same file twice, a host twice on one interface or in two roles.
  for (let i = 0; i < drafts.length; i++)
    for (let j = 0; j < i; j++) {
      const a = drafts[j];
      const b = drafts[i];
      const sameHost = a.host.toLowerCase() === b.host.toLowerCase();
      if (a.realpath && a.realpath === b.realpath) problems.push(`${b.where}: the same file as ${a.where}; give each pcap once`);
      else if (sameHost && a.interface === b.interface)
        problems.push(
          `${b.where}: duplicate host ${b.host}${b.interface === UNKNOWN_INTERFACE ? '' : ` on ${b.interface}`} (also ${a.where}); a host may appear once per interface: give each file its interface or another host name`,
        );
      else if (sameHost && a.role && b.role && a.role !== b.role) problems.push(`${b.where}: host ${b.host} is a ${b.role} here but a ${a.role} in ${a.where}; one host has one role`);
    }

  // What was captured: the service, and the config's services for its VIP.
  const filesOk = drafts.length > 0 && drafts.every((d) => d.readable);
  const resolved = filesOk || input.service ? resolveServices(input, method, drafts, problems, warnings) : undefined;

  // Each real server's point named after its real server.
  const points: CapturePoint[] = [];
  const realServers = uniqueRealServers(resolved?.services ?? []);
  for (const d of drafts) {
    const pt: CapturePoint = { host: d.host, role: d.role ?? 'other', interface: d.interface, file: '' };
    if (d.role === 'real-server') {
      const { ids } = idsOf(d.host, input.hosts);
      const rs = realServers.find((r) => rsMatches(r, ids));
      if (rs) pt.realServer = rs.name;
      // No real server known at all (no config): named after its host, the analysis finds its
      // address in its pcap, as for a hand-written capture.json. Beside the config's real
      // servers that guess could take one for another: left unset.
      else if (!realServers.length) pt.realServer = d.host;
      if (!rs && input.config && resolved)
        warnings.push(
          `${d.where}: real server ${d.host} matches no real server of ${resolved.label} in ${configName(input.config)} (${realServers.map((r) => (r.name === r.address ? r.address : `${r.name} ${r.address}`)).join(', ') || 'it has none'}); ${realServers.length ? 'its packets are analysed without knowing which one it is' : 'the analysis takes its address from its pcap'}. Name the host by its address to tie it to the config`,
        );
    }
    points.push(pt);
  }
  const names = fileNames(drafts);
  points.forEach((pt, i) => (pt.file = `pcap/${names[i]}`));

  if (outDir !== undefined) {
    try {
      outFolderBefore(outDir, input.outLabel);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  if (problems.length || !resolved) throw new AssembleError(problems.length ? problems : ['no service to analyse']);
  if (!drafts.some((d) => d.role === 'director')) warnings.push('no director among the pcaps: connections are followed only between the hosts given');

  const manifest: CaptureManifest = { format: 1, target: resolved.target, services: resolved.services, points, note: ASSEMBLED_NOTE };
  if (warnings.length) manifest.warnings = [...warnings];
  return { manifest, sources: drafts.map((d) => d.file), warnings, configFile: resolved.configFile, configRoot: input.config?.root };
}

function uniqueRealServers(services: ManifestService[]): Array<{ name: string; address: string }> {
  const out: Array<{ name: string; address: string }> = [];
  for (const s of services) for (const r of s.realServers) if (!out.some((o) => o.name === r.name)) out.push(r);
  return out;
}

/** `pcap/<host>-<iface>.<ext>`, each once. */
function fileNames(drafts: PointDraft[]): string[] {
  const used = new Set<string>();
  return drafts.map((d) => {
    const ext = (PCAP_EXT_RE.exec(d.file)?.[0] ?? '.pcap').toLowerCase();
    const stem = `${d.host}${d.interface === UNKNOWN_INTERFACE ? '' : `-${d.interface}`}`.replace(/[^A-Za-z0-9._-]/g, '_');
    let name = `${stem}${ext}`;
    for (let n = 2; used.has(name.toLowerCase()); n++) name = `${stem}-${n}${ext}`;
    used.add(name.toLowerCase());
    return name;
  });
}

interface Resolved {
  target: CaptureManifest['target'];
  services: ManifestService[];
  /** `tcp:192.0.2.10:80`, or the VIP: for messages. */
  label: string;
  configFile?: string;
}

/** The target and the services of its VIP: from the config, the service given, the method, or
 *  guessed from the pcaps. Problems are pushed; undefined when there is no target. */
function resolveServices(input: AssembleInput, method: ForwardingMethod | undefined, drafts: PointDraft[], problems: string[], warnings: string[]): Resolved | undefined {
  const config = input.config;
  const spec = input.service?.trim();
  const model = config?.model;
  const from = config ? configName(config) : 'the config';
  let target: CaptureManifest['target'] | undefined;
  let main: VirtualService | undefined;

  if (spec && /^fwm:/i.test(spec)) {
    const svc = model?.services.find((s) => serviceKey(s) === spec.toLowerCase());
    if (!model) problems.push(`service ${spec}: a fwmark service needs the config that defines it`);
    else if (!svc) problems.push(`no virtual service ${spec} in ${from} (services: ${model.services.map(serviceKey).join(', ') || 'none'})`);
    else problems.push(`service ${spec} is a fwmark service: give its VIP instead (tcp:<VIP>:<port>)`);
    return undefined;
  }
  if (spec) {
    let parsed: ReturnType<typeof parseServiceSpec>;
    try {
      parsed = parseServiceSpec(spec);
    } catch (e) {
      problems.push((e as Error).message);
      return undefined;
    }
    if (model) {
      const matching = model.services.filter((s) => sameAddress(s.vip, parsed.vip) && (!parsed.protocol || s.protocol === parsed.protocol) && (parsed.port === undefined || s.port === parsed.port));
      if (!matching.length) {
        problems.push(`no virtual service ${spec} in ${from} (services: ${model.services.map(serviceKey).join(', ') || 'none'})`);
        return undefined;
      }
      main = matching[0];
      target = parsed.protocol && parsed.port !== undefined ? { vip: main.vip!, protocol: main.protocol, port: main.port } : { vip: main.vip!, ...(parsed.protocol ? { protocol: parsed.protocol } : {}) };
    } else target = withoutUndefined(parsed);
  } else {
    // Guessed from what the pcaps talk to: the director's first, with the config's VIPs.
    const knownVips = [...new Set((model?.services ?? []).map((s) => s.vip).filter((v): v is string => !!v))];
    const order = [...drafts.filter((d) => d.role === 'director'), ...drafts.filter((d) => d.role === 'client'), ...drafts.filter((d) => d.role !== 'director' && d.role !== 'client')];
    for (const d of order) {
      let t: CaptureManifest['target'];
      try {
        t = guessTarget(d.file, knownVips);
      } catch (e) {
        problems.push(`cannot guess the service from ${d.where}: ${(e as Error).message}; name the service`);
        return undefined;
      }
      if (t.vip !== '0.0.0.0') {
        target = t;
        if (knownVips.length && !knownVips.some((v) => sameAddress(v, t.vip)))
          warnings.push(`the service guessed from ${d.where} (${describeTarget(t)}) is none of ${from}'s (VIPs ${knownVips.join(', ')}): name the service if that is wrong`);
        break;
      }
    }
    if (!target) {
      problems.push(`cannot guess the service: no pcap shows a connection opening (TCP SYN or UDP request); name the service (e.g. tcp:192.0.2.10:80)`);
      return undefined;
    }
  }

  const vip = target.vip;
  let services: ManifestService[];
  if (model) {
    const ofVip = model.services.filter((s) => sameAddress(s.vip, vip));
    main ??= ofVip.find((s) => s.protocol === target.protocol && s.port === target.port) ?? ofVip[0];
    services = ofVip.map(manifestService);
    const other = method && ofVip.find((s) => s.method !== method);
    if (other) problems.push(`forwarding method ${method} contradicts ${from}, which says ${other.method} for ${serviceKey(other)}; leave the method out`);
    if (!ofVip.length && method) services = methodServices(target, method, !!spec);
  } else services = method ? methodServices(target, method, !!spec) : [];
  if (!services.length && !method)
    warnings.push('forwarding method unknown (no config service for the VIP, no method given): the findings that depend on it (NAT replies bypassing the director, DR replies from the wrong address...) cannot be made');

  let configFile: string | undefined;
  if (config) {
    const file = config.file ?? main?.location?.file ?? model?.sources[0];
    configFile = file && config.topLevel ? config.topLevel(file) : file;
    if (configFile && path.basename(configFile) === 'capture.json') problems.push(`the config ${configFile} is called capture.json, the name of the capture's own file; rename it`);
  }
  return { target, services, label: main ? serviceKey(main) : describeTarget(target), configFile };
}

/** The services a method alone gives: the target's protocol (tcp and udp when open), its port or any. */
function methodServices(target: CaptureManifest['target'], method: ForwardingMethod, exact: boolean): ManifestService[] {
  // A guessed protocol and port are only the busiest: the method holds for all the VIP's traffic.
  const protocols: ServiceProtocol[] = exact && target.protocol ? [target.protocol] : ['tcp', 'udp'];
  const port = exact ? target.port : undefined;
  return protocols.map((protocol) => ({ protocol, vip: target.vip, ...(port !== undefined ? { port } : {}), method, realServers: [] }));
}

function withoutUndefined(t: { vip: string; protocol?: ServiceProtocol; port?: number }): CaptureManifest['target'] {
  const out: CaptureManifest['target'] = { vip: t.vip };
  if (t.protocol) out.protocol = t.protocol;
  if (t.port !== undefined) out.port = t.port;
  return out;
}

function describeTarget(t: CaptureManifest['target']): string {
  const vip = t.vip.includes(':') ? `[${t.vip}]` : t.vip;
  return `${t.protocol ? `${t.protocol}:` : ''}${vip}${t.port !== undefined ? `:${t.port}` : ''}`;
}

// ---- writing --------------------------------------------------------------------------------

/** Hard link when on the same file system, else a copy (a clone where the file system can). */
function placeFile(source: string, dest: string): 'linked' | 'copied' {
  try {
    fs.linkSync(source, dest);
    return 'linked';
  } catch {
    try {
      fs.copyFileSync(source, dest, fs.constants.COPYFILE_EXCL | fs.constants.COPYFILE_FICLONE);
    } catch (e) {
      throw new Error(`cannot copy ${source}: ${plainFileError(e)}`);
    }
    return 'copied';
  }
}

/** Writes a planned folder: the pcaps, the config copy, then capture.json. On failure the
 *  folder is left as it was (missing, or empty). */
export function writeAssembly(plan: AssemblyPlan, outDir: string): AssembleResult {
  const before = outFolderBefore(outDir);
  const manifest: CaptureManifest = JSON.parse(JSON.stringify(plan.manifest)) as CaptureManifest;
  const files: AssembleResult['files'] = [];
  try {
    fs.mkdirSync(path.join(outDir, 'pcap'), { recursive: true });
    manifest.points.forEach((pt, i) => {
      const how = placeFile(plan.sources[i], path.join(outDir, pt.file));
      files.push({ source: plan.sources[i], file: pt.file, how });
    });
    if (plan.configFile) {
      const { config, configFiles } = copyConfig(plan.configFile, outDir, plan.configRoot);
      manifest.config = config;
      if (configFiles) manifest.configFiles = configFiles;
    }
    validateManifest(JSON.parse(JSON.stringify(manifest)), path.join(outDir, 'capture.json'));
    fs.writeFileSync(path.join(outDir, 'capture.json'), `${JSON.stringify(manifest, null, 2)}\n`, { flag: 'wx' });
  } catch (e) {
    removeFailedOutput(outDir, before);
    throw e;
  }
  return { folder: outDir, manifest, warnings: plan.warnings, files };
}

/** planAssembly() then writeAssembly(): the capture folder `outDir` from pcaps taken by hand. */
export function assembleCapture(input: AssembleInput & { outDir: string }): AssembleResult {
  return writeAssembly(planAssembly(input, input.outDir), input.outDir);
}
