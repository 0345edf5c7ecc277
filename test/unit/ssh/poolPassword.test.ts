// SSH passwords against an in-process ssh2 server: a refused password is reported as
// refused (so a stored one is forgotten) and asked for once more, never replayed; an
// accepted one is reported as accepted (only then stored); the request names the
// address and port the password goes to.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Server, utils } from 'ssh2';
import { SshPool } from '../../../src/core/ssh/pool';
import type { GetSecret, SecretRequest } from '../../../src/core/ssh/secrets';

describe('ssh/SshPool password retry and outcome', function () {
  this.timeout(30_000);
  let server: Server;
  let port = 0;
  let dir: string;
  const offered: string[] = [];
  before(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-pw-'));
    const hostKey = utils.generateKeyPairSync('ed25519').private;
    server = new Server({ hostKeys: [hostKey] }, (client) => {
      client.on('authentication', (ctx) => {
        if (ctx.method === 'password') {
          offered.push(ctx.password);
          if (ctx.username === 'op' && ctx.password === 'right') return ctx.accept();
        }
        ctx.reject(['password']);
      });
      client.on('ready', () => client.end());
      client.on('error', () => {});
    });
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
    port = (server.address() as net.AddressInfo).port;
  });
  after(async function () {
    await new Promise((res) => server.close(res));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const poolWith = (answers: string[]) => {
    const asks: SecretRequest[] = [];
    const outcomes: Array<[string, boolean, SecretRequest]> = [];
    const getSecret: GetSecret = Object.assign(
      async (req: SecretRequest) => {
        asks.push(req);
        return answers.shift();
      },
      { outcome: (req: SecretRequest, value: string, accepted: boolean) => void outcomes.push([value, accepted, req]) },
    );
    const pool = new SshPool({
      hosts: [{ name: 'alias', host: '127.0.0.1', port, user: 'op', agent: false, identityFiles: [] }],
      knownHostsPath: path.join(dir, 'known_hosts'),
      onUnknownHostKey: async () => 'accept-once',
      getSecret,
      sshConfigPath: '/dev/null',
      connectTimeoutMs: 10000,
    });
    return { pool, asks, outcomes };
  };

  it('a refused (stored) password is reported, then asked for once more; the accepted one is reported', async function () {
    offered.length = 0;
    const { pool, asks, outcomes } = poolWith(['wrong', 'right']);
    await pool.get('alias');
    await pool.closeAll();
    assert.deepEqual(offered, ['wrong', 'right']);
    assert.deepEqual(asks.map((a) => a.retry ?? false), [false, true]);
    assert.ok(asks.every((a) => a.kind === 'password' && a.address === '127.0.0.1' && a.port === port && a.user === 'op'));
    assert.deepEqual(outcomes.map(([v, ok]) => [v, ok]), [['wrong', false], ['right', true]]);
  });

  it('two refused passwords fail clearly, with no third try', async function () {
    offered.length = 0;
    const { pool, asks, outcomes } = poolWith(['wrong', 'also-wrong', 'never-asked']);
    await assert.rejects(pool.get('alias'), (e: Error) => /authentication failed/.test(e.message) && /password was refused/.test(e.message) && !/wrong/.test(e.message));
    await pool.closeAll();
    assert.deepEqual(offered, ['wrong', 'also-wrong']);
    assert.equal(asks.length, 2);
    assert.deepEqual(outcomes.map(([v, ok]) => [v, ok]), [['wrong', false], ['also-wrong', false]]);
  });
});
