// Property: healthy traffic captured by tcpdumps that did not start and stop together gives
// no error or warning. Real hosts never start and stop their captures at the same instant:
// each point's window is staggered by 0–60 ms, on both edges independently, over traffic
// that runs across the edges (a connection every 5–10 ms, long ones spanning them, health
// checks, VRRP adverts), so that every point misses the first or last packets of some
// connections the others saw. Whatever a point could not have seen is no evidence against
// anyone: the connections cut by the windows may be `unknown` or `partial`, never `no-reply`,
// `rejected` or `reset`, and no rule may blame a host for them. Seeded (DR 7100 + k, NAT
// 8100 + k, TUN 9100 + k for case k): a failure names its seed and case, `CASE_SEED=<seed>`
// runs that one case alone (add the `EDGE_CASES` it was found with), `EDGE_CASES=<n>` runs n
// cases per method, and `EDGE_KEEP=<folder>` keeps the failing cases' captures there, to open
// with `lvs-trace analyze`.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeCapture } from '../../../src/core/analysis/index';
import type { AnalysisResult } from '../../../src/core/analysis/result';
import type { CaptureManifest } from '../../../src/core/capture/manifest';
import { readFrames } from '../../../src/core/pcap/read';
import { PcapWriter } from '../../../src/core/pcap/writer';
import { DIRECTOR, DIRECTOR_IN, DIRECTOR_IN_MAC, DIRECTOR_MAC, SynthLab, type Method } from './synth';

/** Cases per forwarding method (a third of them without recorded windows); `EDGE_CASES=<n>`
 *  runs more, to look for rarer failures (up to 1000: the methods' seeds do not overlap). */
const CASES = Number(process.env.EDGE_CASES ?? 40);
/** How far each edge of a point's window is staggered, at most (seconds). */
const STAGGER_S = 0.06;
/** The nominal window every point's capture is staggered from: longer than the 1 s a real
 *  server's answer is waited for (ANSWER_WAIT_S), so that requests far enough from the end
 *  are judged. */
const T0 = 1000;
const T1 = 1001.5;

/** mulberry32: a small seeded generator, the same sequence on every platform. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Case {
  method: Method;
  seed: number;
  /** capture.json records each point's captureStart / captureEnd. */
  recorded: boolean;
  /** ... and its clock's offset (0) and uncertainty (else the analysis assumes 5 ms). */
  clock: boolean;
  /** The director is also captured with `-i any` (another point of the same host). */
  any: boolean;
}

function casesOf(method: Method, base: number): Case[] {
  const out: Case[] = [];
  for (let k = 0; k < CASES; k++) {
    out.push({ method, seed: base + k, recorded: k % 3 !== 2, clock: k % 3 === 1, any: k % 4 === 3 });
  }
  return out;
}

/** Continuous healthy traffic from T0 - 80 ms to T1 + 120 ms, a connection every 5–10 ms
 *  around the edges (every edge falls inside it) and every 50–100 ms between. */
function traffic(l: SynthLab, rnd: () => number): void {
  let port = 50000;
  let hcPort = 40000;
  const rs = ['rs1', 'rs2'];
  let turn = 0;
  const next = (): string => rs[turn++ % 2];
  const from = T0 - 0.08;
  const to = T1 + STAGGER_S + 0.06;
  // Long connections across the start edges and the end edges (80–140 ms each).
  l.tcpConnection(T0 - 0.04, ++port, next(), { exchanges: 40 + Math.floor(rnd() * 30) });
  l.tcpConnection(T1 - 0.03, ++port, next(), { exchanges: 40 + Math.floor(rnd() * 30) });
  // A UDP exchange whose datagrams (200 ms apart) fall on both sides of the edges.
  l.useProtocol('udp');
  l.udpExchange(T0 - 0.05 + rnd() * 0.1, ++port, next(), { datagrams: 3 });
  l.useProtocol('tcp');
  const dense = (t: number): boolean => t < T0 + STAGGER_S + 0.04 || t > T1 - 0.04;
  for (let t = from; t < to; t += dense(t) ? 0.005 + rnd() * 0.005 : 0.05 + rnd() * 0.05) {
    const kind = rnd();
    if (kind < 0.7) l.tcpConnection(t, ++port, next());
    else if (kind < 0.85) l.tcpConnection(t, ++port, next(), { exchanges: 2 + Math.floor(rnd() * 20) });
    else {
      l.useProtocol('udp');
      l.udpExchange(t, ++port, next(), { datagrams: 1 + Math.floor(rnd() * 2) });
      l.useProtocol('tcp');
    }
  }
  // The checker's TCP_CHECKs, one every 10–20 ms around the edges, each server in turn.
  for (let t = from; t < to; t += dense(t) ? 0.01 + rnd() * 0.01 : 0.1) l.healthCheck(t, ++hcPort, rs[hcPort % 2]);
  // The master's VRRP adverts (one a second; NAT: on both sides).
  for (const t of [T0 - 0.9, T0 + 0.1, T0 + 1.1]) {
    l.vrrpAdvert(['director'], t + rnd() * 0.05, DIRECTOR, DIRECTOR_MAC, 51, 150);
    if (l.opts.method === 'nat') l.vrrpAdvert(['director-eth1'], t + rnd() * 0.05, DIRECTOR_IN, DIRECTOR_IN_MAC, 52, 150);
  }
}

