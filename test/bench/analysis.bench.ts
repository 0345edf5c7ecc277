// `npm run bench`: full analysis (read, decode, flow tables, correlation, findings) of a
// generated LVS/DR capture folder with four points (client, director, rs1, rs2), against
// the bare pcap reader on the same files; and peak memory for three sizes, each measured
// in a fresh child process, to show that memory follows connections, not packets.
// Target: 2 million packets/s for the full analysis.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import type { CaptureManifest } from '../../src/core/capture/manifest';
import { PcapFileWriter } from '../../src/core/pcap/writer';
import { repoRoot } from '../helpers/env';
import { ether, ipv4, tcp } from '../helpers/frames';

const CLIENT_MAC = '02:00:c6:33:64:0a';
const ROUTER_MAC = '02:00:c0:00:02:01';
const DIRECTOR_MAC = '02:00:c0:00:02:02';
const VIP = '192.0.2.100';
const RS = [
  { name: 'rs1', address: '192.0.2.11', mac: '02:00:c0:00:02:0b' },
  { name: 'rs2', address: '192.0.2.12', mac: '02:00:c0:00:02:0c' },
];

interface Size {
  label: string;
  connections: number;
  /** Data segments each way per connection. */
  segments: number;
}

/** Writes the capture folder; returns the number of packets written. */
export function generate(dir: string, size: Size): number {
  fs.mkdirSync(path.join(dir, 'pcap'), { recursive: true });
  const w = {
    client: new PcapFileWriter(path.join(dir, 'pcap/client-eth0.pcap'), { linkType: 1 }),
    director: new PcapFileWriter(path.join(dir, 'pcap/director-eth0.pcap'), { linkType: 1 }),
    rs1: new PcapFileWriter(path.join(dir, 'pcap/rs1-eth0.pcap'), { linkType: 1 }),
    rs2: new PcapFileWriter(path.join(dir, 'pcap/rs2-eth0.pcap'), { linkType: 1 }),
  };
  let packets = 0;
  let t = 1795600000;
  const payload = new Uint8Array(100);
  // Patches IP ID, seq and ack in a copy of a template Ethernet/IPv4/TCP frame (checksums
  // are not recomputed: the analysis never looks at them).
  const patch = (tpl: Uint8Array, id: number, seq: number, ack: number): Uint8Array => {
    const f = tpl.slice();
    const v = new DataView(f.buffer);
    v.setUint16(18, id & 0xffff);
    v.setUint32(38, seq >>> 0);
    v.setUint32(42, ack >>> 0);
    return f;
  };
  for (let c = 0; c < size.connections; c++) {
    const rs = RS[c % 2];
    const rw = w[rs.name as 'rs1' | 'rs2'];
    const cip = `198.51.${100 + ((c >> 16) & 0x3f)}.${1 + ((c >> 8) & 0xff)}`;
    const cport = 1024 + (c & 0xff) * 200 + (c % 200);
    const req = (flags: string, data?: Uint8Array) => ipv4({ src: cip, dst: VIP, proto: 'tcp', df: true }, tcp({ sport: cport, dport: 80, flags }, data));
    const rep = (flags: string, data?: Uint8Array) => ipv4({ src: VIP, dst: cip, proto: 'tcp', df: true }, tcp({ sport: 80, dport: cport, flags }, data));
    // Templates: client view, director in, director out, at the real server.
    const reqT = (ip: Uint8Array) => [
      ether({ src: CLIENT_MAC, dst: ROUTER_MAC }, ip),
      ether({ src: ROUTER_MAC, dst: DIRECTOR_MAC }, ip),
      ether({ src: DIRECTOR_MAC, dst: rs.mac }, ip),
    ];
    const repT = (ip: Uint8Array) => [ether({ src: rs.mac, dst: ROUTER_MAC }, ip), ether({ src: ROUTER_MAC, dst: CLIENT_MAC }, ip)];
    const templates = {
      syn: reqT(req('S')),
      ack: reqT(req('.')),
      data: reqT(req('P.', payload)),
      fin: reqT(req('F.')),
      synack: repT(rep('S.')),
      rdata: repT(rep('P.', payload)),
      rfin: repT(rep('F.')),
    };
    let cseq = c * 7919;
    let sseq = c * 104729;
    let id = c * 31;
    const sendReq = (tpl: Uint8Array[], len: number) => {
      id++;
      const [a, b, d] = tpl.map((f) => patch(f, id, cseq, sseq));
      w.client.add(t, a);
      w.director.add(t + 0.0001, b);
      w.director.add(t + 0.00015, d);
      rw.add(t + 0.0002, d);
      cseq += len;
      t += 0.00002;
      packets += 4;
    };
    const sendRep = (tpl: Uint8Array[], len: number) => {
      id++;
      const [a, b] = tpl.map((f) => patch(f, id, sseq, cseq));
      rw.add(t + 0.0003, a);
      w.client.add(t + 0.0004, b);
      sseq += len;
      t += 0.00002;
      packets += 2;
    };
    sendReq(templates.syn, 1);
    sendRep(templates.synack, 1);
    sendReq(templates.ack, 0);
    for (let s = 0; s < size.segments; s++) {
      sendReq(templates.data, payload.length);
      sendRep(templates.rdata, payload.length);
    }
    sendReq(templates.fin, 1);
    sendRep(templates.rfin, 1);
  }
  for (const x of Object.values(w)) x.close();
  const manifest: CaptureManifest = {
    format: 1,
    target: { vip: VIP, protocol: 'tcp', port: 80 },
    services: [
      {
        protocol: 'tcp',
        vip: VIP,
        port: 80,
        method: 'dr',
        scheduler: 'rr',
        persistenceSeconds: 0,
        realServers: RS.map((r) => ({ name: r.name, address: r.address, port: 80, weight: 1 })),
      },
    ],
    points: [
      { host: 'client', role: 'client', interface: 'eth0', file: 'pcap/client-eth0.pcap' },
      { host: 'director', role: 'director', interface: 'eth0', file: 'pcap/director-eth0.pcap' },
      { host: 'rs1', role: 'real-server', interface: 'eth0', file: 'pcap/rs1-eth0.pcap', realServer: 'rs1' },
      { host: 'rs2', role: 'real-server', interface: 'eth0', file: 'pcap/rs2-eth0.pcap', realServer: 'rs2' },
    ],
  };
  fs.writeFileSync(path.join(dir, 'capture.json'), JSON.stringify(manifest));
  return packets;
}

