// `lvs-trace assemble --out DIR [--config FILE] [--service SPEC] [--method dr|nat|tun] POINT...`:
// a capture folder from pcaps taken by hand (tcpdump on the director and each real server),
// so `lvs-trace analyze DIR` follows their connections across hosts as for a capture this
// tool took. The work is the core's (core/capture/assemble.ts); this file parses POINTs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { optionValue } from '../args';
import { parseCommandArgs, type CliCommand } from '../command';
import { AssembleError, assembleCapture, HOST_ROLES, type AssembleResult, loadAssembleConfig, type AssemblePoint, type KnownHost } from '../../core/capture/assemble';
import { loadHostsFile } from '../../core/ssh';
import { SERVICE_FORMS } from './capture';
import { escapeForTerminal } from './lint';

/**
 * One POINT argument: `ROLE:HOST=FILE`, `HOST=FILE`, `ROLE:FILE` or `FILE`; HOST may end in
 * `@IFACE`. A left side with a slash or a space is no HOST: the whole argument is then a file.
 */
export function parsePointArg(arg: string): AssemblePoint {
  const m = /^(?:([A-Za-z][A-Za-z-]*):)?([^=@/\\\s]+?)(?:@([^=/\\\s]+))?=(.+)$/.exec(arg);
  if (m) {
    const [, role, host, iface, file] = m;
    return { file, host, given: arg, ...(role !== undefined ? { role } : {}), ...(iface !== undefined ? { interface: iface } : {}) };
  }
  const r = /^([a-z-]+):(.+)$/.exec(arg);
  if (r && (HOST_ROLES as readonly string[]).includes(r[1]) && !fs.existsSync(arg)) return { file: r[2], role: r[1], given: arg };
  return { file: arg, given: arg };
}

/** A folder as the user may paste it into a shell. */
function shellWord(s: string): string {
  return /^[\w./@%+=:,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export const assembleCommand: CliCommand = {
  name: 'assemble',
  usage: 'assemble --out DIR [--config FILE] [--service SPEC] [--method dr|nat|tun] [--hosts FILE] POINT...',
  summary: 'make a capture folder from pcaps taken by hand (tcpdump on the director and real servers)',
  args: [
    ['POINT...', 'a pcap/pcapng file and the host it was taken on: ROLE:HOST=FILE, HOST=FILE, ROLE:FILE or FILE'],
  ],
  options: [
    { name: 'out', value: 'DIR', text: 'the capture folder to write: new, or empty (required)' },
    { name: 'config', value: 'FILE', text: 'keepalived.conf or ipvsadm rules: the services, their method and real servers (copied in)' },
    { name: 'service', value: 'SPEC', text: 'the virtual service the pcaps are about (default: guessed from the director\'s pcap)' },
    { name: 'method', value: 'dr|nat|tun', text: 'forwarding method when no --config gives it' },
    { name: 'hosts', value: 'FILE', text: 'hosts file (as capture reads it): each host\'s role and cluster address' },
  ],
  notes: [
    `ROLE: ${HOST_ROLES.join(', ')}. Without one, it is inferred where that is safe: a host of the hosts file with a role, a host whose name or address is a real server (or a director: router_id, unicast_src_ip, unicast_peer) of --config, a host called director, client or router; any other host needs its ROLE.`,
    'HOST: default the file name without its extension; a trailing interface name is the interface (rs1-eth0.pcap: host rs1, interface eth0). HOST@IFACE gives the interface; else a Linux cooked capture (tcpdump -i any) is `any`, anything else `unknown`. A host may appear once per interface.',
    `SPEC: ${SERVICE_FORMS}; with --config, one of its services (or its VIP). Without --service, the service is the VIP of the config the director's pcap talks to, else the address most of its connections open to.`,
    'The pcaps are hard-linked into DIR/pcap (copied when on another file system), never modified; capture.json says they were taken by hand. A real server whose host matches no real server of --config is a warning: name it by its address (192.0.2.11=rs1.pcap) or give --hosts to tie it.',
  ],
  exitStatus: [
    [0, 'the capture folder is written (warnings, if any, on stderr); analyse it with lvs-trace analyze DIR'],
    [2, 'usage or input error (a file missing or not a pcap, a duplicate host, a role that cannot be told...): every problem is named and nothing is written'],
  ],
  async run(args) {
    const p = parseCommandArgs(assembleCommand, args);
    const out = optionValue(p, 'out');
    if (!out) throw new Error('--out DIR is required (the capture folder to write)');
    if (!p.positionals.length) throw new Error('no pcap file given: lvs-trace assemble --out DIR [ROLE:]HOST=FILE...');
    const configFile = optionValue(p, 'config');
    const hostsFile = optionValue(p, 'hosts');
    const hosts: KnownHost[] | undefined = hostsFile ? loadHostsFile(hostsFile).map((h) => ({ name: h.name, role: h.role, address: h.address, realServer: h.realServer })) : undefined;
    const input = {
      outDir: out,
      outLabel: '--out',
      points: p.positionals.map(parsePointArg),
      config: configFile ? loadAssembleConfig(configFile) : undefined,
      service: optionValue(p, 'service'),
      method: optionValue(p, 'method'),
      hosts,
    };
    let result: AssembleResult;
    try {
      result = assembleCapture(input);
    } catch (e) {
      // Where the core asks for a role, say how it is written here.
      if (e instanceof AssembleError && e.problems.some((m) => m.includes('give its role')))
        throw new Error(`${e.message}\n  (a role is given as ROLE:HOST=FILE or ROLE:FILE, e.g. real-server:rs1=rs1-eth0.pcap)`);
      throw e;
    }
    const { manifest } = result;
    for (const [i, f] of result.files.entries()) {
      const pt = manifest.points[i];
      const what = [pt.role, pt.realServer && pt.realServer !== pt.host ? `real server ${pt.realServer}` : undefined].filter(Boolean).join(', ');
      process.stdout.write(escapeForTerminal(`${pt.host} ${pt.interface} (${what}): ${f.source} -> ${path.join(out, f.file)}${f.how === 'linked' ? ' (hard link)' : ' (copy)'}`) + '\n');
    }
    for (const w of result.warnings) process.stderr.write(`warning: ${escapeForTerminal(w)}\n`);
    const t = manifest.target;
    const service = `${t.protocol ?? 'any'} ${t.vip}:${t.port ?? '*'}`;
    const methods = [...new Set(manifest.services.map((s) => s.method))].join('/') || 'method unknown';
    process.stdout.write(escapeForTerminal(`capture folder: ${out} (service ${service}, ${methods}${manifest.config ? `, config ${manifest.config}` : ''})`) + '\n');
    process.stdout.write(`next: lvs-trace analyze ${escapeForTerminal(shellWord(out))}\n`);
    return 0;
  },
};
