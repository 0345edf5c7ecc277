// startAnalysisIsolate(): the worker it starts compiles hot code synchronously, and the
// process's other isolates keep background compiles. Asked of V8 itself in a child process
// (--allow-natives-syntax, test only): a function is given to TurboFan with a request for a
// background compile and called once; optimised code already in place after that call
// means the isolate compiled it there and then. (Background compiles are held up 300 ms,
// --concurrent-recompilation-delay, so that one cannot finish during the call.)

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { repoRoot } from '../../helpers/env';

/** How this isolate compiled `probe` when asked for a background compile. (Status bit 4:
 *  optimised code; see V8's OptimizationStatus.) */
const PROBE = `
function probe(n) { let s = 0; for (let i = 0; i < n; i++) s = (s + i * 7) | 0; return s; }
%PrepareFunctionForOptimization(probe);
probe(10); probe(10);
%OptimizeFunctionOnNextCall(probe, "concurrent");
probe(10);
const mode = (%GetOptimizationStatus(probe) & (1 << 4)) !== 0 ? 'Synchronous' : 'Concurrent';
`;

const DRIVER = `
const { Worker } = require('node:worker_threads');
const { startAnalysisIsolate } = require(process.argv[2]);
const modeIn = (start) => new Promise((resolve, reject) => {
  const w = start(${JSON.stringify(PROBE)} + "require('node:worker_threads').parentPort.postMessage(mode);", { eval: true });
  w.once('message', resolve);
  w.once('error', reject);
});
(async () => {
  const modes = {};
  // Two at once, then one more: each analysis isolate compiles synchronously.
  [modes.first, modes.second] = await Promise.all([modeIn(startAnalysisIsolate), modeIn(startAnalysisIsolate)]);
  modes.third = await modeIn(startAnalysisIsolate);
  // Started the plain way afterwards: what the process had before.
  modes.plainWorker = await modeIn((s, o) => new Worker(s, o));
  modes.mainThread = new Function(${JSON.stringify(PROBE)} + 'return mode;')();
  process.stdout.write(JSON.stringify(modes));
})();
`;

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
    const r = spawnSync(process.execPath, [...nodeFlags, '--allow-natives-syntax', '--concurrent-recompilation-delay=300', driver, helper], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as Record<string, string>;
  };

  it('compiles synchronously in the analysis workers and in the background everywhere else', function () {
    assert.deepEqual(run([]), { first: 'Synchronous', second: 'Synchronous', third: 'Synchronous', plainWorker: 'Concurrent', mainThread: 'Concurrent' });
  });

  it('leaves a process started without background compiles without them', function () {
    assert.deepEqual(run(['--no-concurrent-recompilation']), { first: 'Synchronous', second: 'Synchronous', third: 'Synchronous', plainWorker: 'Synchronous', mainThread: 'Synchronous' });
  });
});
