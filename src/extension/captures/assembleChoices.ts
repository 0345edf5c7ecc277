// What "LVS: Assemble Capture from pcap Files…" offers before the core assembles the folder
// (core/capture/assemble.ts): the host and role prefilled for each file, where the folder goes
// by default, and what is wrong with a destination typed in. No `vscode` import.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HOST_ROLES, hostNameProblem, inferRole, interfaceProblem, pointFromFileName, type AssembleInput } from '../../core/capture/assemble';
import type { HostRole } from '../../core/capture/manifest';
import { outFolderBefore } from '../../core/capture/outFolder';

const ROLE_TEXT: Record<HostRole, string> = {
  director: 'the LVS director (ipvsadm / keepalived)',
  'real-server': 'a real server behind the director',
  client: 'a client of the virtual service',
  router: 'a router on the path',
  other: 'any other host',
};

/** The host box's first value: the host from the file name (`rs1-eth0.pcap` -> rs1@eth0 when
 *  it names the interface too). */
export function hostPrefill(file: string): string {
  const p = pointFromFileName(file);
  return p.interface ? `${p.host}@${p.interface}` : p.host;
}

/** `HOST` or `HOST@IFACE` as typed: the host and interface, or what is wrong with it. */
export function parseHostInput(text: string): { host: string; interface?: string } | { problem: string } {
  const [host, iface, more] = text.trim().split('@');
  if (more !== undefined) return { problem: 'one @ at most: HOST or HOST@INTERFACE' };
  const problem = hostNameProblem(host) ?? (iface !== undefined ? interfaceProblem(iface) : undefined);
  if (problem) return { problem };
  return iface !== undefined ? { host, interface: iface } : { host };
}

export interface RoleItem {
  label: HostRole;
  description: string;
  role: HostRole;
}

/** The roles to pick from, the inferred one first (and said why); `inferred`: undefined when
 *  nothing tells. */
export function roleItems(host: string, ctx: Pick<AssembleInput, 'config' | 'hosts'>): { items: RoleItem[]; inferred?: RoleItem } {
  const guess = inferRole(host, ctx);
  const items = HOST_ROLES.map((role) => ({ label: role, description: guess?.role === role ? `${ROLE_TEXT[role]} — inferred: ${guess.why}` : ROLE_TEXT[role], role }));
  const inferred = items.find((i) => i.role === guess?.role);
  return { items: inferred ? [inferred, ...items.filter((i) => i !== inferred)] : items, inferred };
}

/** `20261125-150102`, as capture folders are named. */
function stamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

/**
 * Where the folder goes unless the user says otherwise: a new folder under the workspace's
 * captures folder (`capturesDir`, listed in the LVS view), else beside the first pcap.
 */
export function defaultAssembleFolder(firstPcap: string, capturesDir: string | undefined, now = new Date()): string {
  const base = path.join(capturesDir ?? path.dirname(firstPcap), `${stamp(now)}-assembled`);
  let dir = base;
  for (let n = 2; destinationProblem(dir) !== undefined && n < 100; n++) dir = `${base}-${n}`;
  return dir;
}

/** Why a destination cannot be used (undefined: it is new, or an empty folder). */
export function destinationProblem(dir: string): string | undefined {
  if (!dir.trim()) return 'give the folder to write the capture into';
  if (!path.isAbsolute(dir)) return 'give a full path';
  try {
    outFolderBefore(dir, 'The folder');
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Keeps the workspace's captures out of git (`.lvs/.gitignore`), as Capture VIP Traffic does. */
export function ignoreCaptures(workspaceRoot: string): void {
  const ignore = path.join(workspaceRoot, '.lvs', '.gitignore');
  if (!fs.existsSync(ignore)) fs.writeFileSync(ignore, '# Captures hold packet data: keep them out of git.\n*\n');
}