// Runs inside the child (argv: bundle, folder, mode, where). The core is bundled with esbuild
// exactly as dist/cli.js ships it: running through tsx's per-module wrappers would measure tsx.
// where = "isolate" (the default): the child's main thread starts a worker with
// startAnalysisIsolate(), as the CLI and the extension run an analysis, and the worker
// measures (process CPU: every thread); "main": in the child's main thread (the child is then
// started with --no-concurrent-recompilation, see measure()).
const WORKER = `
const { isMainThread, parentPort, workerData } = require('node:worker_threads');
const [bundle, dir, mode, where = 'isolate'] = isMainThread ? process.argv.slice(2) : workerData;
const core = require(bundle);
if (isMainThread && where === 'isolate' && mode !== 'none') {
  const w = core.startAnalysisIsolate(__filename, { workerData: [bundle, dir, mode, 'worker'] });
  w.on('message', (text) => process.stdout.write(text));
  w.on('error', (e) => { process.stderr.write(String(e && e.stack)); process.exitCode = 1; });
  w.on('exit', (code) => { if (code !== 0) process.exitCode = code; });
  return;
}
const out = (text) => (isMainThread ? process.stdout.write(text) : parentPort.postMessage(text));
const path = require('node:path');
const fs = require('node:fs');
// The baselines, each alone in a fresh process like the first analysis: the bare reader,
// and the flow-count floor (analysisBaselines.ts).
// Start-up alone (node and the bundle loaded): what instruction counts subtract.
if (mode === 'none') return;
// The machine's speed right now: a loop that touches no memory (an integer hash in registers).
// The bench VM has slow phases lasting minutes in which this loop, and the analysis with it, run
// up to 1.5x slower (docs/dev/analysis-performance.md, session 16): its time says which phase a
// run was measured in.
if (mode === 'reference') {
  const start = process.cpuUsage();
  let h = 1;
  for (let i = 0; i < 1e8; i++) h = Math.imul(h ^ i, 0x9e3779b1) + 1;
  const u = process.cpuUsage(start);
  out(JSON.stringify({ frames: h & 1, ms: (u.user + u.system) / 1000 }));
  return;
}
// One first analysis and nothing else (instruction counts).
if (mode === 'first') {
  core.analyzeCapture(dir).then((r) => out(JSON.stringify({ packets: r.stats.packets })));
  return;
}
if (mode === 'reader' || mode === 'floor' || mode === 'tables' || mode === 'lean') {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'capture.json'), 'utf8'));
  const files = manifest.points.map((p) => path.join(dir, p.file));
  const start = process.cpuUsage();
  let frames = 0;
  if (mode === 'reader') for (const f of files) frames += core.readFramesReusingFrame(f, () => undefined).frames;
  else if (mode === 'floor') frames = core.countFlows(files).frames;
  else if (mode === 'lean') frames = core.leanFlowTables(dir);
  else frames = core.buildFlowTables(dir);
  const u = process.cpuUsage(start);
  out(JSON.stringify({ frames, ms: (u.user + u.system) / 1000 }));
  return;
}
(async () => {
  // CPU time, not wall time: the bench machine is shared, and CPU time is what we spend.
  const cpuMs = (u) => (u.user + u.system) / 1000;
  const start = process.cpuUsage();
  const wall0 = process.hrtime.bigint();
  const r = await core.analyzeCapture(dir);
  const analyseMs = cpuMs(process.cpuUsage(start));
  // CPU time counts V8's parallel GC threads too; wall time on an idle machine is the other view.
  const analyseWallMs = Number(process.hrtime.bigint() - wall0) / 1e6;
  const heapMiB = process.memoryUsage().heapUsed / 1048576;
  const maxRssMiB = process.resourceUsage().maxRSS / 1024;
  // The same analysis again in this process: the extension host is long-lived, so every
  // analysis after the first runs with the JIT warm (the CLI's one-shot run is the first).
  const warmStart = process.cpuUsage();
  const warm0 = process.hrtime.bigint();
  const again = await core.analyzeCapture(dir);
  const warmMs = cpuMs(process.cpuUsage(warmStart));
  const warmWallMs = Number(process.hrtime.bigint() - warm0) / 1e6;
  if (again.stats.packets !== r.stats.packets) throw new Error('second analysis differs');
  const files = r.manifest.points.map((p) => path.join(dir, p.file));
  const t0 = process.cpuUsage();
  let frames = 0;
  for (const f of files) frames += core.readFramesReusingFrame(f, () => undefined).frames;
  const readMs = cpuMs(process.cpuUsage(t0));
  // The decoder alone (read + decode, no analysis): the ceiling the analysis sits on.
  const t1 = process.cpuUsage();
  let decoded = 0;
  for (const f of files) core.readPackets(f, () => void decoded++);
  const decodeMs = cpuMs(process.cpuUsage(t1));
  out(JSON.stringify({
    packets: r.stats.packets,
    frames,
    connections: r.connections.length,
    findings: r.findings.filter((f) => f.severity !== 'info').length,
    analyseMs,
    analyseWallMs,
    warmMs,
    warmWallMs,
    readMs,
    decodeMs,
    decoded,
    heapMiB,
    maxRssMiB,
  }));
})().catch((e) => { process.stderr.write(String(e && e.stack)); process.exit(1); });
`;

