// What the probe says about who answered, seen on a real lab:
// 1. without a capture, answers that name no real server were shown as 0 per real
//    server ("4/10 answered (192.0.2.11 0, 192.0.2.12 0)"), and a spread was judged
//    on the attributed answers as if the others were nobody's;
// 2. with a capture, a real server judged dead (probe-dead-rs-receiving) stood beside
//    an "as-expected" verdict on the spread.
// The client's answers are recorded here as the client script's JSON lines; the
// capture's conclusions as the attempts' seenBy / repliedBy.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadClusterModel } from '../../../src/core/config';
import {
  concludeProbe,
  expectedDistribution,
  formatProbeResult,
  formatProbeSummary,
  judge,
  probeSettingsFromService,
  probeVip,
  type ProbeAttempt,
  type ProbeOptions,
  type ProbeResult,
} from '../../../src/core/probe';
import type { ExecResult, RemoteHost } from '../../../src/core/ssh/remote';

/** A client whose probe script "ran": attempt i answered with `answer(i)` (undefined = refused). */
function client(count: number, answer: (i: number) => string | undefined): RemoteHost {
  return {
    name: 'client',
    async exec(): Promise<ExecResult> {
      const lines: string[] = [];
      for (let i = 0; i < count; i++) {
        const text = answer(i);
        lines.push(JSON.stringify(text !== undefined ? { i, ok: true, sport: 40000 + i, ms: 0.4, answer: `HTTP/1.0 200 OK\r\n\r\n${text}\n` } : { i, ok: false, sport: 40000 + i, error: 'refused' }));
      }
      return { stdout: lines.join('\n'), stderr: '', code: 0 };
    },
    download: async () => {},
    close: async () => {},
  };
}

