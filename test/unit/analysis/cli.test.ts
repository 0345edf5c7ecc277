// `lvs-trace analyze FOLDER [--json]`: text and JSON output, exit status 1 on an error finding.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { analyzeCommand } from '../../../src/cli/commands/analyze';
import { hasSharedFixtures, labFixturesDir, repoRoot, requireOrSkip } from '../../helpers/env';

async function run(args: string[]): Promise<{ code: number; out: string }> {
  const chunks: string[] = [];
  const orig = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string | Uint8Array) => {
    chunks.push(String(s));
    return true;
  }) as typeof process.stdout.write;
  try {
    const code = await analyzeCommand.run(args);
    return { code, out: chunks.join('') };
  } finally {
    process.stdout.write = orig;
  }
}

/** The command in a process of its own: --json writes to the stdout file descriptor. */
function lvsTrace(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const script = `require('./src/cli/main').main(${JSON.stringify(args)}).then((c) => { process.exitCode = c; })`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: repoRoot, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('lvs-trace analyze', function () {
  this.timeout(30000);
  before(function () {
    requireOrSkip(this, hasSharedFixtures(), 'shared lab fixtures');
  });

  it('prints per-connection hops and exits 0 on a healthy capture', async function () {
    const { code, out } = await run([path.join(labFixturesDir, 'dr-healthy')]);
    assert.equal(code, 0);
    assert.match(out, /198\.51\.100\.10:48844 → 192\.0\.2\.100:80\s+rs2\s+complete\s+S: client → router [\d.]+ms → director [\d.]+ms \(MAC → 02:00:c0:00:02:0c \(rs2\)\) → rs2 [\d.]+ms/);
    assert.match(out, /Findings:\n\s+none/);
  });

  it('prints the findings, errors first, and exits 1 when there is an error', async function () {
    const { code, out } = await run([path.join(labFixturesDir, 'nat-wrong-gateway')]);
    assert.equal(code, 1);
    assert.match(out, /ERROR nat-reply-bypasses-director: LVS\/NAT replies from rs2/);
    assert.match(out, /what to do: /);
  });

  it('--json gives findings (code, severity, message, evidence, location), connections, lanes and stats', async function () {
    const { code, stdout, stderr } = lvsTrace(['analyze', path.join(labFixturesDir, 'keepalived-healthcheck'), '--json']);
    assert.equal(code, 0, `warnings only; stderr: ${stderr}`);
    const j = JSON.parse(stdout);
    assert.ok(Array.isArray(j.findings) && Array.isArray(j.connections) && Array.isArray(j.lanes));
    assert.equal(typeof j.stats.packets, 'number');
    const f = j.findings[0];
    assert.equal(f.code, 'health-check-failing');
    assert.equal(f.severity, 'warning');
    assert.equal(typeof f.message, 'string');
    assert.ok(f.evidence[0].host && f.evidence[0].file);
    assert.equal(typeof f.location.line, 'number');
    assert.ok(j.connections[0].hops.length > 0);
  });

  it('--json into a pipe closed early (| head) stops quietly', async function () {
    const script = `require('./src/cli/main').main(${JSON.stringify(['analyze', path.join(repoRoot, 'samples', 'dr-healthy'), '--json'])}).then((c) => { process.exitCode = c; })`;
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // Read the first bytes, then close our end: the writer meets EPIPE.
    const first = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString())));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.match(first, /^\{\n {2}"folder": /);
    assert.equal(code, 0, `exit status; stderr: ${err}`);
    assert.equal(err, '');
  });

  it('usage error without a folder', async function () {
    const orig = process.stderr.write.bind(process.stderr);
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      assert.equal(await analyzeCommand.run([]), 2);
    } finally {
      process.stderr.write = orig;
    }
  });
});
