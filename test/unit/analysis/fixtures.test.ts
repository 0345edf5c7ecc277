// The real IPVS captures in ../shared/fixtures/lab: each broken scenario's first error or
// warning names its cause; the healthy ones get none. And the correlation of the DR and
// NAT captures agrees with what each real server's own pcap holds.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeCapture } from '../../../src/core/analysis/index';
import type { AnalysisResult } from '../../../src/core/analysis/result';
import { readPackets } from '../../../src/core/decode/index';
import type { Packet } from '../../../src/core/decode/packet';
import { hasSharedFixtures, labFixturesDir, labScenarioDirs, requireOrSkip } from '../../helpers/env';

/** Expected first error/warning per scenario (null = healthy: none at all). */
const expected: Record<string, { code: string; realServer?: string; line?: number } | null> = {
  'dr-healthy': null,
  'nat-healthy': null,
  'tun-healthy': null,
  'keepalived-vrrp': null,
  'dr-arp-problem': { code: 'arp-problem', realServer: 'rs1' },
  'nat-wrong-gateway': { code: 'nat-reply-bypasses-director', realServer: 'rs2' },
  'no-real-servers': { code: 'director-not-forwarding' },
  // keepalived.conf line 23: `real_server 10.0.0.12 8080 {` (HTTP_GET answered 500) or 49 (6379, RST).
  'keepalived-healthcheck': { code: 'health-check-failing', realServer: 'rs2' },
};

const cache = new Map<string, Promise<AnalysisResult>>();
function analyse(dir: string): Promise<AnalysisResult> {
  let r = cache.get(dir);
  if (!r) cache.set(dir, (r = analyzeCapture(dir)));
  return r;
}

function problems(r: AnalysisResult) {
  return r.findings.filter((f) => f.severity !== 'info');
}

