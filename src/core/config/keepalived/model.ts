// keepalived.conf syntax tree → ClusterModel: virtual services with their real
// servers and checkers, and VRRP instances, each with the location of its block
// and of the options that matter, so findings can point at the line to blame.
import type { SourceLocation } from '../../findings/finding';
import type { ClusterModel, ForwardingMethod, RealServer, ServiceProtocol, VirtualService, VrrpInstance } from '../../model/cluster';
import { toLocation } from '../location';
import { isIP } from '../values';
import { type ParsedConfig, type Statement, child, children, headerRange, tokenRange, walk } from './ast';
import { isCheckerKeyword } from './schema';

/** The virtual_server keywords that set an IPVS scheduler flag (keepalived writes them as `-b` would). */
const SCHED_FLAG_KEYWORDS = ['flag-1', 'flag-2', 'flag-3', 'sh-port', 'sh-fallback', 'mh-port', 'mh-fallback'];

/** keepalived's default when `persistence_timeout` has no value (man page: 6 minutes). */
const DEFAULT_PERSISTENCE = 360;

export function keepalivedToModel(configs: ParsedConfig[]): ClusterModel {
  const model: ClusterModel = { services: [], vrrpInstances: [], sources: [] };
  for (const cfg of configs) {
    for (const f of cfg.files) if (!model.sources.includes(f)) model.sources.push(f);
    const groups = new Map<string, Statement>();
    for (const s of cfg.statements) if (s.keyword.text === 'virtual_server_group' && s.args[0]) groups.set(s.args[0].text, s);
    for (const s of cfg.statements) {
      if (s.entry) continue;
      if (s.keyword.text === 'virtual_server' && s.body) model.services.push(...servicesOf(s, groups));
      if (s.keyword.text === 'vrrp_instance' && s.body) model.vrrpInstances.push(vrrpOf(s));
    }
  }
  return model;
}

export function locationOf(s: Statement): SourceLocation {
  return toLocation(s.file, headerRange(s));
}

/** keepalived takes NAT/DR/TUN in upper case only; anything else leaves the default. */
function method(value: string | undefined): ForwardingMethod | undefined {
  const v = value;
  return v === 'DR' ? 'dr' : v === 'TUN' ? 'tun' : v === 'NAT' ? 'nat' : undefined;
}

function intArg(s: Statement | undefined, fallback: number): number {
  const v = s?.args[0]?.text;
  return v !== undefined && /^-?\d+$/.test(v) ? Number(v) : fallback;
}

function servicesOf(vs: Statement, groups: Map<string, Statement>): VirtualService[] {
  const optionLocations: Record<string, SourceLocation> = {};
  const opt = (...names: string[]): Statement | undefined => {
    const st = child(vs, ...names);
    if (st) for (const n of names) optionLocations[n] = locationOf(st);
    return st;
  };
  const protoSt = opt('protocol');
  // keepalived 2.2.7 makes a service without `protocol` UDP ("no protocol set - defaulting to UDP").
  const protocol = (protoSt?.args[0]?.text.toLowerCase() ?? 'udp') as ServiceProtocol;
  const m = method(opt('lvs_method', 'lb_kind')?.args[0]?.text) ?? 'nat';
  const scheduler = opt('lvs_sched', 'lb_algo')?.args[0]?.text ?? 'wlc';
  const persist = opt('persistence_timeout');
  const persistenceSeconds = persist ? intArg(persist, DEFAULT_PERSISTENCE) : 0;
  const granularity = opt('persistence_granularity')?.args[0]?.text;
  const quorumSt = opt('quorum');
  const sorry = opt('sorry_server');
  const vsInhibit = child(vs, 'inhibit_on_failure') !== undefined;
  // One by one: opt() with several names records the last of them under every name.
  for (const k of ['inhibit_on_failure', 'ops', 'delay_loop']) opt(k);
  // A real_server without `weight` takes the virtual_server's (default 1; keepalived 2.2.7 refuses 0 there).
  const vsWeight = Math.max(1, intArg(child(vs, 'weight'), 1));
  // Scheduler flags are keywords of their own in keepalived (`sh-port`, `flag-1`...).
  const schedulerFlags = SCHED_FLAG_KEYWORDS.filter((k) => opt(k) !== undefined);

  const base = {
    protocol,
    method: m,
    scheduler,
    persistenceSeconds,
    persistenceNetmask: granularity,
    ...(schedulerFlags.length ? { schedulerFlags } : {}),
    quorum: quorumSt ? intArg(quorumSt, 1) : undefined,
    location: locationOf(vs),
    optionLocations,
  };
  const addresses = serviceAddresses(vs, groups, optionLocations);
  return addresses.map((a) => {
    const svc: VirtualService = { ...base, ...a, realServers: [] };
    if (sorry?.args[0]) svc.sorryServer = { address: sorry.args[0].text, port: Number(sorry.args[1]?.text ?? a.port ?? 0) };
    svc.realServers = children(vs, 'real_server')
      .filter((rs) => rs.args[0])
      .map((rs) => realServerOf(rs, a.port ?? 0, vsInhibit, vsWeight));
    return svc;
  });
}

