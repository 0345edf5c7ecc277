import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/cli/main';
import { captureStdio } from '../../helpers/stdio';
import { drConfig } from './helpers';

async function run(args: string[]): Promise<{ code: number; out: string }> {
  const { code, out } = await captureStdio(() => main(args));
  return { code, out };
}

describe('lvs-trace lint', function () {
  let dir: string;
  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-lint-cli-'));
    fs.writeFileSync(path.join(dir, 'keepalived.conf'), drConfig({ rsPort: 8080 }).replace('lb_algo wlc', 'lb_algo roundrobin'));
    fs.writeFileSync(path.join(dir, 'good.keepalived.conf'), drConfig());
    fs.writeFileSync(path.join(dir, 'rules.ipvsadm'), '-A -t 192.0.2.1:80 -s rr\n-a -t 192.0.2.1:80 -r 10.0.0.1:80 -m -w 0\n');
  });
  after(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints file:line:col: severity code message and exits 1 on errors', async function () {
    const { code, out } = await run(['lint', path.join(dir, 'keepalived.conf')]);
    assert.equal(code, 1);
    const lines = out.trim().split('\n');
    assert.equal(lines[0], `${path.join(dir, 'keepalived.conf')}:16:13: error invalid-value 'lb_algo': 'roundrobin' is not one of rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, fo, ovf, mh, twos`);
    assert.match(lines[1], /:19:28: error dr-port-remap /);
  });

  it('--json prints one array with 1-based line and column; exit 0 without errors', async function () {
    const { code, out } = await run(['lint', '--json', path.join(dir, 'good.keepalived.conf'), path.join(dir, 'rules.ipvsadm')]);
    assert.equal(code, 0);
    const rows = JSON.parse(out) as Array<Record<string, unknown>>;
    assert.deepEqual(rows, [{ code: 'all-weights-zero', severity: 'warning', file: path.join(dir, 'rules.ipvsadm'), line: 1, column: 1, message: rows[0].message }]);
  });

  it('reports an unreadable file as an error (exit 2: input error) and refuses no arguments', async function () {
    const { code, out } = await run(['lint', '--json', path.join(dir, 'nope.conf')]);
    assert.equal(code, 2);
    assert.equal((JSON.parse(out) as Array<{ code: string }>)[0].code, 'file-unreadable');
    assert.equal((await run(['lint'])).code, 2);
  });
});
