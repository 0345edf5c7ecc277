// Nothing connects to or sets up every host at once: the SSH pool bounds logins in
// progress (see poolJumpLimits.test.ts), and the CLI capture and the probe's capture
// bound the hosts set up / finished together.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../../helpers/env';
import { DEFAULT_MAX_CONNECTING } from '../../../src/core/ssh';

describe('bounded parallelism', function () {
  it('has a finite default bound', function () {
    assert.ok(Number.isFinite(DEFAULT_MAX_CONNECTING) && DEFAULT_MAX_CONNECTING >= 1 && DEFAULT_MAX_CONNECTING <= 32);
  });
  for (const f of ['src/cli/commands/capture.ts', 'src/core/probe/index.ts']) {
    it(`${f} passes maxParallel to runCapture`, function () {
      const src = fs.readFileSync(path.join(repoRoot, f), 'utf8');
      assert.match(src, /runCapture\([^)]*\{[^}]*maxParallel: DEFAULT_MAX_CONNECTING/s);
    });
  }
});