function serviceAddresses(vs: Statement, groups: Map<string, Statement>, loc: Record<string, SourceLocation>): Array<{ vip?: string; port?: number; fwmark?: number }> {
  const [a0, a1] = vs.args;
  if (!a0) return [];
  if (a0.text === 'fwmark') return [{ fwmark: Number(a1?.text ?? 0) }];
  if (a0.text === 'group') {
    const g = a1 ? groups.get(a1.text) : undefined;
    return (g?.body ?? [])
      .filter((e) => e.entry)
      .map((e) => {
        if (e.keyword.text === 'fwmark') return { fwmark: Number(e.args[0]?.text ?? 0) };
        const addr = e.keyword.text.replace(/-\d+$/, '').replace(/\/\d+$/, '');
        return { vip: addr, port: Number(e.args[0]?.text ?? 0) };
      });
  }
  loc.address = toLocation(vs.file, tokenRange(a0));
  if (a1) loc.port = toLocation(vs.file, tokenRange(a1));
  return [{ vip: a0.text, port: a1 ? Number(a1.text) : 0 }];
}

function realServerOf(rs: Statement, vsPort: number, vsInhibit: boolean, vsWeight = 1): RealServer {
  const [addr, portTok] = rs.args;
  const optionLocations: Record<string, SourceLocation> = { address: toLocation(rs.file, tokenRange(addr)) };
  if (portTok) optionLocations.port = toLocation(rs.file, tokenRange(portTok));
  const weightSt = child(rs, 'weight');
  if (weightSt) optionLocations.weight = locationOf(weightSt);
  const methodSt = child(rs, 'lvs_method', 'lb_kind');
  const checkers: string[] = [];
  for (const c of rs.body ?? []) {
    if (!c.entry && isCheckerKeyword(c.keyword.text)) {
      checkers.push(c.keyword.text);
      optionLocations[c.keyword.text] ??= locationOf(c);
    }
  }
  const inhibit = child(rs, 'inhibit_on_failure');
  if (inhibit) optionLocations.inhibit_on_failure = locationOf(inhibit);
  return {
    name: addr.text,
    address: addr.text,
    port: portTok && /^\d+$/.test(portTok.text) ? Number(portTok.text) : vsPort,
    weight: intArg(weightSt, vsWeight),
    method: method(methodSt?.args[0]?.text),
    checkers,
    inhibitOnFailure: vsInhibit || inhibit !== undefined,
    location: locationOf(rs),
    optionLocations,
  };
}

function vrrpOf(vi: Statement): VrrpInstance {
  const optionLocations: Record<string, SourceLocation> = {};
  const opt = (name: string): Statement | undefined => {
    const st = child(vi, name);
    if (st) optionLocations[name] = locationOf(st);
    return st;
  };
  const state = opt('state')?.args[0]?.text;
  const vrid = opt('virtual_router_id');
  const prio = opt('priority');
  const advert = opt('advert_int');
  // Excluded addresses are not sent in adverts, but the master brings them up
  // like the others: they are VRRP-managed addresses too (listed after the VIPs).
  const vips = [...vrrpAddresses(vi, 'virtual_ipaddress'), ...vrrpAddresses(vi, 'virtual_ipaddress_excluded')];
  for (const name of ['virtual_ipaddress', 'virtual_ipaddress_excluded']) {
    const block = children(vi, name)[0];
    if (block) optionLocations[name] = locationOf(block);
  }
  const peers = vrrpPeers(vi);
  return {
    name: vi.args[0]?.text ?? '',
    state: state === 'MASTER' || state === 'BACKUP' ? state : undefined,
    interface: opt('interface')?.args[0]?.text,
    virtualRouterId: vrid && /^\d+$/.test(vrid.args[0]?.text ?? '') ? Number(vrid.args[0].text) : undefined,
    priority: prio && /^\d+$/.test(prio.args[0]?.text ?? '') ? Number(prio.args[0].text) : undefined,
    advertIntSec: advert && advert.args[0] ? Number(advert.args[0].text) : undefined,
    virtualIpAddresses: [...new Set(vips)],
    unicastPeers: peers,
    nopreempt: opt('nopreempt') !== undefined ? true : undefined,
    location: locationOf(vi),
    optionLocations,
  };
}