describe('analysis: real IPVS fixtures', function () {
  before(function () {
    requireOrSkip(this, hasSharedFixtures(), `shared lab fixtures in ${labFixturesDir}`);
  });

  it('knows what to expect of every scenario folder', function () {
    const names = labScenarioDirs().map((d) => path.basename(d));
    assert.ok(names.length >= 8);
    for (const n of names) assert.ok(n in expected, `new scenario ${n}: add its expected first finding here`);
  });

  for (const [name, want] of Object.entries(expected)) {
    it(`${name}: ${want ? `first error/warning is ${want.code}` : 'no error or warning'}`, async function () {
      const dir = path.join(labFixturesDir, name);
      const r = await analyse(dir);
      assert.ok(r.lanes.every((l) => !l.error), `lanes read: ${r.lanes.map((l) => l.error).join(';')}`);
      assert.ok(r.connections.length > 0, 'connections to the VIP found');
      if (!want) {
        assert.deepEqual(problems(r).map((f) => `${f.code}: ${f.message}`), []);
        return;
      }
      const first = problems(r)[0];
      assert.ok(first, `expected ${want.code}, got nothing`);
      assert.equal(first.code, want.code, first.message);
      if (want.realServer) assert.equal(first.realServer, want.realServer);
      assert.ok(first.evidence.every((e) => e.host && e.text));
    });
  }

  it('dr-arp-problem: the evidence cites rs1 answering ARP for the VIP', async function () {
    const r = await analyse(path.join(labFixturesDir, 'dr-arp-problem'));
    const f = r.findings[0];
    assert.match(f.message, /rs1 answers ARP for the VIP 192\.0\.2\.100 \(is-at 02:00:c0:00:02:0b\)/);
    assert.ok(f.evidence.some((e) => e.host === 'router' && e.packets && e.packets.length > 0));
    assert.ok(r.connections.every((c) => c.realServer === 'rs1'), 'all traffic went straight to rs1');
  });

  it('keepalived-healthcheck: findings point at the real_server blocks of keepalived.conf', async function () {
    const r = await analyse(path.join(labFixturesDir, 'keepalived-healthcheck'));
    const checks = r.findings.filter((f) => f.code === 'health-check-failing');
    assert.equal(checks.length, 2, 'HTTP_GET 500 on 8080 and TCP_CHECK RST on 6379');
    assert.ok(checks.some((f) => /HTTP 500/.test(f.message)));
    assert.ok(checks.some((f) => /RST/.test(f.message)));
    const lines = checks.map((f) => f.location?.line).sort();
    assert.deepEqual(lines, [23, 49]);
    assert.ok(checks.every((f) => f.location?.file.endsWith('keepalived.conf')));
  });

  it('keepalived-vrrp: the failover is reported as information, with who resigned and who took over', async function () {
    const r = await analyse(path.join(labFixturesDir, 'keepalived-vrrp'));
    const f = r.findings.find((x) => x.code === 'vrrp-failover');
    assert.ok(f);
    assert.equal(f.severity, 'info');
    assert.match(f.message, /VRID 51: 192\.0\.2\.2 resigned \(priority 0\) at \d\d:\d\d:\d\d\.\d{3} UTC, 192\.0\.2\.3 \(priority 100\) advertises as master from \d\d:\d\d:\d\d\.\d{3} UTC /);
    assert.ok(f.location?.file.endsWith('keepalived.conf'), 'points at the vrrp_instance');
  });

  it('no-real-servers: the director answered ICMP port unreachable itself, for TCP and UDP', async function () {
    const r = await analyse(path.join(labFixturesDir, 'no-real-servers'));
    const f = r.findings.filter((x) => x.code === 'director-not-forwarding');
    assert.equal(f.length, 2);
    assert.match(f[0].message, /no real servers/);
    assert.match(f[0].message, /ICMP port unreachable/);
    assert.ok(r.connections.every((c) => c.state === 'rejected'));
  });

  for (const name of ['dr-healthy', 'nat-healthy', 'tun-healthy']) {
    it(`${name}: each client connection at the director is matched to exactly one real server, as that server's pcap shows`, async function () {
      const dir = path.join(labFixturesDir, name);
      const r = await analyse(dir);
      const atDirector = r.connections.filter((c) => c.hops.some((h) => r.lanes[h.ref.point].role === 'director'));
      assert.ok(atDirector.length >= 6);
      // Re-read every real server's pcap: packet number -> packet facts.
      const rsPackets = new Map<number, Map<number, Pick<Packet, 'src' | 'dst' | 'sport' | 'dport' | 'inner'>>>();
      r.lanes.forEach((l, i) => {
        if (l.role !== 'real-server') return;
        const m = new Map<number, Pick<Packet, 'src' | 'dst' | 'sport' | 'dport' | 'inner'>>();
        readPackets(path.join(dir, r.manifest.points[i].file), (p) => {
          m.set(p.n, { src: p.src, dst: p.dst, sport: p.sport, dport: p.dport, inner: p.inner && { ...p.inner } });
        });
        rsPackets.set(i, m);
      });
      for (const c of atDirector) {
        const rsHosts = new Set(c.hops.filter((h) => r.lanes[h.ref.point].role === 'real-server').map((h) => r.lanes[h.ref.point].host));
        assert.equal(rsHosts.size, 1, `${c.id} seen at ${[...rsHosts].join(', ')}`);
        assert.equal([...rsHosts][0], c.realServer, `${c.id} assigned to the server that saw it`);
        for (const h of c.hops.filter((x) => rsPackets.has(x.ref.point))) {
          const p = rsPackets.get(h.ref.point)!.get(h.ref.n)!;
          const l4 = p.inner ?? p;
          const clientSide = h.direction === 'request' ? { ip: l4.src, port: l4.sport } : { ip: l4.dst, port: l4.dport };
          assert.deepEqual(clientSide, { ip: c.client, port: c.clientPort }, `${c.id}: ${r.lanes[h.ref.point].host} packet #${h.ref.n}`);
        }
        // Every request the server received is the same packet the director forwarded.
        const rsRequests = c.hops.filter((h) => h.direction === 'request' && r.lanes[h.ref.point].role === 'real-server' && !/ICMP/.test(h.summary));
        assert.ok(rsRequests.length > 0);
        for (const h of rsRequests) {
          assert.ok(h.sameAs !== undefined, `${c.id} #${h.ref.n} matched to an earlier copy`);
          let k: number | undefined = h.sameAs;
          let viaDirector = false;
          while (k !== undefined) {
            if (r.lanes[c.hops[k].ref.point].role === 'director') viaDirector = true;
            k = c.hops[k].sameAs;
          }
          assert.ok(viaDirector, `${c.id} #${h.ref.n} traced back to the director`);
        }
      }
    });
  }

  it('nat-healthy: replies come back through the director, rewritten to the VIP (SNAT annotated)', async function () {
    const r = await analyse(path.join(labFixturesDir, 'nat-healthy'));
    const c = r.connections.find((x) => x.protocol === 'tcp')!;
    assert.ok(c.hops.some((h) => h.rewrite === 'dnat' && /DNAT 192\.0\.2\.100:80 → 10\.0\.0\.1[12]:8080/.test(h.rewriteText ?? '')));
    assert.ok(c.hops.some((h) => h.direction === 'reply' && h.rewrite === 'snat' && h.src === '192.0.2.100'));
  });

  it('tun-healthy: a real server captured on eth0 and tunl0 is one server, whatever the order of the points', async function () {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-tun-'));
    try {
      fs.cpSync(path.join(labFixturesDir, 'tun-healthy'), tmp, { recursive: true });
      const file = path.join(tmp, 'capture.json');
      fs.chmodSync(file, 0o644);
      const m = JSON.parse(fs.readFileSync(file, 'utf8'));
      m.points.reverse();
      fs.writeFileSync(file, JSON.stringify(m));
      const r = await analyzeCapture(tmp);
      assert.deepEqual(problems(r).map((f) => f.code), []);
      const c = r.connections.find((x) => x.realServer === 'rs1' && x.protocol === 'tcp')!;
      assert.equal(c.state, 'complete');
      assert.ok(c.hops.some((h) => r.lanes[h.ref.point].interface === 'tunl0' && h.rewriteText?.startsWith('decapsulated')));
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('estimates clock offsets from matched packets (the lab shares one clock: near zero)', async function () {
    const r = await analyse(path.join(labFixturesDir, 'nat-healthy'));
    const rs1 = r.lanes.find((l) => l.host === 'rs1')!;
    assert.match(rs1.clockNote ?? '', /rs1 clock − director clock ≈ -?0\.0\d\d ms \(\d+\+\d+ matched packets/);
    const dr = await analyse(path.join(labFixturesDir, 'dr-healthy'));
    assert.match(dr.lanes.find((l) => l.host === 'rs1')!.clockNote ?? '', /≤ .* \(only director → rs1 packets/, 'DR only gives a bound');
  });
});
