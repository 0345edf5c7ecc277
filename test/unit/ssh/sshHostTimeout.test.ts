// A command that outlives its timeout against a server that, like OpenSSH, sends the
// channel's close only once the remote command has exited, and ignores the KILL
// signal (OpenSSH 9.2 refuses it for root logins: "session signalling requires
// privilege separation"): SshHost.run must still settle (as a command timeout), let go of the
// channel, and leave the connection usable.
import * as assert from 'node:assert/strict';
import type { ServerChannel } from 'ssh2';
import type { SshPool } from '../../../src/core/ssh/pool';
import { CLOSE_GRACE_MS } from '../../../src/core/ssh/sshHost';
import { SshError } from '../../../src/core/ssh/errors';
import { startFakeSshServer, type FakeSshServer } from '../../helpers/fakeSshServer';

describe('ssh/SshHost: a command that hangs past its timeout', function () {
  this.timeout(30_000);
  let server: FakeSshServer;
  const hung: ServerChannel[] = [];
  before(async function () {
    server = await startFakeSshServer((session) => {
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
  after(async function () {
    await server.close();
  });

  const pool = (): SshPool => server.pool();

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
