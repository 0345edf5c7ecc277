// `lvs-trace probe`: N connections (or UDP requests) to VIP:PORT from one host
// (an SSH host acting as client, or `local` = this machine), who answered each,
// and whether the spread fits the scheduler and weights. --capture runs tcpdump
// on the real servers meanwhile (authoritative attribution); --load / --load-command
// measures each real server's load and suggests weights.

import { optionValue, parseArgs } from '../args';
import type { CliCommand } from '../command';
import { parseServiceSpec } from '../../core/capture';
import { loadClusterModel } from '../../core/config';
import { serviceKey, type VirtualService } from '../../core/model/cluster';
import { DEFAULT_LOAD_COMMAND, formatProbeResult, probeSettingsFromService, probeVip, type ProbeOptions, type ProbeRealServer } from '../../core/probe';
import { LocalHost, type HostConfig, type RemoteHost, type SshPool } from '../../core/ssh';
import { parseIpAddr } from '../../core/state';
import { formatFinding } from './check';
import { cliPool, hostConfigsFromArgs, sshOptions } from '../sshArgs';
import { parseDuration } from '../sshArgs';

/** Which hosts-file host is each real server: by its address or name, else by asking the host its addresses. */
export async function hostsOfRealServers(pool: SshPool, configs: HostConfig[], servers: ProbeRealServer[]): Promise<void> {
  const candidates = configs.filter((c) => c.role === 'real-server');
  for (const s of servers) {
    const c = candidates.find((h) => h.address === s.address || h.realServer === s.name || h.realServer === s.address || h.name === s.name);
    if (c) s.host = c.name;
  }
  const unmatched = candidates.filter((c) => !servers.some((s) => s.host === c.name));
  await Promise.all(
    unmatched.map(async (c) => {
      try {
        const h = await pool.get(c.name);
        const r = await h.exec(['ip', '-o', 'addr', 'show'], { timeoutMs: 15000 });
        const own = new Set(parseIpAddr(r.stdout, 'ip -o addr').flatMap((i) => i.addresses.map((a) => a.address)));
        for (const s of servers) if (!s.host && own.has(s.address)) s.host = c.name;
      } catch {
        // Unreachable: this real server is probed without capture or load.
      }
    }),
  );
}

export const probeCommand: CliCommand = {
  name: 'probe',
  usage: 'probe --service tcp:VIP:PORT --from HOST|local [--count N] [--config F] [--hosts F] [--capture] [--load-command CMD] [--json]',
  summary: 'open N connections to a VIP and judge which real servers answered against the weights',
  async run(args) {
    const p = parseArgs(args, {
      flags: ['json', 'capture', 'keep-capture', 'load', 'accept-new-host-keys'],
      options: ['service', 'from', 'count', 'config', 'timeout', 'interval', 'payload', 'scheduler', 'sched-flags', 'load-command', 'capture-dir', ...sshOptions],
    });
    if (p.positionals.length) throw new Error(`unexpected argument "${p.positionals[0]}"`);
    const spec = optionValue(p, 'service');
    const from = optionValue(p, 'from');
    if (!spec) throw new Error('--service is required (e.g. --service tcp:192.0.2.10:80)');
    if (!from) throw new Error('--from is required: a host name from --hosts / ~/.ssh/config, or "local" for this machine');
    const target = parseServiceSpec(spec);
    if (!target.protocol || target.port === undefined || (target.protocol !== 'tcp' && target.protocol !== 'udp'))
      throw new Error(`--service "${spec}" must name the protocol (tcp or udp) and the port`);
    const countText = optionValue(p, 'count') ?? '20';
    const count = Number(countText);
    if (!Number.isInteger(count) || count < 1 || count > 1000) throw new Error(`--count "${countText}" must be 1-1000`);

    const configs = hostConfigsFromArgs(p);
    let settings: Pick<ProbeOptions, 'vip' | 'port' | 'protocol' | 'realServers' | 'method' | 'scheduler' | 'persistenceSeconds'>;
    const configFiles = p.options.get('config') ?? [];
    if (configFiles.length) {
      const model = loadClusterModel(configFiles);
      const key = serviceKey({ protocol: target.protocol, vip: target.vip, port: target.port });
      const svc: VirtualService | undefined = model.services.find((s) => serviceKey(s) === key);
      if (!svc) throw new Error(`no virtual service ${key} in ${configFiles.join(', ')} (services: ${model.services.map(serviceKey).join(', ') || 'none'})`);
      settings = probeSettingsFromService(svc);
    } else {
      // No config: the real servers are the hosts file's real servers, weight 1 each.
      const rs = configs.filter((c) => c.role === 'real-server');
      settings = {
        vip: target.vip,
        port: target.port,
        protocol: target.protocol,
        realServers: rs.map((c) => ({ name: c.realServer ?? c.name, address: c.address ?? c.host, port: target.port!, weight: 1, host: c.name })),
      };
    }
    const scheduler = optionValue(p, 'scheduler');
    if (scheduler) settings.scheduler = scheduler;
    const loadCommand = optionValue(p, 'load-command');
    const wantsLoad = p.flags.has('load') || loadCommand !== undefined;
    const capture = p.flags.has('capture');
    const needPool = from !== 'local' || capture || wantsLoad;
    const pool = needPool ? cliPool(p, configs, p.flags.has('accept-new-host-keys')) : undefined;
    try {
      if (pool && (capture || wantsLoad)) await hostsOfRealServers(pool, configs, settings.realServers);
      const fromHost: RemoteHost = from === 'local' ? new LocalHost('local') : await pool!.get(from);
      const timeout = optionValue(p, 'timeout');
      const interval = optionValue(p, 'interval');
      const r = await probeVip({
        ...settings,
        from: fromHost,
        count,
        schedulerFlags: optionValue(p, 'sched-flags')?.split(',').filter(Boolean),
        timeoutMs: timeout ? parseDuration(timeout) : undefined,
        intervalMs: interval ? parseDuration(interval) : undefined,
        payload: optionValue(p, 'payload')?.replace(/\\r/g, '\r').replace(/\\n/g, '\n'),
        capture: capture ? { source: pool!, keep: p.flags.has('keep-capture'), outDir: optionValue(p, 'capture-dir') } : undefined,
        load: wantsLoad ? { source: pool!, argv: loadCommand ? ['sh', '-c', loadCommand] : DEFAULT_LOAD_COMMAND } : undefined,
        log: (m) => {
          if (!p.flags.has('json')) process.stderr.write(`${m}\n`);
        },
      });
      process.stdout.write(p.flags.has('json') ? `${JSON.stringify(r, null, 2)}\n` : `${formatProbeResult(r)}${r.findings.map((f) => `${formatFinding(f)}\n`).join('')}`);
      return r.findings.some((f) => f.severity === 'error') ? 1 : 0;
    } finally {
      await pool?.closeAll();
    }
  },
};
