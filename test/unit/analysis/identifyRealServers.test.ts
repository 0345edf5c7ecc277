// A real server's capture point that capture.json does not tie to a real server (no
// `realServer`: a hand-written capture.json, a folder `lvs-trace assemble` made from pcaps taken
// by hand), with the services' real servers named only by address (keepalived.conf's
// `real_server 192.0.2.12 80`), is identified from its own capture: its own address, the MAC the
// director forwards a real server's share to, the requests to a real server's address reaching
// it, or by elimination. The same pcaps then analyse as they do with capture.json naming them;
// where the evidence conflicts, the point stays unidentified and its lane says why.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeCapture, type AnalysisResult } from '../../../src/core/analysis/index';
import type { CaptureManifest } from '../../../src/core/capture/manifest';
import { repoRoot } from '../../helpers/env';

const samplesDir = path.join(repoRoot, 'samples');

let tmp: string;
let copies = 0;

/** A copy of samples/<name> (no file added to the repository) whose capture.json ties no point
 *  to a real server and names the real servers only by address; `edit` changes it further. */
function anonymous(name: string, edit?: (m: CaptureManifest, folder: string) => void, strip = true): string {
  const folder = path.join(tmp, `${name}-${++copies}`);
  fs.cpSync(path.join(samplesDir, name), folder, { recursive: true });
  const file = path.join(folder, 'capture.json');
  const m = JSON.parse(fs.readFileSync(file, 'utf8')) as CaptureManifest;
  if (strip) {
    for (const p of m.points) delete p.realServer;
    for (const s of m.services) for (const r of s.realServers) delete (r as Partial<typeof r>).name;
  }
  edit?.(m, folder);
  fs.writeFileSync(file, JSON.stringify(m, null, 2));
  return folder;
}

/** What a result says of its connections and findings, the folder's path left out. */
function verdict(r: AnalysisResult): unknown {
  const text = JSON.stringify({
    connections: r.connections.map((c) => ({
      id: c.id,
      realServer: c.realServer,
      state: c.state,
      stoppedAt: c.stoppedAt,
      findings: c.findings,
      // Where it was seen (a point's sightings dropped as overheard are not).
      seenAt: [...new Set(c.hops.map((h) => h.ref.point))],
    })),
    findings: r.findings,
  });
  return JSON.parse(text.split(r.folder).join('<folder>'));
}

const lane = (r: AnalysisResult, host: string, iface = 'eth0') => {
  const l = r.lanes.find((x) => x.host === host && x.interface === iface);
  assert.ok(l, `no lane ${host} ${iface}`);
  return l;
};

