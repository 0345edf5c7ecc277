// The rule catalogue: stable unique codes, each with its documentation page.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { rules } from '../../../src/core/analysis/rules/index';
import { repoRoot } from '../../helpers/env';

describe('analysis: rule catalogue', function () {
  it('has every finding code the issue asks for, once each', function () {
    const codes = rules.map((r) => r.code);
    assert.equal(new Set(codes).size, codes.length);
    for (const c of [
      'vip-no-traffic', 'director-not-forwarding', 'forwarded-not-received', 'rs-no-reply', 'rs-rejects',
      'dr-reply-wrong-source', 'nat-reply-bypasses-director', 'arp-problem', 'quiescent-dead-server',
      'unbalanced-distribution', 'health-check-failing', 'vrrp-split-brain', 'vrrp-no-adverts', 'tun-fragmentation-needed', 'vrrp-failover',
    ]) assert.ok(codes.includes(c), c);
  });

  it('documents every code in docs/findings/<code>.md with its packet signature', function () {
    for (const r of rules) {
      const file = path.join(repoRoot, 'docs', 'findings', `${r.code}.md`);
      assert.ok(fs.existsSync(file), `missing ${file}`);
      const text = fs.readFileSync(file, 'utf8');
      assert.match(text, new RegExp(`^# ${r.code} \\(`));
      assert.match(text, /\*\*Packet signature\.\*\*|\*\*How it is judged\.\*\*/);
      assert.match(text, /\*\*What to check\.\*\*/);
    }
  });
});
