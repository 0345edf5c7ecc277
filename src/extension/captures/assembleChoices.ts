// What "LVS: Assemble Capture from pcap Files…" offers before the core assembles the folder
// (core/capture/assemble.ts): the pcaps to choose from, the host and role prefilled for each
// file, where the folder goes by default, and what is wrong with a destination typed in. No
// `vscode` import.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HOST_ROLES, hostNameProblem, inferRole, interfaceProblem, pointFromFileName, type AssembleInput } from '../../core/capture/assemble';
import type { HostRole } from '../../core/capture/manifest';
import { outFolderBefore } from '../../core/capture/outFolder';
import { parseServiceSpec } from '../../core/capture/plan';
import { serviceKey } from '../../core/model/cluster';
import { normalizeAddress } from '../../core/state/endpoint';

const ROLE_TEXT: Record<HostRole, string> = {
  director: 'the LVS director (ipvsadm / keepalived)',
  'real-server': 'a real server behind the director',
  client: 'a client of the virtual service',
  router: 'a router on the path',
  other: 'any other host',
};

const PCAP_RE = /\.(?:pcap|pcapng|cap)$/i;

/** A pcap offered in the list of a folder's pcaps. */
export interface PcapChoice {
  file: string;
  /** Its name. */
  label: string;
  /** Its size, e.g. `12 KB`. */
  description: string;
  picked: boolean;
}

/** The pcap files directly in `dir`, by name (rs2 before rs10). */
export function pcapsIn(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => PCAP_RE.test(n))
    .map((n) => path.join(dir, n))
    .filter((f) => {
      try {
        return fs.statSync(f).isFile();
      } catch {
        return false;
      }
    })
    .sort((a, b) => path.basename(a).localeCompare(path.basename(b), 'en', { numeric: true }));
}

