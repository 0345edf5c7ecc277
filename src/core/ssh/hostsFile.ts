// The small hosts file: how to reach each host and what it is in the cluster.
// Either a JSON array of hosts or `{ "hosts": [...] }` / `{ "hosts": { name: {...} } }`:
//   { "name": "rs1", "host": "10.0.0.11", "port": 22, "user": "lvs",
//     "identityFile": "~/.ssh/id_ed25519", "proxyJump": "director",
//     "role": "real-server", "address": "192.0.2.11" }
// Secrets never go in this file: passwords come from the caller's getSecret.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { HostRole } from '../capture/manifest';
import { plainFileError } from '../fileErrors';
import type { HostConfig } from './hostConfig';

const roles: HostRole[] = ['director', 'real-server', 'client', 'router', 'other'];

export function parseHostsFile(text: string, file = 'hosts.json'): HostConfig[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  let list: unknown[];
  if (Array.isArray(raw)) list = raw;
  else if (raw && typeof raw === 'object' && 'hosts' in raw) {
    const h = (raw as { hosts: unknown }).hosts;
    if (Array.isArray(h)) list = h;
    else if (h && typeof h === 'object')
      list = Object.entries(h as Record<string, object>).map(([name, v]) => ({ name, ...v }));
    else throw new Error(`${file}: "hosts" must be an array or an object`);
  } else throw new Error(`${file}: expected an array of hosts or an object with "hosts"`);
  const seen = new Set<string>();
  const home = os.homedir();
  const dir = path.dirname(file);
  return list.map((item, i) => {
    const where = `${file}: hosts[${i}]`;
    if (!item || typeof item !== 'object') throw new Error(`${where} must be an object`);
    const o = item as Record<string, unknown>;
    const str = (k: string): string | undefined => {
      const v = o[k];
      if (v === undefined || v === null) return undefined;
      if (typeof v !== 'string' || !v) throw new Error(`${where}.${k} must be a non-empty string`);
      return v;
    };
    if ('password' in o || 'passphrase' in o)
      throw new Error(`${where}: passwords do not belong in the hosts file; they are asked for when needed`);
    const name = str('name');
    if (!name) throw new Error(`${where}.name is missing`);
    if (seen.has(name)) throw new Error(`${where}: host name "${name}" appears twice`);
    seen.add(name);
    const cfg: HostConfig = { name, host: str('host') ?? str('hostname') ?? str('mgmtAddress') ?? name };
    if (o.port !== undefined) {
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${where}.port must be 1-65535`);
      cfg.port = port;
    }
    const user = str('user');
    if (user) cfg.user = user;
    const expand = (p: string): string =>
      p.startsWith('~/') ? path.join(home, p.slice(2)) : path.isAbsolute(p) ? p : path.resolve(dir, p);
    const ids: string[] = [];
    const one = str('identityFile');
    if (one) ids.push(expand(one));
    if (o.identityFiles !== undefined) {
      if (!Array.isArray(o.identityFiles) || o.identityFiles.some((x) => typeof x !== 'string'))
        throw new Error(`${where}.identityFiles must be an array of paths`);
      ids.push(...(o.identityFiles as string[]).map(expand));
    }
    if (ids.length) cfg.identityFiles = ids;
    const jump = str('proxyJump') ?? str('jump');
    if (jump) cfg.proxyJump = jump;
    if (o.role !== undefined) {
      if (!roles.includes(o.role as HostRole)) throw new Error(`${where}.role must be one of ${roles.join(', ')}`);
      cfg.role = o.role as HostRole;
    }
    const address = str('address') ?? str('lanAddress');
    if (address) cfg.address = address;
    const rs = str('realServer');
    if (rs) cfg.realServer = rs;
    if (o.agent !== undefined) {
      if (typeof o.agent !== 'boolean' && typeof o.agent !== 'string')
        throw new Error(`${where}.agent must be true, false or a socket path`);
      cfg.agent = o.agent;
    }
    if (o.local === true) cfg.local = true;
    return cfg;
  });
}

export function loadHostsFile(file: string): HostConfig[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read hosts file ${file}: ${plainFileError(e)}`);
  }
  return parseHostsFile(text, file);
}
