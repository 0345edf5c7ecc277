// A host is not blamed for packets it could not have seen: the capture points' windows
// (capture.json captureStart / captureEnd, else their first and last packets) and the
// clock offsets' uncertainty (clockUncertaintyMs) as the analysis uses them.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeCapture } from '../../../src/core/analysis/index';
import type { AnalysisResult } from '../../../src/core/analysis/result';
import type { CaptureManifest, CapturePoint } from '../../../src/core/capture/manifest';
import { readFrames } from '../../../src/core/pcap/read';
import { PcapWriter } from '../../../src/core/pcap/writer';
import { SynthLab, type SynthOptions } from './synth';

let tmp: string;
let seq = 0;
let port = 47100;
const nextPort = (): number => ++port;

function lab(opts: SynthOptions): SynthLab {
  return new SynthLab(path.join(tmp, `case-${++seq}`), opts);
}

/** Writes the capture, then sets fields of its points by host. */
function write(l: SynthLab, byHost: Record<string, Partial<CapturePoint>>): string {
  const dir = l.write();
  const file = path.join(dir, 'capture.json');
  const m = JSON.parse(fs.readFileSync(file, 'utf8')) as CaptureManifest;
  for (const p of m.points) Object.assign(p, byHost[p.host] ?? {});
  fs.writeFileSync(file, JSON.stringify(m, null, 2));
  return dir;
}

/** Keeps only the frames of `host`'s file that `keep` accepts (what its capture did not see goes). */
function keepFrames(dir: string, host: string, keep: (ts: number) => boolean): void {
  const m = JSON.parse(fs.readFileSync(path.join(dir, 'capture.json'), 'utf8')) as CaptureManifest;
  const file = path.join(dir, m.points.find((p) => p.host === host)!.file);
  const w = new PcapWriter({ linkType: 1 });
  readFrames(file, (f) => {
    if (keep(f.ts)) w.add(f.ts, Uint8Array.from(f.data));
  });
  w.writeFile(file);
}

/** Moves every frame of `host`'s file by `seconds` (its clock that far off). */
function shiftFrames(dir: string, host: string, seconds: number): void {
  const m = JSON.parse(fs.readFileSync(path.join(dir, 'capture.json'), 'utf8')) as CaptureManifest;
  const file = path.join(dir, m.points.find((p) => p.host === host)!.file);
  const w = new PcapWriter({ linkType: 1 });
  readFrames(file, (f) => w.add(f.ts + seconds, Uint8Array.from(f.data)));
  w.writeFile(file);
}

const problems = (r: AnalysisResult) => r.findings.filter((f) => f.severity !== 'info');

/** Gives each point the window `windowOf` returns for it (by file: a host may have several
 *  points, e.g. NAT's director eth0 and eth1): recorded in capture.json unless `record` is
 *  false, and its frames outside it cut from its file. */
function windowPoints(dir: string, windowOf: (p: CapturePoint) => { captureStart: number; captureEnd: number }, record = true): void {
  const file = path.join(dir, 'capture.json');
  const m = JSON.parse(fs.readFileSync(file, 'utf8')) as CaptureManifest;
  for (const p of m.points) {
    const w = windowOf(p);
    if (record) Object.assign(p, w);
    const kept: Array<{ ts: number; data: Uint8Array }> = [];
    let linkType = 1;
    readFrames(path.join(dir, p.file), (f) => {
      linkType = f.linkType;
      if (f.ts >= w.captureStart && f.ts <= w.captureEnd) kept.push({ ts: f.ts, data: Uint8Array.from(f.data) });
    });
    // The same link type (an -i any capture is cooked), in time order as tcpdump wrote them.
    const frames = new PcapWriter({ linkType });
    for (const f of kept.sort((a, b) => a.ts - b.ts)) frames.add(f.ts, f.data);
    frames.writeFile(path.join(dir, p.file));
  }
  fs.writeFileSync(file, JSON.stringify(m, null, 2));
}