describe("analysis: real servers' capture points capture.json does not name", function () {
  before(function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-identify-'));
  });
  after(function () {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  for (const name of ['dr-vip-missing-on-lo', 'dr-healthy', 'dead-rs', 'nat-healthy', 'nat-wrong-gateway', 'tun-healthy']) {
    it(`samples/${name}: analyses as with capture.json naming them`, async function () {
      const named = await analyzeCapture(path.join(samplesDir, name));
      const r = await analyzeCapture(anonymous(name));
      assert.deepEqual(verdict(r), verdict(named));
      for (const l of r.lanes.filter((x) => x.role === 'real-server')) {
        assert.equal(l.realServer, l.host);
        assert.match(l.realServerNote ?? '', new RegExp(`^identified as real server ${l.host} \\(`));
      }
      // capture.json naming them: nothing identified, nothing noted.
      for (const l of named.lanes) assert.deepEqual([l.realServer, l.realServerNote], [undefined, undefined]);
    });
  }

  it('dr-vip-missing-on-lo: rs2, which never sends, is the real server the director forwards 192.0.2.12 to', async function () {
    const r = await analyzeCapture(anonymous('dr-vip-missing-on-lo'));
    const rs2 = lane(r, 'rs2');
    const silent = r.connections.filter((c) => c.state === 'no-reply');
    assert.equal(silent.length, 8);
    for (const c of silent) {
      assert.equal(c.realServer, 'rs2', c.id);
      assert.deepEqual(c.stoppedAt, { point: rs2.point, reason: 'rs2 received it and never answered' }, c.id);
      assert.ok(c.hops.some((h) => h.ref.point === rs2.point && h.direction === 'request'), `${c.id}: rs2's own sighting among its hops`);
    }
    const f = r.findings.find((x) => x.code === 'rs-no-reply');
    assert.ok(f);
    assert.equal(f.realServer, 'rs2');
    assert.match(f.message, /^rs2 never answers the requests it receives/);
    assert.ok(f.evidence.length > 0);
    for (const e of f.evidence) assert.deepEqual([e.host, e.file], ['rs2', 'pcap/rs2-eth0.pcap']);
    // The config's real_server 192.0.2.12 block.
    assert.equal(f.location?.line, 33);
    assert.equal(rs2.realServer, 'rs2');
    assert.match(rs2.realServerNote ?? '', /rs2 \(192\.0\.2\.12\).*its MAC 02:00:c0:00:02:0c is the one the director forwards 192\.0\.2\.12's connections to/);
    assert.match(lane(r, 'rs1').realServerNote ?? '', /rs1 \(192\.0\.2\.11\).*it claims 192\.0\.2\.11 in ARP/);
  });

  it('nat-wrong-gateway: each NAT real server by its own address, the bypass blamed on rs2', async function () {
    const r = await analyzeCapture(anonymous('nat-wrong-gateway'));
    assert.match(lane(r, 'rs1').realServerNote ?? '', /rs1 \(10\.0\.0\.11\).*it sends from 10\.0\.0\.11.*requests to 10\.0\.0\.11 reach it/);
    assert.match(lane(r, 'rs2').realServerNote ?? '', /rs2 \(10\.0\.0\.12\).*it sends from 10\.0\.0\.12/);
    const f = r.findings.find((x) => x.code === 'nat-reply-bypasses-director');
    assert.ok(f);
    assert.equal(f.realServer, 'rs2');
    assert.match(f.message, /the client receives them from 10\.0\.0\.12 and rejects them/);
    assert.equal(f.location?.line, 33);
    assert.ok(f.evidence.some((e) => e.file === 'pcap/rs2-eth0.pcap'));
  });

  it("real servers the services name keep the services' names", async function () {
    const r = await analyzeCapture(
      anonymous('dr-vip-missing-on-lo', (m) => {
        for (const s of m.services) for (const rs of s.realServers) rs.name = rs.address === '192.0.2.11' ? 'web1' : 'web2';
      }),
    );
    assert.equal(lane(r, 'rs2').realServer, 'web2');
    assert.equal(lane(r, 'rs1').realServer, 'web1');
    const silent = r.connections.filter((c) => c.state === 'no-reply');
    assert.equal(silent.length, 8);
    for (const c of silent) assert.deepEqual([c.realServer, c.stoppedAt], ['web2', { point: lane(r, 'rs2').point, reason: 'web2 received it and never answered' }]);
    const f = r.findings.find((x) => x.code === 'rs-no-reply');
    assert.equal(f?.realServer, 'web2');
    for (const e of f?.evidence ?? []) assert.equal(e.file, 'pcap/rs2-eth0.pcap');
  });

  it('a point with no realServer beside one of the same host with it is that real server', async function () {
    const r = await analyzeCapture(
      anonymous(
        'tun-healthy',
        (m) => {
          for (const p of m.points) if (p.interface === 'tunl0') delete p.realServer;
        },
        false,
      ),
    );
    assert.deepEqual(verdict(r), verdict(await analyzeCapture(path.join(samplesDir, 'tun-healthy'))));
    assert.equal(lane(r, 'rs2', 'tunl0').realServer, 'rs2');
    assert.match(lane(r, 'rs2', 'tunl0').realServerNote ?? '', /capture\.json ties rs2's other capture point to it/);
    assert.equal(lane(r, 'rs2').realServerNote, undefined);
  });

  it('two hosts whose captures point to one real server: neither is identified, and their lanes say why', async function () {
    const r = await analyzeCapture(
      anonymous('dr-vip-missing-on-lo', (m, folder) => {
        fs.copyFileSync(path.join(folder, 'pcap/rs2-eth0.pcap'), path.join(folder, 'pcap/rs3-eth0.pcap'));
        m.points.push({ host: 'rs3', role: 'real-server', interface: 'eth0', file: 'pcap/rs3-eth0.pcap' });
      }),
    );
    assert.equal(lane(r, 'rs1').realServer, 'rs1');
    for (const [host, other] of [
      ['rs2', 'rs3'],
      ['rs3', 'rs2'],
    ]) {
      assert.equal(lane(r, host).realServer, undefined);
      assert.equal(lane(r, host).realServerNote, `not identified as a real server of the service: its capture points to 192.0.2.12, and so do the captures of ${other}`);
    }
    for (const c of r.connections) assert.ok(c.realServer !== 'rs2' && c.realServer !== 'rs3', c.id);
    const rs2 = lane(r, 'rs2').point;
    const rs3 = lane(r, 'rs3').point;
    for (const c of r.connections) assert.ok(c.stoppedAt?.point !== rs2 && c.stoppedAt?.point !== rs3, c.id);
  });

  it('a host whose captures point to two real servers is not identified, and its lanes say why', async function () {
    const r = await analyzeCapture(
      anonymous('dr-vip-missing-on-lo', (m, folder) => {
        fs.copyFileSync(path.join(folder, 'pcap/rs1-eth0.pcap'), path.join(folder, 'pcap/rs2-eth1.pcap'));
        m.points.push({ host: 'rs2', role: 'real-server', interface: 'eth1', file: 'pcap/rs2-eth1.pcap' });
      }),
    );
    assert.equal(lane(r, 'rs1').realServer, 'rs1');
    for (const iface of ['eth0', 'eth1']) {
      const l = lane(r, 'rs2', iface);
      assert.equal(l.realServer, undefined);
      assert.match(l.realServerNote ?? '', /^not identified as a real server of the service: its capture points to more than one real server: 192\.0\.2\.12 \(.*\); 192\.0\.2\.11 \(/);
    }
    for (const c of r.connections.filter((x) => x.state === 'no-reply')) assert.equal(c.realServer, '192.0.2.12', c.id);
  });

  it('capture.json naming another host that real server: the point is not identified', async function () {
    const r = await analyzeCapture(
      anonymous('dr-vip-missing-on-lo', (m, folder) => {
        fs.copyFileSync(path.join(folder, 'pcap/rs2-eth0.pcap'), path.join(folder, 'pcap/rs3-eth0.pcap'));
        m.points.push({ host: 'rs3', role: 'real-server', interface: 'eth0', file: 'pcap/rs3-eth0.pcap', realServer: '192.0.2.12' });
      }),
    );
    assert.equal(lane(r, 'rs2').realServer, undefined);
    assert.equal(lane(r, 'rs2').realServerNote, "not identified as a real server of the service: its capture points to 192.0.2.12, which capture.json ties to rs3's capture");
    assert.equal(lane(r, 'rs3').realServerNote, undefined);
  });

  it('the one point left is the one real server left, even with its capture unreadable', async function () {
    const r = await analyzeCapture(
      anonymous('dr-vip-missing-on-lo', (m) => {
        const p = m.points.find((x) => x.host === 'rs2');
        if (p) p.file = 'pcap/missing.pcap';
      }),
    );
    const rs2 = lane(r, 'rs2');
    assert.equal(rs2.realServer, 'rs2');
    assert.equal(rs2.realServerNote, 'identified as real server rs2 (192.0.2.12) by elimination: every other real server is another capture point');
    const unknown = r.connections.filter((c) => c.state === 'unknown');
    assert.equal(unknown.length, 8);
    for (const c of unknown) {
      assert.equal(c.realServer, 'rs2');
      assert.match(c.stoppedAt?.reason ?? '', /^forwarded to rs2, but rs2's capture could not be read/);
    }
  });
});
