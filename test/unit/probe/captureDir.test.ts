// `probe --capture --capture-dir DIR` without --keep-capture must never remove DIR or
// anything the user had in it: the capture goes to a fresh folder inside DIR, and only
// that folder is removed afterwards.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { probeVip } from '../../../src/core/probe';
import type { HostSource } from '../../../src/core/capture';
import { LocalHost } from '../../../src/core/ssh';

describe('probe capture folder', function () {
  this.timeout(60_000);
  let tcp: net.Server;
  let port = 0;
  let base: string;
  before(async function () {
    tcp = net.createServer((s) => s.end('hello from rsA\n'));
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', () => r()));
    port = (tcp.address() as net.AddressInfo).port;
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-probe-dir-test-'));
  });
  after(function () {
    tcp?.close();
    fs.rmSync(base, { recursive: true, force: true });
  });

  // Capture hosts that cannot be reached: the probe still runs, the capture yields nothing.
  const source: HostSource = { get: async (name: string) => Promise.reject(new Error(`${name}: unreachable (test)`)) } as unknown as HostSource;

  for (const keep of [false, true]) {
    it(`keeps the user's folder and its files (keep-capture ${keep})`, async function () {
      const dir = path.join(base, `mine-${keep}`);
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'precious.txt'), 'do not delete');
      const r = await probeVip({
        from: new LocalHost('here'),
        tool: 'node',
        vip: '127.0.0.1',
        port,
        protocol: 'tcp',
        count: 2,
        intervalMs: 0,
        realServers: [{ name: 'rsA', address: '127.0.0.1', port, weight: 1, host: 'rsA-host' }],
        capture: { source, outDir: dir, keep },
      });
      assert.equal(r.attempts.length, 2);
      assert.equal(fs.readFileSync(path.join(dir, 'precious.txt'), 'utf8'), 'do not delete');
      const capDir = r.capture?.dir;
      assert.ok(capDir, 'the result names the capture folder');
      assert.equal(path.dirname(capDir), dir, 'the capture folder is a new folder inside the one named');
      assert.equal(fs.existsSync(capDir), keep);
      assert.deepEqual(fs.readdirSync(dir).filter((f) => f !== 'precious.txt').length, keep ? 1 : 0);
    });
  }

  it('creates the named folder when it does not exist', async function () {
    const dir = path.join(base, 'new', 'deeper');
    const r = await probeVip({
      from: new LocalHost('here'),
      tool: 'node',
      vip: '127.0.0.1',
      port,
      protocol: 'tcp',
      count: 1,
      realServers: [{ name: 'rsA', address: '127.0.0.1', port, weight: 1, host: 'rsA-host' }],
      capture: { source, outDir: dir },
    });
    assert.equal(r.attempts.length, 1);
    assert.ok(fs.existsSync(dir));
    assert.deepEqual(fs.readdirSync(dir), []);
  });
});
