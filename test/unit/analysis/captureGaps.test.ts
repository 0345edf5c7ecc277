// What the captures could not show is no evidence, and what the packets prove is applied:
// a real server's missing capture (its traffic flooded to another real server's port is
// not that server's), packets forwarded while the next host was not capturing (state
// `unknown`), captures that ended right after a request (no blame for not answering),
// clock offsets proven by one-way bounds, and the result fields the flow view draws from
// (Lane.captureSpan, Hop.omittedBefore). Cases built packet by packet (synth.ts) or
// derived at run time from the repository's samples/ (copied, then cut or shifted).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeCapture } from '../../../src/core/analysis/index';
import type { AnalysisResult, Connection } from '../../../src/core/analysis/result';
import { analysisText } from '../../../src/core/analysis/text';
import { MAX_HEAD, MAX_TAIL } from '../../../src/core/analysis/flowColumns';
import type { CaptureManifest, CapturePoint } from '../../../src/core/capture/manifest';
import { readFrames } from '../../../src/core/pcap/read';
import { PcapWriter } from '../../../src/core/pcap/writer';
import { repoRoot } from '../../helpers/env';
import { SynthLab, type SynthOptions } from './synth';

let tmp: string;
let seq = 0;
let port = 48100;
const nextPort = (): number => ++port;

const problems = (r: AnalysisResult) => r.findings.filter((f) => f.severity !== 'info');
const hostOf = (r: AnalysisResult, point: number): string => r.lanes[point]?.host ?? `point ${point}`;
const describe1 = (r: AnalysisResult, c: Connection): string => `${c.id} ${c.realServer} ${c.state}${c.stoppedAt ? ` at ${hostOf(r, c.stoppedAt.point)}: ${c.stoppedAt.reason}` : ''}`;

function lab(opts: SynthOptions): SynthLab {
  return new SynthLab(path.join(tmp, `case-${++seq}`), opts);
}

/** A copy of samples/<name> to change. */
function copySample(name: string): string {
  const dir = path.join(tmp, `${name}-${++seq}`);
  fs.cpSync(path.join(repoRoot, 'samples', name), dir, { recursive: true });
  return dir;
}

function manifestOf(dir: string): CaptureManifest {
  return JSON.parse(fs.readFileSync(path.join(dir, 'capture.json'), 'utf8')) as CaptureManifest;
}

/** Sets (undefined: removes) fields of the points by host. */
function setPoints(dir: string, byHost: Record<string, Partial<Record<keyof CapturePoint, unknown>>>): void {
  const m = manifestOf(dir);
  for (const p of m.points) {
    for (const [k, v] of Object.entries(byHost[p.host] ?? {})) {
      if (v === undefined) delete (p as unknown as Record<string, unknown>)[k];
      else (p as unknown as Record<string, unknown>)[k] = v;
    }
  }
  fs.writeFileSync(path.join(dir, 'capture.json'), JSON.stringify(m, null, 2));
}

/** Rewrites `host`'s pcap: each frame's new time, or undefined to drop it. */
function rewriteFrames(dir: string, host: string, map: (ts: number) => number | undefined): void {
  const file = path.join(dir, manifestOf(dir).points.find((p) => p.host === host)!.file);
  const w = new PcapWriter({ linkType: 1 });
  readFrames(file, (f) => {
    const ts = map(f.ts);
    if (ts !== undefined) w.add(ts, Uint8Array.from(f.data));
  });
  w.writeFile(file);
}

/** When a connection's first request reached the lane of `host` (common clock). */
function firstRequestAt(r: AnalysisResult, c: Connection, host: string): number {
  const h = c.hops.find((x) => x.direction === 'request' && hostOf(r, x.ref.point) === host);
  assert.ok(h, `${c.id}: no request at ${host}`);
  return h.ts;
}

