// startAnalysisIsolate(): the worker it starts compiles hot code synchronously, and the
// process's other isolates keep background compiles. Checked from V8's own trace
// (--trace-opt names each compile's mode) in a child process running the bundled helper.

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { repoRoot } from '../../helpers/env';

// A worker (or the main thread) that makes `name` hot enough for TurboFan, then says so.
const hot = (name: string): string =>
  `function ${name}(n) { let s = 0; for (let i = 0; i < n; i++) s = (s + i * 7) | 0; return s; }` +
  `let t = 0; for (let k = 0; k < 20000; k++) t += ${name}(200);`;

const DRIVER = `
const { Worker } = require('node:worker_threads');
const { startAnalysisIsolate } = require(process.argv[2]);
const worker = (name, start) => new Promise((resolve, reject) => {
  const w = start(${JSON.stringify(hot('NAME'))}.replaceAll('NAME', name) + "require('node:worker_threads').parentPort.postMessage(t);", { eval: true });
  w.once('message', resolve);
  w.once('error', reject);
});
(async () => {
  // Two at once, then one more: each analysis isolate compiles synchronously.
  await Promise.all([worker('hotInFirstIsolate', startAnalysisIsolate), worker('hotInSecondIsolate', startAnalysisIsolate)]);
  await worker('hotInThirdIsolate', startAnalysisIsolate);
  // Started the plain way afterwards: what the process had before.
  await worker('hotInPlainWorker', (s, o) => new Worker(s, o));
  ${hot('hotInMainThread')}
  process.stdout.write('done ' + t + '\\n');
})();
`;

/** Compile mode of each function whose name starts with "hotIn", from --trace-opt. */
function compileModes(out: string): Record<string, string> {
  const modes: Record<string, string> = {};
  for (const m of out.matchAll(/\[compiling method \S+ <JSFunction (hotIn\w+)[^\]]*mode: ConcurrencyMode::k(\w+)\]/g)) modes[m[1]] = m[2];
  return modes;
}

describe('analysis isolate', function () {
  this.timeout(60000);
  let dir: string;
  let helper: string;
  let driver: string;

  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-isolate-test-'));
    helper = path.join(dir, 'isolate.js');
    driver = path.join(dir, 'driver.js');
    esbuild.buildSync({ entryPoints: [path.join(repoRoot, 'src/core/analysis/worker/isolate.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: helper, logLevel: 'error' });
    fs.writeFileSync(driver, DRIVER);
  });

  after(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const run = (nodeFlags: string[]): Record<string, string> => {
    const r = spawnSync(process.execPath, [...nodeFlags, '--trace-opt', driver, helper], { encoding: 'utf8', maxBuffer: 1 << 26 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^done \d+$/m);
    return compileModes(r.stdout);
  };

  it('compiles synchronously in the analysis workers and in the background everywhere else', function () {
    assert.deepEqual(run([]), {
      hotInFirstIsolate: 'Synchronous',
      hotInSecondIsolate: 'Synchronous',
      hotInThirdIsolate: 'Synchronous',
      hotInPlainWorker: 'Concurrent',
      hotInMainThread: 'Concurrent',
    });
  });

  it('leaves a process started without background compiles without them', function () {
    const modes = run(['--no-concurrent-recompilation']);
    assert.equal(modes.hotInPlainWorker, 'Synchronous');
    assert.equal(modes.hotInMainThread, 'Synchronous');
    assert.equal(modes.hotInFirstIsolate, 'Synchronous');
  });
});
