// A command that outlives its timeout against a server that, like OpenSSH, sends the
// channel's close only once the remote command has exited, and ignores the KILL
// signal (OpenSSH 9.2 refuses it for root logins: "session signalling requires
// privilege separation"): SshHost.run must still settle (as a command timeout), let go of the
// channel, and leave the connection usable.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Server, utils, type ServerChannel } from 'ssh2';
import { SshPool } from '../../../src/core/ssh/pool';
import { CLOSE_GRACE_MS } from '../../../src/core/ssh/sshHost';
import { SshError } from '../../../src/core/ssh/errors';

describe('ssh/SshHost: a command that hangs past its timeout', function () {
  this.timeout(30_000);
  let server: Server;
  let port = 0;
  let dir: string;
  const hung: ServerChannel[] = [];
  before(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-hang-'));
    const hostKey = utils.generateKeyPairSync('ed25519').private;
    server = new Server({ hostKeys: [hostKey] }, (client) => {
      client.on('authentication', (ctx) => (ctx.method === 'password' && ctx.password === 'pw' ? ctx.accept() : ctx.reject(['password'])));
      client.on('ready', () => {
        client.on('session', (accept) => {
          const session = accept();
          session.on('exec', (acc, _rej, info) => {
            const ch = acc();
            if (info.command.startsWith('hang')) {
              // Never exits: no exit status, and (like sshd, which answers a close only
              // once the session's command has exited) no close, whatever the client sends.
              ch.close = () => ch;
              hung.push(ch);
              return;
            }
            ch.write('ok\n');
            ch.exit(0);
            ch.end();
          });
        });
      });
      client.on('error', () => {});
    });
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
    port = (server.address() as net.AddressInfo).port;
  });
  after(async function () {
    await new Promise((res) => server.close(res));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const pool = (): SshPool =>
    new SshPool({
      hosts: [{ name: 'h', host: '127.0.0.1', port, user: 'op', agent: false, identityFiles: [] }],
      knownHostsPath: path.join(dir, 'known_hosts'),
      onUnknownHostKey: async () => 'accept-once',
      getSecret: async () => 'pw',
      sshConfigPath: '/dev/null',
      connectTimeoutMs: 10000,
    });

  it('settles as a command timeout shortly after the timeout, and the connection still runs commands', async function () {
    const p = pool();
    try {
      const h = await p.get('h');
      const t0 = Date.now();
      await assert.rejects(
        h.exec(['hang', 'forever'], { timeoutMs: 300 }),
        (e: Error) => e instanceof SshError && e.kind === 'command-timeout' && /hang did not finish within 0\.3 s/.test(e.message),
      );
      const took = Date.now() - t0;
      assert.ok(took >= 300 && took < 300 + CLOSE_GRACE_MS + 1500, `settled after ${took} ms`);
      const again = await h.exec(['echo', 'ok'], { timeoutMs: 5000 });
      assert.equal(again.stdout, 'ok\n');
    } finally {
      await p.closeAll();
    }
  });

  it('a cancelled command settles too', async function () {
    const p = pool();
    try {
      const h = await p.get('h');
      const abort = new AbortController();
      setTimeout(() => abort.abort(), 200);
      await assert.rejects(h.exec(['hang'], { signal: abort.signal }), /hang cancelled/);
    } finally {
      await p.closeAll();
    }
  });
});
