// Findings say exactly what the packets show: every packet number an evidence line cites is
// re-read from its pcap and must be a packet of the kind the line describes, and the counts
// and services a message names must be those of the connections it cites.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeCapture } from '../../../src/core/analysis/index';
import type { AnalysisResult } from '../../../src/core/analysis/result';
import { readPackets } from '../../../src/core/decode/index';
import type { Evidence, Finding } from '../../../src/core/findings/finding';
import { hasSharedFixtures, labFixturesDir, repoRoot, requireOrSkip } from '../../helpers/env';

const CLIENT = '198.51.100.10';
const VIP = '192.0.2.100';
const RST = 4;
const SYN = 2;

/** What a test needs of a packet (the reader reuses its objects: copied). */
interface Pkt {
  n: number;
  srcMac?: string;
  src?: string;
  dst?: string;
  sport?: number;
  dport?: number;
  proto?: string;
  tcpFlags?: number;
  icmpType?: number;
  icmpCode?: number;
  quoted?: { src: string; dst: string; sport?: number; dport?: number; proto: string };
}

const pcaps = new Map<string, Pkt[]>();
function packetsOf(dir: string, file: string): Pkt[] {
  const key = path.join(dir, file);
  let list = pcaps.get(key);
  if (list) return list;
  list = [];
  const out = list;
  readPackets(key, (p) => {
    const q = p.icmp?.quoted;
    out.push({
      n: p.n,
      srcMac: p.srcMac,
      src: p.src,
      dst: p.dst,
      sport: p.sport,
      dport: p.dport,
      proto: p.proto,
      tcpFlags: p.tcp?.flagBits,
      icmpType: p.icmp?.type,
      icmpCode: p.icmp?.code,
      quoted: q && { src: q.src, dst: q.dst, sport: q.sport, dport: q.dport, proto: q.proto },
    });
  });
  pcaps.set(key, list);
  return list;
}

/** The packets an evidence line cites, from its pcap. */
function cited(dir: string, e: Evidence): Pkt[] {
  assert.ok(e.file && e.packets && e.packets.length > 0, `${e.host}: ${e.text} cites packets`);
  const all = packetsOf(dir, e.file);
  return e.packets.map((n) => {
    const p = all[n - 1];
    assert.ok(p && p.n === n, `${e.file} #${n} exists`);
    return p;
  });
}

const show = (p: Pkt) => `#${p.n} ${p.srcMac ?? ''} ${p.src}:${p.sport ?? ''} > ${p.dst}:${p.dport ?? ''} ${p.proto}${p.tcpFlags !== undefined ? ` flags ${p.tcpFlags}` : ''}`;

/** A request of the client's endpoint `ip:port` (to the VIP, or rewritten by NAT). */
function isRequestOf(p: Pkt, ip: string, port: number): boolean {
  return p.src === ip && p.sport === port && (p.proto === 'tcp' || p.proto === 'udp');
}

/** An ICMP unreachable, or a bare TCP RST, answering the client's endpoint `ip:port`. */
function isRefusalOf(p: Pkt, ip: string, port: number, what: string, from: string): boolean {
  if (p.src !== from) return false;
  if (/^ICMP/.test(what)) return p.proto === 'icmp' && p.icmpType === 3 && p.quoted?.src === ip && p.quoted.sport === port;
  return p.proto === 'tcp' && p.dst === ip && p.dport === port && ((p.tcpFlags ?? 0) & RST) !== 0 && ((p.tcpFlags ?? 0) & SYN) === 0;
}

/** arp-problem: the bypass line cites client requests arriving from the MAC it names, none of
 *  the real server's own replies. */
function checkArpBypass(dir: string, f: Finding): void {
  const line = f.evidence.find((e) => /arrive at rs1 directly from/.test(e.text));
  assert.ok(line, 'a line for the requests that bypass the director');
  const mac = /directly from (\S+),/.exec(line.text)![1];
  for (const p of cited(dir, line)) {
    assert.ok(p.src === CLIENT && p.dst === VIP && p.srcMac === mac, `${line.file} ${show(p)} is a client request from ${mac}`);
  }
}

/** nat-reply-bypasses-director: client lines cite the replies the client saw (from the
 *  sources named), real-server lines the requests the director forwarded and the replies. */