function bundleCore(dir: string): { bundle: string; worker: string } {
  const bundle = path.join(dir, 'core.js');
  const worker = path.join(dir, 'worker.js');
  esbuild.buildSync({
    stdin: {
      contents:
        "export { analyzeCapture } from './src/core/analysis'; export { readPackets } from './src/core/decode'; export { readFrames } from './src/core/pcap'; export { readFramesReusingFrame } from './src/core/pcap/read'; export { countFlows, buildFlowTables, leanFlowTables } from './test/bench/analysisBaselines'; export { startAnalysisIsolate } from './src/core/analysis/worker/isolate';",
      resolveDir: repoRoot,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: bundle,
    logLevel: 'error',
  });
  fs.writeFileSync(worker, WORKER);
  return { bundle, worker };
}

/** Fresh processes per figure, run in turns (the median is reported): 5, as one run on the
 *  bench machine moves by ±20% and phases of minutes move them all. */
const RUNS = 5;

/** Instructions (cachegrind's "I refs") of one fresh single-threaded run of the bench child
 *  in `mode`, start-up excluded when `startup` is given. Fixed hash and random seeds make it
 *  repeat to within 0.1% (they lay out V8's hash tables; unfixed, ±2%), where CPU time on a
 *  shared machine moves by 20%. Throws when valgrind is missing or fails. */
function instructions(code: { bundle: string; worker: string }, dir: string, mode: 'first' | 'reader' | 'tables' | 'lean' | 'none', startup = 0): number {
  const r = spawnSync('valgrind', ['--tool=cachegrind', '--cache-sim=no', '--cachegrind-out-file=/dev/null', process.execPath, '--single-threaded', '--hash-seed=1', '--random-seed=1', code.worker, code.bundle, dir, mode, 'main'], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  const m = /I\s+refs:\s+([\d,]+)/.exec(r.stderr ?? '');
  if (r.status !== 0 || !m) throw new Error(`valgrind ${mode} failed (status ${r.status}): ${(r.stderr ?? String(r.error)).slice(-500)}`);
  return Number(m[1].replace(/,/g, '')) - startup;
}

/** BENCH_INSTRUCTIONS=1: the first analysis and its baselines in instructions, for the
 *  largest size (about two minutes under valgrind). */
function instructionRows(code: { bundle: string; worker: string }, dir: string, label: string): string[] {
  const startup = instructions(code, dir, 'none');
  const [first, reader, tables, lean] = (['first', 'reader', 'tables', 'lean'] as const).map((mode) => instructions(code, dir, mode, startup));
  const g = (v: number) => `${(v / 1e9).toFixed(2)} G`;
  return [
    '',
    `Instructions (valgrind cachegrind, one fresh single-threaded process each, node start-up (${g(startup)}) subtracted), ${label}:`,
    '',
    '| first analysis | bare reader | flow tables | lean flow tables | first / reader | flow tables / lean |',
    '| --- | --- | --- | --- | --- | --- |',
    `| ${g(first)} | ${g(reader)} | ${g(tables)} | ${g(lean)} | ${(first / reader).toFixed(2)} | ${(tables / lean).toFixed(2)} |`,
  ];
}

/** Peak RSS belongs to the analysis of one folder alone: a fresh process per size. `where`:
 *  "isolate", in an analysis worker as the CLI and the extension run it; or "flagged", in the
 *  main thread of a node started with --no-concurrent-recompilation (where the CLI analyses
 *  when started that way). */
function measure(code: { bundle: string; worker: string }, dir: string, mode: 'analysis' | 'reader' | 'floor' | 'tables' | 'lean' | 'reference' = 'analysis', where: 'isolate' | 'flagged' = 'isolate'): ReturnType<typeof JSON.parse> {
  const args = where === 'flagged' ? ['--no-concurrent-recompilation', code.worker, code.bundle, dir, mode, 'main'] : [code.worker, code.bundle, dir, mode, 'isolate'];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`bench child failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

export async function run(): Promise<void> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-analysis-bench-'));
  try {
    const code = bundleCore(base);
    const sizes: Size[] = [
      { label: '0.5M packets, 5k connections', connections: 5000, segments: 14 },
      { label: '1M packets, 5k connections', connections: 5000, segments: 30 },
      { label: '1M packets, 10k connections', connections: 10000, segments: 14 },
    ];
    const rows: string[] = [];
    let counted: string[] = [];
    for (const s of sizes) {
      const dir = path.join(base, s.label.replace(/[^a-z0-9]+/gi, '-'));
      const g0 = Date.now();
      const written = generate(dir, s);
      const genS = (Date.now() - g0) / 1000;
      // Each figure is the median of RUNS fresh processes, run in turns: one run on this
      // shared machine varies by ±20%.
      const runs: Array<Record<'m' | 'flagged' | 'reader' | 'floor' | 'tables' | 'lean' | 'reference', Record<string, number>>> = [];
      for (let r = 0; r < RUNS; r++) {
        runs.push({
          m: measure(code, dir),
          flagged: measure(code, dir, 'analysis', 'flagged'),
          reader: measure(code, dir, 'reader'),
          floor: measure(code, dir, 'floor'),
          tables: measure(code, dir, 'tables'),
          lean: measure(code, dir, 'lean'),
          reference: measure(code, dir, 'reference'),
        });
      }
      const median = (key: keyof (typeof runs)[number], by: string): Record<string, number> => runs.map((r) => r[key]).sort((a, b) => a[by] - b[by])[RUNS >> 1];
      const m = median('m', 'analyseMs');
      const flagged = median('flagged', 'analyseMs');
      const warmRun = median('m', 'warmMs');
      const reader = median('reader', 'ms');
      const floor = median('floor', 'ms');
      const tables = median('tables', 'ms');
      const lean = median('lean', 'ms');
      const reference = median('reference', 'ms');
      if (reader.frames !== m.frames || floor.frames !== m.frames || tables.frames !== m.packets) throw new Error(`baselines read ${reader.frames} / ${floor.frames} / ${tables.frames} frames, the analysis ${m.frames}`);
      if (process.env.BENCH_INSTRUCTIONS === '1' && s === sizes[sizes.length - 1]) counted = instructionRows(code, dir, s.label);
      fs.rmSync(dir, { recursive: true, force: true });
      const full = m.packets / (m.analyseMs / 1000);
      const fullFlagged = flagged.packets / (flagged.analyseMs / 1000);
      const fullWall = m.packets / (m.analyseWallMs / 1000);
      const warm = warmRun.packets / (warmRun.warmMs / 1000);
      const warmWall = warmRun.packets / (warmRun.warmWallMs / 1000);
      const bareWarm = m.frames / (m.readMs / 1000);
      const decode = m.decoded / (m.decodeMs / 1000);
      const bare = reader.frames / (reader.ms / 1000);
      const least = floor.frames / (floor.ms / 1000);
      // Where a first analysis spends its CPU: building the flow tables, then the rest.
      const tablesShare = Math.min(1, tables.ms / m.analyseMs);
      const mps = (v: number) => `${(v / 1e6).toFixed(2)} M/s`;
      rows.push(
        `| ${s.label} | ${written.toLocaleString()} | ${m.connections.toLocaleString()} | ${mps(full)} (wall ${(fullWall / 1e6).toFixed(2)}) | ${mps(fullFlagged)} | ${mps(warm)} (wall ${(warmWall / 1e6).toFixed(2)}) | ${mps(decode)} | ${mps(bare)} (warm ${(bareWarm / 1e6).toFixed(2)}) | ${mps(least)} | ${(tables.ms / 1000).toFixed(2)} s (${(tablesShare * 100).toFixed(0)}%) | ${(lean.ms / 1000).toFixed(2)} s | ${(full / bare).toFixed(2)} | ${(full / least).toFixed(2)} | ${m.heapMiB.toFixed(0)} MiB | ${m.maxRssMiB.toFixed(0)} MiB | ${reference.ms.toFixed(0)} ms | ${genS.toFixed(1)} s |`,
      );
      if (m.findings !== 0) rows.push(`|   (unexpected: ${m.findings} error/warning findings on healthy traffic) |`);
    }
    process.stdout.write(
      [
        'Full analysis of a generated 4-point LVS/DR capture folder vs the bare pcap reader on the same files.',
        `Target: full analysis ≥ 2 M packets/s (per CPU second). Every figure is the median of ${RUNS} fresh processes run in turns.`,
        '"first" is a fresh process (the CLI), "again" the same analysis once more in that process (the extension\'s analysis worker, JIT warm).',
        'Both run where the product runs an analysis: in a worker thread started by startAnalysisIsolate() (V8 compiles hot code synchronously there; CPU of',
        'the whole process). "first, flagged" is the same in the main thread of node started with --no-concurrent-recompilation (where the CLI',
        'analyses when started that way: no worker).',
        'Memory: heap after the first analysis (result held) and peak RSS of the process.',
        '',
        'Baselines on the same files, each in a fresh process like "first": the bare reader (readFramesReusingFrame: frames read in place, as the analysis reads them; no decoding, no object per frame), and the flow-count floor',
        '(test/bench/analysisBaselines.ts: reader + 5-tuple lookup in typed arrays + counters, nothing else) — the least any per-connection analysis does.',
        '',
        '"flow tables, fresh": the analysis\'s first stage alone (every point read into its flow table), CPU seconds and share of the first analysis;',
        'the rest is correlation, findings and result. "lean flow tables": leanFlowTables() in analysisBaselines.ts, that stage written for speed alone',
        '(typed columns per flow id, numeric keys, no strings; TCP only, no learning): what a rewrite of the stage could reach.',
        '"reference loop": 10^8 rounds of an integer hash in registers (no memory, no analysis code), CPU ms, in the same turns: the machine\'s',
        'speed during the run. On the bench VM it moves by up to 1.5x over minutes (and every figure with it); compare runs with similar reference times.',
        '',
        '| size | packets | connections | full analysis, first (CPU) | first, flagged (CPU) | full analysis, again (CPU) | read + decode only (warm) | bare reader, fresh | flow-count floor, fresh | flow tables, fresh | lean flow tables, fresh | full first / bare | full first / floor | heap | peak RSS | reference loop | generate |',
        '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
        ...rows,
        ...counted,
        '',
        process.env.BENCH_INSTRUCTIONS === '1' ? '' : 'BENCH_INSTRUCTIONS=1 adds instruction counts (valgrind), steadier than CPU time for comparing two versions.',
      ].join('\n'),
    );
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
}