/** The valid addresses of a `virtual_ipaddress` / `virtual_ipaddress_excluded` block (keepalived skips the others). */
function vrrpAddresses(vi: Statement, block: string): string[] {
  const out: string[] = [];
  for (const b of children(vi, block)) {
    for (const e of b.body ?? []) {
      const a = e.keyword.text.replace(/\/\d+$/, '');
      if (e.entry && isIP(a)) out.push(a);
    }
  }
  return out;
}

function vrrpPeers(vi: Statement): string[] {
  const peers: string[] = [];
  for (const block of children(vi, 'unicast_peer')) for (const e of block.body ?? []) if (e.entry) peers.push(e.keyword.text);
  return peers;
}

/**
 * What keepalived makes of one vrrp_instance, with its defaults applied the way
 * keepalived applies them (vrrp.c `vrrp_complete_instance`): the VRRP rules
 * compare these rather than re-deriving them. Statements are kept so findings
 * can point at the line to blame.
 */
export interface VrrpSettings {
  instance: Statement;
  name: string;
  /** Any line of the instance (or a global it depends on) uses parameters/conditionals: values are not known. */
  templated: boolean;
  /** The advertised VIPs (`virtual_ipaddress`) and the excluded ones, valid addresses only. */
  vips: string[];
  excluded: string[];
  vipBlock?: Statement;
  excludedBlock?: Statement;
  family: 4 | 6;
  /** `vrrp_strict` (global) or `strict_mode` (instance), whichever decides. */
  strict: boolean;
  strictStatement?: Statement;
  version: 2 | 3;
  versionStatement?: Statement;
  /** The state written in the config (keepalived compares upper case only). */
  stateStatement?: Statement;
  state?: 'MASTER' | 'BACKUP';
  priorityStatement?: Statement;
  /** The priority keepalived uses: as written, else 255 for state MASTER, else 100. */
  priority: number;
  /** The state keepalived starts in: as written, else MASTER for priority 255, else BACKUP. */
  effectiveState: 'MASTER' | 'BACKUP';
  /** `nopreempt` when it is in force (a later `preempt` cancels it). */
  nopreempt?: Statement;
  preemptDelay?: Statement;
  /** The last `accept` / `no_accept`. */
  acceptStatement?: Statement;
  interface?: string;
  vridStatement?: Statement;
  vrid?: number;
  advertStatement?: Statement;
  /** Seconds between adverts (keepalived's default: 1). */
  advertInt: number;
  authentication?: Statement;
  authType?: Statement;
  authPass?: Statement;
  unicastSrc?: Statement;
  unicastPeerBlock?: Statement;
  peers: string[];
  /** The multicast group of the adverts (`mcast_dst_ip`, else the global vrrp_mcast_group4/6, else the RFC group). */
  mcastGroup: string;
}

const TRUE_WORDS = new Set(['on', 'true', 'yes']);
const FALSE_WORDS = new Set(['off', 'false', 'no']);

