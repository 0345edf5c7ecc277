// `lvs-trace capture` against an in-process ssh2 server whose host key is unknown, or other
// than known_hosts says: the refusal is told once (not by the SSH layer's log and again as
// the host's error), naming the host once, with what to do.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Server, utils } from 'ssh2';
import { captureCommand } from '../../../src/cli/commands/capture';
import { captureStdio } from '../../helpers/stdio';

describe('cli capture: host key refusals', function () {
  this.timeout(30_000);
  let server: Server;
  let port = 0;
  let dir: string;
  let isTTY: PropertyDescriptor | undefined;
  before(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-cli-hostkey-'));
    const hostKey = utils.generateKeyPairSync('ed25519').private;
    server = new Server({ hostKeys: [hostKey] }, (client) => {
      client.on('authentication', (ctx) => ctx.reject(['password']));
      client.on('error', () => {});
    });
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
    port = (server.address() as net.AddressInfo).port;
    // No terminal to ask on, whatever runs the tests.
    isTTY = Object.getOwnPropertyDescriptor(process.stdin, 'isTTY');
    Object.defineProperty(process.stdin, 'isTTY', { value: false, configurable: true });
  });
  after(async function () {
    if (isTTY) Object.defineProperty(process.stdin, 'isTTY', isTTY);
    else delete (process.stdin as { isTTY?: boolean }).isTTY;
    await new Promise((res) => server.close(res));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const capture = async (knownHosts: string): Promise<{ code: number; err: string }> => {
    const hosts = path.join(dir, 'hosts.json');
    fs.writeFileSync(hosts, JSON.stringify([{ name: 'd1', host: '127.0.0.1', port, user: 'op', role: 'director' }]));
    const kh = path.join(dir, 'known_hosts');
    fs.writeFileSync(kh, knownHosts);
    const out = path.join(dir, `out-${Date.now()}`);
    const r = await captureStdio(() => captureCommand.run(['--service', 'tcp:192.0.2.100:80', '--out', out, '--hosts', hosts, '--known-hosts', kh, '--duration', '1s']));
    return { code: r.code, err: r.err };
  };
  const count = (text: string, re: RegExp): number => text.split('\n').filter((l) => re.test(l)).length;

  it('an unknown host key: one line, naming the host once and the way to accept it', async function () {
    const r = await capture('');
    assert.equal(r.code, 2);
    assert.equal(count(r.err, /host key/), 1, r.err);
    assert.match(r.err, new RegExp(`^error: d1 \\(127\\.0\\.0\\.1:${port}\\): unknown host key ssh-ed25519 SHA256:\\S+ refused: add it to \\S+known_hosts or pass --accept-new-host-keys$`, 'm'));
  });

  it('a changed host key: told once', async function () {
    const other = utils.generateKeyPairSync('ed25519');
    const pub = utils.parseKey(other.public);
    const line = `[127.0.0.1]:${port} ${(pub as { type: string }).type} ${(pub as { getPublicSSH(): Buffer }).getPublicSSH().toString('base64')}\n`;
    const r = await capture(line);
    assert.equal(r.code, 2);
    assert.equal(count(r.err, /host key for d1 \(127\.0\.0\.1:\d+\) changed/), 1, r.err);
  });
});
