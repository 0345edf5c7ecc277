// known_hosts: OpenSSH's format (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"):
//   [@marker] patterns keytype base64-key [comment]
// patterns are comma-separated host names, `[host]:port` for non-22 ports,
// wildcards * ? and !negation, or one hashed entry `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`.
// ssh2 checks nothing by itself (it accepts any key when no hostVerifier is set), so this is ours.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { matchPattern } from './sshConfig';

export interface KnownHostEntry {
  line: number;
  marker?: '@revoked' | '@cert-authority';
  patterns: string;
  keyType: string;
  key: Buffer;
}

export type HostKeyStatus =
  | { status: 'trusted'; entry: KnownHostEntry }
  | { status: 'changed'; expected: KnownHostEntry[] }
  | { status: 'revoked'; entry: KnownHostEntry }
  | { status: 'unknown'; otherTypes: string[] };

/** OpenSSH's fingerprint: SHA256: + unpadded base64 of the SHA-256 of the key blob. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${crypto.createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside the public key blob (its first length-prefixed string). */
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return 'unknown';
  const len = key.readUInt32BE(0);
  if (len > 64 || 4 + len > key.length) return 'unknown';
  return key.subarray(4, 4 + len).toString('latin1');
}

/** The name a host has in known_hosts: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0].startsWith('@')) {
      if (fields[0] !== '@revoked' && fields[0] !== '@cert-authority') return;
      marker = fields.shift() as KnownHostEntry['marker'];
    }
    if (fields.length < 3) return;
    const [patterns, keyType, b64] = fields;
    const key = Buffer.from(b64, 'base64');
    if (key.length === 0) return;
    out.push({ line: i + 1, marker, patterns, keyType, key });
  });
  return out;
}

function hashedMatches(pattern: string, name: string): boolean {
  const parts = pattern.split('|');
  if (parts.length !== 4 || parts[1] !== '1') return false;
  const salt = Buffer.from(parts[2], 'base64');
  const want = Buffer.from(parts[3], 'base64');
  const got = crypto.createHmac('sha1', salt).update(name).digest();
  return want.length === got.length && crypto.timingSafeEqual(want, got);
}

/** Does a comma-separated pattern list match any of the names? A matching negation wins. */
export function entryMatches(patterns: string, names: string[]): boolean {
  if (patterns.startsWith('|')) return names.some((n) => hashedMatches(patterns, n));
  let matched = false;
  for (const p of patterns.split(',')) {
    const negated = p.startsWith('!');
    const pat = negated ? p.slice(1) : p;
    if (names.some((n) => matchPattern(pat.toLowerCase(), n.toLowerCase()))) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/**
 * Looks up a presented key for a host. `names` are the names the host is known by
 * (already in `[host]:port` form for non-22 ports), e.g. the alias and the address.
 */
export function checkHostKey(entries: KnownHostEntry[], names: string[], key: Buffer): HostKeyStatus {
  const type = keyTypeOf(key);
  const mine = entries.filter((e) => e.marker !== '@cert-authority' && entryMatches(e.patterns, names));
  const revoked = mine.find((e) => e.marker === '@revoked' && e.key.equals(key));
  if (revoked) return { status: 'revoked', entry: revoked };
  const plain = mine.filter((e) => e.marker === undefined);
  const trusted = plain.find((e) => e.key.equals(key));
  if (trusted) return { status: 'trusted', entry: trusted };
  // Only a different key of the SAME type is a change; another type is just not known yet.
  const sameKind = plain.filter((e) => e.keyType === type);
  if (sameKind.length > 0) return { status: 'changed', expected: sameKind };
  return { status: 'unknown', otherTypes: [...new Set(plain.map((e) => e.keyType))] };
}

/** Key types already known for a host, so the client can ask the server for one of them first. */
export function knownKeyTypes(entries: KnownHostEntry[], names: string[]): string[] {
  return [
    ...new Set(entries.filter((e) => !e.marker && entryMatches(e.patterns, names)).map((e) => e.keyType)),
  ];
}

export function readKnownHosts(file: string): KnownHostEntry[] {
  try {
    return parseKnownHosts(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new Error(`cannot read known_hosts file ${file}: ${(e as Error).message}`);
  }
}

/** Appends a plain entry (what `ssh` writes on "yes"); creates the file and folder when missing. */
export function appendKnownHost(file: string, name: string, key: Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  let prefix = '';
  try {
    const cur = fs.readFileSync(file, 'utf8');
    if (cur.length > 0 && !cur.endsWith('\n')) prefix = '\n';
  } catch {
    /* new file */
  }
  fs.appendFileSync(file, `${prefix}${name} ${keyTypeOf(key)} ${key.toString('base64')}\n`, { mode: 0o600 });
}
