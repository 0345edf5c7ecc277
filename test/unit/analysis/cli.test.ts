// `lvs-trace analyze FOLDER [--json]`: text and JSON output, exit status 1 on an error finding.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { analyzeCommand } from '../../../src/cli/commands/analyze';
import { hasSharedFixtures, labFixturesDir, requireOrSkip } from '../../helpers/env';

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

describe('lvs-trace analyze', function () {
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
    const { code, out } = await run([path.join(labFixturesDir, 'keepalived-healthcheck'), '--json']);
    assert.equal(code, 0, 'warnings only');
    const j = JSON.parse(out);
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