function sizeText(file: string): string {
  let bytes = 0;
  try {
    bytes = fs.statSync(file).size;
  } catch {
    // listed a moment ago: gone since
  }
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${Math.round(bytes / 1024)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * The pcaps to assemble from what the file dialog gave. Several files: those. One file with
 * other pcaps beside it: the folder's pcaps to choose from, that one checked. The file dialog
 * of VS Code in a browser or a remote window (the "simple" one, a path typed in a box) picks
 * one file only, however many the command allows; the native one can pick several.
 */
export function pcapSelection(selected: readonly string[]): { files: string[] } | { folder: string; choices: PcapChoice[] } {
  const files = [...new Set(selected)];
  if (files.length !== 1) return { files };
  const folder = path.dirname(files[0]);
  const beside = pcapsIn(folder);
  if (!beside.some((f) => f !== files[0])) return { files };
  if (!beside.includes(files[0])) beside.unshift(files[0]); // not named .pcap: still the one chosen
  return { folder, choices: beside.map((file) => ({ file, label: path.basename(file), description: sizeText(file), picked: file === files[0] })) };
}

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
  label: string;
  description: string;
  /** Undefined: the row that commits nothing ("Choose the role of HOST (FILE)"): accepted, the
   *  role is asked again. */
  role?: HostRole;
}

/** Words of a host or file name that make a role likely (not certain: nothing in the config or
 *  the hosts file says so). Whole words only: `rs1`, `web-02`, `lb_a`, `backend3`. */
const ROLE_WORDS: Readonly<Record<HostRole, readonly string[]>> = {
  director: ['lb', 'lvs', 'director', 'dir', 'ipvs', 'balancer', 'loadbalancer'],
  'real-server': ['rs', 'real', 'realserver', 'web', 'webserver', 'www', 'backend'],
  client: ['client', 'cli'],
  router: ['router', 'rtr', 'gw', 'gateway'],
  other: [],
};

/** The roles the words of one name make likely, in the order of its words. */
function rolesNamed(name: string): Array<{ role: HostRole; word: string }> {
  const out: Array<{ role: HostRole; word: string }> = [];
  for (const word of name.toLowerCase().split(/[^a-z]+/)) {
    const role = HOST_ROLES.find((r) => ROLE_WORDS[r].includes(word));
    if (role && !out.some((o) => o.role === role)) out.push({ role, word });
  }
  return out;
}

/**
 * The role a host's name (else its file's name) makes likely: `rs1` a real server, `lb2` a
 * director. Undefined when its name says nothing, or says two things (`lb-client`); the file's
 * name is read only when the host's says nothing (the host typed may have replaced it).
 */
export function roleFromName(host: string, file?: string): { role: HostRole; word: string; of: 'host' | 'file' } | undefined {
  const byHost = rolesNamed(host);
  if (byHost.length) return byHost.length === 1 ? { ...byHost[0], of: 'host' } : undefined;
  const byFile = file ? rolesNamed(path.basename(file).replace(PCAP_RE, '')) : [];
  return byFile.length === 1 ? { ...byFile[0], of: 'file' } : undefined;
}

/**
 * The roles to pick from and the row the picker starts on (what Enter takes). Told by the hosts
 * file or the config (`inferred`): that role, first, saying why. Else made likely by the host's
 * or the file's name: that role first. Else nothing tells: first a row that commits nothing
 * ("Choose the role of HOST (FILE)"), so that Enter pressed out of habit makes the host no
 * director; the roles follow.
 */
export function roleItems(host: string, ctx: Pick<AssembleInput, 'config' | 'hosts'>, file?: string): { items: RoleItem[]; inferred?: RoleItem; active: RoleItem } {
  const guess = inferRole(host, ctx);
  const likely = guess ? undefined : roleFromName(host, file);
  const why = (role: HostRole): string | undefined =>
    guess?.role === role ? `inferred: ${guess.why}` : likely?.role === role ? `likely: ${likely.of === 'host' ? 'its' : 'the file\'s'} name says "${likely.word}"` : undefined;
  const items: RoleItem[] = HOST_ROLES.map((role) => ({ label: role, description: why(role) ? `${ROLE_TEXT[role]} — ${why(role)}` : ROLE_TEXT[role], role }));
  const first = items.find((i) => i.role === (guess ?? likely)?.role);
  if (first) return { items: [first, ...items.filter((i) => i !== first)], inferred: guess ? first : undefined, active: first };
  const choose: RoleItem = {
    label: `Choose the role of ${host}${file ? ` (${path.basename(file)})` : ''}`,
    description: 'nothing tells it: ↓ to its role and Enter, or type the role',
  };
  return { items: [choose, ...items], active: choose };
}

/** What accepting a row of the role picker does: the role, or (the row that commits nothing,
 *  or no row) the picker stays, its placeholder saying what to do. */
export function roleAccepted(item: RoleItem | undefined, host: string): { role: HostRole } | { again: string } {
  return item?.role ? { role: item.role } : { again: `What is ${host}? Pick one of the roles below (↓ then Enter), or type it` };
}

export interface RealServerItem {
  label: string;
  description: string;
  /** The config's name of the real server (undefined: not known). */
  realServer?: string;
}

const same = (a: string | undefined, b: string | undefined): boolean => !!a && !!b && normalizeAddress(a.trim().toLowerCase()) === normalizeAddress(b.trim().toLowerCase());

/**
 * Which of the config's real servers a real server's pcap was taken on, when its host names
 * none (`rs2` for `real_server 192.0.2.12`): without it the analysis cannot tell whose packets
 * they are. "Not known" first (Enter keeps the pcap untied, as before), then the real servers of
 * the service's VIP (every service's when it is to be guessed) that no other file was tied to
 * (`taken`). Empty: nothing to ask (the host or the hosts file names one, or the config has none).
 */
export function realServerItems(host: string, ctx: Pick<AssembleInput, 'config' | 'hosts'>, opts: { service?: string; taken?: readonly string[] } = {}): RealServerItem[] {
  const services = ctx.config?.model.services ?? [];
  let vip: string | undefined;
  try {
    vip = opts.service ? parseServiceSpec(opts.service).vip : undefined;
  } catch {
    // fwm:N, or no VIP: every service's
  }
  const ofVip = vip ? services.filter((s) => same(s.vip, vip)) : [];
  const known = ctx.hosts?.find((h) => same(h.name, host));
  const ids = [host, known?.address, known?.realServer];
  const all = (ofVip.length ? ofVip : services).flatMap((s) => s.realServers.map((r) => ({ r, s })));
  if (!all.length || all.some(({ r }) => ids.some((id) => same(id, r.name) || same(id, r.address)))) return [];
  const byName = new Map<string, { address: string; of: string[] }>();
  for (const { r, s } of all) {
    const e = byName.get(r.name) ?? { address: r.address, of: [] };
    const where = serviceKey(s);
    if (!e.of.includes(where)) e.of.push(where);
    byName.set(r.name, e);
  }
  const free = [...byName].filter(([name]) => !opts.taken?.some((t) => same(t, name)));
  if (!free.length) return [];
  return [
    { label: 'Not known', description: 'its packets are analysed without knowing which real server it is' },
    ...free.map(([name, e]) => ({ label: name, description: `${name === e.address ? '' : `${e.address}, `}real server of ${e.of.join(', ')}`, realServer: name })),
  ];
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
