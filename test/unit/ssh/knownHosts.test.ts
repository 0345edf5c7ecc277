// known_hosts lookups against files written and hashed by the real ssh-keygen.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  appendKnownHost,
  checkHostKey,
  fingerprint,
  keyTypeOf,
  knownHostsName,
  parseKnownHosts,
  readKnownHosts,
} from '../../../src/core/ssh/knownHosts';
import { hasCommand, requireOrSkip } from '../../helpers/env';

describe('ssh/knownHosts', function () {
  let dir: string;
  const keys: Record<string, { line: string; blob: Buffer; file: string }> = {};
  before(function () {
    requireOrSkip(this, hasCommand('ssh-keygen'), 'ssh-keygen (openssh-client)');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kh-'));
    for (const [name, type] of [['a', 'ed25519'], ['b', 'ed25519'], ['c', 'ecdsa']] as const) {
      const file = path.join(dir, name);
      execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', file]);
      const line = fs.readFileSync(`${file}.pub`, 'utf8').trim();
      keys[name] = { line, blob: Buffer.from(line.split(' ')[1], 'base64'), file };
    }
  });
  after(function () {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  const entry = (hosts: string, k: string): string => `${hosts} ${keys[k].line.split(' ').slice(0, 2).join(' ')}`;

  it('computes the fingerprint OpenSSH prints', function () {
    const out = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${keys.a.file}.pub`], { encoding: 'utf8' });
    assert.equal(fingerprint(keys.a.blob), out.split(' ')[1]);
    assert.equal(keyTypeOf(keys.a.blob), 'ssh-ed25519');
    assert.equal(keyTypeOf(keys.c.blob), 'ecdsa-sha2-nistp256');
  });

  it('trusts plain, [host]:port and multi-name entries; reports others unknown', function () {
    const entries = parseKnownHosts(
      [`# comment`, entry('rs1,192.0.2.11', 'a'), entry('[192.0.2.12]:2222', 'b'), '', 'garbage line'].join('\n'),
    );
    assert.equal(checkHostKey(entries, ['192.0.2.11'], keys.a.blob).status, 'trusted');
    assert.equal(checkHostKey(entries, ['rs1'], keys.a.blob).status, 'trusted');
    assert.equal(checkHostKey(entries, [knownHostsName('192.0.2.12', 2222)], keys.b.blob).status, 'trusted');
    // the same address on port 22 is another host for OpenSSH
    assert.equal(checkHostKey(entries, [knownHostsName('192.0.2.12', 22)], keys.b.blob).status, 'unknown');
  });

  it('reports a different key of the same type as changed, another type as unknown', function () {
    const entries = parseKnownHosts(entry('rs1', 'a'));
    const changed = checkHostKey(entries, ['rs1'], keys.b.blob);
    assert.equal(changed.status, 'changed');
    assert.equal(changed.status === 'changed' && changed.expected[0].line, 1);
    const other = checkHostKey(entries, ['rs1'], keys.c.blob);
    assert.deepEqual(other, { status: 'unknown', otherTypes: ['ssh-ed25519'] });
  });

  it('matches entries hashed by ssh-keygen -H', function () {
    const file = path.join(dir, 'known_hashed');
    fs.writeFileSync(file, [entry('rs1', 'a'), entry('[10.0.0.5]:2200', 'b')].join('\n') + '\n');
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    const text = fs.readFileSync(file, 'utf8');
    assert.ok(text.startsWith('|1|'), 'ssh-keygen hashed the file');
    assert.ok(!text.includes('rs1'));
    const entries = readKnownHosts(file);
    assert.equal(checkHostKey(entries, ['rs1'], keys.a.blob).status, 'trusted');
    assert.equal(checkHostKey(entries, ['[10.0.0.5]:2200'], keys.b.blob).status, 'trusted');
    assert.equal(checkHostKey(entries, ['rs1'], keys.b.blob).status, 'changed');
    assert.equal(checkHostKey(entries, ['rs2'], keys.a.blob).status, 'unknown');
  });

  it('honours wildcards, negation and @revoked', function () {
    const entries = parseKnownHosts([entry('*.lab,!bad.lab', 'a'), `@revoked * ${keys.b.line.split(' ').slice(0, 2).join(' ')}`].join('\n'));
    assert.equal(checkHostKey(entries, ['rs1.lab'], keys.a.blob).status, 'trusted');
    assert.equal(checkHostKey(entries, ['bad.lab'], keys.a.blob).status, 'unknown');
    assert.equal(checkHostKey(entries, ['rs1.lab'], keys.b.blob).status, 'revoked');
  });

  it('appends an entry that ssh-keygen -F finds', function () {
    const file = path.join(dir, 'sub', 'known_hosts');
    appendKnownHost(file, '[192.0.2.30]:2022', keys.c.blob);
    appendKnownHost(file, 'rs9', keys.a.blob);
    const found = execFileSync('ssh-keygen', ['-F', '[192.0.2.30]:2022', '-f', file], { encoding: 'utf8' });
    assert.match(found, /ecdsa-sha2-nistp256/);
    assert.equal(checkHostKey(readKnownHosts(file), ['rs9'], keys.a.blob).status, 'trusted');
  });
});
