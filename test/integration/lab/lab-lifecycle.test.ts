import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as esbuild from 'esbuild';
import * as path from 'node:path';
import { labUp, labDown, labStatus, type Lab } from '../../lab/lab';
import { planTopology, stateDirFor } from '../../lab/topology';
import { run } from '../../lab/shell';
import { requireLabTools, tally } from './helpers';
import { repoRoot } from '../../helpers/env';

async function leftovers(instance: number): Promise<string[]> {
  const found: string[] = [];
  const ns = await run(['ip', 'netns', 'list'], { check: false });
  for (const l of ns.stdout.split('\n')) if (l.startsWith(`lvslab${instance}-`)) found.push(`netns ${l.split(' ')[0]}`);
  const links = await run(['ip', '-o', 'link', 'show'], { check: false });
  for (const l of links.stdout.split('\n')) if (new RegExp(`: (lvslab${instance}-|lm${instance}-)`).test(l)) found.push(`link ${l.split(':')[1].trim()}`);
  const procs = await run(['pgrep', '-af', `lvslab${instance}-|/tmp/lvslab-${instance}/`], { check: false });
  for (const l of procs.stdout.split('\n').filter(Boolean)) found.push(`process ${l}`);
  if (fs.existsSync(stateDirFor(instance))) found.push(`dir ${stateDirFor(instance)}`);
  return found;
}

function otherLabsUp(): boolean {
  return fs.readdirSync('/tmp').some((d) => /^lvslab-\d$/.test(d));
}

describe('lab lifecycle', function () {
  this.timeout(90_000);

  it('refuses bad options with a message naming them, before creating anything', async function () {
    assert.throws(() => planTopology({ instance: 0, mode: 'xx' as 'dr' }), /unknown lab mode "xx"/);
    assert.throws(() => planTopology({ instance: 12 }), /instance must be an integer 0\.\.9/);
    assert.throws(() => planTopology({ instance: 0, breaks: ['wrong-gateway'] }), /use --mode nat/);
    assert.throws(() => planTopology({ instance: 0, mode: 'nat', breaks: ['arp-problem'] }), /use --mode dr/);
    assert.throws(() => planTopology({ instance: 0, breaks: ['no-tcpdump:rs9'] }), /no host named "rs9"/);
    assert.throws(() => planTopology({ instance: 0, realServers: 0 }), /realServers must be/);
    requireLabTools(this);
    const before = await run(['ip', 'netns', 'list']);
    await assert.rejects(labUp({ breaks: ['bogus' as 'dead-rs'] }), /unknown break "bogus"/);
    assert.equal((await run(['ip', 'netns', 'list'])).stdout, before.stdout);
  });

  it('npm run lab refuses clearly when not root, and on a bad command line', async function () {
    requireLabTools(this);
    const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');
    const cli = path.join(repoRoot, 'test', 'lab', 'cli.ts');
    // The checkout may sit in a folder only root can read (a mktemp -d clone), so the
    // unprivileged run uses a bundle of the CLI in a world-readable temp folder.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-labcli-'));
    try {
      fs.chmodSync(dir, 0o755);
      const bundle = path.join(dir, 'cli.js');
      await esbuild.build({ entryPoints: [cli], outfile: bundle, bundle: true, platform: 'node', format: 'cjs', logLevel: 'silent' });
      fs.chmodSync(bundle, 0o644);
      const asNobody = await run(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', 'env', 'HOME=/tmp', process.execPath, bundle, 'up'], { check: false, timeoutMs: 30_000 });
      assert.equal(asNobody.code, 1, asNobody.stderr);
      assert.match(asNobody.stderr, /cannot start: missing root/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const bad = await run([process.execPath, tsx, cli, 'up', '--mode'], { check: false, timeoutMs: 30_000 });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--mode needs a value/);
    const unknown = await run([process.execPath, tsx, cli, 'explode'], { check: false, timeoutMs: 30_000 });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "explode"/);
  });

  it('runs two labs at once on different instances, then removes everything of both', async function () {
    requireLabTools(this);
    const labs: Lab[] = [];
    try {
      labs.push(...(await Promise.all([labUp({ mode: 'dr', realServers: 3 }), labUp({ mode: 'nat' })])));
      const [a, b] = labs;
      assert.notEqual(a.instance, b.instance);
      assert.equal(a.hosts.filter((h) => h.role === 'real-server').length, 3);
      const ta = tally(await a.clientTraffic({ protocol: 'tcp', count: 12 }));
      const tb = tally(await b.clientTraffic({ protocol: 'udp', count: 6 }));
      assert.equal(Object.keys(ta).filter((k) => k.startsWith('rs')).reduce((s, k) => s + ta[k], 0), 12, JSON.stringify(ta));
      assert.equal((tb.rs1 ?? 0) + (tb.rs2 ?? 0), 6, JSON.stringify(tb));
      const status = await labStatus();
      assert.match(status, new RegExp(`LVS lab instance ${a.instance}: mode dr`));
      assert.match(status, new RegExp(`LVS lab instance ${b.instance}: mode nat`));
    } finally {
      for (const lab of labs) await lab.down();
    }
    for (const lab of labs) assert.deepEqual(await leftovers(lab.instance), [], `instance ${lab.instance}`);
    const users = await run(['getent', 'passwd', 'lvsuser', 'lvsnosudo'], { check: false });
    // users are shared by every lab on the machine: gone unless another lab is still up
    if (otherLabsUp()) assert.equal(users.code, 0, 'users kept while another lab uses them');
    else {
      assert.equal(users.stdout, '', 'lab users removed');
      assert.equal(fs.existsSync('/etc/sudoers.d/lvslab'), false);
    }
  });

  it('a failure midway through labUp removes everything made so far and names the step', async function () {
    requireLabTools(this);
    const err = await labUp({ mode: 'dr', failAfterStep: 'sshd' }).then(
      () => assert.fail('labUp should have failed'),
      (e: Error) => e,
    );
    assert.match(err.message, /lab up \(instance (\d)\) failed at step "sshd": failure injected/);
    const k = Number(/instance (\d)/.exec(err.message)![1]);
    assert.deepEqual(await leftovers(k), []);
  });

  it('labUp on an instance cleans its leftovers first; labDown of an absent lab is harmless', async function () {
    requireLabTools(this);
    const lab = await labUp({ mode: 'dr' });
    const k = lab.instance;
    try {
      // simulate a crashed run: the namespaces and processes stay, lab.json is lost
      fs.rmSync(`${stateDirFor(k)}/lab.json`);
      const again = await labUp({ mode: 'dr', instance: k });
      assert.equal(again.instance, k);
      const t = tally(await again.clientTraffic({ protocol: 'tcp', count: 4 }));
      assert.equal((t.rs1 ?? 0) + (t.rs2 ?? 0), 4, JSON.stringify(t));
    } finally {
      await labDown(k);
    }
    assert.deepEqual(await leftovers(k), []);
    await labDown(k);
  });
});
