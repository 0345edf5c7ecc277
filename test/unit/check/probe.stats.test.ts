// The probe's statistics, expectations and load-based weights.
import { strict as assert } from 'node:assert';
import { binomialTest, chiSquareSurvival, chiSquareTest, expectedDistribution, firstNumber, suggestWeights } from '../../../src/core/probe';
import { nameInAnswer, parseClientOutput } from '../../../src/core/probe';

describe('probe statistics', function () {
  it('chi-square survival matches tabulated critical values', function () {
    // Standard table: P(X >= 3.841 | df 1) = 0.05, P(X >= 9.210 | df 2) = 0.01, P(X >= 11.345 | df 3) = 0.01.
    assert.ok(Math.abs(chiSquareSurvival(3.841, 1) - 0.05) < 1e-3);
    assert.ok(Math.abs(chiSquareSurvival(9.21, 2) - 0.01) < 1e-4);
    assert.ok(Math.abs(chiSquareSurvival(11.345, 3) - 0.01) < 1e-4);
    assert.ok(Math.abs(chiSquareSurvival(0, 4) - 1) < 1e-12);
    assert.ok(chiSquareSurvival(200, 3) < 1e-40);
  });

  it('exact binomial two-sided p-values', function () {
    // 14 of 20 at p = 0.5: 2 * P(X >= 14) = 0.11532.
    assert.ok(Math.abs(binomialTest(14, 20, 0.5).pValue - 0.115318) < 1e-5);
    assert.ok(Math.abs(binomialTest(10, 20, 0.5).pValue - 1) < 1e-9);
    assert.ok(binomialTest(20, 20, 0.5).pValue < 2e-6);
    // Asymmetric: 0 of 10 at p = 0.25 (P = 0.0563): add X = 6..10, the outcomes no more likely (R binom.test: 0.07604).
    assert.ok(Math.abs(binomialTest(0, 10, 0.25).pValue - 0.076041) < 1e-5);
  });

  it('chi-square test of a 3-server spread', function () {
    const even = chiSquareTest([10, 11, 9], [1 / 3, 1 / 3, 1 / 3]);
    assert.ok(even.pValue > 0.5);
    const skew = chiSquareTest([28, 1, 1], [1 / 3, 1 / 3, 1 / 3]);
    assert.ok(skew.pValue < 1e-8);
    assert.equal(skew.df, 2);
    assert.equal(chiSquareTest([5, 5], [1, 0]).pValue, 0, 'connections where none were expected');
  });
});

describe('probe expectations per scheduler', function () {
  const servers = [
    { name: 'rs1', weight: 3 },
    { name: 'rs2', weight: 1 },
    { name: 'rs3', weight: 0 },
  ];
  it('weighted schedulers follow the weights, rr ignores them, weight 0 gets nothing', function () {
    const wrr = expectedDistribution('wrr', servers);
    assert.equal(wrr.kind, 'shares');
    if (wrr.kind === 'shares') assert.deepEqual([...wrr.shares], [['rs1', 0.75], ['rs2', 0.25]]);
    const rr = expectedDistribution('rr', servers);
    if (rr.kind === 'shares') assert.deepEqual([...rr.shares], [['rs1', 0.5], ['rs2', 0.5]]);
    else assert.fail('rr gives shares');
  });
  it('persistence, source hashing and failover pin one client to one server', function () {
    assert.equal(expectedDistribution('wlc', servers, { persistenceSeconds: 300 }).kind, 'single');
    assert.equal(expectedDistribution('sh', servers).kind, 'single');
    assert.equal(expectedDistribution('sh', servers, { schedulerFlags: ['sh-port'] }).kind, 'shares');
    const fo = expectedDistribution('fo', servers);
    assert.deepEqual(fo.kind === 'single' ? fo.candidates : [], ['rs1']);
    assert.equal(expectedDistribution('rr', [{ name: 'a', weight: 0 }]).kind, 'none');
    assert.equal(expectedDistribution('nosuch', servers).kind, 'none');
  });
});

describe('probe helpers', function () {
  it('suggests integer weights inverse to load, keeping the weight sum', function () {
    const w = suggestWeights([{ server: 'a', load: 1 }, { server: 'b', load: 3 }], 4);
    assert.deepEqual([...w], [['a', 3], ['b', 1]]);
    const idle = suggestWeights([{ server: 'a', load: 0 }, { server: 'b', load: 2 }, { server: 'c', load: 2 }], 10);
    assert.equal([...idle.values()].reduce((x, y) => x + y, 0), 10);
    assert.ok(idle.get('a')! > idle.get('b')!);
    assert.ok([...idle.values()].every((v) => v >= 1));
    assert.equal(firstNumber('0.42 0.30 0.25 1/123 4567\n'), 0.42);
    assert.equal(firstNumber('iso.3.6.1.4.1.2021.10.1.3.1 = STRING: "1.25"'), 3.6);
    assert.equal(firstNumber('no number'), undefined);
  });

  it('names the real server an answer mentions, by name or address, only when unambiguous', function () {
    const rs = [
      { name: 'rs1', address: '192.0.2.11', port: 80, weight: 1 },
      { name: 'rs2', address: '192.0.2.12', port: 80, weight: 1 },
      { name: '192.0.2.111', address: '192.0.2.111', port: 80, weight: 1 },
    ];
    assert.equal(nameInAnswer('HTTP/1.0 200 OK\r\n\r\nhello from rs1\n', rs), 'rs1');
    assert.equal(nameInAnswer('served by 192.0.2.12.', rs), 'rs2');
    assert.equal(nameInAnswer('served by 192.0.2.111', rs), '192.0.2.111');
    assert.equal(nameInAnswer('rs1 and rs2', rs), undefined);
    assert.equal(nameInAnswer('rs10', rs), undefined);
  });

  it('reads the client\'s JSON lines and skips anything else, within the count', function () {
    const a = parseClientOutput('{"i":0,"ok":true,"sport":4000,"ms":1.5,"answer":"x"}\nnoise\n{"i":1,"ok":false,"error":"refused"}\n{"i":9,"ok":true}\n{"i":2,"ok":tr', 3);
    assert.deepEqual(a, [
      { i: 0, ok: true, sourcePort: 4000, latencyMs: 1.5, answer: 'x' },
      { i: 1, ok: false, error: 'refused' },
    ]);
  });
});
