// The capture command's own parsing: durations, secrets from the environment, and
// refusing bad input before anything connects.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { captureCommand } from '../../../src/cli/commands/capture';
import { checkCommand } from '../../../src/cli/commands/check';
import { probeCommand } from '../../../src/cli/commands/probe';
import { getSecretFromEnvOrPrompt, parseDuration } from '../../../src/cli/sshArgs';
import { captureStdio } from '../../helpers/stdio';

/** A local TCP port nothing listens on: connections to it are refused at once. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Runs a command with its output captured; a thrown error becomes `error`. */
async function runCaught(run: () => Promise<number>): Promise<{ code: number; out: string; err: string; error?: string }> {
  let error: string | undefined;
  const r = await captureStdio(async () => {
    try {
      return await run();
    } catch (e) {
      error = (e as Error).message;
      return 2;
    }
  });
  return { ...r, error };
}

describe('cli capture', function () {
  it('parses durations', function () {
    assert.equal(parseDuration('10s'), 10000);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('2m'), 120000);
    assert.equal(parseDuration('3'), 3000);
    assert.throws(() => parseDuration('ten'), /--duration "ten" is not a duration/);
    assert.throws(() => parseDuration('0s'), /between/);
  });

  it('accepts every duration its message promises (1 ms to 24 h, hours included) and names the option at fault', function () {
    assert.equal(parseDuration('1h'), 3600000);
    assert.equal(parseDuration('24h'), 24 * 3600000);
    assert.equal(parseDuration('1.5s'), 1500);
    assert.equal(parseDuration('1ms'), 1);
    assert.equal(parseDuration('90m'), 90 * 60000);
    for (const tooSmall of ['0.5ms', '0.0001', '0'])
      assert.throws(() => parseDuration(tooSmall), new RegExp(`--duration "${tooSmall}" must be between 1 ms and 24 h`));
    assert.throws(() => parseDuration('25h'), /--duration "25h" must be between 1 ms and 24 h/);
    assert.throws(() => parseDuration('abc', '--timeout'), /^Error: --timeout "abc" is not a duration \(examples: 10s, 500ms, 2m, 1h\)$/);
    assert.throws(() => parseDuration('1d', '--connect-timeout'), /--connect-timeout "1d" is not a duration/);
  });

  it('names the duration option at fault and checks every argument before doing anything', async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-cli-durations-'));
    try {
      const hosts = path.join(dir, 'hosts.json');
      fs.writeFileSync(hosts, JSON.stringify([{ name: 'd1', host: '127.0.0.1', port: await closedPort(), role: 'director' }]));
      const out = path.join(dir, 'out');
      const cap = await runCaught(() => captureCommand.run(['--service', 'tcp:192.0.2.100:80', '--out', out, '--hosts', hosts, '--connect-timeout', 'abc']));
      assert.equal(cap.error, '--connect-timeout "abc" is not a duration (examples: 10s, 500ms, 2m, 1h)');
      assert.equal(cap.err, '', 'no warning of the plan before the error');
      assert.ok(!fs.existsSync(out));
      const chk = await runCaught(() => checkCommand.run(['--hosts', hosts, '--timeout', 'abc']));
      assert.equal(chk.error, '--timeout "abc" is not a duration (examples: 10s, 500ms, 2m, 1h)');
      assert.equal(chk.err, '');
      const interval = await runCaught(() => probeCommand.run(['--service', 'tcp:192.0.2.100:80', '--from', 'local', '--interval', 'abc']));
      assert.equal(interval.error, '--interval "abc" is not a duration (examples: 10s, 500ms, 2m, 1h)');
      // probe's own bounds, which it used to apply in silence.
      const timeout = await runCaught(() => probeCommand.run(['--service', 'tcp:192.0.2.100:80', '--from', 'local', '--timeout', '20s']));
      assert.equal(timeout.error, '--timeout "20s" must be between 100 ms and 10 s');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves nothing behind when no host produced a capture, so that the same command can run again', async function () {
    this.timeout(20000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-cli-capture-fail-'));
    try {
      const hosts = path.join(dir, 'hosts.json');
      const port = await closedPort();
      fs.writeFileSync(hosts, JSON.stringify([{ name: 'd1', host: '127.0.0.1', port, role: 'director' }, { name: 'r1', host: '127.0.0.1', port, role: 'real-server' }]));
      const args = (out: string) => ['--service', 'tcp:192.0.2.100:80', '--out', out, '--hosts', hosts, '--duration', '1s', '--known-hosts', path.join(dir, 'known_hosts')];
      for (const out of [path.join(dir, 'o2'), path.join(dir, 'new', 'deeper', 'o3')]) {
        for (const attempt of [1, 2]) {
          const r = await runCaught(() => captureCommand.run(args(out)));
          assert.equal(r.error, undefined, `attempt ${attempt}: ${r.error}`);
          assert.equal(r.code, 2, `attempt ${attempt}`);
          // The host named once (the message already starts with it and its address).
          assert.match(r.err, /^error: d1 \(127\.0\.0\.1:\d+\): connection refused/m);
          assert.doesNotMatch(r.err, /error: (\w+): \1[ :]/);
          assert.match(r.err, /no host produced a capture/);
          assert.doesNotMatch(r.out, /capture folder/);
          assert.ok(!fs.existsSync(out), `attempt ${attempt}: ${out} removed`);
        }
      }
      assert.ok(!fs.existsSync(path.join(dir, 'new')), 'the folders made on the way removed too');
      // A folder that was there (empty) before stays, and stays empty.
      const empty = path.join(dir, 'empty');
      fs.mkdirSync(empty);
      const r = await runCaught(() => captureCommand.run(args(empty)));
      assert.equal(r.code, 2);
      assert.deepEqual(fs.readdirSync(empty), []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an --out that is a file, naming it', async function () {
    const file = path.join(os.tmpdir(), `lvs-cli-out-file-${process.pid}`);
    fs.writeFileSync(file, 'x');
    try {
      await assert.rejects(captureCommand.run(['--service', 'tcp:192.0.2.1:80', '--out', file, '--host', 'rs1=director']), (e: Error) => e.message === `--out ${file} is a file, not a folder`);
      await assert.rejects(captureCommand.run(['--service', 'tcp:192.0.2.1:80', '--out', path.join(file, 'sub'), '--host', 'rs1=director']), (e: Error) => e.message.startsWith(`--out ${path.join(file, 'sub')}: `) && /not a folder/.test(e.message));
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  it('takes passwords from LVS_TRACE_PASSWORD_<HOST>, then LVS_TRACE_PASSWORD; never prompts without a terminal', async function () {
    const env = { LVS_TRACE_PASSWORD_RS_2: 'per-host', LVS_TRACE_PASSWORD: 'shared', LVS_TRACE_PASSPHRASE: 'pp' };
    assert.equal(await getSecretFromEnvOrPrompt({ kind: 'password', host: 'rs-2' }, env, false), 'per-host');
    assert.equal(await getSecretFromEnvOrPrompt({ kind: 'sudo', host: 'rs1' }, env, false), 'shared');
    assert.equal(await getSecretFromEnvOrPrompt({ kind: 'passphrase', host: 'rs1', keyFile: 'k' }, env, false), 'pp');
    assert.equal(await getSecretFromEnvOrPrompt({ kind: 'password', host: 'rs1', retry: true }, env, false), undefined, 'a refused value is not offered again');
    assert.equal(await getSecretFromEnvOrPrompt({ kind: 'password', host: 'rs1' }, {}, false), undefined);
  });

  it('refuses bad options before connecting', async function () {
    await assert.rejects(captureCommand.run(['--out', '/tmp/x']), /--service is required/);
    await assert.rejects(captureCommand.run(['--service', 'tcp:192.0.2.1:80']), /--out DIR is required/);
    await assert.rejects(captureCommand.run(['--service', 'tcp:192.0.2.1:80', '--out', '/nonexistent-h4', '--duration', '1s', '--count', '3']), /--duration or --count, not both/);
    await assert.rejects(captureCommand.run(['--service', 'tcp:192.0.2.1:80', '--out', '/nonexistent-h4']), /no hosts/);
    await assert.rejects(captureCommand.run(['--service', 'tcp:192.0.2.1:80', '--out', '/nonexistent-h4', '--host', 'rs1=boss']), /must be NAME=ROLE/);
    for (const bad of ['0', '-5', 'lots', '2000000'])
      await assert.rejects(captureCommand.run(['--service', 'tcp:192.0.2.1:80', '--out', '/nonexistent-h4', '--max-mb', bad]), /--max-mb ".*" must be a number of MiB per host/);
  });
});
