// `lvs-trace check`: read the live state of every director and real server over
// SSH (read-only commands only) and judge it against the config. Hosts and their
// roles come from a hosts file (--hosts) and/or `--host NAME=ROLE` via ~/.ssh/config.
// Exit status 1 when an error finding is reported.

import { parseCommandArgs, type CliCommand } from '../command';
import { checkCluster, type CheckHost, type CheckResult } from '../../core/check';
import { CHECK_FINDING_CODES } from '../../core/check/codes';
import { loadClusterModel } from '../../core/config';
import type { Finding } from '../../core/findings/finding';
import { commandLine } from '../../core/ssh';
import { CONNECT_TIMEOUT, cliPool, durationOption, hostConfigsFromArgs, sshNotes, sshOptionDocs } from '../sshArgs';

export function formatFinding(f: Finding): string {
  const lines = [`${f.severity.padEnd(7)} ${f.code}: ${f.message}`];
  if (f.location) lines.push(`        at ${f.location.file}:${f.location.line}`);
  for (const e of f.evidence) lines.push(`        [${e.host}] ${e.text}`);
  if (f.advice) lines.push(`        advice: ${f.advice}`);
  if (f.fix) lines.push(`        quick fix on ${f.fix.host}: ${f.fix.sudo ? 'sudo ' : ''}${commandLine(f.fix.argv)}`);
  return lines.join('\n');
}

function formatResult(r: CheckResult): string {
  const out: string[] = [];
  for (const h of r.hosts) {
    const bits = [h.reachable ? 'reachable' : 'UNREACHABLE'];
    if (h.ipvs) bits.push(`IPVS ${h.ipvs}${h.liveServices !== undefined ? ` (${h.liveServices} services)` : ''}`);
    if (h.vips.length) bits.push(`VIP ${h.vips.join(', ')}`);
    if (h.vrrp?.length) bits.push(`VRRP ${h.vrrp.join(', ')}`);
    if (h.realServers?.length) bits.push(`real server ${h.realServers.join('; ')}`);
    out.push(`${h.role === 'director' ? 'director   ' : 'real-server'} ${h.name}: ${bits.join(', ')}`);
    for (const n of h.notes) out.push(`            note: ${n}`);
  }
  if (r.modelFromLiveTable) out.push('no --config: the services were taken from the director\'s live table (no drift check)');
  out.push('');
  if (r.findings.length === 0) out.push('no findings');
  for (const f of r.findings) out.push(formatFinding(f));
  const count = (s: string): number => r.findings.filter((f) => f.severity === s).length;
  const partial = r.findings.filter((f) => f.code === 'check-source-unreadable').map((f) => f.evidence[0]?.host);
  out.push('', `${count('error')} errors, ${count('warning')} warnings, ${count('info')} notes${partial.length ? `; some checks could not run on ${partial.join(', ')} (check-source-unreadable)` : ''}`);
  return `${out.join('\n')}\n`;
}

export const checkCommand: CliCommand = {
  name: 'check',
  usage: 'check [--config keepalived.conf] [--hosts hosts.json] [--host NAME=ROLE...] [--ignore CODE...] [--json] [options]',
  summary: 'read directors and real servers over SSH (read-only) and report misconfigurations',
  options: [
    { name: 'config', value: 'FILE', text: 'keepalived.conf or ipvsadm rules to judge the live state against; repeatable (default: the live IPVS table)' },
    { name: 'ignore', value: 'CODE', text: 'leave out the findings with this code (e.g. check-rp-filter); repeatable' },
    { name: 'timeout', value: 'DURATION', text: 'how long each command on a host may take, 1 ms to 24 h (default 15s)' },
    { name: 'json', text: 'the hosts and findings as JSON instead of text' },
    ...sshOptionDocs,
  ],
  notes: ['Only the hosts with role director or real-server are read.', ...sshNotes],
  exitStatus: [
    [0, 'no finding at error level'],
    [1, 'a finding at error level (an unreachable host is one)'],
    [2, 'usage or input error'],
  ],
  async run(args) {
    const p = parseCommandArgs(checkCommand, args);
    // Every argument checked before connecting.
    if (p.positionals.length) throw new Error(`unexpected argument "${p.positionals[0]}"`);
    const timeoutMs = durationOption(p, 'timeout');
    const connectTimeoutMs = durationOption(p, 'connect-timeout', CONNECT_TIMEOUT);
    const ignore = p.options.get('ignore') ?? [];
    for (const code of ignore.filter((c) => !CHECK_FINDING_CODES.includes(c)))
      process.stderr.write(`warning: --ignore "${code}" is not a finding code of check (they start with check-; see docs/findings)\n`);
    const configs = hostConfigsFromArgs(p).filter((c) => c.role === 'director' || c.role === 'real-server');
    if (configs.length === 0) throw new Error('no director or real server: give --hosts FILE (with "role") and/or --host NAME=director|real-server');
    const configFiles = p.options.get('config') ?? [];
    const model = configFiles.length ? loadClusterModel(configFiles) : undefined;
    const pool = cliPool(p, configs, p.flags.has('accept-new-host-keys'), false, connectTimeoutMs);
    try {
      // Connect to every host at once; one that cannot be reached becomes a finding.
      const hosts = new Map<string, CheckHost>();
      await Promise.all(
        configs.map(async (c) => {
          const role = c.role as 'director' | 'real-server';
          try {
            hosts.set(c.name, { role, realServer: c.realServer ?? c.address, host: await pool.get(c.name) });
          } catch (e) {
            const message = (e as Error).message;
            hosts.set(c.name, { role, host: { name: c.name, exec: async () => Promise.reject(new Error(message)), download: async () => {}, close: async () => {} } });
          }
        }),
      );
      const ordered = new Map(configs.map((c) => [c.name, hosts.get(c.name)!]));
      const r = await checkCluster({ model, hosts: ordered, timeoutMs, ignore });
      process.stdout.write(p.flags.has('json') ? `${JSON.stringify(r, null, 2)}\n` : formatResult(r));
      return r.findings.some((f) => f.severity === 'error') ? 1 : 0;
    } finally {
      await pool.closeAll();
    }
  },
};