describe('probe: who answered, in the summary and the verdict', function () {
  this.timeout(30_000);
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-probe-summary-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const service = (sched: string): ProbeOptions => {
    const f = path.join(dir, `ka-${Math.random().toString(36).slice(2)}.conf`);
    fs.writeFileSync(f, `virtual_server 192.0.2.100 80 {\n  lb_algo ${sched}\n  lb_kind DR\n  protocol TCP\n  real_server 192.0.2.11 80 {\n    weight 1\n  }\n  real_server 192.0.2.12 80 {\n    weight 1\n  }\n}\n`);
    const model = loadClusterModel([f]);
    return { ...probeSettingsFromService(model.services[0], (a) => (a === '192.0.2.11' ? 'rs1' : 'rs2')), from: client(1, () => undefined), count: 1, tool: 'python3', intervalMs: 0 };
  };
  const run = (opts: ProbeOptions, count: number, answer: (i: number) => string | undefined): Promise<ProbeResult> => probeVip({ ...opts, count, from: client(count, answer) });

  describe('answers no real server can be named for (no capture)', function () {
    // The service's page says nothing about which real server served it.
    const anonymous = (i: number): string | undefined => (i < 4 ? 'Welcome to our shop' : undefined);

    it('the summary does not show them as 0 per real server, and says how to attribute them', async function () {
      const r = await run(service('rr'), 10, anonymous);
      const s = formatProbeSummary(r);
      assert.match(s, /^Probe tcp:192\.0\.2\.100:80: 4\/10 answered, 4 not attributed to a real server \(no capture, and the answers do not name one\)/, s);
      assert.doesNotMatch(s, /192\.0\.2\.1[12] 0/, s);
      assert.match(s, / — no-verdict\./, s);
    });

    it('the judgement says none could be attributed and what to do to attribute them', async function () {
      const r = await run(service('rr'), 10, anonymous);
      assert.equal(r.judgement.verdict, 'no-verdict');
      assert.match(r.judgement.message, /none of the 10 attempts could be attributed to a real server \(4 answered, 6 failed/, r.judgement.message);
      assert.match(r.judgement.message, /--capture/, r.judgement.message);
      assert.match(r.judgement.message, /name itself in its answers/, r.judgement.message);
    });

    it('the text output does not list 0 connections per real server when none is attributed', async function () {
      const r = await run(service('rr'), 10, anonymous);
      const text = formatProbeResult(r);
      const rows = text.split('\n').filter((l) => /^192\.0\.2\.1[12] /.test(l));
      assert.equal(rows.length, 2, text);
      for (const row of rows) assert.deepEqual(row.trim().split(/\s+/), [row.split(/\s+/)[0], '1', '-', '-', '50%'], text);
      assert.match(text, /\nnot attributed to a real server: 4 answers and 6 failed attempts \(no capture, and the answers do not name one\)\. To attribute them: /, text);
    });

    it('a spread is not judged on the attributed answers while others are not attributed (they are typically one server\'s)', async function () {
      // rs1 names itself, rs2's page does not: 20 answers for rs1, 20 nobody's.
      const r = await run(service('rr'), 40, (i) => (i % 2 ? 'hello from rs1' : 'Welcome to our shop'));
      assert.deepEqual(r.distribution.map((d) => [d.server, d.count]), [['192.0.2.11', 20], ['192.0.2.12', 0]]);
      assert.equal(r.judgement.verdict, 'no-verdict', r.judgement.message);
      assert.match(r.judgement.message, /20 answers could not be attributed to a real server/, r.judgement.message);
      assert.match(r.judgement.message, /counting them as 192\.0\.2\.12's .*fits/, r.judgement.message);
      assert.ok(!r.findings.some((f) => f.code === 'probe-distribution-unexpected'), r.findings.map((f) => f.code).join());
      const s = formatProbeSummary(r);
      assert.match(s, /^Probe tcp:192\.0\.2\.100:80: 40\/40 answered \(192\.0\.2\.11 20\), 20 not attributed to a real server /, s);
    });

    it('what the attributed answers alone settle is still judged: two servers under persistence', async function () {
      const e = expectedDistribution('wlc', [{ name: 'a', weight: 1 }, { name: 'b', weight: 1 }], { persistenceSeconds: 300 });
      const rows = [
        { server: 'a', weight: 1, count: 5, answered: 5 },
        { server: 'b', weight: 1, count: 5, answered: 5 },
      ];
      assert.equal(judge(rows, e, { unattributedAnswers: 3 }).verdict, 'unexpected');
      // All attributed ones on one server: the others may be on another, so no verdict.
      const one = judge([rows[0], { ...rows[1], count: 0, answered: 0 }], e, { unattributedAnswers: 3 });
      assert.equal(one.verdict, 'no-verdict', one.message);
    });

    it('every answer attributed: per-server counts, 0 included', async function () {
      const r = await run(service('rr'), 20, () => 'hello from rs1');
      assert.match(formatProbeSummary(r), /^Probe tcp:192\.0\.2\.100:80: 20\/20 answered \(192\.0\.2\.11 20, 192\.0\.2\.12 0\) — unexpected\./);
    });
  });

  describe('a dead real server seen by the capture', function () {
    const servers = [
      { name: 'rs1', address: '192.0.2.11', port: 80, weight: 1, host: 'rs1' },
      { name: 'rs2', address: '192.0.2.12', port: 80, weight: 1, host: 'rs2' },
    ];
    // rr: every other connection lands on rs2, which receives it and answers nothing.
    const attempts = (): ProbeAttempt[] =>
      Array.from({ length: 20 }, (_, i) =>
        i % 2
          ? { i, ok: false, sourcePort: 40000 + i, error: 'timeout', seenBy: ['rs2'], repliedBy: [], refusedBy: [] }
          : { i, ok: true, sourcePort: 40000 + i, seenBy: ['rs1'], repliedBy: ['rs1'], refusedBy: [], answeredBy: 'rs1', via: 'capture' as const, answer: 'hello' },
      );
    const conclude = () =>
      concludeProbe({
        target: 'tcp:192.0.2.100:80',
        from: 'client',
        attempts: attempts(),
        servers,
        scheduler: 'rr',
        schedulerFlags: [],
        method: 'dr',
        captured: new Map([['rs1', { packets: 40 }], ['rs2', { packets: 20 }]]),
        checkCommand: '`lvs-trace check`',
      });

    it('the verdict is not "as-expected" beside the dead real server; the spread of the scheduling is told apart', function () {
      const c = conclude();
      const dead = c.findings.find((f) => f.code === 'probe-dead-rs-receiving');
      assert.ok(dead, c.findings.map((f) => f.code).join());
      assert.equal(dead.severity, 'error');
      assert.equal(c.judgement.verdict, 'unexpected', c.judgement.message);
      assert.match(c.judgement.message, /^real server rs2 received 10 of the 20 connections and answered none/, c.judgement.message);
      assert.match(c.judgement.message, /rs1 10, rs2 10: consistent with rr/, c.judgement.message);
      assert.equal(c.judgement.spread?.verdict, 'as-expected');
      // The spread itself fits the weights: no warning that it does not.
      assert.ok(!c.findings.some((f) => f.code === 'probe-distribution-unexpected'), c.findings.map((f) => f.code).join());
    });

    it('the summary counts answers per real server (the dead one answered none) and does not say "as-expected"', function () {
      const c = conclude();
      const r: ProbeResult = { target: 'tcp:192.0.2.100:80', from: 'client', tool: 'python3', attempts: attempts(), ...c, notes: [], capture: { dir: '', errors: [], kept: false } };
      const s = formatProbeSummary(r);
      assert.match(s, /^Probe tcp:192\.0\.2\.100:80: 10\/20 answered \(rs1 10, rs2 0\) — unexpected\. Real server rs2 received 10 of the probe's 20 connections/, s);
      assert.doesNotMatch(s, /as-expected/, s);
      assert.match(formatProbeResult(r), /\njudgement: unexpected: real server rs2 received 10 /);
    });

    it('judge: a dead real server overrides an "as-expected" spread', function () {
      const e = expectedDistribution('rr', servers);
      const rows = [
        { server: 'rs1', weight: 1, count: 10, answered: 10 },
        { server: 'rs2', weight: 1, count: 10, answered: 0 },
      ];
      assert.equal(judge(rows, e).verdict, 'as-expected');
      const j = judge(rows, e, { dead: ['rs2'] });
      assert.equal(j.verdict, 'unexpected');
      assert.equal(j.spread?.verdict, 'as-expected');
    });
  });
});
