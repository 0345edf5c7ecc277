// The sample capture folders made by the project's lab (samples/*/) get the findings
// their scenario is about, first; the healthy ones none.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeCapture } from '../../../src/core/analysis/index';
import { repoRoot } from '../../helpers/env';

const samplesDir = path.join(repoRoot, 'samples');
const expected: Record<string, { code: string; realServer?: string } | null> = {
  'dr-healthy': null,
  'nat-healthy': null,
  'tun-healthy': null,
  'dr-arp-problem': { code: 'arp-problem', realServer: 'rs1' },
  'dr-vip-missing-on-lo': { code: 'rs-no-reply', realServer: 'rs2' },
  'nat-wrong-gateway': { code: 'nat-reply-bypasses-director', realServer: 'rs2' },
  'dead-rs': { code: 'quiescent-dead-server', realServer: 'rs2' },
};

const folders = fs.existsSync(samplesDir)
  ? fs.readdirSync(samplesDir).filter((n) => fs.existsSync(path.join(samplesDir, n, 'capture.json')))
  : [];

describe('analysis: the bundled sample captures', function () {
  it('knows what to expect of every sample folder', function () {
    for (const n of folders) assert.ok(n in expected, `new sample ${n}: add its expected first finding here`);
  });

  for (const name of folders.filter((n) => n in expected)) {
    const want = expected[name];
    it(`samples/${name}: ${want ? `first error/warning is ${want.code}` : 'no error or warning'}`, async function () {
      const r = await analyzeCapture(path.join(samplesDir, name));
      assert.ok(r.connections.length > 0);
      const problems = r.findings.filter((f) => f.severity !== 'info');
      if (!want) return assert.deepEqual(problems.map((f) => `${f.code}: ${f.message}`), []);
      assert.ok(problems[0], `expected ${want.code}`);
      assert.equal(problems[0].code, want.code, problems[0].message);
      if (want.realServer) assert.equal(problems[0].realServer, want.realServer);
    });
  }
});
