// probe and check from the command line, against hosts and ports nothing answers on:
// the --service forms, attempt numbers, the advice's wording, --ignore of an unknown code.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/cli/main';
import { CHECK_FINDING_CODES } from '../../../src/core/check/codes';
import { repoRoot } from '../../helpers/env';
import { captureStdio } from '../../helpers/stdio';

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('lvs-trace probe and check', function () {
  this.timeout(30000);
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-cli-probe-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('probe: numbers attempts from 1, and its advice names `lvs-trace check`', async function () {
    const port = await closedPort();
    const r = await captureStdio(() => main(['probe', '--service', `tcp:127.0.0.1:${port}`, '--from', 'local', '--count', '2', '--interval', '0', '--timeout', '500ms']));
    assert.equal(r.code, 1, r.err);
    const rows = r.out.split('\n').filter((l) => /^ {2}\d+ {2}/.test(l));
    assert.deepEqual(rows.map((l) => l.trim().split(/\s+/)[0]), ['1', '2'], r.out);
    assert.match(r.out, /probe-no-answer/);
    assert.match(r.out, /advice: .*`lvs-trace check`/);
    assert.doesNotMatch(r.out, /LVS: Check Cluster/);
    assert.match(r.out, /attempt 1: /);
  });

  it('probe takes the --service forms capture takes (protocol tcp when left out)', async function () {
    const port = await closedPort();
    for (const spec of [`127.0.0.1:${port}`, `tcp 127.0.0.1:${port}`]) {
      const r = await captureStdio(() => main(['probe', '--service', spec, '--from', 'local', '--count', '1', '--timeout', '200ms']));
      assert.equal(r.code, 1, `${spec}: ${r.err}`);
      assert.match(r.out, new RegExp(`^probe tcp:127\\.0\\.0\\.1:${port} from local`), spec);
    }
    // What cannot be probed is refused, saying why.
    const sctp = await captureStdio(() => main(['probe', '--service', 'sctp:192.0.2.1:80', '--from', 'local']));
    assert.equal(sctp.code, 2);
    assert.match(sctp.err, /tcp or udp/);
    const noPort = await captureStdio(() => main(['probe', '--service', '192.0.2.1', '--from', 'local']));
    assert.equal(noPort.code, 2);
    assert.match(noPort.err, /port/);
  });

  it('check: --ignore with a code check does not know warns, naming it', async function () {
    const hosts = path.join(dir, 'hosts.json');
    fs.writeFileSync(hosts, JSON.stringify([{ name: 'd1', host: '127.0.0.1', port: await closedPort(), role: 'director' }]));
    const r = await captureStdio(() => main(['check', '--hosts', hosts, '--ignore', 'nonsense-code', '--ignore', 'check-rp-filter', '--known-hosts', path.join(dir, 'known_hosts')]));
    assert.match(r.err, /--ignore "nonsense-code" is not a finding code of check/);
    assert.doesNotMatch(r.err, /check-rp-filter"/);
    assert.equal(r.code, 1, 'the unreachable host is an error finding');
  });

  it('the list of check finding codes is every code src/core/check can emit', function () {
    const codes = new Set<string>();
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.ts') && e.name !== 'codes.ts') for (const m of fs.readFileSync(p, 'utf8').matchAll(/'(check-[a-z0-9-]+)'/g)) codes.add(m[1]);
      }
    };
    walk(path.join(repoRoot, 'src', 'core', 'check'));
    assert.deepEqual([...CHECK_FINDING_CODES].sort(), [...codes].sort());
  });
});
