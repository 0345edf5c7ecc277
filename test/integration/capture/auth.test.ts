// Ways in: a key file with a passphrase (asked through getSecret), the SSH agent,
// ~/.ssh/config-style resolution with ProxyJump, and one connection per host.
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SshPool, resolveFromSshConfig, type SecretRequest } from '../../../src/core/ssh';
import type { Lab } from '../../lab/lab';
import { hasCommand, requireOrSkip } from '../../helpers/env';
import { collectLog, labHosts, requireLab, startLab, tmpOut } from './helpers';

describe('SSH ways in (lab)', function () {
  this.timeout(90000);
  let lab: Lab | undefined;
  let dir: string;
  before(async function () {
    requireLab(this);
    lab = await startLab({ mode: 'dr', rsBehindDirector: true });
    dir = tmpOut('auth');
  });
  after(async function () {
    await lab?.down();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('uses a key file with a passphrase, asking for it through getSecret', async function () {
    const l = lab!;
    const key = path.join(dir, 'id_pp');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'pass-phrase-271', '-f', key]);
    fs.appendFileSync(path.join(l.stateDir, 'authorized_keys'), fs.readFileSync(`${key}.pub`));
    const logged = collectLog();
    const asked: SecretRequest[] = [];
    const mk = (answers: string[]) =>
      new SshPool({
        hosts: [{ ...labHosts(l).find((h) => h.name === 'director')!, identityFiles: [key], agent: false }],
        knownHostsPath: l.knownHostsPath,
        onUnknownHostKey: async () => 'reject',
        getSecret: async (req) => (asked.push(req), req.kind === 'passphrase' ? answers.shift() : undefined),
        log: logged.log,
      });
    const good = mk(['pass-phrase-271']);
    assert.equal((await (await good.get('director')).exec(['echo', 'in'])).stdout, 'in\n');
    await good.closeAll();
    assert.deepEqual(asked.map((r) => [r.kind, r.keyFile]), [['passphrase', key]]);
    const bad = mk(['wrong-1', 'wrong-2']);
    await assert.rejects(bad.get('director'), /authentication failed for root@director \(198\.18\.\d+\.12:22\)/);
    await bad.closeAll();
    assert.ok(logged.lines.some((x) => x.includes(`the passphrase for ${key} was not accepted`)));
    assert.ok(!logged.lines.join('\n').includes('pass-phrase-271') && !logged.lines.join('\n').includes('wrong-1'), 'no passphrase in the log');
  });

  it('uses the SSH agent', async function () {
    requireOrSkip(this, hasCommand('ssh-agent') && hasCommand('ssh-add'), 'ssh-agent');
    const l = lab!;
    const sock = path.join(dir, 'agent.sock');
    const agent = spawnSync('ssh-agent', ['-a', sock], { encoding: 'utf8' });
    const pid = /SSH_AGENT_PID=(\d+)/.exec(agent.stdout)?.[1];
    try {
      execFileSync('ssh-add', ['-q', l.clientKeyPath], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
      const pool = new SshPool({
        hosts: [{ ...labHosts(l).find((h) => h.name === 'director')!, identityFiles: [], agent: sock }],
        knownHostsPath: l.knownHostsPath,
        onUnknownHostKey: async () => 'reject',
        getSecret: async () => assert.fail('no secret needed with the agent'),
      });
      assert.equal((await (await pool.get('director')).exec(['id', '-un'])).stdout, 'root\n');
      await pool.closeAll();
    } finally {
      if (pid) process.kill(Number(pid));
    }
  });

  it('resolves hosts through the lab ssh_config (ProxyJump) and shares one connection per host', async function () {
    const l = lab!;
    const cfg = resolveFromSshConfig('rs2', l.sshConfigPath);
    assert.equal(cfg.proxyJump, 'director');
    assert.deepEqual(cfg.identityFiles, [l.clientKeyPath]);
    const pool = new SshPool({
      hosts: (name) => resolveFromSshConfig(name, l.sshConfigPath),
      sshConfigPath: l.sshConfigPath,
      knownHostsPath: l.knownHostsPath,
      onUnknownHostKey: async () => 'reject',
      getSecret: async () => undefined,
    });
    try {
      const [a, b, c] = await Promise.all([pool.get('rs2'), pool.get('rs2'), pool.get('rs2')]);
      assert.ok(a === b && b === c, 'concurrent get() share one connection');
      const r = await a.exec(['sh', '-c', 'echo "$SSH_CONNECTION"']);
      const dirLan = l.hosts.find((h) => h.name === 'director')!.lanAddress;
      assert.equal(r.stdout.split(' ')[0], dirLan, 'the session to rs2 comes from the director (jump)');
      assert.equal(await pool.get('rs2'), a, 'reused afterwards');
    } finally {
      await pool.closeAll();
    }
  });
});
