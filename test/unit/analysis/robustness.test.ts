// Bad input never crashes the analysis: it becomes a lane error, a lane warning or a finding.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeCapture } from '../../../src/core/analysis/index';
import { hasSharedFixtures, labFixturesDir, repoRoot, requireOrSkip } from '../../helpers/env';

describe('analysis: bad capture folders', function () {
  let tmp: string;
  before(function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-analysis-bad-'));
  });
  after(function () {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('a folder without capture.json is an error finding, not an exception', async function () {
    const r = await analyzeCapture(path.join(tmp, 'nope'));
    assert.equal(r.findings[0].code, 'capture-unreadable');
    assert.equal(r.findings[0].severity, 'error');
    assert.match(r.findings[0].message, /capture\.json/);
    assert.deepEqual(r.connections, []);
  });

  it('an invalid capture.json names the field at fault', async function () {
    const dir = path.join(tmp, 'invalid');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'capture.json'), JSON.stringify({ format: 1, target: {}, points: [] }));
    const r = await analyzeCapture(dir);
    assert.match(r.findings[0].message, /target\.vip/);
  });

  function copyFixture(name: string): string {
    const dst = path.join(tmp, `${name}-${Math.random().toString(36).slice(2)}`);
    fs.cpSync(path.join(labFixturesDir, name), dst, { recursive: true });
    for (const f of fs.readdirSync(path.join(dst, 'pcap'))) fs.chmodSync(path.join(dst, 'pcap', f), 0o644);
    return dst;
  }

  it('a missing pcap is a lane error; the other points are still analysed', async function () {
    requireOrSkip(this, hasSharedFixtures(), 'shared lab fixtures');
    const dir = copyFixture('dr-healthy');
    fs.rmSync(path.join(dir, 'pcap', 'rs2-eth0.pcap'));
    const r = await analyzeCapture(dir);
    const lane = r.lanes.find((l) => l.host === 'rs2')!;
    assert.match(lane.error ?? '', /file not found: pcap\/rs2-eth0\.pcap/);
    assert.ok(r.findings.some((f) => f.code === 'capture-unreadable' && f.severity === 'warning'));
    assert.equal(r.connections.length, 7);
  });

  it('no capture point readable at all is one error finding (nothing to analyse); some readable, a warning per missing one', async function () {
    const dir = path.join(tmp, 'none-readable');
    fs.cpSync(path.join(repoRoot, 'samples', 'dr-healthy'), dir, { recursive: true });
    const files = fs.readdirSync(path.join(dir, 'pcap'));
    for (const f of files.slice(1)) fs.rmSync(path.join(dir, 'pcap', f));
    const some = await analyzeCapture(dir);
    const unreadable = some.findings.filter((f) => f.code === 'capture-unreadable');
    assert.equal(unreadable.length, files.length - 1);
    assert.ok(unreadable.every((f) => f.severity === 'warning'));
    fs.rmSync(path.join(dir, 'pcap', files[0]));
    const none = await analyzeCapture(dir);
    const all = none.findings.filter((f) => f.code === 'capture-unreadable');
    assert.equal(all.length, 1, JSON.stringify(all));
    assert.equal(all[0].severity, 'error');
    assert.match(all[0].message, new RegExp(`none of the ${files.length} capture points could be read`, 'i'));
    assert.equal(all[0].evidence.length, files.length, 'each point and why');
    assert.match(all[0].evidence[0].text, /file not found/);
    // A capture.json listing no point at all: nothing to analyse either.
    const empty = path.join(tmp, 'no-points');
    fs.mkdirSync(empty);
    fs.writeFileSync(path.join(empty, 'capture.json'), JSON.stringify({ format: 1, target: { vip: '192.0.2.100' }, points: [] }));
    const r = await analyzeCapture(empty);
    assert.deepEqual(r.findings.map((f) => [f.code, f.severity]), [['capture-unreadable', 'error']]);
    assert.match(r.findings[0].message, /no capture point/);
  });

  it('a truncated pcap: what was read is analysed, the lane carries a warning with the byte offset', async function () {
    requireOrSkip(this, hasSharedFixtures(), 'shared lab fixtures');
    const dir = copyFixture('nat-healthy');
    const file = path.join(dir, 'pcap', 'rs1-eth0.pcap');
    const size = fs.statSync(file).size;
    fs.truncateSync(file, size - 30);
    const r = await analyzeCapture(dir);
    const lane = r.lanes.find((l) => l.host === 'rs1')!;
    assert.match(lane.warning ?? '', /byte \d+/);
    assert.ok(lane.packetCount > 0 && !lane.error);
    assert.ok(r.connections.length >= 6);
  });

  it('a file that is not a pcap is a lane error naming it', async function () {
    requireOrSkip(this, hasSharedFixtures(), 'shared lab fixtures');
    const dir = copyFixture('dr-healthy');
    fs.writeFileSync(path.join(dir, 'pcap', 'client-eth0.pcap'), 'this is not a capture file at all, just text');
    const r = await analyzeCapture(dir);
    const lane = r.lanes.find((l) => l.host === 'client')!;
    assert.ok(lane.error && /client-eth0\.pcap/.test(lane.error), lane.error);
    assert.ok(r.connections.length > 0);
  });
});
