// The bundled CLI run by bin/lvs-trace.js (both copied into a temporary dist/ and bin/)
// analyses where hot code compiles synchronously: in a worker thread of its own
// (cli/isolated.ts), or in its own thread when node was started with
// --no-concurrent-recompilation. Same output and exit status as in the main thread with V8's
// defaults, errors and usage still reported, the compiles really synchronous (and the flow
// table's fast path compiled with its helpers inlined), and a closed pipe no stack trace.

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { repoRoot } from '../../helpers/env';
import { generate } from '../../bench/analysis.bench';

describe('lvs-trace: analysis commands in an analysis worker', function () {
  this.timeout(120000);
  let dir: string;
  let cli: string;
  let bin: string;
  let folder: string;

  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-cli-isolated-test-'));
    cli = path.join(dir, 'dist', 'cli.js');
    bin = path.join(dir, 'bin', 'lvs-trace.js');
    fs.mkdirSync(path.dirname(bin));
    fs.copyFileSync(path.join(repoRoot, 'bin', 'lvs-trace.js'), bin);
    // As scripts/build.mjs bundles it (ssh2's optional native parts left out).
    esbuild.buildSync({ entryPoints: [path.join(repoRoot, 'src/cli/main.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: cli, external: ['cpu-features', './crypto/build/Release/sshcrypto.node'], logLevel: 'error' });
    // Big enough for V8 to optimise the packet loop.
    folder = path.join(dir, 'generated');
    generate(folder, { label: 'test', connections: 300, segments: 14 });
  });

  after(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the CLI: `isolated`, as `node bin/lvs-trace.js`; else main() of the bundle, all in
   *  the main thread. */
  const lvsTrace = (args: string[], isolated: boolean, nodeFlags: string[] = []) => {
    const script = `require(${JSON.stringify(cli)}).main(${JSON.stringify(args)}).then((c) => { process.exitCode = c; })`;
    const r = spawnSync(process.execPath, [...nodeFlags, ...(isolated ? [bin, ...args] : ['-e', script])], { encoding: 'utf8', maxBuffer: 1 << 28 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  /** lvsTrace() with stdout written to a file: V8 prints its traces with C stdio, and into a
   *  pipe, which Node makes non-blocking, a write that finds the pipe full is lost (EAGAIN),
   *  so a trace read from a pipe can come back cut short. A file takes every line. */
  const lvsTraceToFile = (args: string[], isolated: boolean, nodeFlags: string[]) => {
    const script = `require(${JSON.stringify(cli)}).main(${JSON.stringify(args)}).then((c) => { process.exitCode = c; })`;
    const file = path.join(dir, `stdout-${process.hrtime.bigint()}.txt`);
    const fd = fs.openSync(file, 'w');
    let r;
    try {
      r = spawnSync(process.execPath, [...nodeFlags, ...(isolated ? [bin, ...args] : ['-e', script])], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
    } finally {
      fs.closeSync(fd);
    }
    return { status: r.status, stdout: fs.readFileSync(file, 'utf8'), stderr: r.stderr };
  };

  /** Runs `node [nodeFlags] bin/lvs-trace.js args` with Node's worker debug log on:
   *  `workers` counts the workers it started. */
  const counted = (args: string[], nodeFlags: string[]) => {
    const env = { ...process.env, NODE_DEBUG: 'worker' };
    const r = spawnSync(process.execPath, [...nodeFlags, bin, ...args], { encoding: 'utf8', maxBuffer: 1 << 28, env });
    const workers = r.stderr.match(/instantiating Worker/g)?.length ?? 0;
    const stderr = r.stderr.split('\n').filter((l) => !/^WORKER \d+:|^\s/.test(l)).join('\n');
    return { status: r.status, stdout: r.stdout, stderr, workers };
  };

  it('prints what the main thread prints, text and JSON, with the same exit status', function () {
    for (const [name, status] of [['dr-arp-problem', 1], ['dr-healthy', 0]] as const) {
      const sample = path.join(repoRoot, 'samples', name);
      for (const extra of [[], ['--json'], ['--all']]) {
        const here = lvsTrace(['analyze', sample, ...extra], false);
        const there = lvsTrace(['analyze', sample, ...extra], true);
        assert.equal(here.status, status, `${name} ${extra}: ${here.stderr}`);
        assert.deepEqual(there, here, `${name} ${extra}`);
      }
    }
    const big = lvsTrace(['analyze', folder, '--all'], true);
    assert.equal(big.status, 0, big.stderr);
    assert.equal(big.stdout, lvsTrace(['analyze', folder, '--all'], false).stdout);
    assert.equal(big.stdout.match(/ complete /g)?.length, 300, 'every connection listed, none lost on the way out of the worker');
  });

  it('with node started with --no-concurrent-recompilation, analyses in its own thread, with no worker, and prints the same', function () {
    for (const [name, status] of [['dr-arp-problem', 1], ['dr-healthy', 0]] as const) {
      const sample = path.join(repoRoot, 'samples', name);
      for (const extra of [[], ['--json']]) {
        const here = lvsTrace(['analyze', sample, ...extra], false);
        const flagged = counted(['analyze', sample, ...extra], ['--no-concurrent-recompilation']);
        assert.equal(flagged.workers, 0, `${name} ${extra}: no worker`);
        assert.deepEqual({ status: flagged.status, stdout: flagged.stdout, stderr: flagged.stderr.trim() }, { status, stdout: here.stdout, stderr: here.stderr.trim() }, `${name} ${extra}`);
      }
    }
    // Without the flag, the same command starts its worker.
    const plain = counted(['analyze', path.join(repoRoot, 'samples', 'dr-healthy')], []);
    assert.equal(plain.status, 0, plain.stderr);
    assert.equal(plain.workers, 1, plain.stderr);
  });

  it('compiles the packet loop synchronously in the worker and with the flag (in the main thread with defaults, in the background)', function () {
    // V8's --trace-opt lines share the stdout file descriptor with the command's own output
    // and may be cut by it: the command is export, whose only output is one known line,
    // taken out before the trace is read.
    const modes = (isolated: boolean, nodeFlags: string[] = []): string[] => {
      const out = path.join(dir, `trace-${isolated}-${nodeFlags.length}.pcapng`);
      const r = lvsTraceToFile(['export', folder, '--out', out], isolated, ['--trace-opt', ...nodeFlags]);
      assert.equal(r.status, 0, r.stderr);
      const escaped = out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const trace = r.stdout.replace(new RegExp(`${escaped}: \\d+ packets from \\d+ capture points, \\d+ with our comments\\n`), '');
      assert.notEqual(trace, r.stdout, 'the command printed its line');
      return [...trace.matchAll(/\[compiling method \S+ <JSFunction consumeFrame[^\]]*mode: ConcurrencyMode::k(\w+)\]/g)].map((m) => m[1]);
    };
    const inWorker = modes(true);
    assert.ok(inWorker.length > 0, 'consumeFrame was optimised');
    assert.ok(inWorker.every((m) => m === 'Synchronous'), inWorker.join(' '));
    const withFlag = modes(true, ['--no-concurrent-recompilation']);
    assert.ok(withFlag.length > 0 && withFlag.every((m) => m === 'Synchronous'), withFlag.join(' '));
    const inMain = modes(false);
    assert.ok(inMain.length > 0 && inMain.every((m) => m === 'Concurrent'), inMain.join(' '));
  });

  it("inlines the flow table's per-packet helpers into its fast path", function () {
    // consumeFrame() counts and records a packet through small helpers and relies on the JIT
    // inlining every one of them (a real call there costs ~2% of an analysis): one more call
    // on that path can spend the function's inlining budget and turn one of them into a call.
    const out = path.join(dir, 'inlining.pcapng');
    const r = lvsTraceToFile(['export', folder, '--out', out], true, ['--single-threaded', '--trace-turbo-inlining']);
    assert.equal(r.status, 0, r.stderr);
    const inlined = new Set([...r.stdout.matchAll(/^Inlining \S+ \{\S+ <SharedFunctionInfo (\w+)>\} into \S+ \{\S+ <SharedFunctionInfo consumeFrame>\}/gm)].map((m) => m[1]));
    assert.ok(inlined.size > 0, 'consumeFrame was optimised');
    for (const helper of ['packetSig', 'seen', 'retrans', 'slot', 'set', 'packetWord']) assert.ok(inlined.has(helper), `${helper}() is a real call in consumeFrame() (inlined: ${[...inlined].join(', ')})`);
  });

  it('reports usage and errors from the worker with exit status 2', function () {
    const usage = lvsTrace(['analyze'], true);
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /usage: lvs-trace analyze FOLDER/);
    const notAFile = lvsTrace(['export', path.join(repoRoot, 'samples', 'dr-healthy'), '--out', dir], true);
    assert.equal(notAFile.status, 2);
    assert.match(notAFile.stderr, /^lvs-trace export: --out .* is a folder; name the pcapng file to write$/m);
    const out = path.join(dir, 'merged.pcapng');
    const exported = lvsTrace(['export', path.join(repoRoot, 'samples', 'dr-healthy'), '--out', out], true);
    assert.equal(exported.status, 0, exported.stderr);
    assert.match(exported.stdout, /merged\.pcapng: \d+ packets from 5 capture points/);
    assert.ok(fs.statSync(out).size > 0);
  });

  it('stops quietly when the reader closes the pipe early (| head)', function () {
    // More text than a pipe holds (~200 KB), so the writer meets the closed pipe.
    const many = path.join(dir, 'many');
    generate(many, { label: 'many', connections: 1500, segments: 1 });
    const r = spawnSync('bash', ['-c', 'node "$0" analyze --all "$1" | head -c 100 >/dev/null; echo "status ${PIPESTATUS[0]}" >&2', bin, many], { encoding: 'utf8' });
    assert.match(r.stderr, /^status 0\n$/, 'no EPIPE stack trace');
  });

  it("keeps the command's exit status when the reader closed the pipe before it ended", async function () {
    // Our end of the child's stdout closed at once: its first write meets EPIPE, long before
    // the command has its status (1: lint and analyze found errors; in this thread and in the
    // analysis worker).
    const { spawn } = await import('node:child_process');
    const closedEarly = (args: string[]) =>
      new Promise<{ status: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
        child.stdout.destroy();
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (status) => resolve({ status, stderr }));
      });
    for (const args of [
      ['lint', path.join(repoRoot, 'samples', 'config', 'keepalived.conf')],
      ['analyze', path.join(repoRoot, 'samples', 'dr-arp-problem')],
      ['analyze', path.join(repoRoot, 'samples', 'dr-arp-problem'), '--json'],
    ]) {
      const r = await closedEarly(args);
      assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr, '', 'no EPIPE stack trace');
    }
    const healthy = await closedEarly(['analyze', path.join(repoRoot, 'samples', 'dr-healthy')]);
    assert.equal(healthy.status, 0, healthy.stderr);
    // As the audit ran it: `lvs-trace lint FILE | true`.
    const piped = spawnSync('bash', ['-c', 'node "$0" lint "$1" | true; echo "status ${PIPESTATUS[0]}" >&2', bin, path.join(repoRoot, 'samples', 'config', 'keepalived.conf')], { encoding: 'utf8' });
    assert.equal(piped.stderr, 'status 1\n');
  });
});