function checkNatBypass(dir: string, f: Finding): void {
  const clientLines = f.evidence.filter((e) => e.host === 'client');
  const rsLines = f.evidence.filter((e) => e.host === 'rs2');
  assert.ok(clientLines.length > 0 && rsLines.length > 0);
  for (const e of clientLines) {
    const srcs = /client sees replies from (.+)$/.exec(e.text)![1].split(', ');
    for (const p of cited(dir, e)) assert.ok(p.dst === CLIENT && srcs.includes(`${p.src}:${p.sport}`), `${e.file} ${show(p)} is a reply from ${srcs.join(', ')}`);
  }
  // The director's inner MAC: the source of the frames it forwards to the real servers.
  const directorMac = '02:00:0a:00:00:01';
  for (const e of rsLines) {
    const [, ip, port] = /rs2 receives (\S+):(\d+) via the director and answers elsewhere/.exec(e.text)!;
    let requests = 0;
    let replies = 0;
    for (const p of cited(dir, e)) {
      if (isRequestOf(p, ip, Number(port))) {
        assert.equal(p.srcMac, directorMac, `${e.file} ${show(p)}: a request that came via the director`);
        requests++;
      } else {
        assert.ok(p.src === '10.0.0.12' && p.dst === ip && p.dport === Number(port), `${e.file} ${show(p)} is rs2's reply to ${ip}:${port}`);
        replies++;
      }
    }
    assert.ok(requests > 0 && replies > 0, e.text);
  }
}

async function analyse(dir: string): Promise<AnalysisResult> {
  return analyzeCapture(dir);
}

function only(r: AnalysisResult, code: string): Finding[] {
  const list = r.findings.filter((f) => f.code === code);
  assert.ok(list.length > 0, `a ${code} finding`);
  return list;
}

