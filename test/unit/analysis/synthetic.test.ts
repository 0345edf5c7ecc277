// Findings on captures built packet by packet, for the failures the real fixtures lack.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeCapture } from '../../../src/core/analysis/index';
import type { AnalysisResult } from '../../../src/core/analysis/result';
import { DIRECTOR, DIRECTOR_MAC, SynthLab, type SynthOptions } from './synth';

let tmp: string;
let seq = 0;

function lab(opts: SynthOptions): SynthLab {
  return new SynthLab(path.join(tmp, `case-${++seq}`), opts);
}

function problems(r: AnalysisResult) {
  return r.findings.filter((f) => f.severity !== 'info');
}

function assertFirst(r: AnalysisResult, code: string, realServer?: string): void {
  const first = problems(r)[0];
  assert.ok(first, `expected ${code}, got no error or warning`);
  assert.equal(first.code, code, `first finding: ${first.code} — ${first.message}`);
  if (realServer) assert.equal(first.realServer, realServer);
  assert.ok(first.evidence.length > 0, 'a finding cites evidence');
  assert.ok(first.advice && first.advice.length > 10, 'a finding says what to do');
}

/** Client ports are unique per case. */
let port = 40100;
const nextPort = () => ++port;

describe('analysis: synthetic captures', function () {
  before(function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-analysis-'));
  });
  after(function () {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  for (const method of ['dr', 'nat', 'tun'] as const) {
    it(`healthy ${method.toUpperCase()} traffic yields no error or warning and follows every hop`, async function () {
      const l = lab({ method });
      for (let k = 0; k < 6; k++) l.tcpConnection(1000 + k, nextPort(), k % 2 ? 'rs1' : 'rs2');
      const r = await analyzeCapture(l.write());
      assert.deepEqual(problems(r), []);
      assert.equal(r.connections.length, 6);
      for (const c of r.connections) {
        assert.equal(c.state, 'complete', c.id);
        const rsHops = c.hops.filter((h) => r.lanes[h.ref.point].role === 'real-server');
        assert.ok(rsHops.length > 0 && rsHops.every((h) => r.lanes[h.ref.point].host === c.realServer));
        const rewrites = c.hops.map((h) => h.rewrite);
        assert.ok(rewrites.includes(method === 'dr' ? 'mac' : method === 'nat' ? 'dnat' : 'ipip'), `${method} rewrite annotated: ${rewrites.join(',')}`);
      }
    });
  }

  it('rs-no-reply: a DR real server receives SYNs and never answers (VIP missing on lo)', async function () {
    const l = lab({ method: 'dr' });
    for (let k = 0; k < 4; k++) l.tcpConnection(1000 + k * 5, nextPort(), k % 2 ? 'rs1' : 'rs2', k % 2 ? {} : { answer: 'none' });
    const r = await analyzeCapture(l.write());
    assertFirst(r, 'rs-no-reply', 'rs2');
    assert.match(problems(r)[0].message, /VIP 192\.0\.2\.100 missing on lo/);
    assert.match(problems(r)[0].message, /^rs2 never answers the requests it receives for tcp 192\.0\.2\.100:80 \(2 connections\) — /);
    const dead = r.connections.filter((c) => c.realServer === 'rs2');
    assert.ok(dead.every((c) => c.state === 'no-reply' && c.stoppedAt && r.lanes[c.stoppedAt.point].host === 'rs2'));
  });

  it('dr-reply-wrong-source: a DR real server answers from its own address', async function () {
    const l = lab({ method: 'dr' });
    for (let k = 0; k < 4; k++) l.tcpConnection(1000 + k * 5, nextPort(), k % 2 ? 'rs1' : 'rs2', k % 2 ? {} : { replyFromRip: true });
    const r = await analyzeCapture(l.write());
    assertFirst(r, 'dr-reply-wrong-source', 'rs2');
    assert.match(problems(r)[0].message, /from 192\.0\.2\.12:80/);
  });

  it('dr-reply-wrong-source: a real server with a TCP and a UDP service is told per service', async function () {
    const l = lab({ method: 'dr' });
    for (let k = 0; k < 4; k++) l.tcpConnection(1000 + k * 5, nextPort(), k % 2 ? 'rs1' : 'rs2', k % 2 ? {} : { replyFromRip: true });
    l.useProtocol('udp');
    for (let k = 0; k < 4; k++) l.udpExchange(1030 + k, nextPort(), k % 2 ? 'rs1' : 'rs2', k % 2 ? {} : { replyFromRip: true });
    const r = await analyzeCapture(l.write());
    assertFirst(r, 'dr-reply-wrong-source', 'rs2');
    const f = problems(r)[0];
    assert.match(f.message, /^rs2 answers 4 connections to the VIP 192\.0\.2\.100 from 192\.0\.2\.12:80 instead of 192\.0\.2\.100:80 and from 192\.0\.2\.12:9000 instead of 192\.0\.2\.100:9000;/);
    // Evidence for both services, each line with its own source.
    const texts = f.evidence.map((e) => e.text);
    assert.ok(texts.some((t) => t.startsWith('reply from 192.0.2.12:80 ')) && texts.some((t) => t.startsWith('reply from 192.0.2.12:9000 ')), texts.join('\n'));
  });

  it('rs-rejects: a real server with a TCP and a UDP service refuses both, told per service', async function () {
    const l = lab({ method: 'dr' });
    for (let k = 0; k < 4; k++) l.tcpConnection(1000 + k, nextPort(), k % 2 ? 'rs1' : 'rs2', k % 2 ? {} : { answer: 'reject' });
    l.useProtocol('udp');
    for (let k = 0; k < 6; k++) l.udpExchange(1010 + k, nextPort(), k % 2 ? 'rs1' : 'rs2', k % 2 ? {} : { answer: 'reject' });
    const r = await analyzeCapture(l.write());
    assertFirst(r, 'rs-rejects', 'rs2');
    const f = problems(r)[0];
    assert.match(f.message, /^rs2 refuses 2 connections to tcp\/80 \(TCP RST\) and 3 connections to udp\/9000 \(ICMP port unreachable\): nothing accepts tcp\/80 or udp\/9000 there on the VIP/);
    const conns = new Set(f.evidence.map((e) => e.text));
    assert.equal(conns.size, 3, [...conns].join('\n'));
  });

  it('rs-rejects: a real server resets every connection', async function () {
    const l = lab({ method: 'dr' });
    for (let k = 0; k < 4; k++) l.tcpConnection(1000 + k, nextPort(), k % 2 ? 'rs1' : 'rs2', k % 2 ? {} : { answer: 'reject' });
    const r = await analyzeCapture(l.write());
    assertFirst(r, 'rs-rejects', 'rs2');
  });

  it('quiescent-dead-server: a UDP client with a fixed source port stays on a dead, weight-0 server', async function () {
    const l = lab({ method: 'dr', protocol: 'udp', rs: [
      { name: 'rs1', address: '192.0.2.11', mac: '02:00:c0:00:02:0b', weight: 1 },
      { name: 'rs2', address: '192.0.2.12', mac: '02:00:c0:00:02:0c', weight: 0 },
    ] });
    l.udpExchange(1000, 40000, 'rs2', { datagrams: 3 });
    l.udpExchange(1005, 40000, 'rs2', { datagrams: 6, answer: 'none' });
    for (let k = 0; k < 8; k++) l.udpExchange(1000 + k, nextPort(), 'rs1');
    const r = await analyzeCapture(l.write());
    assertFirst(r, 'quiescent-dead-server', 'rs2');
    // UDP is counted in datagrams: 6 unanswered ones, all from the one client port.
    assert.match(problems(r)[0].message, /6 datagrams \(1 connection\) kept going to rs2 after it stopped answering at \d\d:\d\d:\d\d\.\d{3} UTC/);
    assert.match(problems(r)[0].message, /source port/);
    // The evidence says what became of them: sent on by the director, never answered by rs2.
    const texts = problems(r)[0].evidence.map((e) => `${e.host}: ${e.text}`);
    assert.ok(texts.some((t) => /^director: 198\.51\.100\.10:40000 → 192\.0\.2\.100:9000 still sent to rs2$/.test(t)), texts.join('\n'));
    assert.ok(texts.some((t) => /^rs2: 198\.51\.100\.10:40000 → 192\.0\.2\.100:9000: 6 datagrams, no answer$/.test(t)), texts.join('\n'));
    assert.ok(!texts.some((t) => /answered by/.test(t)), texts.join('\n'));
  });

  it('unbalanced-distribution: fires on a clearly skewed rr service and not on a fair one', async function () {
    const make = (toRs1: number, total: number) => {
      const l = lab({ method: 'dr', points: ['director'] });
      l.arpExchange('director', 999, '192.0.2.11', '02:00:c0:00:02:0b', DIRECTOR, DIRECTOR_MAC);
      l.arpExchange('director', 999.1, '192.0.2.12', '02:00:c0:00:02:0c', DIRECTOR, DIRECTOR_MAC);
      for (let k = 0; k < total; k++) l.tcpConnection(1000 + k * 0.05, nextPort(), k < toRs1 ? 'rs1' : 'rs2');
      return l.write();
    };
    const skewed = await analyzeCapture(make(85, 100));
    assertFirst(skewed, 'unbalanced-distribution');
    assert.match(problems(skewed)[0].message, /rs1 85 \(weight 1, expected 50\.0\), rs2 15/);
    const fair = await analyzeCapture(make(53, 100));
    assert.deepEqual(problems(fair), [], 'a 53/47 split is within chance for rr');
    const small = await analyzeCapture(make(6, 6));
    assert.deepEqual(problems(small), [], 'six connections are too few to judge');
  });

  it('vrrp-split-brain: two directors advertise as master for one VRID', async function () {
    const l = lab({ method: 'dr', points: ['director'] });
    l.addPoint({ host: 'dir2', role: 'director', interface: 'eth0', file: 'pcap/dir2-eth0.pcap' });
    for (let s = 0; s < 10; s++) {
      l.vrrpAdvert(['director'], 1000 + s, DIRECTOR, DIRECTOR_MAC, 51, 150);
      l.vrrpAdvert(['dir2-eth0'], 1000.3 + s, '192.0.2.3', '02:00:c0:00:02:03', 51, 100);
    }
    const r = await analyzeCapture(l.write());
    assertFirst(r, 'vrrp-split-brain');
    assert.match(problems(r)[0].message, /VRID 51: 192\.0\.2\.2 and 192\.0\.2\.3 both advertise as VRRP master from 00:16:40\.300 UTC to 00:16:49\.000 UTC /);
  });

  it('vrrp: a clean failover (priority 0, then the backup) is not a problem', async function () {
    const l = lab({ method: 'dr', points: ['director'] });
    for (let s = 0; s < 5; s++) l.vrrpAdvert(['director'], 1000 + s, DIRECTOR, DIRECTOR_MAC, 51, 150);
    l.vrrpAdvert(['director'], 1005, DIRECTOR, DIRECTOR_MAC, 51, 0);
    for (let s = 0; s < 8; s++) l.vrrpAdvert(['director'], 1005.5 + s, '192.0.2.3', '02:00:c0:00:02:03', 51, 100);
    for (let k = 0; k < 4; k++) l.tcpConnection(1001 + k * 3, nextPort(), k % 2 ? 'rs1' : 'rs2');
    const r = await analyzeCapture(l.write());
    assert.deepEqual(problems(r), []);
  });

  it('vrrp-no-adverts: the master falls silent and nobody takes over', async function () {
    const l = lab({ method: 'dr' });
    for (let s = 0; s < 3; s++) l.vrrpAdvert(['director'], 1000 + s, DIRECTOR, DIRECTOR_MAC, 51, 150);
    for (let k = 0; k < 4; k++) l.tcpConnection(1001 + k * 3, nextPort(), k % 2 ? 'rs1' : 'rs2');
    const r = await analyzeCapture(l.write());
    assertFirst(r, 'vrrp-no-adverts');
    assert.match(problems(r)[0].message, /stopped advertising at 00:16:42\.000 UTC without resigning/);
  });

  it('tun-fragmentation-needed: ICMP fragmentation needed quoting IPIP packets', async function () {
    const l = lab({ method: 'tun', rs: [
      { name: 'rs1', address: '203.0.113.11', mac: '02:00:cb:00:71:0b' },
      { name: 'rs2', address: '203.0.113.12', mac: '02:00:cb:00:71:0c' },
    ] });
    for (let k = 0; k < 4; k++) l.tcpConnection(1000 + k, nextPort(), k % 2 ? 'rs1' : 'rs2');
    l.fragNeeded(1002.5, 'rs1', 1480);
    const r = await analyzeCapture(l.write());
    assertFirst(r, 'tun-fragmentation-needed');
    assert.match(problems(r)[0].message, /MTU 1480/);
  });

  it('forwarded-not-received: the director forwards to a real server whose capture never sees it', async function () {
    const l = lab({ method: 'dr' });
    l.arpExchange('rs2', 999, '192.0.2.12', '02:00:c0:00:02:0c');
    for (let k = 0; k < 4; k++) l.tcpConnection(1000 + k * 5, nextPort(), k % 2 ? 'rs1' : 'rs2', k % 2 ? {} : { arrives: false });
    l.arpExchange('rs2', 1030, '192.0.2.12', '02:00:c0:00:02:0c');
    const r = await analyzeCapture(l.write());
    assertFirst(r, 'forwarded-not-received', 'rs2');
  });

  it('forwarded-not-received: the real server saw nothing at all (its MAC known only by elimination)', async function () {
    // rs2's capture is empty and no ARP names its MAC: the one unknown MAC the director
    // forwards to must be rs2's, the one real server without a MAC.
    const l = lab({ method: 'dr' });
    for (let k = 0; k < 6; k++) l.tcpConnection(1000 + k * 5, nextPort(), k % 2 ? 'rs1' : 'rs2', k % 2 ? {} : { arrives: false });
    const r = await analyzeCapture(l.write());
    assertFirst(r, 'forwarded-not-received', 'rs2');
    assert.equal(r.lanes.find((x) => x.host === 'rs2')?.packetCount, 0);
    assert.ok(!problems(r).some((f) => f.code === 'unbalanced-distribution'), 'not mistaken for a skewed scheduler');
  });

  it('vip-no-traffic: clients send to the VIP, the director sees none of it', async function () {
    const l = lab({ method: 'dr' });
    l.arpExchange('director', 999, '192.0.2.100', DIRECTOR_MAC);
    for (let k = 0; k < 3; k++) l.tcpConnection(1000 + k * 5, nextPort(), 'rs1', { reachesDirector: false });
    const r = await analyzeCapture(l.write());
    assertFirst(r, 'vip-no-traffic');
    assert.match(problems(r)[0].message, /3 connections seen elsewhere/);
  });

  it('director-not-forwarding: requests arrive, nothing leaves (kernel, firewall)', async function () {
    const l = lab({ method: 'dr' });
    for (let k = 0; k < 3; k++) l.tcpConnection(1000 + k * 5, nextPort(), 'rs1', { forwarded: false });
    const r = await analyzeCapture(l.write());
    assertFirst(r, 'director-not-forwarding');
    assert.match(problems(r)[0].message, /CONFIG_IP_VS_PROTO_TCP/);
  });
});
