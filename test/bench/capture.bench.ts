// `npm run bench`: the remote capture engine against lab clusters of 2, 5 and 10
// hosts (real sshd, real tcpdump, network namespaces). For each size, two numbers:
//   start: from runCapture() until every host is capturing,
//   stop:  from the stop request until the capture folder is complete (pulled, cleaned);
// once with all hosts handled at once (the engine's default) and once one host after
// another (maxParallel 1) as the baseline. The ratio sequential/parallel shows the
// parallelism: it should grow with the number of hosts while parallel times stay flat.
// Needs root on Linux (the lab); prints why it skipped otherwise.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { planCapture, runCapture, type HostProgress } from '../../src/core/capture';
import { loadHostsFile, SshPool } from '../../src/core/ssh';
import { checkPrerequisites, labUp, type Lab } from '../lab/lab';

interface Timing {
  startMs: number;
  stopMs: number;
}

async function timeOnce(lab: Lab, maxParallel: number | undefined): Promise<Timing> {
  const hosts = loadHostsFile(lab.hostsJsonPath).filter((h) => h.role === 'real-server' || h.role === 'director');
  const pool = new SshPool({ hosts, knownHostsPath: lab.knownHostsPath, onUnknownHostKey: async () => 'reject', getSecret: async () => undefined, connectTimeoutMs: 30000 });
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-capture-bench-'));
  try {
    const plan = planCapture({
      target: { vip: lab.vip, protocol: 'tcp', port: lab.tcpPort },
      method: lab.mode,
      hosts: hosts.map((h) => ({ name: h.name, role: h.role!, address: lab.hosts.find((x) => x.name === h.name)?.lanAddress })),
    });
    const stop = new AbortController();
    const t0 = performance.now();
    let started = 0;
    let resolveReady!: () => void;
    const ready = new Promise<void>((r) => (resolveReady = r));
    const run = runCapture(plan, pool, {
      outDir: out,
      durationMs: 120000,
      stopSignal: stop.signal,
      maxParallel,
      onProgress: (h: Record<string, HostProgress>) => {
        const states = Object.values(h).map((x) => x.state);
        if (!started && states.every((s) => s === 'capturing')) {
          started = performance.now();
          resolveReady();
        }
        if (states.some((s) => s === 'failed')) resolveReady();
      },
    });
    await ready;
    if (!started) throw new Error(`a host failed: ${JSON.stringify((await run).errors)}`);
    await lab.clientTraffic({ protocol: 'tcp', count: 3 });
    const t1 = performance.now();
    stop.abort();
    const m = await run;
    const t2 = performance.now();
    if (m.errors?.length) throw new Error(`capture errors: ${JSON.stringify(m.errors)}`);
    return { startMs: started - t0, stopMs: t2 - t1 };
  } finally {
    await pool.closeAll();
    fs.rmSync(out, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  try {
    await checkPrerequisites();
  } catch (e) {
    process.stdout.write(`skipped: ${(e as Error).message}\n`);
    return;
  }
  const rows: string[] = [];
  rows.push('| hosts | start, parallel | start, one by one | ratio | stop→folder, parallel | stop→folder, one by one | ratio |');
  rows.push('|------:|----------------:|------------------:|------:|----------------------:|------------------------:|------:|');
  for (const n of [2, 5, 10]) {
    // n capture hosts: the director and n-1 real servers
    const lab = await labUp({ mode: 'dr', realServers: n - 1 });
    try {
      await timeOnce(lab, undefined); // warm-up: first connections, sudo and ARP caches
      // best of two each, alternating, so a load spike on a shared machine hits both sides alike
      const best = (a: Timing, b: Timing): Timing => ({ startMs: Math.min(a.startMs, b.startMs), stopMs: Math.min(a.stopMs, b.stopMs) });
      const p1 = await timeOnce(lab, undefined);
      const s1 = await timeOnce(lab, 1);
      const p2 = await timeOnce(lab, undefined);
      const s2 = await timeOnce(lab, 1);
      const par = best(p1, p2);
      const seq = best(s1, s2);
      const ms = (x: number): string => `${Math.round(x)} ms`;
      rows.push(
        `| ${n} | ${ms(par.startMs)} | ${ms(seq.startMs)} | ${(seq.startMs / par.startMs).toFixed(1)}x | ${ms(par.stopMs)} | ${ms(seq.stopMs)} | ${(seq.stopMs / par.stopMs).toFixed(1)}x |`,
      );
    } finally {
      await lab.down();
    }
  }
  process.stdout.write(`${rows.join('\n')}\n`);
}
