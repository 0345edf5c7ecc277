// LocalHost runs the same argv as the SSH host, without a shell.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalHost } from '../../../src/core/ssh/localHost';
import { SshError } from '../../../src/core/ssh/errors';
import { isRoot, requireOrSkip } from '../../helpers/env';

describe('ssh/LocalHost', function () {
  const host = new LocalHost('here');

  it('passes arguments verbatim (no shell), stdin, exit status', async function () {
    const r = await host.exec(['printf', '%s|', 'a b', '$(id)', "it's"]);
    assert.deepEqual(r, { stdout: 'a b|$(id)|it\'s|', stderr: '', code: 0, signal: undefined });
    assert.equal((await host.exec(['cat'], { stdin: 'fed\n' })).stdout, 'fed\n');
    assert.equal((await host.exec(['sh', '-c', 'exit 7'])).code, 7);
    assert.equal((await host.exec(['no-such-command-xyz'])).code, 127);
  });

  it('bounds output and time, and can be cancelled', async function () {
    const big = await host.exec(['head', '-c', '100000', '/dev/zero'], { maxOutputBytes: 1000 });
    assert.match(big.stdout, /\[output truncated: 99000 more bytes dropped\]$/);
    await assert.rejects(host.exec(['sleep', '5'], { timeoutMs: 200 }), (e: Error) => e instanceof SshError && /sleep did not finish within 0\.2 s/.test(e.message));
    const ac = new AbortController();
    const p = host.exec(['sleep', '5'], { signal: ac.signal });
    setTimeout(() => ac.abort(), 100);
    await assert.rejects(p, /cancelled/);
  });

  it('reads byte ranges of a growing file and reports no clock offset', async function () {
    const f = path.join(os.tmpdir(), `lh-${process.pid}`);
    fs.writeFileSync(f, 'abcdef');
    assert.equal((await host.readRange(f, 2, 3)).toString(), 'cde');
    assert.equal((await host.readRange(f, 6, 3)).length, 0);
    fs.rmSync(f);
    assert.deepEqual(await host.clock(), { offsetMs: 0, uncertaintyMs: 0 });
  });

  it('sudo: runs directly when already root', async function () {
    requireOrSkip(this, isRoot(), 'root');
    const w = await host.sudoWrap(['id', '-u'], 'id');
    assert.deepEqual(w, { argv: ['id', '-u'], stdin: undefined });
  });
});
