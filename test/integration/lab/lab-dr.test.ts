import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { labUp, type Lab } from '../../lab/lab';
import { startCapture, readCapture } from '../../lab/tcpdump';
import { run } from '../../lab/shell';
import { hasCommand } from '../../helpers/env';
import { loadHostsFile } from '../../../src/core/ssh';
import { requireLabTools, ssh, tally } from './helpers';

describe('lab: DR mode (nftables director, real servers with the VIP on lo)', function () {
  this.timeout(60_000);
  let lab: Lab | undefined;

  before(async function () {
    requireLabTools(this);
    lab = await labUp({ mode: 'dr' });
  });
  after(async function () {
    await lab?.down();
  });

  it('spreads TCP connections over both real servers and every one is answered', async function () {
    const results = await lab!.clientTraffic({ protocol: 'tcp', count: 20 });
    const t = tally(results);
    assert.equal((t.rs1 ?? 0) + (t.rs2 ?? 0), 20, `all answered: ${JSON.stringify(t)}`);
    assert.ok(t.rs1 > 0 && t.rs2 > 0, `both real servers answer: ${JSON.stringify(t)}`);
    assert.equal(new Set(results.map((r) => r.sourcePort)).size, 20, 'each connection from its own source port');
  });

  it('spreads UDP requests over both real servers; a fixed source port always hits the same one', async function () {
    const t = tally(await lab!.clientTraffic({ protocol: 'udp', count: 20 }));
    assert.equal((t.rs1 ?? 0) + (t.rs2 ?? 0), 20, JSON.stringify(t));
    assert.ok(t.rs1 > 0 && t.rs2 > 0, JSON.stringify(t));
    const fixed = await lab!.clientTraffic({ protocol: 'udp', count: 5, fixedSourcePort: 40000 });
    assert.ok(fixed.every((r) => r.ok), JSON.stringify(fixed));
    assert.equal(new Set(fixed.map((r) => r.answeredBy)).size, 1, `per connection, not per packet: ${JSON.stringify(fixed)}`);
  });

  it('chooses the real server reproducibly from the client port (fixed or numbered source ports)', async function () {
    const again = await lab!.clientTraffic({ protocol: 'tcp', count: 3, fixedSourcePort: 45000 });
    assert.ok(again.every((r) => r.ok && r.sourcePort === 45000), JSON.stringify(again));
    assert.equal(new Set(again.map((r) => r.answeredBy)).size, 1, JSON.stringify(again));
    const a = await lab!.clientTraffic({ protocol: 'udp', count: 8, sourcePortBase: 46000 });
    const b = await lab!.clientTraffic({ protocol: 'udp', count: 8, sourcePortBase: 46000 });
    assert.deepEqual(a.map((r) => r.sourcePort), [46000, 46001, 46002, 46003, 46004, 46005, 46006, 46007]);
    assert.deepEqual(a.map((r) => r.answeredBy), b.map((r) => r.answeredBy));
  });

  it('puts DR on the wire: the director re-sends the same IP packet to a real server MAC; replies bypass it', async function () {
    const dir = fs.mkdtempSync('/tmp/lvslab-test-');
    try {
      const director = lab!.hosts.find((h) => h.name === 'director')!;
      const rsMacs = lab!.hosts.filter((h) => h.role === 'real-server').map((h) => h.mac);
      const router = lab!.hosts.find((h) => h.name === 'router')!;
      const cap = await startCapture(director.netns, 'eth0', path.join(dir, 'director.pcap'), { filter: 'tcp port 80' });
      await lab!.clientTraffic({ protocol: 'tcp', count: 4 });
      await cap.stop();
      const syns = await readCapture(cap.file, 'tcp[tcpflags] == tcp-syn');
      assert.equal(syns.length, 8, `each SYN seen arriving and leaving:\n${syns.join('\n')}`);
      const inbound = syns.filter((l) => l.includes(` ${router.mac} > ${director.mac},`));
      const outbound = syns.filter((l) => rsMacs.some((m) => l.includes(` ${director.mac} > ${m},`)));
      assert.equal(inbound.length, 4, syns.join('\n'));
      assert.equal(outbound.length, 4, syns.join('\n'));
      for (const l of syns) assert.match(l, /198\.51\.100\.10\.\d+ > 192\.0\.2\.100\.80:/, 'IP addresses unchanged');
      const replies = await readCapture(cap.file, 'src host 192.0.2.100 and tcp[tcpflags] & tcp-syn != 0');
      assert.equal(replies.length, 0, `SYN-ACKs never pass the director:\n${replies.join('\n')}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every host answers ssh with the lab key, strict host key checking and the lab known_hosts', async function () {
    const results = await Promise.all(
      lab!.hosts.map((h) => ssh(lab!, h.name, 'ip -o addr show', ['-o', 'StrictHostKeyChecking=yes'])),
    );
    lab!.hosts.forEach((h, i) => {
      assert.equal(results[i].code, 0, `${h.name}: ${results[i].stderr}`);
      assert.ok(results[i].stdout.includes(h.lanAddress), `${h.name} is the right namespace: ${results[i].stdout}`);
    });
  });

  it('blockSsh makes a host silent (connections time out) until unblockSsh', async function () {
    await lab!.blockSsh('rs1');
    try {
      const t = Date.now();
      const r = await ssh(lab!, 'rs1', 'true', ['-o', 'ConnectTimeout=2']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /timed out/i);
      assert.ok(Date.now() - t >= 1900, 'a timeout, not a refusal');
      assert.equal((await ssh(lab!, 'rs2', 'true')).code, 0, 'other hosts unaffected');
    } finally {
      await lab!.unblockSsh('rs1');
    }
    assert.equal((await ssh(lab!, 'rs1', 'true')).code, 0);
  });

  it('a host key that differs from known_hosts is refused', async function () {
    const bad = path.join(lab!.stateDir, 'known_hosts.wrong');
    const other = fs.readFileSync(lab!.knownHostsPath, 'utf8').split('\n').filter(Boolean);
    // give rs1's address the key of rs2
    const rs1 = lab!.hosts.find((h) => h.name === 'rs1')!.sshAddress;
    const rs2Key = other.find((l) => l.startsWith(lab!.hosts.find((h) => h.name === 'rs2')!.sshAddress + ' '))!.split(' ').slice(1);
    fs.writeFileSync(bad, other.map((l) => (l.startsWith(rs1 + ' ') ? `${rs1} ${rs2Key.join(' ')}` : l)).join('\n') + '\n');
    const r = await ssh(lab!, 'rs1', 'true', ['-o', `UserKnownHostsFile=${bad}`]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
  });

  it('writes hosts.json and a keepalived.conf that describe this lab', async function () {
    const hosts = JSON.parse(fs.readFileSync(lab!.hostsJsonPath, 'utf8'));
    assert.equal(hosts.knownHosts, lab!.knownHostsPath);
    assert.deepEqual(Object.keys(hosts.hosts).sort(), ['client', 'director', 'router', 'rs1', 'rs2']);
    assert.deepEqual(hosts.hosts.rs2, {
      host: lab!.hosts.find((h) => h.name === 'rs2')!.mgmtAddress, port: 22, user: 'root',
      identityFile: lab!.clientKeyPath, role: 'real-server', realServer: 'rs2', address: '192.0.2.12',
    });
    // Every real server with its address in the service (the RIP of keepalived.conf's real_server
    // lines, what probe and capture attribute by), the director with its own: not the SSH address.
    const parsed = loadHostsFile(lab!.hostsJsonPath);
    const addressOf = (name: string) => parsed.find((h) => h.name === name)?.address;
    assert.deepEqual(['director', 'rs1', 'rs2'].map(addressOf), ['192.0.2.2', '192.0.2.11', '192.0.2.12']);
    for (const h of lab!.hosts.filter((x) => x.role === 'real-server' || x.role === 'director')) assert.equal(addressOf(h.name), h.lanAddress, h.name);
    for (const name of ['client', 'router']) assert.equal(addressOf(name), undefined, name);
    const conf = fs.readFileSync(lab!.keepalivedConfPath, 'utf8');
    assert.match(conf, /virtual_server 192\.0\.2\.100 80 \{[^]*lb_kind DR[^]*real_server 192\.0\.2\.11 80[^]*real_server 192\.0\.2\.12 80/);
    assert.match(conf, /virtual_server 192\.0\.2\.100 9000 \{[^]*protocol UDP/);
    if (hasCommand('keepalived')) {
      const t = await run(['keepalived', '-t', '-f', lab!.keepalivedConfPath], { check: false });
      assert.equal(t.code, 0, `keepalived -t: ${t.stderr}`);
    }
  });

  it('exec runs inside the host namespace and rejects unknown hosts', async function () {
    const r = await lab!.exec('rs1', ['ip', '-o', 'addr', 'show', 'dev', 'lo']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /inet 192\.0\.2\.100\/32/);
    const sysctl = await lab!.exec('rs1', ['sysctl', '-n', 'net.ipv4.conf.all.arp_ignore', 'net.ipv4.conf.eth0.arp_announce']);
    assert.deepEqual(sysctl.stdout.trim().split('\n'), ['1', '2']);
    await assert.rejects(lab!.exec('nosuch', ['true']), /no lab host named "nosuch"/);
  });
});