describe('analysis: capture windows and clock uncertainty', function () {
  before(function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-window-'));
  });
  after(function () {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("a healthy connection forwarded before the real server's tcpdump listened is no evidence against it", async function () {
    // The audit's DR case: the director forwards a SYN at 1000.000; rs1's tcpdump said
    // "listening on" at 1000.246 (the hosts started 0.25 s apart), so rs1's file lacks that
    // connection although rs1 answered it (the client got its replies).
    const l = lab({ method: 'dr' });
    const early = nextPort();
    l.tcpConnection(1000, early, 'rs1');
    for (let k = 0; k < 4; k++) l.tcpConnection(1000.3 + k * 0.5, nextPort(), k % 2 ? 'rs2' : 'rs1');
    const window = (host: string): Partial<CapturePoint> => ({ captureStart: host === 'rs1' ? 1000.246 : 999.9, captureEnd: 1010, clockOffsetMs: 0.01, clockUncertaintyMs: 0.2 });
    const dir = write(l, { client: window('client'), director: window('director'), rs1: window('rs1'), rs2: window('rs2') });
    // rs1 could not have seen the first connection: not in its file.
    keepFrames(dir, 'rs1', (ts) => ts >= 1000.246);
    const r = await analyzeCapture(dir);
    assert.deepEqual(problems(r).map((f) => `${f.code}: ${f.message}`), [], 'no finding against rs1');
    const c = r.connections.find((x) => x.clientPort === early)!;
    assert.equal(c.state, 'complete');
  });

  it('without the recorded windows, a host is not blamed before its first packet either; a host that saw nothing still is', async function () {
    // Older captures: the first packet bounds when the capture surely ran.
    const l = lab({ method: 'dr' });
    // Its SYN and retransmissions (1000, 1001, 1003) all before rs1's first packet.
    l.tcpConnection(1000, nextPort(), 'rs1', { arrives: false });
    for (let k = 1; k <= 4; k++) l.tcpConnection(1003.3 + k, nextPort(), k % 2 ? 'rs1' : 'rs2');
    const r = await analyzeCapture(l.write());
    assert.ok(!problems(r).some((f) => f.code === 'forwarded-not-received'), JSON.stringify(problems(r).map((f) => f.message)));
    const c = r.connections[0];
    // Where it went past the director is not known: rs1 was not capturing yet.
    assert.equal(c.state, 'unknown');
    assert.match(c.stoppedAt?.reason ?? '', /^forwarded to rs1 before rs1's capture began \(\d\d:\d\d:\d\d\.\d{3} UTC\): whether it arrived is not known$/);
    assert.ok(!problems(r).some((f) => f.code === 'rs-no-reply'), 'rs-no-reply does not blame rs1 for it either');

    // rs2 saw nothing at all, its capture running throughout: blamed.
    const l2 = lab({ method: 'dr' });
    for (let k = 0; k < 6; k++) l2.tcpConnection(1000 + k * 5, nextPort(), k % 2 ? 'rs1' : 'rs2', k % 2 ? {} : { arrives: false });
    const r2 = await analyzeCapture(write(l2, { rs2: { captureStart: 999, captureEnd: 1040 } }));
    assert.equal(problems(r2)[0]?.code, 'forwarded-not-received');
    assert.equal(problems(r2)[0]?.realServer, 'rs2');
  });

  it("packets the director forwarded after the real server's capture ended (its size limit) are no evidence; those before are", async function () {
    // rs2's file was cut at 1000.9 (the size limit); the director went on capturing.
    // rs2 answered every connection (the client got the replies), its file lacks the late ones.
    const cut = (captureEnd: number): Promise<AnalysisResult> => {
      const l = lab({ method: 'dr' });
      for (let k = 0; k < 8; k++) l.tcpConnection(1000 + k * 0.2, nextPort(), k % 2 ? 'rs1' : 'rs2');
      const span = { captureStart: 999.5, captureEnd: 1010 };
      const dir = write(l, { client: span, director: span, rs1: span, rs2: { captureStart: 999.5, captureEnd } });
      keepFrames(dir, 'rs2', (ts) => ts <= 1000.9);
      return analyzeCapture(dir);
    };
    const stopped = await cut(1000.9);
    assert.deepEqual(problems(stopped).map((f) => `${f.code}: ${f.message}`), [], 'rs2 is not blamed for what passed after its capture ended');
    // Its capture said to have run to the end: the connections missing from it are evidence.
    const ran = await cut(1010);
    assert.equal(problems(ran)[0]?.code, 'forwarded-not-received');
    assert.equal(problems(ran)[0]?.realServer, 'rs2');
    assert.match(problems(ran)[0].message, /forwarded 1 connection to rs2/);
  });

  it('a clock offset within its uncertainty is not applied: hops microseconds apart stay in path order', async function () {
    // Same kernel clock (true offset 0), measured +0.9 ms ± 1.2 ms on rs1: shifting rs1 by it
    // would put rs1's copy of each request 0.7 ms before the director forwarded it.
    const l = lab({ method: 'dr' });
    for (let k = 0; k < 4; k++) l.tcpConnection(1000 + k, nextPort(), 'rs1');
    const r = await analyzeCapture(write(l, { rs1: { clockOffsetMs: 0.9, clockUncertaintyMs: 1.2 }, director: { clockOffsetMs: 0, clockUncertaintyMs: 0.05 } }));
    const lane = r.lanes.find((x) => x.host === 'rs1')!;
    assert.equal(lane.clockOffsetMs, 0);
    assert.match(lane.clockNote ?? '', /clock offset 0\.9 ms measured at capture time is within its uncertainty \(±1\.2 ms\): not applied/);
    for (const c of r.connections) {
      const order = c.hops.map((h) => r.lanes[h.ref.point].host);
      const syn = c.hops.filter((h) => h.summary.startsWith('S') && h.direction === 'request');
      assert.deepEqual(syn.map((h) => r.lanes[h.ref.point].host), ['client', 'director', 'director', 'rs1'], `${c.id}: ${order.join(' → ')}`);
      for (let k = 1; k < syn.length; k++) assert.ok(syn[k].ts >= syn[k - 1].ts, `${c.id}: hop times in path order`);
    }
    // An offset larger than its uncertainty is applied as before. (rs1's clock really is 5 ms
    // ahead: with its times true, the packets would prove the recorded offset wrong, rs1
    // receiving each request 5 ms before the director sent it, and the analysis would shift
    // rs1 back by that bound.)
    const l2 = lab({ method: 'dr' });
    l2.tcpConnection(1000, nextPort(), 'rs1');
    const dir2 = write(l2, { rs1: { clockOffsetMs: 5, clockUncertaintyMs: 0.3 } });
    shiftFrames(dir2, 'rs1', 0.005);
    const r2 = await analyzeCapture(dir2);
    assert.equal(r2.lanes.find((x) => x.host === 'rs1')!.clockOffsetMs, -5);
  });
  it("NAT replies sent after the director's capture ended are not replies that bypass it", async function () {
    // The CI lab case: every host captured the same 3 s, the director's tcpdump stopped a few
    // ms before rs1's, and the last connection's replies left rs1 in between: the director
    // could not have seen them, which says nothing about rs1's route.
    const l = lab({ method: 'nat' });
    for (let k = 0; k < 5; k++) l.tcpConnection(1000 + k * 0.2, nextPort(), k % 2 ? 'rs2' : 'rs1');
    const late = nextPort();
    l.tcpConnection(1001, late, 'rs1');
    const end = 1001.0007; // after the director forwarded the late SYN, before rs1 answered
    const span = { captureStart: 999.5, captureEnd: 1002 };
    const dir = write(l, { client: { captureStart: 999.5, captureEnd: 1000.95 }, director: { captureStart: 999.5, captureEnd: end }, rs1: span, rs2: span });
    const m = JSON.parse(fs.readFileSync(path.join(dir, 'capture.json'), 'utf8')) as CaptureManifest;
    for (const p of m.points) if (p.role === 'director') p.captureEnd = end;
    fs.writeFileSync(path.join(dir, 'capture.json'), JSON.stringify(m, null, 2));
    for (const p of m.points) {
      if (p.role !== 'director') continue;
      const w = new PcapWriter({ linkType: 1 });
      readFrames(path.join(dir, p.file), (f) => {
        if (f.ts <= end) w.add(f.ts, Uint8Array.from(f.data));
      });
      w.writeFile(path.join(dir, p.file));
    }
    keepFrames(dir, 'client', (ts) => ts <= 1000.95);
    const r = await analyzeCapture(dir);
    assert.deepEqual(problems(r).map((f) => `${f.code}: ${f.message}`), [], 'rs1 is not said to bypass the director');
  });

  it("health checks the director's capture saw only part of (its answer after the capture ended, or the check begun before it) are not failed checks", async function () {
    // Checks every 100 ms: the director's tcpdump listened from the end of the first one (only
    // its last ACK captured) and stopped between the last one's SYN and the SYN-ACK. Whether
    // those two were answered is not known there; rs1 answered both.
    const make = (last: 'ok' | 'reject' | 'none', directorEnd: number, record = true): Promise<AnalysisResult> => {
      const l = lab({ method: 'dr' });
      for (let k = 0; k < 9; k++) l.healthCheck(1000 + k * 0.1, 41000 + k, 'rs1');
      l.healthCheck(1000.9, 41009, 'rs1', last);
      for (let k = 0; k < 4; k++) l.tcpConnection(1000.05 + k * 0.2, nextPort(), k % 2 ? 'rs2' : 'rs1');
      const dir = l.write();
      windowPoints(dir, (p) => (p.host === 'director' ? { captureStart: 1000.00085, captureEnd: directorEnd } : { captureStart: 999.5, captureEnd: 1004 }), record);
      return analyzeCapture(dir);
    };
    const cut = await make('ok', 1000.9001);
    assert.deepEqual(problems(cut).map((f) => `${f.code}: ${f.message}`), [], 'rs1 is not said to fail its checks');
    const unrecorded = await make('ok', 1000.9001, false);
    assert.deepEqual(problems(unrecorded).map((f) => `${f.code}: ${f.message}`), [], 'nor with the windows known only from the packets');
    // A check the director saw unanswered for 1 s and more (its SYN sent again), and one refused
    // at the edge: failed as before.
    const silent = await make('none', 1003);
    assert.equal(problems(silent)[0]?.code, 'health-check-failing');
    assert.match(problems(silent)[0].message, /rs1 does not answer \(1 check\); 8 passed/);
    const refused = await make('reject', 1000.9004);
    assert.match(problems(refused)[0]?.message ?? '', /rs1 refuses the connection with RST \(1 check\); 8 passed/);
  });

  it("a client's request sent after the director's capture ended is not one that never reached the director", async function () {
    // The client's tcpdump stopped just after the last SYN left (before any answer could come
    // back); the director's and the real servers' had stopped 50 ms earlier.
    const l = lab({ method: 'dr' });
    for (let k = 0; k < 5; k++) l.tcpConnection(1000 + k * 0.2, nextPort(), k % 2 ? 'rs2' : 'rs1');
    const late = nextPort();
    l.tcpConnection(1001, late, 'rs1');
    const dir = l.write();
    windowPoints(dir, (p) => ({ captureStart: 999.5, captureEnd: p.host === 'client' ? 1001.0002 : 1000.95 }));
    const r = await analyzeCapture(dir);
    assert.deepEqual(problems(r).map((f) => `${f.code}: ${f.message}`), []);
    const c = r.connections.find((x) => x.clientPort === late)!;
    assert.equal(c.state, 'unknown');
    assert.equal(c.stoppedAt?.reason, "sent after the director's capture ended (00:16:40.950 UTC): whether it reached the director is not known");
    assert.equal(r.lanes[c.stoppedAt.point].host, 'client');

    // The director capturing then: it never reached the director, as before.
    const l2 = lab({ method: 'dr' });
    for (let k = 0; k < 5; k++) l2.tcpConnection(1000 + k * 0.2, nextPort(), k % 2 ? 'rs2' : 'rs1');
    const lost = nextPort();
    l2.tcpConnection(1001, lost, 'rs1', { reachesDirector: false });
    const dir2 = l2.write();
    windowPoints(dir2, (p) => ({ captureStart: 999.5, captureEnd: p.host === 'client' ? 1001.0002 : 1002 }));
    const c2 = (await analyzeCapture(dir2)).connections.find((x) => x.clientPort === lost)!;
    assert.equal(c2.state, 'no-reply');
    assert.equal(c2.stoppedAt?.reason, 'never reached the director');
  });

  it("NAT: a request that reached the director after its capture of the real servers' side ended is not one it did not forward", async function () {
    // The director's eth0 tcpdump saw the last SYN arrive and stopped before the SYN-ACK came
    // back; its eth1 tcpdump (where the forwarded SYN would show) and the real servers' had
    // stopped 50 ms earlier, the client's just after the SYN left.
    const make = (o: { forwarded?: boolean }): Promise<AnalysisResult> => {
      const l = lab({ method: 'nat' });
      for (let k = 0; k < 5; k++) l.tcpConnection(1000 + k * 0.2, nextPort(), k % 2 ? 'rs2' : 'rs1');
      l.tcpConnection(1001, 47999, 'rs1', o);
      const dir = l.write();
      windowPoints(dir, (p) => ({
        captureStart: 999.5,
        captureEnd: p.role === 'client' ? 1001.0002 : p.role === 'director' && p.interface === 'eth0' ? 1001.0007 : o.forwarded === false ? 1004 : 1000.95,
      }));
      return analyzeCapture(dir);
    };
    const r = await make({});
    assert.deepEqual(problems(r).map((f) => `${f.code}: ${f.message}`), []);
    const c = r.connections.find((x) => x.clientPort === 47999)!;
    assert.equal(c.state, 'unknown');
    assert.equal(c.stoppedAt?.reason, "reached the director after the director's capture on eth1 ended (00:16:40.950 UTC): whether it was forwarded is not known");
    // eth1 capturing then and showing nothing: not forwarded, as before.
    const c2 = (await make({ forwarded: false })).connections.find((x) => x.clientPort === 47999)!;
    assert.equal(c2.state, 'no-reply');
    assert.equal(c2.stoppedAt?.reason, 'reached the director, not forwarded');
  });

  it("a connection under way when the real server's capture began (only the client's last ACK in it) is not one it never answered", async function () {
    // rs1's tcpdump listened from between the server's FIN of the first connection and the
    // client's last ACK: rs1's capture holds that ACK alone, which asks for no answer.
    const make = (silent: boolean): Promise<AnalysisResult> => {
      const l = lab({ method: 'dr' });
      l.tcpConnection(1000, 47900, 'rs1');
      for (let k = 1; k < 10; k++) l.tcpConnection(1000 + k * 0.2, nextPort(), k % 2 ? 'rs2' : 'rs1', silent && k === 4 ? { answer: 'none' } : {});
      const dir = l.write();
      windowPoints(dir, (p) => ({ captureStart: p.host === 'rs1' ? 1000.007 : 999.5, captureEnd: 1005 }));
      return analyzeCapture(dir);
    };
    const r = await make(false);
    assert.deepEqual(problems(r).map((f) => `${f.code}: ${f.message}`), [], 'rs1 is not said to never answer');
    assert.equal(r.connections.find((x) => x.clientPort === 47900)?.state, 'complete');
    // A connection rs1 saw from its SYN on and never answered: still its fault.
    const silent = await make(true);
    assert.equal(problems(silent)[0]?.code, 'rs-no-reply');
    assert.match(problems(silent)[0].message, /^rs1 never answers the requests it receives for tcp 192\.0\.2\.100:80 \(1 connection\)/);
  });

  it("a request the director (captured on -i any) forwarded after a real server's capture ended is not one lost on the way", async function () {
    // A cooked -i any capture does not show the MAC the copy went to: which real server it was
    // for is not known. The director's tcpdump stopped just after it forwarded the last SYN,
    // rs1's 50 ms before (and rs2's too, or it ran on), the client's just after its SYN left.
    const make = (o: { arrives?: boolean }, rs2End = 1000.95): Promise<AnalysisResult> => {
      const l = lab({ method: 'dr', directorAny: ['sll2'], points: ['client', 'director-any', 'rs1', 'rs2'] });
      for (let k = 0; k < 5; k++) l.tcpConnection(1000 + k * 0.2, nextPort(), k % 2 ? 'rs2' : 'rs1');
      l.tcpConnection(1001, 47998, 'rs1', o);
      const dir = l.write();
      const end = (p: CapturePoint): number =>
        p.role === 'client' ? 1001.0002 : o.arrives === false ? 1004 : p.role === 'director' ? 1001.0007 : p.host === 'rs2' ? rs2End : 1000.95;
      windowPoints(dir, (p) => ({ captureStart: 999.5, captureEnd: end(p) }));
      return analyzeCapture(dir);
    };
    const late = async (r: Promise<AnalysisResult>) => (await r).connections.find((x) => x.clientPort === 47998)!;
    const r = await make({});
    assert.deepEqual(problems(r).map((f) => `${f.code}: ${f.message}`), []);
    const c = await late(Promise.resolve(r));
    assert.equal(c.state, 'unknown');
    assert.equal(c.stoppedAt?.reason, "forwarded to a real server after the real servers' captures ended (00:16:40.950 UTC): whether it arrived is not known");
    // rs2 still capturing: the copy may have gone to rs1, which was not.
    const one = await late(make({}, 1004));
    assert.equal(one.state, 'unknown');
    assert.equal(one.stoppedAt?.reason, "forwarded to a real server after rs1's capture ended (00:16:40.950 UTC): whether it arrived is not known");
    // Both real servers capturing then, and neither shows it: lost on the way, as before.
    const lost = await late(make({ arrives: false }));
    assert.equal(lost.state, 'no-reply');
    assert.equal(lost.stoppedAt?.reason, 'forwarded to a real server, not seen there');
  });

  it("connections per real server are counted while every server could have been seen taking them: a server that captured for less is not underused", async function () {
    // The director captured on -i any alone (which server a copy went to is not shown there):
    // each connection's server is known from that server's own capture. rs2's tcpdump listened
    // 7 s after the others', so rs2's first 35 connections are in no capture that names it.
    const make = (rs2Start: number, toRs1: (k: number) => boolean): Promise<AnalysisResult> => {
      const l = lab({ method: 'dr', directorAny: ['sll2'], points: ['client', 'director-any', 'rs1', 'rs2'] });
      for (let k = 0; k < 100; k++) l.tcpConnection(1000 + k * 0.1, nextPort(), toRs1(k) ? 'rs1' : 'rs2');
      const dir = l.write();
      windowPoints(dir, (p) => ({ captureStart: p.host === 'rs2' ? rs2Start : 999.5, captureEnd: 1011 }));
      return analyzeCapture(dir);
    };
    const late = await make(1007, (k) => k % 2 === 0);
    assert.deepEqual(problems(late).map((f) => `${f.code}: ${f.message}`), [], 'rr spreads them evenly');
    // All capturing throughout, and rs1 really gets 4 in 5: still found.
    const skewed = await make(999.5, (k) => k % 5 !== 0);
    assert.equal(problems(skewed)[0]?.code, 'unbalanced-distribution');
    assert.match(problems(skewed)[0].message, /rs1 80 \(weight 1, expected 50\.0\), rs2 20/);
  });
});
