// The hosts a capture, check or probe can use: the workspace's hosts file (setting
// lvs.hostsFile, the same JSON the capture CLI reads) or, without one, the concrete
// Host entries of ~/.ssh/config (connection details are then resolved by the SSH core).
// A hosts file lists the cluster's hosts on purpose; an ssh_config lists every host
// the user reaches (github.com, ...): those get a role only when the workspace config
// names them, and are used only when the user picks them. No `vscode` import.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { HostRole } from '../../core/capture/manifest';
import type { ClusterModel } from '../../core/model/cluster';
import { loadHostsFile, resolveFromSshConfig, type HostConfig } from '../../core/ssh';

export interface HostChoice {
  name: string;
  /** Undefined: an ssh_config host the workspace config does not name (not preselected, not checked unasked). */
  role?: HostRole;
  address?: string;
  realServer?: string;
  /** Full settings when they came from the hosts file. */
  config?: HostConfig;
}

/** What the keepalived configs say the directors are (see workspaceFiles.ts). */
export interface ConfigDirectors {
  names: string[];
  addresses: string[];
}

/** Names of the `Host` entries of an ssh_config that name one host (no wildcards). */
export function sshConfigHostNames(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const names: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*Host\s+(.+)$/i.exec(line);
    if (!m) continue;
    for (const n of m[1].split(/\s+/)) if (n && !/[*?!]/.test(n) && !names.includes(n)) names.push(n);
  }
  return names;
}

/** Role of a host of the hosts file: as the file says, else a real server when its address is one, else a director. */
export function inferRole(h: { name: string; role?: HostRole; address?: string; realServer?: string }, model: ClusterModel): HostRole {
  if (h.role) return h.role;
  const rs = model.services.flatMap((s) => s.realServers);
  if (h.realServer || rs.some((r) => r.name === h.name || (h.address && r.address === h.address))) return 'real-server';
  return 'director';
}

/**
 * An ssh_config host as the workspace config knows it (`hostName`: its HostName): a
 * real server whose name or address it is, a director whose router_id, unicast_src_ip
 * or unicast_peer it is; otherwise no role.
 */
export function sshHostChoice(name: string, hostName: string | undefined, model: ClusterModel, directors: ConfigDirectors): HostChoice {
  const ids = [name, hostName].filter((x): x is string => !!x).map((x) => x.toLowerCase());
  const is = (x: string | undefined): boolean => !!x && ids.includes(x.toLowerCase());
  const rs = model.services.flatMap((s) => s.realServers).find((r) => is(r.name) || is(r.address));
  if (rs) return { name, role: 'real-server', address: rs.address, realServer: rs.name };
  const peers = model.vrrpInstances.flatMap((v) => v.unicastPeers);
  const address = [...directors.addresses, ...peers].find(is);
  if (address || directors.names.some(is)) return address ? { name, role: 'director', address } : { name, role: 'director' };
  return { name };
}

export interface HostChoices {
  hosts: HostChoice[];
  /** The file they came from. */
  from: string;
  /** From a hosts file (every host meant for the cluster), else from an ssh_config. */
  fromHostsFile: boolean;
}

export function loadHostChoices(model: ClusterModel, hostsFile?: string, sshConfig?: string, directors: ConfigDirectors = { names: [], addresses: [] }): HostChoices {
  if (hostsFile) {
    const configs = loadHostsFile(hostsFile);
    return {
      from: hostsFile,
      fromHostsFile: true,
      hosts: configs.map((c) => ({ name: c.name, role: inferRole(c, model), address: c.address, realServer: c.realServer, config: c })),
    };
  }
  const file = sshConfig ?? path.join(os.homedir(), '.ssh', 'config');
  const hostName = (name: string): string | undefined => {
    try {
      return resolveFromSshConfig(name, file).host;
    } catch {
      return undefined;
    }
  };
  return { from: file, fromHostsFile: false, hosts: sshConfigHostNames(file).map((name) => sshHostChoice(name, hostName(name), model, directors)) };
}

/** loadHostChoices, or the message to show when the hosts file (setting lvs.hostsFile) cannot be read or parsed: it names the file. */
export function tryLoadHostChoices(...args: Parameters<typeof loadHostChoices>): HostChoices | { error: string } {
  try {
    return loadHostChoices(...args);
  } catch (e) {
    const file = args[1] ?? args[2] ?? '';
    const message = (e as Error).message;
    return { error: `Cannot use the hosts file ${file} (setting lvs.hostsFile): ${message.startsWith(`${file}: `) ? message.slice(file.length + 2) : message}` };
  }
}

/** The role a host is used in once picked: its own, else (picked by the user although the config does not name it) a director. */
export function roleOf(h: HostChoice): HostRole {
  return h.role ?? 'director';
}

/** A host in a pick list: preselected only when the config (or the hosts file) gives it a role. */
export function hostPickItem(h: HostChoice, verb: 'captured' | 'checked'): { label: string; description: string; picked: boolean; host: HostChoice } {
  const role = h.role ?? `not in the workspace config: ${verb} as a director if picked`;
  return { label: h.name, description: `${role}${h.address ? ' · ' + h.address : ''}`, picked: h.role !== undefined, host: h };
}

/**
 * The hosts Check Cluster reads: from a hosts file, its directors and real servers;
 * from an ssh_config, the user picks (the ones the config names preselected).
 */
export function checkCandidates(choices: HostChoices): { ask: boolean; hosts: HostChoice[] } {
  if (choices.fromHostsFile) return { ask: false, hosts: choices.hosts.filter((h) => h.role === 'director' || h.role === 'real-server') };
  return { ask: true, hosts: choices.hosts.filter((h) => h.role === undefined || h.role === 'director' || h.role === 'real-server') };
}
