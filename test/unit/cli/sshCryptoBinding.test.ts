// The built CLI (dist/cli.js, as `npm run build` makes it and bin/lvs-trace.js runs it) loads
// ssh2's native crypto binding when npm compiled one: the bundle requires it relative to dist/,
// and without the copy scripts/build.mjs puts there ssh2 silently runs its slower fallbacks.

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../../helpers/env';

const compiled = path.join(repoRoot, 'node_modules/ssh2/lib/protocol/crypto/build/Release/sshcrypto.node');
const cli = path.join(repoRoot, 'dist', 'cli.js');

describe('lvs-trace build: ssh2 native crypto', function () {
  this.timeout(60000);

  before(function () {
    // The build is cheap and makes the test independent of an earlier one.
    const r = spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'build.mjs')], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });

  it('the bundled CLI loads the binding npm compiled (and does not look for one that was not)', function () {
    // Runs the real bundle (its --help) and records which native modules it required.
    const probe = `
      const Module = require('node:module');
      const orig = Module.prototype.require;
      let loaded = 'not asked';
      Module.prototype.require = function (id) {
        if (!String(id).endsWith('sshcrypto.node')) return orig.apply(this, arguments);
        try { const m = orig.apply(this, arguments); loaded = 'loaded'; return m; }
        catch (e) { loaded = 'failed: ' + e.message; throw e; }
      };
      process.on('exit', () => process.stderr.write('\\nBINDING ' + loaded + '\\n'));
      process.argv = [process.argv[0], ${JSON.stringify(cli)}, '--help'];
      require(${JSON.stringify(cli)});
    `;
    const r = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
    const line = /BINDING (.*)/.exec(r.stderr)?.[1];
    assert.ok(line, `no report from the probe: ${r.stderr}`);
    if (fs.existsSync(compiled)) assert.equal(line, 'loaded');
    else assert.match(line, /^failed: /, 'without a compiled binding ssh2 falls back, as it expects');
  });
});
