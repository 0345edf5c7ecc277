// The capture command's own parsing: durations, secrets from the environment, and
// refusing bad input before anything connects.
import * as assert from 'node:assert/strict';
import { captureCommand } from '../../../src/cli/commands/capture';
import { getSecretFromEnvOrPrompt, parseDuration } from '../../../src/cli/sshArgs';

describe('cli capture', function () {
  it('parses durations', function () {
    assert.equal(parseDuration('10s'), 10000);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('2m'), 120000);
    assert.equal(parseDuration('3'), 3000);
    assert.throws(() => parseDuration('ten'), /--duration "ten" is not a duration/);
    assert.throws(() => parseDuration('0s'), /between/);
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
