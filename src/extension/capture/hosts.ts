// The hosts a capture can use: the workspace's hosts file (setting lvs.hostsFile,
// the same JSON the capture CLI reads) or, without one, the concrete Host entries
// of ~/.ssh/config (connection details are then resolved by the SSH core).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { HostRole } from '../../core/capture/manifest';
import type { ClusterModel } from '../../core/model/cluster';
import { loadHostsFile, type HostConfig } from '../../core/ssh';

export interface HostChoice {
  name: string;
  role: HostRole;
  address?: string;
  realServer?: string;
  /** Full settings when they came from the hosts file. */
  config?: HostConfig;
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

/** Role of a host: as the hosts file says, else a real server when its address is one, else a director. */
export function inferRole(h: { name: string; role?: HostRole; address?: string; realServer?: string }, model: ClusterModel): HostRole {
  if (h.role) return h.role;
  const rs = model.services.flatMap((s) => s.realServers);
  if (h.realServer || rs.some((r) => r.name === h.name || (h.address && r.address === h.address))) return 'real-server';
  return 'director';
}

export function loadHostChoices(model: ClusterModel, hostsFile?: string, sshConfig?: string): { hosts: HostChoice[]; from: string } {
  if (hostsFile) {
    const configs = loadHostsFile(hostsFile);
    return {
      from: hostsFile,
      hosts: configs.map((c) => ({ name: c.name, role: inferRole(c, model), address: c.address, realServer: c.realServer, config: c })),
    };
  }
  const file = sshConfig ?? path.join(os.homedir(), '.ssh', 'config');
  return { from: file, hosts: sshConfigHostNames(file).map((name) => ({ name, role: inferRole({ name }, model) })) };
}
