// SshPool: ProxyJump loops are errors (never a hang), a host that would jump through
// itself (`Host *` + `ProxyJump bastion`) connects directly, closeAll() settles while
// a connection is still logging in, and connections are opened a bounded number at once.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_MAX_CONNECTING, SshPool, type SshPoolOptions } from '../../../src/core/ssh/pool';
import type { HostConfig } from '../../../src/core/ssh/hostConfig';

const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([p, new Promise<T>((_, rej) => setTimeout(() => rej(new Error(`${what}: still pending after ${ms} ms`)), ms).unref())]);

describe('ssh/SshPool jump chains and limits', function () {
  let dir: string;
  let silent: net.Server;
  let silentPort: number;
  let open = 0;
  const sockets = new Set<net.Socket>();
  before(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-pool-'));
    // Accepts TCP and never speaks SSH: a login that stays in progress.
    silent = net.createServer((s) => {
      sockets.add(s);
      open++;
      s.on('error', () => {});
      s.on('close', () => {
        open--;
        sockets.delete(s);
      });
    });
    await new Promise<void>((res) => silent.listen(0, '127.0.0.1', res));
    silentPort = (silent.address() as net.AddressInfo).port;
  });
  after(async function () {
    for (const s of sockets) s.destroy();
    await new Promise((res) => silent.close(res));
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const pool = (hosts: HostConfig[], extra: Partial<SshPoolOptions> = {}): SshPool =>
    new SshPool({
      hosts,
      knownHostsPath: path.join(dir, 'known_hosts'),
      onUnknownHostKey: async () => 'reject',
      getSecret: async () => undefined,
      sshConfigPath: '/dev/null',
      connectTimeoutMs: 1500,
      agent: undefined,
      ...extra,
    } as SshPoolOptions);
  // Port 1 on loopback: refused at once.
  const refused = { host: '127.0.0.1', port: 1, agent: false as const, identityFiles: [] };

  it('reports a ProxyJump loop naming the chain (a → b → a)', async function () {
    const p = pool([
      { name: 'a', ...refused, proxyJump: 'b' },
      { name: 'b', ...refused, proxyJump: 'a' },
    ]);
    await assert.rejects(within(p.get('a'), 5000, 'get(a)'), /ProxyJump loop: a → b → a/);
    await assert.rejects(within(p.get('b'), 5000, 'get(b)'), /ProxyJump loop: b → a → b/);
    await within(p.closeAll(), 5000, 'closeAll');
  });

  it('reports a longer loop behind the first hop', async function () {
    const p = pool([
      { name: 'c', ...refused, proxyJump: 'b' },
      { name: 'b', ...refused, proxyJump: 'd' },
      { name: 'd', ...refused, proxyJump: 'b' },
    ]);
    await assert.rejects(within(p.get('c'), 5000, 'get(c)'), /ProxyJump loop: c → b → d → b/);
    await within(p.closeAll(), 5000, 'closeAll');
  });

  it('reports a loop through a hop list (t via j1,j2 where j1 jumps via j2) and a repeated hop', async function () {
    const p = pool([
      { name: 't', ...refused, proxyJump: 'j1,j2' },
      { name: 'j1', ...refused, proxyJump: 'j2' },
      { name: 'j2', ...refused },
      { name: 'u', ...refused, proxyJump: 'j2,j2' },
    ]);
    await assert.rejects(within(p.get('t'), 5000, 'get(t)'), /ProxyJump loop: t → j2 → j1 → j2/);
    await assert.rejects(within(p.get('u'), 5000, 'get(u)'), /ProxyJump loop: u → j2 → j2/);
    await within(p.closeAll(), 5000, 'closeAll');
  });

  it('connects a host that jumps through itself directly (never hangs)', async function () {
    const p = pool([{ name: 'a', ...refused, proxyJump: 'a' }]);
    await assert.rejects(within(p.get('a'), 5000, 'get(a)'), /refused/);
    const q = pool([
      { name: 'c', ...refused, proxyJump: 'b' },
      { name: 'b', ...refused, proxyJump: 'b' },
    ]);
    await assert.rejects(within(q.get('c'), 5000, 'get(c)'), /refused/);
    await within(q.closeAll(), 5000, 'closeAll');
  });

  it('handles ssh_config `Host *` + `ProxyJump bastion` without `ProxyJump none` for the bastion', async function () {
    const cfgFile = path.join(dir, 'ssh_config');
    fs.writeFileSync(cfgFile, `Host bastion\n  HostName 127.0.0.1\n  Port 1\n\nHost target\n  HostName 127.0.0.2\n\nHost *\n  ProxyJump bastion\n  IdentityFile ${path.join(dir, 'none')}\n`);
    const p = pool([], { sshConfigPath: cfgFile });
    await assert.rejects(within(p.get('target'), 5000, 'get(target)'), (e: Error) => /refused/.test(e.message) && !/loop/.test(e.message));
    await within(p.closeAll(), 5000, 'closeAll');
  });

  it('closeAll() settles while a connection is still logging in', async function () {
    const p = pool([{ name: 's', host: '127.0.0.1', port: silentPort, agent: false, identityFiles: [] }], { connectTimeoutMs: 60000 });
    const g = p.get('s').then(
      () => 'connected',
      () => 'failed',
    );
    await new Promise((r) => setTimeout(r, 200));
    await within(p.closeAll(), 4000, 'closeAll');
    assert.equal(await within(g, 4000, 'get(s)'), 'failed');
  });

  it(`opens at most maxConnecting connections at once (default ${DEFAULT_MAX_CONNECTING})`, async function () {
    assert.ok(DEFAULT_MAX_CONNECTING > 0 && DEFAULT_MAX_CONNECTING <= 32);
    for (const s of sockets) s.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const hosts = Array.from({ length: 6 }, (_, i) => ({ name: `h${i}`, host: '127.0.0.1', port: silentPort, agent: false as const, identityFiles: [] }));
    const p = pool(hosts, { connectTimeoutMs: 1000, maxConnecting: 2 });
    const all = Promise.allSettled(hosts.map((h) => p.get(h.name)));
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(open, 2, 'logins in progress half way through the first batch');
    const results = await within(all, 8000, 'gets');
    assert.ok(results.every((r) => r.status === 'rejected' && /timed out/.test(String(r.reason))), JSON.stringify(results));
    await within(p.closeAll(), 4000, 'closeAll');
  });
});