describe('analysis: gaps in the captures, and clocks the packets prove', function () {
  before(function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-gaps-'));
  });
  after(function () {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  describe("a real server's capture missing: what a switch flooded to another real server is not that server's", function () {
    it("dr-vip-missing-on-lo without rs2's pcap: rs2's connections are unknown past the director, rs1 is not blamed", async function () {
      const dir = copySample('dr-vip-missing-on-lo');
      fs.rmSync(path.join(dir, 'pcap', 'rs2-eth0.pcap'));
      const r = await analyzeCapture(dir);
      const rs1Lane = r.lanes.findIndex((l) => l.host === 'rs1');
      const toRs1 = r.connections.filter((c) => c.realServer === 'rs1');
      const others = r.connections.filter((c) => c.realServer !== 'rs1');
      assert.equal(others.length, 8, r.connections.map((c) => describe1(r, c)).join('\n'));
      for (const c of toRs1) assert.equal(c.state, 'complete', describe1(r, c));
      for (const c of others) {
        assert.equal(c.realServer, 'rs2', describe1(r, c));
        assert.equal(c.state, 'unknown', describe1(r, c));
        assert.equal(hostOf(r, c.stoppedAt!.point), 'director', describe1(r, c));
        assert.match(c.stoppedAt!.reason, /rs2's capture .*could not be read/, describe1(r, c));
        assert.ok(!c.hops.some((h) => h.ref.point === rs1Lane), `${c.id}: a hop at rs1 (a frame flooded to rs2's MAC)`);
      }
      assert.deepEqual(
        problems(r).map((f) => f.code),
        ['capture-unreadable'],
        problems(r)
          .map((f) => f.message)
          .join('\n'),
      );
      assert.ok(!r.findings.some((f) => f.realServer === 'rs1'));
    });

    it('synthetic: frames flooded to rs1 for a real server whose MAC is not known are not received by rs1', async function () {
      // rs2's capture is unreadable and rs3 was not captured: rs2's MAC cannot be learnt
      // (by elimination either: two real servers lack one). rs1's promiscuous capture holds
      // the director's copies to rs2's MAC that the switch flooded; rs2 answers them.
      const l = lab({
        method: 'dr',
        rs: [
          { name: 'rs1', address: '192.0.2.11', mac: '02:00:c0:00:02:0b' },
          { name: 'rs2', address: '192.0.2.12', mac: '02:00:c0:00:02:0c' },
          { name: 'rs3', address: '192.0.2.13', mac: '02:00:c0:00:02:0d' },
        ],
        points: ['client', 'director', 'rs1'],
      });
      const viaRs2: number[] = [];
      for (let k = 0; k < 6; k++) {
        const p = nextPort();
        if (k % 2) l.tcpConnection(1000 + k, p, 'rs1');
        else {
          viaRs2.push(p);
          l.tcpConnection(1000 + k, p, 'rs2', { floodTo: ['rs1'] });
        }
      }
      l.addPoint({ host: 'rs2', role: 'real-server', realServer: 'rs2', interface: 'eth0', file: 'pcap/rs2-eth0.pcap' });
      const dir = l.write();
      fs.writeFileSync(path.join(dir, 'pcap', 'rs2-eth0.pcap'), 'not a pcap file at all');
      const r = await analyzeCapture(dir);
      const rs1Lane = r.lanes.findIndex((x) => x.host === 'rs1');
      for (const c of r.connections.filter((x) => viaRs2.includes(x.clientPort!))) {
        assert.notEqual(c.realServer, 'rs1', describe1(r, c));
        assert.equal(c.state, 'complete', describe1(r, c));
        assert.ok(!c.hops.some((h) => h.ref.point === rs1Lane), `${c.id}: a hop at rs1`);
      }
      assert.ok(!r.findings.some((f) => f.realServer === 'rs1'), r.findings.map((f) => `${f.code}: ${f.message}`).join('\n'));
    });
  });

  describe("forwarded while the real server's capture was not running: state unknown, no finding", function () {
    /** dr-vip-missing-on-lo with recorded windows; rs2's window (and file) cut to start
     *  between its 2nd and 3rd connection, or to end between its 3rd-last and 2nd-last. */
    async function cutRs2(which: 'late' | 'early-end'): Promise<{ r: AnalysisResult; missed: string[] }> {
      const orig = await analyzeCapture(path.join(repoRoot, 'samples', 'dr-vip-missing-on-lo'));
      const toRs2 = orig.connections.filter((c) => c.realServer === 'rs2').sort((a, b) => a.start - b.start);
      assert.ok(toRs2.length >= 6);
      const dir = copySample('dr-vip-missing-on-lo');
      const span = { captureStart: Math.floor(orig.connections[0].start) - 1, captureEnd: Math.ceil(Math.max(...orig.connections.map((c) => c.end))) + 1, clockUncertaintyMs: 0.5 };
      const byHost: Record<string, Partial<CapturePoint>> = {};
      for (const h of ['client', 'router', 'director', 'rs1', 'rs2']) byHost[h] = { ...span };
      let missed: Connection[];
      if (which === 'late') {
        const cut = (toRs2[1].end + toRs2[2].start) / 2;
        byHost.rs2.captureStart = cut;
        setPoints(dir, byHost);
        rewriteFrames(dir, 'rs2', (ts) => (ts >= cut ? ts : undefined));
        missed = toRs2.slice(0, 2);
      } else {
        const n = toRs2.length;
        const cut = (toRs2[n - 3].end + toRs2[n - 2].start) / 2;
        byHost.rs2.captureEnd = cut;
        setPoints(dir, byHost);
        rewriteFrames(dir, 'rs2', (ts) => (ts <= cut ? ts : undefined));
        missed = toRs2.slice(n - 2);
      }
      return { r: await analyzeCapture(dir), missed: missed.map((c) => c.id) };
    }

    for (const which of ['late', 'early-end'] as const) {
      it(`rs2's capture ${which === 'late' ? 'began late' : 'ended early'}: the connections it missed are unknown, stopped at the director`, async function () {
        const { r, missed } = await cutRs2(which);
        for (const id of missed) {
          const c = r.connections.find((x) => x.id === id)!;
          assert.equal(c.state, 'unknown', describe1(r, c));
          assert.equal(hostOf(r, c.stoppedAt!.point), 'director', describe1(r, c));
          assert.match(c.stoppedAt!.reason, which === 'late' ? /before rs2's capture began \(\d\d:\d\d:\d\d\.\d{3} UTC\): whether it arrived is not known/ : /after rs2's capture ended \(\d\d:\d\d:\d\d\.\d{3} UTC\): whether it arrived is not known/);
          assert.ok(!problems(r).some((f) => f.connections?.includes(id)), `${id} cited by ${problems(r).map((f) => f.code)}`);
          assert.equal(c.findings, undefined, describe1(r, c));
        }
        // What rs2 did see still convicts it.
        assert.equal(problems(r)[0]?.code, 'rs-no-reply');
        assert.equal(problems(r)[0]?.realServer, 'rs2');
      });
    }
  });

  describe('captures that ended right after a request: no blame for not answering', function () {
    /** dr-vip-missing-on-lo, the UDP request from port 42000 (answered by rs1); `hosts`'
     *  captures cut (windows and files) 0.5 ms after that request reached rs1. */
    async function cutAfterRs1Request(hosts: string[]): Promise<{ r: AnalysisResult; id: string }> {
      const orig = await analyzeCapture(path.join(repoRoot, 'samples', 'dr-vip-missing-on-lo'));
      const c0 = orig.connections.find((c) => c.protocol === 'udp' && c.clientPort === 42000)!;
      assert.equal(c0.realServer, 'rs1');
      assert.equal(c0.state, 'complete');
      const cut = firstRequestAt(orig, c0, 'rs1') + 0.0005;
      const dir = copySample('dr-vip-missing-on-lo');
      const start = Math.floor(orig.connections[0].start) - 1;
      const end = Math.ceil(Math.max(...orig.connections.map((c) => c.end))) + 1;
      const byHost: Record<string, Partial<CapturePoint>> = {};
      for (const h of ['client', 'router', 'director', 'rs1', 'rs2']) byHost[h] = { captureStart: start, captureEnd: hosts.includes(h) ? cut : end, clockUncertaintyMs: 0.5 };
      setPoints(dir, byHost);
      for (const h of hosts) rewriteFrames(dir, h, (ts) => (ts <= cut ? ts : undefined));
      return { r: await analyzeCapture(dir), id: c0.id };
    }

    it('every capture ended 0.5 ms after rs1 received the request: unknown, rs1 not blamed', async function () {
      const { r, id } = await cutAfterRs1Request(['client', 'router', 'director', 'rs1', 'rs2']);
      const c = r.connections.find((x) => x.id === id)!;
      assert.equal(c.state, 'unknown', describe1(r, c));
      assert.equal(hostOf(r, c.stoppedAt!.point), 'rs1', describe1(r, c));
      assert.match(c.stoppedAt!.reason, /rs1 received it.*capture ended .* later \(\d\d:\d\d:\d\d\.\d{3} UTC\): whether it answered is not known/, describe1(r, c));
      assert.doesNotMatch(c.stoppedAt!.reason, /never answered/);
      assert.ok(!problems(r).some((f) => f.realServer === 'rs1'), problems(r).map((f) => f.message).join('\n'));
    });

    it("only rs1's capture ended 0.5 ms after the request: the client got its answer, and no finding blames rs1", async function () {
      const { r, id } = await cutAfterRs1Request(['rs1']);
      const c = r.connections.find((x) => x.id === id)!;
      assert.equal(c.state, 'complete', describe1(r, c));
      assert.equal(c.findings, undefined, `${id}: ${c.findings}`);
      assert.ok(!problems(r).some((f) => f.realServer === 'rs1'), problems(r).map((f) => f.message).join('\n'));
      assert.equal(problems(r)[0]?.realServer, 'rs2');
    });

    it('a real server that got the request well before its capture ended, and never answered, is still blamed', async function () {
      const l = lab({ method: 'dr', protocol: 'udp' });
      for (let k = 0; k < 4; k++) l.udpExchange(1000 + k, nextPort(), 'rs1');
      const silent = nextPort();
      l.udpExchange(1004, silent, 'rs2', { answer: 'none' });
      const span = { captureStart: 999, captureEnd: 1006 };
      const dir = l.write();
      setPoints(dir, { client: span, director: span, rs1: span, rs2: span });
      const r = await analyzeCapture(dir);
      const c = r.connections.find((x) => x.clientPort === silent)!;
      assert.equal(c.state, 'no-reply', describe1(r, c));
      assert.match(c.stoppedAt!.reason, /rs2 received it and never answered/);
      assert.equal(problems(r)[0]?.code, 'rs-no-reply');
      assert.equal(problems(r)[0]?.realServer, 'rs2');
    });
  });

  describe('clock offsets proven by one-way bounds', function () {
    /** dr-healthy with `host`'s file shifted by `ms` and its clockOffsetMs removed. */
    async function skewed(host: string, ms: number): Promise<AnalysisResult> {
      const dir = copySample('dr-healthy');
      rewriteFrames(dir, host, (ts) => ts + ms / 1000);
      setPoints(dir, { [host]: { clockOffsetMs: undefined } });
      return analyzeCapture(dir);
    }

    /** No copy of a packet seen before the copy it was forwarded from. */
    function assertCausal(r: AnalysisResult): void {
      for (const c of r.connections) {
        for (const h of c.hops) {
          if (h.sameAs === undefined) continue;
          const prev = c.hops[h.sameAs];
          assert.ok(h.ts >= prev.ts, `${c.id}: ${h.summary} at ${hostOf(r, h.ref.point)} (${h.ts}) before ${hostOf(r, prev.ref.point)} (${prev.ts})`);
          assert.ok((h.latencyMs ?? 0) >= 0, `${c.id}: latency ${h.latencyMs}`);
        }
      }
    }

    it("a real server's clock 50 ms behind (only director → rs2 packets): shifted by the bound, the SYN reaches rs2 after the client sent it", async function () {
      const r = await skewed('rs2', -50);
      const lane = r.lanes.find((l) => l.host === 'rs2')!;
      assert.ok(lane.clockOffsetMs !== undefined && lane.clockOffsetMs > 49.9 && lane.clockOffsetMs < 50.1, `rs2 offset ${lane.clockOffsetMs}`);
      assert.match(lane.clockNote ?? '', /rs2 clock − director clock ≤ -49\.9\d\d ms/);
      assert.match(lane.clockNote ?? '', /applied/);
      assertCausal(r);
      // The same hops as with the true clock: each packet's copies linked as before (rs2's
      // copy of a request to the director's forwarded copy, not its incoming one).
      const orig = await analyzeCapture(path.join(repoRoot, 'samples', 'dr-healthy'));
      const graph = (c: Connection) => c.hops.map((h) => `${hostOf(r, h.ref.point)}#${h.ref.n} ${h.direction} ${h.sameAs ?? '-'} ${h.rewrite ?? ''}`);
      for (const c of r.connections) assert.deepEqual(graph(c), graph(orig.connections.find((x) => x.id === c.id)!), c.id);
      for (const c of r.connections.filter((x) => x.realServer === 'rs2')) {
        assert.ok(firstRequestAt(r, c, 'rs2') >= firstRequestAt(r, c, 'client'), c.id);
      }
      assert.deepEqual(problems(r).map((f) => f.message), []);
      // The other lanes keep their clocks.
      for (const l of r.lanes.filter((x) => x.host !== 'rs2')) assert.ok(l.clockOffsetMs === 0, `${l.host}: ${l.clockOffsetMs}`);
    });

    it("a client's clock 50 ms ahead (only client → director packets): shifted back by the bound", async function () {
      const r = await skewed('client', 50);
      const lane = r.lanes.find((l) => l.host === 'client')!;
      assert.ok(lane.clockOffsetMs !== undefined && lane.clockOffsetMs < -49.9 && lane.clockOffsetMs > -50.1, `client offset ${lane.clockOffsetMs}`);
      assert.match(lane.clockNote ?? '', /applied/);
      assertCausal(r);
    });

    it('correct clocks: a bound that allows zero shifts nothing', async function () {
      const r = await analyzeCapture(path.join(repoRoot, 'samples', 'dr-healthy'));
      for (const l of r.lanes) {
        assert.ok(l.clockOffsetMs === 0, `${l.host}: ${l.clockOffsetMs}`);
        assert.doesNotMatch(l.clockNote ?? '', /applied/, l.host);
      }
    });
  });

  describe('result fields: Lane.captureSpan and Hop.omittedBefore', function () {
    it('captureSpan: the recorded window on the common clock, else the first to last packet; none for an empty unrecorded point', async function () {
      const l = lab({ method: 'dr' });
      l.tcpConnection(1000, nextPort(), 'rs1');
      l.tcpConnection(1002, nextPort(), 'rs1');
      l.addPoint({ host: 'other', role: 'other', interface: 'eth0', file: 'pcap/other-eth0.pcap' });
      const dir = l.write();
      setPoints(dir, { director: { captureStart: 999.5, captureEnd: 1010, clockOffsetMs: 0 }, rs1: { captureStart: 999.5, captureEnd: 1010, clockOffsetMs: -3, clockUncertaintyMs: 0.1 } });
      const r = await analyzeCapture(dir);
      const lane = (h: string) => r.lanes.find((x) => x.host === h)!;
      assert.deepEqual(lane('director').captureSpan, { start: 999.5, end: 1010, recorded: true });
      const rs1 = lane('rs1').captureSpan!;
      assert.equal(rs1.recorded, true);
      // rs1's clock 3 ms behind: its times (and window) move 3 ms later.
      assert.ok(Math.abs(rs1.start - (999.5 + 0.003)) < 1e-9 && Math.abs(rs1.end - (1010 + 0.003)) < 1e-9, JSON.stringify(rs1));
      const client = lane('client').captureSpan!;
      assert.equal(client.recorded, false);
      assert.equal(client.start, 1000);
      assert.ok(client.end > 1002 && client.end < 1002.01, JSON.stringify(client));
      assert.equal(lane('other').captureSpan, undefined);
      // rs2 saw nothing and recorded nothing: no span either.
      assert.equal(lane('rs2').captureSpan, undefined);
      // Plain JSON (JSON writes an infinite number as null).
      assert.doesNotMatch(JSON.stringify(r.lanes), /null/);
    });

    it('omittedBefore: the first tail hop of a long flow at a point counts the packets not kept there', async function () {
      const l = lab({ method: 'dr' });
      const long = nextPort();
      l.tcpConnection(1000, long, 'rs1', { exchanges: 20 });
      const short = nextPort();
      l.tcpConnection(1001, short, 'rs2');
      const r = await analyzeCapture(l.write());
      const c = r.connections.find((x) => x.clientPort === long)!;
      // Packets per point: 24 requests (SYN, ACK, 20 requests, FIN, ACK) and 22 replies
      // (SYN-ACK, 20 responses, FIN); the director sees each request twice (in and out) and
      // no reply (DR).
      const perPoint = new Map<number, number>();
      for (const h of c.hops) perPoint.set(h.ref.point, (perPoint.get(h.ref.point) ?? 0) + 1 + (h.omittedBefore ?? 0));
      const expected: Record<string, number> = { client: 46, director: 48, rs1: 46 };
      for (const [point, n] of perPoint) assert.equal(n, expected[hostOf(r, point)], `${hostOf(r, point)}: kept + omitted`);
      for (const point of perPoint.keys()) {
        const at = c.hops.filter((h) => h.ref.point === point);
        assert.equal(at.length, MAX_HEAD + MAX_TAIL, hostOf(r, point));
        const marked = at.filter((h) => h.omittedBefore !== undefined);
        assert.equal(marked.length, 1, hostOf(r, point));
        // The first tail record: right after the head, packet numbers jump by the omitted count.
        assert.equal(at.indexOf(marked[0]), MAX_HEAD, hostOf(r, point));
        assert.equal(marked[0].ref.n - at[MAX_HEAD - 1].ref.n - 1, marked[0].omittedBefore, hostOf(r, point));
      }
      const s = r.connections.find((x) => x.clientPort === short)!;
      assert.ok(s.hops.every((h) => h.omittedBefore === undefined));
      // In the JSON output.
      assert.match(JSON.stringify(c), /"omittedBefore":30/);
    });
  });

  it("the text output says an unknown connection's path was not followed past a point (not that it stopped)", async function () {
    const l = lab({ method: 'dr' });
    const early = nextPort();
    l.tcpConnection(1000, early, 'rs1', { arrives: false });
    for (let k = 1; k <= 4; k++) l.tcpConnection(1003.3 + k, nextPort(), k % 2 ? 'rs1' : 'rs2');
    const r = await analyzeCapture(l.write());
    const c = r.connections.find((x) => x.clientPort === early)!;
    assert.equal(c.state, 'unknown', describe1(r, c));
    const text = analysisText(r);
    const line = text.split('\n').find((x) => x.includes(`:${early} `))!;
    assert.match(line, / unknown /);
    assert.match(line, /not followed past director: forwarded to rs1 before rs1's capture began/);
    assert.doesNotMatch(line, /stopped at/);
    assert.match(text, /Connections: 5 \(4 complete, 1 unknown\)/);
  });
});