/** The settings of every top-level vrrp_instance of a parsed keepalived.conf. */
export function vrrpSettings(cfg: ParsedConfig): VrrpSettings[] {
  const globals = cfg.statements.filter((s) => !s.entry && s.keyword.text === 'global_defs' && s.body);
  const global = (name: string): Statement | undefined => {
    let found: Statement | undefined;
    for (const g of globals) found = child(g, name) ?? found;
    return found;
  };
  const gStrict = global('vrrp_strict');
  const gVersion = global('vrrp_version');
  const gGroup4 = global('vrrp_mcast_group4');
  const gGroup6 = global('vrrp_mcast_group6');
  const globalsTemplated = [gStrict, gVersion, gGroup4, gGroup6].some((s) => s?.templated);
  const out: VrrpSettings[] = [];
  for (const vi of cfg.statements) {
    if (vi.entry || vi.keyword.text !== 'vrrp_instance' || !vi.body) continue;
    let templated = globalsTemplated || vi.templated;
    walk(vi.body, (s) => {
      if (s.templated) templated = true;
    });
    const vips = vrrpAddresses(vi, 'virtual_ipaddress');
    const family = vips[0]?.includes(':') ? 6 : 4;

    const strictSt = child(vi, 'strict_mode');
    const strictArg = strictSt?.args[0]?.text.toLowerCase();
    const instanceStrict = strictSt ? (strictArg === undefined || TRUE_WORDS.has(strictArg) ? true : FALSE_WORDS.has(strictArg) ? false : undefined) : undefined;
    const strict = instanceStrict ?? gStrict !== undefined;
    const strictStatement = instanceStrict !== undefined ? strictSt : gStrict;

    const vSt = child(vi, 'version');
    const vArg = vSt?.args[0]?.text;
    const gvArg = gVersion?.args[0]?.text;
    let version: 2 | 3 = 2;
    let versionStatement: Statement | undefined;
    if (vArg === '2' || vArg === '3') [version, versionStatement] = [vArg === '3' ? 3 : 2, vSt];
    else if (family === 6) version = 3;
    else if (gvArg === '2' || gvArg === '3') [version, versionStatement] = [gvArg === '3' ? 3 : 2, gVersion];

    const stateStatement = child(vi, 'state');
    const stateText = stateStatement?.args[0]?.text;
    const state = stateText === 'MASTER' || stateText === 'BACKUP' ? stateText : undefined;
    const priorityStatement = child(vi, 'priority');
    const pText = priorityStatement?.args[0]?.text ?? '';
    const written = /^\d+$/.test(pText) && Number(pText) >= 1 && Number(pText) <= 255 ? Number(pText) : undefined;
    // keepalived replaces an invalid priority by 100, an absent one by 255 (MASTER) or 100.
    const priority = written ?? (priorityStatement ? 100 : state === 'MASTER' ? 255 : 100);
    // Strict mode starts the owner as MASTER and every other as BACKUP, whatever `state` says.
    const effectiveState = strict ? (priority === 255 ? 'MASTER' : 'BACKUP') : (state ?? (priority === 255 ? 'MASTER' : 'BACKUP'));

    const preempt = child(vi, 'nopreempt', 'preempt');
    const vridStatement = child(vi, 'virtual_router_id');
    const vridText = vridStatement?.args[0]?.text ?? '';
    const advertStatement = child(vi, 'advert_int');
    const advert = Number(advertStatement?.args[0]?.text);
    const authentication = child(vi, 'authentication');
    const mcastDst = child(vi, 'mcast_dst_ip')?.args[0]?.text;
    const defaultGroup = family === 6 ? (gGroup6?.args[0]?.text ?? 'ff02::12') : (gGroup4?.args[0]?.text ?? '224.0.0.18');
    out.push({
      instance: vi,
      name: vi.args[0]?.text ?? '',
      templated,
      vips,
      excluded: vrrpAddresses(vi, 'virtual_ipaddress_excluded'),
      vipBlock: children(vi, 'virtual_ipaddress')[0],
      excludedBlock: children(vi, 'virtual_ipaddress_excluded')[0],
      family,
      strict,
      strictStatement: strict ? strictStatement : undefined,
      version,
      versionStatement,
      stateStatement,
      state,
      priorityStatement,
      priority,
      effectiveState,
      nopreempt: preempt?.keyword.text === 'nopreempt' ? preempt : undefined,
      preemptDelay: child(vi, 'preempt_delay'),
      acceptStatement: child(vi, 'accept', 'no_accept'),
      interface: child(vi, 'interface')?.args[0]?.text,
      vridStatement,
      vrid: /^\d+$/.test(vridText) && Number(vridText) >= 1 && Number(vridText) <= 255 ? Number(vridText) : undefined,
      advertStatement,
      advertInt: Number.isFinite(advert) && advert > 0 ? advert : 1,
      authentication,
      authType: child(authentication, 'auth_type'),
      authPass: child(authentication, 'auth_pass'),
      unicastSrc: child(vi, 'unicast_src_ip'),
      unicastPeerBlock: children(vi, 'unicast_peer')[0],
      peers: vrrpPeers(vi),
      mcastGroup: (mcastDst ?? defaultGroup).toLowerCase(),
    });
  }
  return out;
}
