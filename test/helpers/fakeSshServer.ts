// An in-process ssh2 server on loopback for SshHost tests that need a server behaving in a
// way a real sshd cannot be made to on demand (a channel never closed, a file that never
// ends): password "pw", a fresh host key, and an SshPool that trusts it for one run.

import * as fs from 'node:fs';
import type * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Server, utils, type Session } from 'ssh2';
import { SshPool } from '../../src/core/ssh/pool';

export interface FakeSshServer {
  port: number;
  /** A pool with one host, "h", that logs in to this server. */
  pool(): SshPool;
  close(): Promise<void>;
}

/** Starts the server; `onSession` gets each accepted session (exec, sftp… handlers). */
export async function startFakeSshServer(onSession: (session: Session) => void): Promise<FakeSshServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-fake-sshd-'));
  const hostKey = utils.generateKeyPairSync('ed25519').private;
  const server = new Server({ hostKeys: [hostKey] }, (client) => {
    client.on('authentication', (ctx) => (ctx.method === 'password' && ctx.password === 'pw' ? ctx.accept() : ctx.reject(['password'])));
    client.on('ready', () => client.on('session', (accept) => onSession(accept())));
    client.on('error', () => {});
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    pool: () =>
      new SshPool({
        hosts: [{ name: 'h', host: '127.0.0.1', port, user: 'op', agent: false, identityFiles: [] }],
        knownHostsPath: path.join(dir, 'known_hosts'),
        onUnknownHostKey: async () => 'accept-once',
        getSecret: async () => 'pw',
        sshConfigPath: '/dev/null',
        connectTimeoutMs: 10000,
      }),
    close: async () => {
      await new Promise((res) => server.close(res));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
