// The cluster check: read every host's live state over SSH at once (read-only
// commands only), then judge it against the cluster model with the rules in
// ./rules. Per-host failures become findings or notes; nothing here throws for
// one bad host.

import { sortFindings, type Finding } from '../findings/finding';
import { serviceKey, type ClusterModel } from '../model/cluster';
import { modelFromIpvs } from '../state';
import { collectHostState } from './collect';
import { normalizeAddress } from '../state/endpoint';
import { bareAddress, heldAddresses, heldText, realServerName, uniq } from './helpers';
import { checkRules } from './rules';
import type { CheckContext, CheckOptions, CheckResult, HostState, HostSummary, RealServerOnHost } from './types';

export type { CheckContext, CheckHost, CheckOptions, CheckResult, CheckRole, HostState, HostSummary } from './types';
export { collectHostState } from './collect';
export { stateCommands } from './commands';
export { checkRules } from './rules';

export async function checkCluster(opts: CheckOptions): Promise<CheckResult> {
  const entries = [...opts.hosts.entries()];
  const states = await Promise.all(
    entries.map(([name, h]) => collectHostState(name, h.host, h.role, { timeoutMs: opts.timeoutMs, signal: opts.signal })),
  );
  const result = judgeCluster(states, opts.model, {
    ignore: opts.ignore,
    realServerOf: new Map(entries.map(([name, h]) => [name, h.realServer])),
  });
  // A quick fix on a host we log in to as root needs no sudo: do not show one.
  for (const f of result.findings) {
    if (f.fix?.sudo && opts.hosts.get(f.fix.host)?.host.user === 'root') f.fix = { ...f.fix, sudo: false };
  }
  return result;
}

/**
 * The model with every address in one spelling (IPv6 canonical), so the rules can
 * compare the config's addresses with what the hosts print as plain strings.
 */
function normalizedModel(m: ClusterModel): ClusterModel {
  const n = (a: string): string => normalizeAddress(a);
  return {
    ...m,
    services: m.services.map((s) => ({
      ...s,
      ...(s.vip !== undefined ? { vip: n(s.vip) } : {}),
      realServers: s.realServers.map((r) => ({ ...r, address: n(r.address), name: r.name === r.address ? n(r.address) : r.name })),
      ...(s.sorryServer ? { sorryServer: { ...s.sorryServer, address: n(s.sorryServer.address) } } : {}),
    })),
    vrrpInstances: m.vrrpInstances.map((v) => ({ ...v, virtualIpAddresses: v.virtualIpAddresses.map((a) => n(bareAddress(a))) })),
  };
}

/** The judging half, on states already read (used by checkCluster and by tests on saved outputs). */
export function judgeCluster(
  states: HostState[],
  model: ClusterModel | undefined,
  opts: { ignore?: string[]; realServerOf?: Map<string, string | undefined> } = {},
): CheckResult {
  const directors = states.filter((s) => s.role === 'director');
  let modelFromLiveTable = false;
  let m = model && normalizedModel(model);
  if (!m) {
    const live = directors.find((d) => d.ipvs);
    m = live?.ipvs ? modelFromIpvs(live.ipvs) : { services: [], vrrpInstances: [], sources: [] };
    modelFromLiveTable = true;
  }
  const realServerHosts = states.filter((s) => s.role === 'real-server');
  const placements: RealServerOnHost[] = [];
  for (const s of realServerHosts) {
    const givenName = opts.realServerOf?.get(s.name);
    const named = givenName === undefined ? undefined : normalizeAddress(givenName);
    const own = new Set(heldAddresses(s).map((a) => a.address));
    for (const service of m.services) {
      for (const realServer of service.realServers) {
        // The hosts file may name the real server; its own addresses always count.
        const mine = (named !== undefined && (givenName === realServer.name || named === realServer.address)) || own.has(realServer.address);
        if (mine) placements.push({ service, realServer, state: s });
      }
    }
  }
  const ctx: CheckContext = { model: m, modelFromLiveTable, states, directors, realServerHosts, placements };
  const ignore = new Set(opts.ignore ?? []);
  const findings: Finding[] = [];
  for (const { name, rule } of checkRules) {
    try {
      findings.push(...rule(ctx).filter((f) => !ignore.has(f.code)));
    } catch (e) {
      // A rule bug must not hide the other rules' findings.
      findings.push({
        code: 'check-rule-failed',
        severity: 'warning',
        message: `The "${name}" check failed: ${(e as Error).message}`,
        evidence: [],
      });
    }
  }
  for (const s of realServerHosts) {
    if (s.unreachable || !s.interfaces || placements.some((p) => p.state === s)) continue;
    s.notes.push('none of its addresses is a real server of the model; only host-level checks applied');
  }
  return { findings: sortFindings(findings), hosts: states.map((s) => summarize(s, m!, placements)), modelFromLiveTable };
}

function summarize(s: HostState, model: ClusterModel, placements: RealServerOnHost[]): HostSummary {
  const held = heldAddresses(s);
  const vipSet = new Set(model.services.map((v) => v.vip).filter((v): v is string => !!v));
  const sum: HostSummary = {
    name: s.name,
    role: s.role,
    reachable: s.unreachable === undefined,
    addresses: uniq(held.map(heldText)),
    vips: uniq(held.filter((a) => vipSet.has(a.address)).map((a) => `${a.address} on ${a.iface}`)),
    notes: s.unreachable ? [s.unreachable, ...s.notes] : [...s.notes],
  };
  if (s.role === 'director' && !s.unreachable) {
    sum.ipvs = s.ipvsUnavailable ? 'missing' : s.ipvs ? 'present' : 'unknown';
    if (s.ipvs) sum.liveServices = s.ipvs.services.length;
    if (s.keepalived) sum.vrrp = s.keepalived.stopped ? ['keepalived stopped'] : [...s.keepalived.instances].map(([name, v]) => `${name} ${v.state}`);
  }
  if (s.role === 'real-server') {
    sum.realServers = uniq(placements.filter((p) => p.state === s).map((p) => `${realServerName(p.realServer)} in ${serviceKey(p.service)}`));
  }
  return sum;
}
