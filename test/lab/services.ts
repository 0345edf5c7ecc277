// The real servers' TCP and UDP services and the client's request generator: small
// node scripts (test/lab/agents) run inside the namespaces with `ip netns exec`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { nsRun, waitFor } from './shell';
import { hostDir } from './sshd';
import type { HostPlan, TopologyPlan } from './topology';

const agentsDir = path.join(__dirname, 'agents');
export const RS_SERVICE = path.join(agentsDir, 'rs-service.mjs');
export const CLIENT_TRAFFIC = path.join(agentsDir, 'client-traffic.mjs');

export interface ClientResult {
  ok: boolean;
  answeredBy?: string;
  error?: string;
  /** Client source port of the request (absent when the socket never got one). */
  sourcePort?: number;
}

/** Starts the service of one real server, detached, logging to its host directory. */
export async function startService(plan: TopologyPlan, stateDir: string, h: HostPlan): Promise<void> {
  // DR/TUN real servers answer UDP from the VIP (bound to it; ip_nonlocal_bind covers vip-missing-on-lo)
  const udpBind = plan.mode === 'nat' ? '0.0.0.0' : plan.vip;
  spawnDetached(
    h.netns,
    [process.execPath, RS_SERVICE, h.name, String(plan.rsPort), String(plan.udpPort), udpBind],
    path.join(hostDir(stateDir, h.name), 'service.log'),
  );
  const ok = await waitFor(async () => {
    const r = await nsRun(h.netns, ['ss', '-Hlntu'], { check: false });
    return r.stdout.includes(`:${plan.rsPort} `) && r.stdout.includes(`:${plan.udpPort} `);
  }, 10_000);
  if (!ok) throw new Error(`service of ${h.name} not listening on tcp/${plan.rsPort} and udp/${plan.udpPort} after 10 s`);
}

export const IPIP_AGENT = path.join(agentsDir, 'ipip.py');

function spawnDetached(netns: string, argv: string[], logFile: string): void {
  const log = fs.openSync(logFile, 'a');
  const child = spawn('ip', ['netns', 'exec', netns, ...argv], { detached: true, stdio: ['ignore', log, log] });
  child.unref();
  fs.closeSync(log);
}

/**
 * TUN mode's user-space IP-in-IP: `encap` on the director (towards the real servers'
 * addresses), `decap` on a real server. Ready when the agent holds the TUN device
 * (the link gets its carrier).
 */
export async function startIpipAgent(stateDir: string, h: HostPlan, args: string[], device: string): Promise<void> {
  spawnDetached(h.netns, ['python3', IPIP_AGENT, ...args], path.join(hostDir(stateDir, h.name), 'ipip.log'));
  const ok = await waitFor(async () => {
    const r = await nsRun(h.netns, ['ip', '-o', 'link', 'show', 'dev', device], { check: false });
    return /[<,]LOWER_UP[,>]/.test(r.stdout);
  }, 10_000);
  if (!ok) throw new Error(`IP-in-IP agent on ${h.name} did not attach to ${device} within 10 s (see ${hostDir(stateDir, h.name)}/ipip.log)`);
}

export interface TrafficOptions {
  protocol: 'tcp' | 'udp';
  /** Requests, one after the other (1..10000). */
  count: number;
  /** Every request from this client port (one UDP socket: the quiescent-template case). */
  fixedSourcePort?: number;
  /** Request k from port base+k: the director's choice becomes reproducible. */
  sourcePortBase?: number;
  /** Per request (default 1500 ms). */
  timeoutMs?: number;
}

export interface TrafficTarget {
  clientNetns: string;
  vip: string;
  tcpPort: number;
  udpPort: number;
}

export async function clientTraffic(
  target: TrafficTarget,
  opts: TrafficOptions,
): Promise<ClientResult[]> {
  if (opts.protocol !== 'tcp' && opts.protocol !== 'udp') throw new Error(`protocol must be tcp or udp, got ${opts.protocol}`);
  if (!Number.isInteger(opts.count) || opts.count < 1 || opts.count > 10_000) throw new Error(`count must be 1..10000, got ${opts.count}`);
  const perRequest = opts.timeoutMs ?? 1500;
  const port = opts.protocol === 'tcp' ? target.tcpPort : target.udpPort;
  for (const p of [opts.fixedSourcePort, opts.sourcePortBase]) {
    if (p !== undefined && (!Number.isInteger(p) || p < 1024 || p + opts.count > 65535)) throw new Error(`client source port ${p} out of range`);
  }
  const args = JSON.stringify({
    protocol: opts.protocol, vip: target.vip, port, count: opts.count,
    fixedSourcePort: opts.fixedSourcePort, sourcePortBase: opts.sourcePortBase, timeoutMs: perRequest,
  });
  const r = await nsRun(target.clientNetns, [process.execPath, CLIENT_TRAFFIC, args], {
    timeoutMs: opts.count * (perRequest + 500) + 5000,
  });
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '[]') as ClientResult[];
}
