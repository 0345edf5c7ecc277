// A small ssh_config(5) reader for what we need: Host blocks with * ? and !negation,
// Include (globs, relative to ~/.ssh), and HostName, User, Port, IdentityFile,
// ProxyJump. As in OpenSSH the FIRST value obtained for a keyword wins (IdentityFile
// accumulates). `Match` blocks are not evaluated: their contents are skipped.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { HostConfig } from './hostConfig';

/** ssh_config glob: `*` any run, `?` one character. */
export function matchPattern(pattern: string, name: string): boolean {
  let re = '^';
  for (const ch of pattern) {
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`${re}$`, 's').test(name);
}

/** A Host line's pattern list matches when some pattern matches and no negated one does. */
export function hostPatternsMatch(patterns: string[], name: string): boolean {
  let matched = false;
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (matchPattern(p.slice(1), name)) return false;
    } else if (matchPattern(p, name)) matched = true;
  }
  return matched;
}

interface Directive {
  key: string;
  args: string[];
  file: string;
  line: number;
}

/** Splits `Key value`, `Key=value`, honouring double quotes. */
function tokenize(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|([^\s"=]+)|=/g;
  let m: RegExpExecArray | null;
  let first = true;
  while ((m = re.exec(line))) {
    if (m[0] === '=') {
      if (first || out.length !== 1) continue;
      first = false;
      continue;
    }
    out.push(m[1] ?? m[2]);
  }
  return out;
}

const MAX_INCLUDE_DEPTH = 16;

function expandTilde(p: string, home: string): string {
  return p === '~' ? home : p.startsWith('~/') ? path.join(home, p.slice(2)) : p;
}

function globFiles(pattern: string): string[] {
  if (!/[*?]/.test(pattern)) return fs.existsSync(pattern) ? [pattern] : [];
  const dir = path.dirname(pattern);
  if (/[*?]/.test(dir)) return []; // globs in directory parts: not needed in practice
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => matchPattern(path.basename(pattern), n))
    .sort()
    .map((n) => path.join(dir, n));
}

function readDirectives(file: string, home: string, depth: number, out: Directive[]): void {
  if (depth > MAX_INCLUDE_DEPTH) throw new Error(`${file}: Include nested more than ${MAX_INCLUDE_DEPTH} deep`);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (depth > 0 && (e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new Error(`cannot read ssh config ${file}: ${(e as Error).message}`);
  }
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const [key, ...args] = tokenize(line);
    if (!key) return;
    const k = key.toLowerCase();
    if (k === 'include') {
      for (const a of args) {
        const p = expandTilde(a, home);
        const abs = path.isAbsolute(p) ? p : path.join(home, '.ssh', p);
        for (const f of globFiles(abs)) readDirectives(f, home, depth + 1, out);
      }
      return;
    }
    out.push({ key: k, args, file, line: i + 1 });
  });
}

export interface SshConfigOptions {
  home?: string;
}

/**
 * What `ssh <name>` would use, as far as we support: undefined values are left to
 * defaults (host = name, port 22, user = local user).
 */
export function resolveFromSshConfig(name: string, configPath?: string, opts: SshConfigOptions = {}): HostConfig {
  const home = opts.home ?? os.homedir();
  const file = configPath ?? path.join(home, '.ssh', 'config');
  const directives: Directive[] = [];
  if (configPath || fs.existsSync(file)) readDirectives(file, home, 0, directives);
  const got: Record<string, string> = {};
  const identityFiles: string[] = [];
  let active = true; // directives before the first Host apply to all hosts
  for (const d of directives) {
    if (d.key === 'host') {
      active = hostPatternsMatch(d.args, name);
      continue;
    }
    if (d.key === 'match') {
      active = false;
      continue;
    }
    if (!active || d.args.length === 0) continue;
    if (d.key === 'identityfile') identityFiles.push(expandTilde(d.args[0], home));
    else if (!(d.key in got)) got[d.key] = d.args.join(' ');
  }
  const hostName = (got.hostname ?? name).replace(/%h/g, name);
  const cfg: HostConfig = { name, host: hostName };
  if (got.port) {
    const port = Number(got.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new Error(`${file}: Port ${JSON.stringify(got.port)} for host ${name} is not a port number`);
    cfg.port = port;
  }
  if (got.user) cfg.user = got.user;
  if (identityFiles.length) cfg.identityFiles = identityFiles;
  if (got.proxyjump && got.proxyjump.toLowerCase() !== 'none') cfg.proxyJump = got.proxyjump;
  return cfg;
}

/** Parses one ProxyJump hop `[user@]host[:port]` (or `[v6addr]:port`). */
export function parseJumpSpec(spec: string): { user?: string; host: string; port?: number } {
  let rest = spec.replace(/^ssh:\/\//, '');
  let user: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
  }
  let host = rest;
  let port: number | undefined;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (v6) {
    host = v6[1];
    port = v6[2] ? Number(v6[2]) : undefined;
  } else if (/^[^:]+:\d+$/.test(rest)) {
    const i = rest.lastIndexOf(':');
    host = rest.slice(0, i);
    port = Number(rest.slice(i + 1));
  }
  return { user, host, port };
}
