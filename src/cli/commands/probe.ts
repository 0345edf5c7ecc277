// `lvs-trace probe`: N connections (or UDP requests) to VIP:PORT from one host
// (an SSH host acting as client, or `local` = this machine), who answered each,
// and whether the spread fits the scheduler and weights. --capture runs tcpdump
// on the real servers meanwhile (authoritative attribution); --load / --load-command
// measures each real server's load and suggests weights.

import { optionValue } from '../args';
import { parseCommandArgs, type CliCommand } from '../command';
import { parseServiceSpec } from '../../core/capture';
import { loadClusterModel } from '../../core/config';
import { serviceKey, type VirtualService } from '../../core/model/cluster';
import { DEFAULT_LOAD_COMMAND, formatProbeResult, liveProbeSettings, probeSettingsFromService, probeVip, type ProbeRealServer, type ProbeSettings } from '../../core/probe';
import { LocalHost, type HostConfig, type RemoteHost, type SshPool } from '../../core/ssh';
import { formatEndpoint, normalizeAddress, parseIpAddr } from '../../core/state';
import { formatFinding } from './check';
import { CONNECT_TIMEOUT, cliPool, durationOption, hostConfigsFromArgs, sshNotes, sshOptionDocs } from '../sshArgs';
import { SERVICE_FORMS } from './capture';

/**
 * Which hosts-file host is each real server: by its cluster address (`address`), its
 * `realServer` name or its host name; the rest by asking the unmatched real-server
 * hosts their addresses (read-only `ip -o addr`, only when a pool is given). Never by
 * the SSH address: that is the management network, not the service's. Returns what
 * could not be matched, in words.
 */
export async function hostsOfRealServers(pool: SshPool | undefined, configs: HostConfig[], servers: ProbeRealServer[]): Promise<string[]> {
  const candidates = configs.filter((c) => c.role === 'real-server');
  const same = (a: string | undefined, b: string | undefined): boolean => a !== undefined && b !== undefined && normalizeAddress(a) === normalizeAddress(b);
  for (const s of servers) {
    if (s.host) continue;
    const c = candidates.find((h) => same(h.address, s.address) || h.realServer === s.name || same(h.realServer, s.address) || h.name === s.name);
    if (c) s.host = c.name;
  }
  const unmatched = candidates.filter((c) => !servers.some((s) => s.host === c.name));
  const problems: string[] = [];
  if (pool && servers.some((s) => !s.host && s.address)) {
    await Promise.all(
      unmatched.map(async (c) => {
        try {
          const h = await pool.get(c.name);
          const r = await h.exec(['ip', '-o', 'addr', 'show'], { timeoutMs: 15000 });
          const own = new Set(parseIpAddr(r.stdout, 'ip -o addr').flatMap((i) => i.addresses.map((a) => normalizeAddress(a.address))));
          for (const s of servers) if (!s.host && s.address && own.has(normalizeAddress(s.address))) s.host = c.name;
        } catch (e) {
          problems.push(`${c.name}: could not read its addresses (${(e as Error).message})`);
        }
      }),
    );
  }
  for (const s of servers) if (!s.host && candidates.length) problems.push(`real server ${s.name}: no host of the hosts file is it (give "address" or "realServer")`);
  return problems;
}