/** Keeps a point's frames in [start, end], in time order (as tcpdump wrote them). */
function cut(file: string, start: number, end: number): void {
  const frames: Array<{ ts: number; data: Uint8Array }> = [];
  let linkType = 1;
  readFrames(file, (f) => {
    linkType = f.linkType;
    if (f.ts >= start && f.ts <= end) frames.push({ ts: f.ts, data: Uint8Array.from(f.data) });
  });
  frames.sort((a, b) => a.ts - b.ts);
  const w = new PcapWriter({ linkType });
  for (const f of frames) w.add(f.ts, f.data);
  w.writeFile(file);
}

/** Writes a case's capture: traffic, each point's staggered window, its frames cut to it. */
function make(dir: string, c: Case): { dir: string; windows: string } {
  const rnd = random(c.seed);
  const l = new SynthLab(dir, { method: c.method, ...(c.any ? { directorAny: ['sll2' as const] } : {}) });
  traffic(l, rnd);
  l.write();
  const file = path.join(dir, 'capture.json');
  const m = JSON.parse(fs.readFileSync(file, 'utf8')) as CaptureManifest;
  const windows: string[] = [];
  // By point (by file: a host may have several, e.g. NAT's director eth0 and eth1).
  for (const p of m.points) {
    const start = T0 + rnd() * STAGGER_S;
    const end = T1 + rnd() * STAGGER_S;
    cut(path.join(dir, p.file), start, end);
    windows.push(`${p.file.replace(/^pcap\//, '')} ${start.toFixed(4)}–${end.toFixed(4)}`);
    if (!c.recorded) continue;
    p.captureStart = start;
    p.captureEnd = end;
    if (c.clock) Object.assign(p, { clockOffsetMs: 0, clockUncertaintyMs: Math.round((0.05 + rnd() * 0.45) * 1000) / 1000 });
  }
  fs.writeFileSync(file, JSON.stringify(m, null, 2));
  return { dir, windows: windows.join(', ') };
}

/** What is wrong with a case's result (empty: nothing). */
function faults(r: AnalysisResult): string[] {
  const out = r.findings.filter((f) => f.severity !== 'info').map((f) => `${f.severity} ${f.code}: ${f.message}`);
  for (const c of r.connections) {
    if (c.state === 'no-reply' || c.state === 'rejected' || c.state === 'reset') out.push(`${c.id} ${c.state}${c.stoppedAt ? ` (${c.stoppedAt.reason})` : ''}`);
  }
  return out;
}

describe('analysis: capture windows staggered over continuous healthy traffic', function () {
  let tmp: string;
  before(function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-edges-'));
  });
  after(function () {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const only = process.env.CASE_SEED === undefined ? undefined : Number(process.env.CASE_SEED);
  (['dr', 'nat', 'tun'] as Method[]).forEach((method, mi) => {
    // With the windows recorded, the analysis knows when each point listened: what passed
    // outside a point's window is no evidence against its host.
    //
    // Without them (older or hand-made captures), a point's first and last packets are all
    // it knows of its window. The frames were cut to the same staggered windows, so that
    // span lies inside the true window: the analysis assumes a point ran for less time than
    // it did, which can only excuse more, never blame more. And with traffic every 5–10 ms
    // every point sees packets near both its edges (a point with none at all would be
    // taken to have run throughout, and rightly so: that is not a capture edge). So the
    // same is expected: no error or warning, no connection refused, reset or unanswered.
    // (What cannot be expected is a connection's state right at the edges: its hops past a
    // point that stopped are not known, so `unknown` and `partial` are fine either way.)
    it(`${method}: no error, warning or failed connection for ${CASES} staggered windows (recorded, and first..last packet)`, async function () {
      this.timeout(Math.max(20000, CASES * 200));
      const cases = casesOf(method, 7100 + mi * 1000).filter((c) => only === undefined || c.seed === only);
      const failures: string[] = [];
      for (const c of cases) {
        const { dir, windows } = make(path.join(tmp, `${method}-${c.seed}`), c);
        const found = faults(await analyzeCapture(dir));
        if (found.length > 0) {
          const how = `${c.recorded ? 'windows recorded' : 'no windows recorded'}${c.clock ? ', clock uncertainty recorded' : ''}${c.any ? ', director also on -i any' : ''}`;
          failures.push(`${method} seed ${c.seed} (CASE_SEED=${c.seed}; ${how}; ${windows}):\n    ${found.slice(0, 4).join('\n    ')}${found.length > 4 ? `\n    … ${found.length - 4} more` : ''}`);
        }
        if (found.length > 0 && process.env.EDGE_KEEP) fs.cpSync(dir, path.join(process.env.EDGE_KEEP, path.basename(dir)), { recursive: true });
        fs.rmSync(dir, { recursive: true, force: true });
      }
      if (failures.length > 0) assert.fail(`${failures.length} of ${cases.length} cases:\n${failures.join('\n')}`);
    });
  });
});
