// keepalived.conf syntax tree → ClusterModel: virtual services with their real
// servers and checkers, and VRRP instances, each with the location of its block
// and of the options that matter, so findings can point at the line to blame.
import type { SourceLocation } from '../../findings/finding';
import type { ClusterModel, ForwardingMethod, RealServer, ServiceProtocol, VirtualService, VrrpInstance } from '../../model/cluster';
import { toLocation } from '../location';
import { isIP } from '../values';
import { type ParsedConfig, type Statement, child, children, headerRange, tokenRange } from './ast';
import { isCheckerKeyword } from './schema';

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
  opt('inhibit_on_failure', 'ops', 'delay_loop');

  const base = {
    protocol,
    method: m,
    scheduler,
    persistenceSeconds,
    persistenceNetmask: granularity,
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
      .map((rs) => realServerOf(rs, a.port ?? 0, vsInhibit));
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

function realServerOf(rs: Statement, vsPort: number, vsInhibit: boolean): RealServer {
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
    weight: intArg(weightSt, 1),
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
  const vips: string[] = [];
  for (const block of children(vi, 'virtual_ipaddress')) {
    optionLocations.virtual_ipaddress ??= locationOf(block);
    for (const e of block.body ?? []) {
      const a = e.keyword.text.replace(/\/\d+$/, '');
      if (e.entry && isIP(a)) vips.push(a);
    }
  }
  const peers: string[] = [];
  for (const block of children(vi, 'unicast_peer')) for (const e of block.body ?? []) if (e.entry) peers.push(e.keyword.text);
  return {
    name: vi.args[0]?.text ?? '',
    state: state === 'MASTER' || state === 'BACKUP' ? state : undefined,
    interface: opt('interface')?.args[0]?.text,
    virtualRouterId: vrid && /^\d+$/.test(vrid.args[0]?.text ?? '') ? Number(vrid.args[0].text) : undefined,
    priority: prio && /^\d+$/.test(prio.args[0]?.text ?? '') ? Number(prio.args[0].text) : undefined,
    advertIntSec: advert && advert.args[0] ? Number(advert.args[0].text) : undefined,
    virtualIpAddresses: vips,
    unicastPeers: peers,
    nopreempt: opt('nopreempt') !== undefined ? true : undefined,
    location: locationOf(vi),
    optionLocations,
  };
}
