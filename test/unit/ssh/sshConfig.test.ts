// Our ssh_config reading, checked against what the real `ssh -G` resolves.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hostPatternsMatch, parseJumpSpec, resolveFromSshConfig } from '../../../src/core/ssh/sshConfig';
import { hasCommand, requireOrSkip } from '../../helpers/env';

describe('ssh/sshConfig', function () {
  let home: string;
  let config: string;
  before(function () {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'sshcfg-'));
    fs.mkdirSync(path.join(home, '.ssh', 'conf.d'), { recursive: true });
    config = path.join(home, '.ssh', 'config');
    fs.writeFileSync(
      config,
      [
        '# lab',
        'Include conf.d/*.conf',
        'Host rs? !rs9',
        '  HostName 10.0.0.1%h',
        '  User lvs',
        '  ProxyJump director',
        '  IdentityFile ~/.ssh/rs_key',
        'Host director',
        '  HostName=192.0.2.2',
        '  Port 2222',
        'Host *',
        '  User fallback',
        '  Port 22',
        '  IdentityFile ~/.ssh/id_other',
        '',
      ].join('\n'),
    );
    fs.writeFileSync(path.join(home, '.ssh', 'conf.d', 'a.conf'), 'Host special\n  HostName 198.51.100.7\n  User "first one"\n');
  });
  after(function () {
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('matches Host patterns with *, ? and negation', function () {
    assert.ok(hostPatternsMatch(['rs?', '!rs9'], 'rs1'));
    assert.ok(!hostPatternsMatch(['rs?', '!rs9'], 'rs9'));
    assert.ok(!hostPatternsMatch(['rs?'], 'rs10'));
    assert.ok(hostPatternsMatch(['*.lab'], 'a.lab'));
    assert.ok(!hostPatternsMatch(['!x'], 'y'), 'a negation alone matches nothing');
  });

  it('resolves the first value of each keyword, Include files, %h, ~ and accumulated IdentityFile', function () {
    const rs1 = resolveFromSshConfig('rs1', config, { home });
    assert.deepEqual(rs1, {
      name: 'rs1',
      host: '10.0.0.1rs1',
      port: 22,
      user: 'lvs',
      identityFiles: [path.join(home, '.ssh/rs_key'), path.join(home, '.ssh/id_other')],
      proxyJump: 'director',
    });
    assert.equal(resolveFromSshConfig('director', config, { home }).port, 2222);
    const special = resolveFromSshConfig('special', config, { home });
    assert.equal(special.host, '198.51.100.7');
    assert.equal(special.user, 'first one');
    assert.equal(resolveFromSshConfig('rs9', config, { home }).user, 'fallback');
  });

  it('agrees with ssh -G on host, user, port and proxyjump', function () {
    requireOrSkip(this, hasCommand('ssh'), 'ssh (openssh-client)');
    for (const name of ['rs1', 'rs9', 'director', 'special', 'other']) {
      const out = execFileSync('ssh', ['-G', '-F', config, name], { encoding: 'utf8', env: { ...process.env, HOME: home }, stdio: ['ignore', 'pipe', 'ignore'] });
      const g = new Map(out.split('\n').map((l) => [l.split(' ')[0], l.slice(l.indexOf(' ') + 1)] as [string, string]));
      const ours = resolveFromSshConfig(name, config, { home });
      assert.equal(ours.host, g.get('hostname'), `${name} hostname`);
      assert.equal(ours.user, g.get('user'), `${name} user`);
      assert.equal(String(ours.port ?? 22), g.get('port'), `${name} port`);
      assert.equal(ours.proxyJump, g.get('proxyjump'), `${name} proxyjump`);
    }
  });

  it('reports a bad Port with the file and host', function () {
    const bad = path.join(home, 'bad');
    fs.writeFileSync(bad, 'Host x\n  Port seventy\n');
    assert.throws(() => resolveFromSshConfig('x', bad, { home }), /bad: Port "seventy" for host x/);
  });

  it('parses ProxyJump hops', function () {
    assert.deepEqual(parseJumpSpec('lvs@director:2222'), { user: 'lvs', host: 'director', port: 2222 });
    assert.deepEqual(parseJumpSpec('[2001:db8::1]:22'), { user: undefined, host: '2001:db8::1', port: 22 });
    assert.deepEqual(parseJumpSpec('bastion'), { user: undefined, host: 'bastion', port: undefined });
  });
});
