// The committed samples/ capture folders (made by `npm run samples` from the lab):
// valid capture.json, every referenced file present, small, and the packets that make
// each scenario what its name says. Reads files only: no root needed.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readManifest, type CaptureManifest } from '../../../src/core/capture/manifest';
import { hasCommand, requireOrSkip } from '../../helpers/env';
import { readCapture } from '../../lab/tcpdump';
import { scenarios, samplesDir } from '../../lab/samples';
import { macFor } from '../../lab/topology';

const VIP = '192.0.2.100';
const ROUTER_LAN_MAC = macFor('192.0.2.1');
const DIRECTOR_MAC = macFor('192.0.2.2');
const RS1_DR_MAC = macFor('192.0.2.11');
const RS2_DR_MAC = macFor('192.0.2.12');

function load(name: string): { dir: string; m: CaptureManifest; pcap: (host: string, iface: string) => string } {
  const dir = path.join(samplesDir, name);
  const m = readManifest(dir);
  const pcap = (host: string, iface: string) => {
    const p = m.points.find((x) => x.host === host && x.interface === iface);
    assert.ok(p, `${name}: no capture point ${host}/${iface}`);
    return path.join(dir, p.file);
  };
  return { dir, m, pcap };
}

describe('samples/ (lab capture folders)', function () {
  this.timeout(30_000);
  before(function () {
    requireOrSkip(this, hasCommand('tcpdump'), 'tcpdump (to read the sample pcaps)');
  });

  it('has one folder per scenario of test/lab/samples.ts, each with README coverage', function () {
    const readme = fs.readFileSync(path.join(samplesDir, 'README.md'), 'utf8');
    for (const s of scenarios) {
      assert.ok(fs.existsSync(path.join(samplesDir, s.name, 'capture.json')), `${s.name}/capture.json`);
      assert.ok(readme.includes(`\`${s.name}/\``), `README describes ${s.name}`);
    }
  });

  for (const s of scenarios) {
    it(`${s.name}: valid capture.json, files present, under 200 KB, pcaps readable`, async function () {
      const { dir, m } = load(s.name);
      assert.equal(m.target.vip, VIP);
      assert.deepEqual(m.services.map((x) => `${x.protocol}/${x.port}/${x.method}`), [`tcp/80/${s.options.mode}`, `udp/9000/${s.options.mode}`]);
      const rsNames = new Set(m.services.flatMap((x) => x.realServers.map((r) => r.name)));
      let total = 0;
      for (const p of m.points) {
        if (p.role === 'real-server') assert.ok(rsNames.has(p.realServer!), `${p.host}: realServer names a service real server`);
        const lines = await readCapture(path.join(dir, p.file));
        assert.ok(lines.length > 0, `${p.file} has packets`);
        assert.equal(p.packetsCaptured, lines.length, `${p.file}: count in capture.json`);
      }
      assert.ok(fs.existsSync(path.join(dir, m.config!)), 'config copy');
      for (const [host, files] of Object.entries(m.state ?? {}))
        for (const f of Object.values(files)) assert.ok(fs.existsSync(path.join(dir, f)), `${host}: ${f}`);
      const walk = (d: string): void => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
          const p = path.join(d, e.name);
          if (e.isDirectory()) walk(p);
          else total += fs.statSync(p).size;
        }
      };
      walk(dir);
      assert.ok(total < 200 * 1024, `${s.name} is ${total} bytes`);
    });
  }

  it('dr-healthy: the director re-sends to both real server MACs; replies leave the real servers from the VIP to the router', async function () {
    const { pcap } = load('dr-healthy');
    const dir = await readCapture(pcap('director', 'eth0'), 'tcp[tcpflags] == tcp-syn');
    assert.ok(dir.some((l) => l.includes(`${DIRECTOR_MAC} > ${RS1_DR_MAC},`)));
    assert.ok(dir.some((l) => l.includes(`${DIRECTOR_MAC} > ${RS2_DR_MAC},`)));
    for (const [rs, mac] of [['rs1', RS1_DR_MAC], ['rs2', RS2_DR_MAC]]) {
      const replies = await readCapture(pcap(rs, 'eth0'), `src host ${VIP} and tcp`);
      assert.ok(replies.length > 0);
      for (const l of replies) assert.ok(l.includes(`${mac} > ${ROUTER_LAN_MAC},`), l);
    }
    const synAcks = await readCapture(pcap('client', 'eth0'), 'tcp[tcpflags] == tcp-syn|tcp-ack');
    assert.equal(synAcks.length, 8);
  });

  it('dr-arp-problem: rs1 answers the router\'s ARP requests for the VIP', async function () {
    const { pcap } = load('dr-arp-problem');
    const arp = await readCapture(pcap('router', 'eth1'), 'arp');
    assert.ok(arp.some((l) => l.includes(`Reply ${VIP} is-at ${RS1_DR_MAC}`)), arp.join('\n'));
    assert.ok(!arp.some((l) => l.includes(`Reply ${VIP} is-at ${RS2_DR_MAC}`)));
  });

  it('dr-vip-missing-on-lo: rs2 receives requests for the VIP and never answers', async function () {
    const { pcap } = load('dr-vip-missing-on-lo');
    assert.ok((await readCapture(pcap('rs2', 'eth0'), `dst host ${VIP}`)).length > 0);
    assert.deepEqual(await readCapture(pcap('rs2', 'eth0'), `src host ${VIP}`), []);
    assert.ok((await readCapture(pcap('rs1', 'eth0'), `src host ${VIP}`)).length > 0);
  });

  it('nat-healthy: the director forwards to RIP:8080 and the client only ever sees the VIP', async function () {
    const { pcap } = load('nat-healthy');
    const priv = await readCapture(pcap('director', 'eth1'), 'tcp[tcpflags] == tcp-syn');
    assert.ok(priv.some((l) => l.includes('> 10.0.0.11.8080:')));
    assert.ok(priv.some((l) => l.includes('> 10.0.0.12.8080:')));
    assert.deepEqual(await readCapture(pcap('client', 'eth0'), 'net 10.0.0.0/24'), []);
  });

  it('nat-wrong-gateway: the client gets SYN-ACKs from 10.0.0.12:8080 and resets them', async function () {
    const { pcap } = load('nat-wrong-gateway');
    const client = await readCapture(pcap('client', 'eth0'), 'host 10.0.0.12');
    assert.ok(client.some((l) => /10\.0\.0\.12\.8080 > 198\.51\.100\.10\.\d+: Flags \[S\.\]/.test(l)), client.join('\n'));
    assert.ok(client.some((l) => /198\.51\.100\.10\.\d+ > 10\.0\.0\.12\.8080: Flags \[R\]/.test(l)), client.join('\n'));
    const rs2 = await readCapture(pcap('rs2', 'eth0'), 'src host 10.0.0.12');
    for (const l of rs2.filter((x) => x.includes('IPv4'))) assert.ok(l.includes(`> ${macFor('10.0.0.254')},`), l);
  });

  it('tun-healthy: IP-in-IP from the director to the real servers, inner packets on tunl0 (raw IP), replies from the VIP', async function () {
    const { pcap } = load('tun-healthy');
    const dir = await readCapture(pcap('director', 'eth0'), 'ip proto 4');
    assert.ok(dir.some((l) => /192\.0\.2\.2 > 203\.0\.113\.11: .*198\.51\.100\.10\.\d+ > 192\.0\.2\.100\.80:/.test(l)), dir.join('\n'));
    assert.ok(dir.some((l) => /192\.0\.2\.2 > 203\.0\.113\.12: /.test(l)));
    const tunl0 = await readCapture(pcap('rs1', 'tunl0'), `dst host ${VIP}`);
    assert.ok(tunl0.length > 0 && tunl0.every((l) => !l.includes('proto IPIP')));
    const router = await readCapture(pcap('router', 'eth2'), `src host ${VIP}`);
    assert.ok(router.length > 0, 'replies come back through the router, not the director');
  });

  it('dead-rs: rs2 (weight 0 in the live table) keeps getting the fixed-port UDP client and rejects it; rs1 answers', async function () {
    const { m, pcap } = load('dead-rs');
    const udp = m.services.find((x) => x.protocol === 'udp')!;
    assert.equal(udp.realServers.find((r) => r.name === 'rs2')!.weight, 0);
    const rs2 = await readCapture(pcap('rs2', 'eth0'));
    assert.ok(rs2.some((l) => l.includes(`ICMP ${VIP} udp port 9000 unreachable`)), rs2.join('\n'));
    assert.ok(rs2.some((l) => /192\.0\.2\.100\.80 > 198\.51\.100\.10\.\d+: Flags \[R\.\]/.test(l)), rs2.join('\n'));
    const rs1 = await readCapture(pcap('rs1', 'eth0'), `src host ${VIP} and udp`);
    assert.ok(rs1.length > 0);
  });
});
