// Analyses in a worker thread (what the extension does): the worker script bundled here
// with esbuild as the build bundles it, run on the project's sample captures, compared
// with the same analysis in this thread; then its failures: released analyses, a worker
// that dies, a capture that needs more memory than the worker may use.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { analyzeCapture } from '../../../src/core/analysis/index';
import { writeMergedPcapng } from '../../../src/core/analysis/mergedPcapng';
import { readPacketDetails } from '../../../src/core/analysis/packetDetails';
import { decodeFrame } from '../../../src/core/decode/index';
import { withoutHops } from '../../../src/core/analysis/result';
import { AnalysisWorker } from '../../../src/core/analysis/worker/client';
import { repoRoot } from '../../helpers/env';
import { generate } from '../../bench/analysis.bench';

const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const sample = (name: string): string => path.join(repoRoot, 'samples', name);

describe('analysis in a worker thread', function () {
  this.timeout(60000);
  let dir: string;
  let script: string;
  const workers: AnalysisWorker[] = [];
  const make = (s = script, maxHeapMb?: number): AnalysisWorker => {
    const w = new AnalysisWorker(s, { maxHeapMb });
    workers.push(w);
    return w;
  };

  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-worker-test-'));
    script = path.join(dir, 'analysisWorker.js');
    esbuild.buildSync({
      entryPoints: [path.join(repoRoot, 'src/core/analysis/worker/entry.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile: script,
      logLevel: 'error',
    });
  });

  after(function () {
    for (const w of workers) w.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gives the same result and the same hops as the analysis in this thread, for every sample', async function () {
    const w = make();
    assert.equal(w.threaded, true);
    const names = fs.readdirSync(path.join(repoRoot, 'samples')).filter((n) => fs.existsSync(path.join(sample(n), 'capture.json')));
    assert.ok(names.length >= 5, `samples: ${names.join(', ')}`);
    // Several at once: the worker interleaves them.
    const remote = await Promise.all(names.map((n) => w.analyze(sample(n))));
    for (const [k, name] of names.entries()) {
      const here = await analyzeCapture(sample(name));
      const a = remote[k];
      assert.deepEqual(plain(a.result), plain(withoutHops(here)), name);
      assert.ok(a.result.connections.every((c) => c.hops.length === 0), `${name}: the result crosses without hops`);
      for (const c of here.connections) assert.deepEqual(plain(await a.hops(c.id)), plain(c.hops), `${name} ${c.id}`);
      assert.equal(await a.hops('tcp:203.0.113.1:1#99'), undefined, 'no such connection');
      // The export, written by the worker, is the one written here byte for byte.
      const there = path.join(dir, `${name}-worker.pcapng`);
      const mine = path.join(dir, `${name}-here.pcapng`);
      assert.deepEqual(await a.exportPcapng(there), writeMergedPcapng(await analyzeCapture(sample(name)), mine));
      assert.ok(fs.readFileSync(there).equals(fs.readFileSync(mine)), `${name}: the same merged pcapng`);
    }
    const findings = remote[names.indexOf('dr-arp-problem')].result.findings;
    assert.equal(findings.find((f) => f.severity !== 'info')?.code, 'arp-problem');
  });

  it('a released analysis answers no more; a bad folder is a finding, not a failure', async function () {
    const w = make();
    const a = await w.analyze(sample('dr-healthy'));
    const id = a.result.connections[0].id;
    assert.ok((await a.hops(id))!.length > 0);
    a.release();
    await assert.rejects(a.hops(id), /released/);
    const bad = await w.analyze(path.join(dir, 'no-such-capture'));
    assert.equal(bad.result.findings[0].code, 'capture-unreadable');
    assert.match(bad.result.findings[0].message, /no-such-capture/);
  });

  it('reads a packet for the details pane in the worker: the same as in this thread; a missing one is an error', async function () {
    const w = make();
    const folder = sample('nat-healthy');
    const result = await analyzeCapture(folder);
    const last = result.lanes[0].packetCount;
    for (const ref of [{ point: 0, n: 1 }, { point: 0, n: Math.ceil(last / 2) }, { point: 0, n: last }, { point: 2, n: 3 }]) {
      const there = await w.packetDetails(folder, result.manifest, ref);
      assert.deepEqual(there, readPacketDetails(folder, result.manifest, ref, decodeFrame), JSON.stringify(ref));
      assert.equal(there.ref.n, ref.n);
    }
    await assert.rejects(w.packetDetails(folder, result.manifest, { point: 0, n: last + 1 }), new RegExp(`^Error: reading the packet failed: .*has no packet ${last + 1}`));
    // An export the worker cannot write says so, as an export.
    const a = await w.analyze(folder);
    const unwritable = path.join(dir, 'no-such-dir', 'x.pcapng');
    await assert.rejects(a.exportPcapng(unwritable), (e: Error) => e.message === `export failed: ${unwritable}: no such file or folder`);
    await assert.rejects(w.packetDetails(folder, result.manifest, { point: 99, n: 1 }), /capture point 99 is not in capture.json/);
  });

  it('a worker that dies fails its requests with the reason, and the next analysis starts a new one', async function () {
    const dying = path.join(dir, 'dies.js');
    fs.writeFileSync(dying, 'process.exit(3);\n');
    await assert.rejects(make(dying).analyze(sample('dr-healthy')), /analysis worker stopped: exit code 3/);
    // A working worker whose thread goes away under an analysis it holds.
    const w = make();
    const a = await w.analyze(sample('dr-healthy'));
    (w as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    await new Promise((r) => setTimeout(r, 200));
    await assert.rejects(a.hops(a.result.connections[0].id), /stopped since this capture was analysed/);
    const again = await w.analyze(sample('dr-healthy'));
    assert.ok((await again.hops(again.result.connections[0].id))!.length > 0);
  });

  it('a capture too big for the worker\'s heap ends that worker with a sentence, not the process', async function () {
    const big = path.join(dir, 'big');
    generate(big, { label: 'big', connections: 20000, segments: 2 });
    await assert.rejects(make(script, 16).analyze(big), /needs more than 16 MiB to analyse/);
  });

  it('runs in this thread when the worker script is not there', async function () {
    const w = make(path.join(dir, 'absent.js'));
    assert.equal(w.threaded, false);
    const a = await w.analyze(sample('dr-arp-problem'));
    assert.deepEqual(plain(a.result), plain(withoutHops(await analyzeCapture(sample('dr-arp-problem')))));
    assert.ok((await a.hops(a.result.connections[0].id))!.length > 0);
  });
});