describe('analysis: evidence lines cite exactly the packets they describe', function () {
  const samples = path.join(repoRoot, 'samples');

  describe('bundled samples', function () {
    before(function () {
      requireOrSkip(this, fs.existsSync(path.join(samples, 'dead-rs', 'capture.json')), `sample captures in ${samples}`);
    });

    it('dr-arp-problem: the bypass line cites the client requests, not rs1\'s replies', async function () {
      const dir = path.join(samples, 'dr-arp-problem');
      checkArpBypass(dir, only(await analyse(dir), 'arp-problem')[0]);
    });

    it('nat-wrong-gateway: client lines cite only replies, rs2 lines only forwarded requests and replies', async function () {
      const dir = path.join(samples, 'nat-wrong-gateway');
      checkNatBypass(dir, only(await analyse(dir), 'nat-reply-bypasses-director')[0]);
    });

    it('dr-vip-missing-on-lo: rs-no-reply names every service its unanswered requests were for', async function () {
      const dir = path.join(samples, 'dr-vip-missing-on-lo');
      const f = only(await analyse(dir), 'rs-no-reply')[0];
      // 4 TCP connections to :80 (a SYN and its retransmission each) and 4 UDP ones to :9000
      // (6 datagrams: port 40000 sent 3) reach rs2 (rs2-eth0.pcap #2-17).
      assert.match(f.message, /tcp 192\.0\.2\.100:80 \(4 connections\)/);
      assert.match(f.message, /udp 192\.0\.2\.100:9000 \(4 connections, 6 datagrams\)/);
      assert.doesNotMatch(f.message, /8 requests for/);
      const ids = f.connections ?? [];
      assert.equal(ids.filter((id) => id.startsWith('tcp:')).length, 4);
      assert.equal(ids.filter((id) => id.startsWith('udp:')).length, 4);
      // Evidence for both services; each line cites the requests of the connection it names.
      assert.ok(f.evidence.some((e) => /:80,/.test(e.text)) && f.evidence.some((e) => /:9000,/.test(e.text)), f.evidence.map((e) => e.text).join('\n'));
      for (const e of f.evidence) {
        const [, ip, port, vport] = /^(\S+):(\d+) → 192\.0\.2\.100:(\d+), no answer from rs2$/.exec(e.text)!;
        for (const p of cited(dir, e)) assert.ok(isRequestOf(p, ip, Number(port)) && p.dst === VIP && p.dport === Number(vport), `${e.file} ${show(p)}`);
      }
    });

    it('dead-rs: quiescent-dead-server says what became of each request, and counts UDP in datagrams', async function () {
      const dir = path.join(samples, 'dead-rs');
      const [udp, tcp] = only(await analyse(dir), 'quiescent-dead-server');
      // rs2-eth0.pcap: 9 datagrams from ports 40000 (7), 40001 and 40002; rs2 answers 8 with
      // ICMP port unreachable (the kernel's rate limit drops one: #22); 3 SYNs answered by RST.
      assert.match(udp.message, /^9 datagrams \(3 connections\) kept going to rs2 although it refuses them \(8 answered by ICMP port unreachable, 1 unanswered: /);
      assert.match(tcp.message, /^3 requests kept going to rs2 although it refuses them \(3 answered by RST: /);
      for (const f of [udp, tcp]) {
        assert.doesNotMatch(f.message, /RST or ICMP/);
        let refused = 0;
        let unanswered = 0;
        for (const e of f.evidence) {
          const [, ip, port] = /^(\S+):(\d+) → /.exec(e.text)!;
          const ps = cited(dir, e);
          let m: RegExpExecArray | null;
          if (/ still sent to rs2$/.test(e.text)) {
            assert.equal(e.host, 'director');
            for (const p of ps) assert.ok(isRequestOf(p, ip, Number(port)) && p.dst === VIP, `${e.file} ${show(p)} is a request`);
          } else if ((m = /: (\d+) (?:datagram|SYN)s? answered by (.+) from (\S+)$/.exec(e.text))) {
            // Requests, each followed by its refusal.
            for (let k = 0; k < ps.length; k += 2) {
              assert.ok(isRequestOf(ps[k], ip, Number(port)), `${e.file} ${show(ps[k])} is a request`);
              assert.ok(ps[k + 1] && isRefusalOf(ps[k + 1], ip, Number(port), m[2], m[3]), `${e.file} #${ps[k + 1]?.n} is ${m[2]} from ${m[3]}`);
            }
            refused += Number(m[1]);
          } else if ((m = /: (\d+) (?:datagram|SYN)s?, no answer$/.exec(e.text))) {
            // Requests that nothing in the same pcap answers before the next one of the client's.
            const all = packetsOf(dir, e.file!);
            for (const p of ps) {
              assert.ok(isRequestOf(p, ip, Number(port)), `${e.file} ${show(p)} is a request`);
              for (const q of all.slice(p.n)) {
                if (isRequestOf(q, ip, Number(port))) break;
                assert.ok(q.dst !== ip || (q.dport !== Number(port) && q.quoted?.sport !== Number(port)), `${e.file} #${q.n} answers #${p.n}`);
              }
            }
            assert.equal(ps.length, Number(m[1]));
            unanswered += Number(m[1]);
          } else {
            assert.fail(`unexpected evidence line: ${e.text}`);
          }
        }
        assert.ok(refused > 0, 'the refusals are cited');
        if (f === udp) assert.equal(unanswered, 1, 'the datagram rs2 never answered is cited as such');
      }
    });
  });

  describe('real IPVS fixtures', function () {
    before(function () {
      requireOrSkip(this, hasSharedFixtures(), `shared lab fixtures in ${labFixturesDir}`);
    });

    it('dr-arp-problem: the bypass line cites the client requests, not rs1\'s replies', async function () {
      const dir = path.join(labFixturesDir, 'dr-arp-problem');
      checkArpBypass(dir, only(await analyse(dir), 'arp-problem')[0]);
    });

    it('nat-wrong-gateway: client lines cite only replies, rs2 lines only forwarded requests and replies', async function () {
      const dir = path.join(labFixturesDir, 'nat-wrong-gateway');
      checkNatBypass(dir, only(await analyse(dir), 'nat-reply-bypasses-director')[0]);
    });

    it('no-real-servers: the UDP exchange is counted in datagrams, each with the director\'s ICMP answer', async function () {
      const dir = path.join(labFixturesDir, 'no-real-servers');
      const f = only(await analyse(dir), 'director-not-forwarding').find((x) => /udp 192\.0\.2\.100:9000/.test(x.message))!;
      // README: "1 UDP exchange of 2 datagrams"; director-any.pcap #7 and #9, answered by #8 and #10.
      assert.match(f.message, /^2 client datagrams \(1 connection\) for udp 192\.0\.2\.100:9000 reached the director/);
      assert.match(f.message, /The director answered 2 datagrams itself with ICMP port unreachable from 192\.0\.2\.100/);
      assert.equal(f.evidence.length, 1);
      const e = f.evidence[0];
      assert.match(e.text, /^198\.51\.100\.10:(\d+) → 192\.0\.2\.100:9000: 2 datagrams, each answered by ICMP port unreachable, nothing forwarded$/);
      const port = Number(/^198\.51\.100\.10:(\d+)/.exec(e.text)![1]);
      const ps = cited(dir, e);
      assert.equal(ps.filter((p) => isRequestOf(p, CLIENT, port) && p.dst === VIP && p.dport === 9000).length, 2);
      assert.equal(ps.filter((p) => isRefusalOf(p, CLIENT, port, 'ICMP port unreachable', VIP)).length, 2);
      assert.equal(ps.length, 4);
    });
  });
});
