// `lvs-trace capture`: the remote capture engine from a terminal or a script.
// Hosts come from a hosts file (--hosts) and/or `--host NAME=ROLE` entries resolved
// through ~/.ssh/config. Passwords: LVS_TRACE_PASSWORD_<HOST> (or LVS_TRACE_PASSWORD),
// key passphrases: LVS_TRACE_PASSPHRASE, else asked on the terminal without echo.
// Ctrl-C cancels: remote tcpdumps are stopped and their temp files removed.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { optionValue, parseArgs } from '../args';
import type { CliCommand } from '../command';
import { loadClusterModel } from '../../core/config';
import { parseServiceSpec, planCapture, runCapture, type HostProgress, type PlanHost } from '../../core/capture';
import { DEFAULT_MAX_CONNECTING, type HostConfig } from '../../core/ssh';
import { cliPool, hostConfigsFromArgs, parseDuration } from '../sshArgs';
import type { ForwardingMethod } from '../../core/model/cluster';

function formatProgress(hosts: Record<string, HostProgress>): string {
  return Object.entries(hosts)
    .map(([h, p]) => `${h}: ${p.state === 'capturing' || p.state === 'done' ? `${p.packets} pkts` : p.state}`)
    .join('  ');
}

export const captureCommand: CliCommand = {
  name: 'capture',
  usage: 'capture --service tcp:VIP:PORT --out DIR [--config FILE] [--hosts FILE] [--duration 10s | --count N] [--max-mb 1024]',
  summary: 'capture a virtual service on directors and real servers at once over SSH',
  async run(args) {
    const p = parseArgs(args, {
      flags: ['vrrp', 'health-checks', 'accept-new-host-keys', 'verbose'],
      options: ['config', 'service', 'hosts', 'host', 'duration', 'count', 'out', 'known-hosts', 'ssh-config', 'method', 'snaplen', 'connect-timeout', 'max-mb'],
    });
    const serviceSpec = optionValue(p, 'service');
    const out = optionValue(p, 'out');
    if (!serviceSpec) throw new Error('--service is required (e.g. --service tcp:192.0.2.10:80)');
    if (!out) throw new Error('--out DIR is required (the capture folder to write)');
    if (p.positionals.length) throw new Error(`unexpected argument "${p.positionals[0]}"`);
    const durationText = optionValue(p, 'duration');
    const countText = optionValue(p, 'count');
    if (durationText && countText) throw new Error('give --duration or --count, not both');
    const durationMs = durationText ? parseDuration(durationText) : undefined;
    let count: number | undefined;
    if (countText !== undefined) {
      count = Number(countText);
      if (!Number.isInteger(count) || count < 1) throw new Error(`--count "${countText}" must be a positive whole number`);
    }
    const snaplenText = optionValue(p, 'snaplen');
    const snaplen = snaplenText === undefined ? undefined : Number(snaplenText);
    if (snaplen !== undefined && (!Number.isInteger(snaplen) || snaplen < 64 || snaplen > 262144))
      throw new Error(`--snaplen "${snaplenText}" must be 64-262144`);
    const maxMbText = optionValue(p, 'max-mb');
    const maxMb = maxMbText === undefined ? undefined : Number(maxMbText);
    if (maxMb !== undefined && !(Number.isFinite(maxMb) && maxMb >= 0.001 && maxMb <= 1048576))
      throw new Error(`--max-mb "${maxMbText}" must be a number of MiB per host, 0.001-1048576`);
    const method = optionValue(p, 'method') as ForwardingMethod | undefined;
    if (method && !['nat', 'dr', 'tun'].includes(method)) throw new Error(`--method must be nat, dr or tun`);
    if (fs.existsSync(out) && fs.readdirSync(out).length) throw new Error(`--out ${out} exists and is not empty; choose a new folder`);

    // Hosts: hosts file entries, then --host NAME=ROLE through ssh_config.
    const configs: HostConfig[] = hostConfigsFromArgs(p);
    if (configs.length === 0) throw new Error('no hosts: give --hosts FILE and/or --host NAME=ROLE (resolved through ~/.ssh/config)');
    const planHosts: PlanHost[] = configs
      .filter((c) => c.role !== undefined)
      .map((c) => ({ name: c.name, role: c.role!, address: c.address, realServer: c.realServer }));
    if (planHosts.length === 0) throw new Error('no host has a role (director, real-server, client...): set "role" in the hosts file');

    const configFile = optionValue(p, 'config');
    const plan = configFile
      ? planCapture({ model: loadClusterModel([configFile]), service: serviceSpec, hosts: planHosts, vrrp: p.flags.has('vrrp'), healthChecks: p.flags.has('health-checks') })
      : planCapture({ target: parseServiceSpec(serviceSpec), method, hosts: planHosts, vrrp: p.flags.has('vrrp'), healthChecks: p.flags.has('health-checks') });
    for (const w of plan.warnings) process.stderr.write(`warning: ${w}\n`);

    const verbose = p.flags.has('verbose');
    const tty = process.stdin.isTTY === true;
    const pool = cliPool(p, configs, p.flags.has('accept-new-host-keys'), verbose);

    const cancel = new AbortController();
    const onSigint = (): void => {
      process.stderr.write('\ncancelling: stopping remote captures and removing their files...\n');
      cancel.abort();
    };
    process.once('SIGINT', onSigint);
    let last = 0;
    try {
      const manifest = await runCapture(plan, pool, {
        outDir: path.resolve(out),
        // Hosts set up / finished at once (the SSH pool also bounds logins in progress).
        maxParallel: DEFAULT_MAX_CONNECTING,
        durationMs,
        count,
        snaplen,
        maxBytesPerHost: maxMb === undefined ? undefined : Math.round(maxMb * 1048576),
        signal: cancel.signal,
        configFile,
        log: (level, msg) => {
          if (verbose || level === 'warn' || level === 'error') process.stderr.write(`${level}: ${msg}\n`);
        },
        onProgress: (hosts) => {
          const now = Date.now();
          if (now - last < 1000) return;
          last = now;
          process.stderr.write(tty ? `\r${formatProgress(hosts)}\x1b[K` : `${formatProgress(hosts)}\n`);
        },
      });
      if (tty) process.stderr.write('\n');
      for (const pt of manifest.points)
        process.stdout.write(`${pt.host} ${pt.interface}: ${pt.packetsCaptured ?? 0} packets${pt.packetsDropped ? ` (${pt.packetsDropped} dropped by the kernel)` : ''} -> ${path.join(out, pt.file)}\n`);
      for (const w of (manifest.warnings ?? []).filter((x) => !plan.warnings.includes(x))) process.stderr.write(`warning: ${w}\n`);
      for (const e of manifest.errors ?? []) process.stderr.write(`error: ${e.host}: ${e.message}\n`);
      process.stdout.write(`capture folder: ${out}${manifest.note ? ` (${manifest.note})` : ''}\n`);
      if (manifest.points.length === 0) return 2;
      return manifest.errors?.length || cancel.signal.aborted ? 1 : 0;
    } finally {
      process.removeListener('SIGINT', onSigint);
      await pool.closeAll();
    }
  },
};