export const probeCommand: CliCommand = {
  name: 'probe',
  usage: 'probe --service SPEC --from HOST|local [--count N] [--config FILE] [--hosts FILE] [--capture] [--load | --load-command CMD] [--json] [options]',
  summary: 'open N connections to a VIP and judge which real servers answered against the weights',
  options: [
    { name: 'service', value: 'SPEC', text: 'the virtual service to probe: TCP or UDP, with a port (required; forms below)' },
    { name: 'from', value: 'HOST|local', text: 'where the connections start: a host of --hosts / ~/.ssh/config, or local (this machine) (required)' },
    { name: 'count', value: 'N', text: 'how many connections (UDP: requests), 1-1000 (default 20)' },
    { name: 'config', value: 'FILE', text: 'keepalived.conf or ipvsadm rules: the service\'s scheduler, weights and persistence; repeatable' },
    { name: 'timeout', value: 'DURATION', text: 'how long each attempt may take, 100 ms to 10 s (default 2s)' },
    { name: 'interval', value: 'DURATION', text: 'pause between attempts, 0 to 5 s (default 50ms)' },
    { name: 'payload', value: 'TEXT', text: 'what to send (\\r and \\n understood; default: an HTTP request on web ports, else nothing for TCP)' },
    { name: 'scheduler', value: 'NAME', text: 'the scheduler to judge against (rr, wrr, lc, sh, mh...), instead of the config\'s' },
    { name: 'sched-flags', value: 'FLAGS', text: 'its flags, comma-separated (e.g. sh-port)' },
    { name: 'capture', text: 'capture on the real servers meanwhile, to see which one each connection reached' },
    { name: 'capture-dir', value: 'DIR', text: 'the folder --capture makes its capture folder (probe-XXXX) in (default: the temporary folder)' },
    { name: 'keep-capture', text: 'keep the --capture folder afterwards (its path is printed)' },
    { name: 'load', text: 'measure each real server\'s load (/proc/loadavg, lvs-kiss style) and suggest weights' },
    { name: 'load-command', value: 'CMD', text: 'measure the load with this shell command on each real server instead (implies --load)' },
    { name: 'json', text: 'the result as JSON instead of text' },
    ...sshOptionDocs,
  ],
  notes: [
    `SPEC: the forms capture takes (${SERVICE_FORMS}); the protocol is tcp when left out, and the port`,
    'may be left out with --config when the config has one TCP/UDP service on that VIP.',
    'Without --config the service is read from a director\'s live table (ipvsadm -Ln, hosts file role director);',
    'failing that the real servers are the hosts file\'s real servers, weight 1 each, and the output says so.',
    ...sshNotes,
  ],
  exitStatus: [
    [0, 'no finding at error level'],
    [1, 'a finding at error level (no attempt answered, a real server receiving but dead...)'],
    [2, 'usage or input error'],
  ],
  async run(args) {
    const p = parseCommandArgs(probeCommand, args);
    // Every argument checked before connecting.
    if (p.positionals.length) throw new Error(`unexpected argument "${p.positionals[0]}"`);
    const spec = optionValue(p, 'service');
    const from = optionValue(p, 'from');
    if (!spec) throw new Error('--service is required (e.g. --service tcp:192.0.2.10:80)');
    if (!from) throw new Error('--from is required: a host name from --hosts / ~/.ssh/config, or "local" for this machine');
    const target = parseServiceSpec(spec);
    if (target.protocol !== undefined && target.protocol !== 'tcp' && target.protocol !== 'udp') throw new Error(`--service "${spec}": only tcp or udp services can be probed`);
    const countText = optionValue(p, 'count') ?? '20';
    const count = Number(countText);
    if (!Number.isInteger(count) || count < 1 || count > 1000) throw new Error(`--count "${countText}" must be 1-1000`);
    const timeoutMs = durationOption(p, 'timeout', { minMs: 100, maxMs: 10000 });
    const intervalMs = durationOption(p, 'interval', { minMs: 0, maxMs: 5000 });
    const connectTimeoutMs = durationOption(p, 'connect-timeout', CONNECT_TIMEOUT);

    const configs = hostConfigsFromArgs(p);
    let settings: ProbeSettings | undefined;
    const configFiles = p.options.get('config') ?? [];
    const notes: string[] = [];
    if (configFiles.length) {
      const model = loadClusterModel(configFiles);
      const probeable = model.services.filter((s) => s.vip !== undefined && normalizeAddress(s.vip) === normalizeAddress(target.vip) && (s.protocol === 'tcp' || s.protocol === 'udp'));
      const matching = probeable.filter((s) => (target.protocol === undefined || s.protocol === target.protocol) && (target.port === undefined || s.port === target.port));
      // The protocol left out: TCP when the VIP has that port over both.
      const svc: VirtualService | undefined = matching.length > 1 && target.protocol === undefined ? matching.find((s) => s.protocol === 'tcp') : matching.length === 1 ? matching[0] : undefined;
      if (!svc) {
        const known = model.services.map(serviceKey).join(', ') || 'none';
        if (matching.length > 1) throw new Error(`--service "${spec}" matches ${matching.map(serviceKey).join(', ')} in ${configFiles.join(', ')}: give the port`);
        throw new Error(`no virtual service ${spec} in ${configFiles.join(', ')} (services: ${known})`);
      }
      settings = probeSettingsFromService(svc, undefined, configFiles.join(', '));
    } else if (target.port === undefined) {
      throw new Error(`--service "${spec}" must give the port (e.g. tcp:${target.vip.includes(':') ? `[${target.vip}]` : target.vip}:80), or --config the service is in`);
    }
    const protocol = settings?.protocol ?? target.protocol ?? 'tcp';
    const port = settings?.port ?? target.port!;
    const schedulerOpt = optionValue(p, 'scheduler');
    const flagsOpt = optionValue(p, 'sched-flags')?.split(',').filter(Boolean);
    const loadCommand = optionValue(p, 'load-command');
    const wantsLoad = p.flags.has('load') || loadCommand !== undefined;
    const capture = p.flags.has('capture');
    const directors = configs.filter((c) => c.role === 'director');
    const rsHosts = configs.filter((c) => c.role === 'real-server');
    // The pool also reads a director's live table (no --config) and which host each real server is.
    const needPool = from !== 'local' || capture || wantsLoad || (!settings && directors.length > 0) || rsHosts.length > 0;
    const pool = needPool ? cliPool(p, configs, p.flags.has('accept-new-host-keys'), false, connectTimeoutMs) : undefined;
    try {
      if (!settings) {
        // No config: the service as a director's live table has it, when one can be read.
        const why: string[] = [];
        for (const d of directors) {
          try {
            settings = await liveProbeSettings(await pool!.get(d.name), { vip: target.vip, port, protocol });
            if (settings) break;
            why.push(`${d.name} has no ${protocol}:${formatEndpoint(target.vip, port)} in its table`);
          } catch (e) {
            why.push((e as Error).message);
          }
        }
        if (!settings) {
          // Else the hosts file's real servers, weight 1 each: an assumption, and said so.
          settings = {
            vip: target.vip,
            port,
            protocol,
            realServers: rsHosts.map((c) => ({ name: c.realServer ?? c.name, address: c.address, port, weight: 1, host: c.name })),
            expectationSource: `assumed: scheduler wlc, weight 1 for each real server of the hosts file (no --config, and ${directors.length ? `the live table could not be read: ${why.join('; ')}` : 'no director in the hosts file to read the live table from'})`,
          };
        }
      }
      if (schedulerOpt) settings.scheduler = schedulerOpt;
      if (flagsOpt) settings.schedulerFlags = flagsOpt;
      if (schedulerOpt || flagsOpt) settings.expectationSource = `${settings.expectationSource ? `${settings.expectationSource}, ` : ''}with ${[schedulerOpt && `--scheduler ${schedulerOpt}`, flagsOpt && `--sched-flags ${flagsOpt.join(',')}`].filter(Boolean).join(' ')}`;
      notes.push(...(await hostsOfRealServers(pool, configs, settings.realServers)));
      const fromHost: RemoteHost = from === 'local' ? new LocalHost('local') : await pool!.get(from);
      const r = await probeVip({
        ...settings,
        from: fromHost,
        count,
        timeoutMs,
        intervalMs,
        payload: optionValue(p, 'payload')?.replace(/\\r/g, '\r').replace(/\\n/g, '\n'),
        capture: capture ? { source: pool!, keep: p.flags.has('keep-capture'), outDir: optionValue(p, 'capture-dir') } : undefined,
        load: wantsLoad ? { source: pool!, argv: loadCommand ? ['sh', '-c', loadCommand] : DEFAULT_LOAD_COMMAND } : undefined,
        log: (m) => {
          if (!p.flags.has('json')) process.stderr.write(`${m}\n`);
        },
        checkCommand: '`lvs-trace check`',
      });
      r.notes.push(...notes);
      process.stdout.write(p.flags.has('json') ? `${JSON.stringify(r, null, 2)}\n` : `${formatProbeResult(r)}${r.findings.map((f) => `${formatFinding(f)}\n`).join('')}`);
      return r.findings.some((f) => f.severity === 'error') ? 1 : 0;
    } finally {
      await pool?.closeAll();
    }
  },
};
