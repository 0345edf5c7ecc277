import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { labUp, labOpen, type Lab } from '../../lab/lab';
import { startCapture, readCapture } from '../../lab/tcpdump';
import { requireLabTools, ssh, sshPassword, tally } from './helpers';

describe('lab: NAT mode, real servers reachable only through the director', function () {
  this.timeout(60_000);
  let lab: Lab | undefined;

  before(async function () {
    requireLabTools(this);
    lab = await labUp({ mode: 'nat', rsBehindDirector: true });
  });
  after(async function () {
    await lab?.down();
  });

  it('answers TCP and UDP from both real servers through DNAT 80 -> 8080', async function () {
    assert.equal(lab!.rsPort, 8080);
    const tcp = tally(await lab!.clientTraffic({ protocol: 'tcp', count: 20 }));
    assert.equal((tcp.rs1 ?? 0) + (tcp.rs2 ?? 0), 20, JSON.stringify(tcp));
    assert.ok(tcp.rs1 > 0 && tcp.rs2 > 0, JSON.stringify(tcp));
    const udp = tally(await lab!.clientTraffic({ protocol: 'udp', count: 20 }));
    assert.equal((udp.rs1 ?? 0) + (udp.rs2 ?? 0), 20, JSON.stringify(udp));
    assert.ok(udp.rs1 > 0 && udp.rs2 > 0, JSON.stringify(udp));
  });

  it('puts NAT on the wire: real servers see RIP:8080 with the client as source and reply to the director MAC', async function () {
    const dir = fs.mkdtempSync('/tmp/lvslab-test-');
    try {
      const rs1 = lab!.hosts.find((h) => h.name === 'rs1')!;
      const director = lab!.hosts.find((h) => h.name === 'director')!;
      const dirPriv = director.interfaces.find((i) => i.name === 'eth1')!;
      const cap = await startCapture(rs1.netns, 'eth0', path.join(dir, 'rs1.pcap'), { filter: 'tcp port 8080' });
      // Fixed source ports: the lab's seeded hash sends some of them to rs1 on every run.
      const results = await lab!.clientTraffic({ protocol: 'tcp', count: 8, sourcePortBase: 41013 });
      await cap.stop();
      const n = results.filter((r) => r.answeredBy === 'rs1').length;
      assert.ok(n > 0, JSON.stringify(results));
      const syns = await readCapture(cap.file, 'tcp[tcpflags] == tcp-syn');
      assert.equal(syns.length, n, syns.join('\n'));
      for (const l of syns) assert.match(l, /198\.51\.100\.10\.\d+ > 10\.0\.0\.11\.8080:/);
      const synAcks = await readCapture(cap.file, 'tcp[tcpflags] == tcp-syn|tcp-ack');
      assert.equal(synAcks.length, n);
      for (const l of synAcks) assert.ok(l.includes(`${rs1.mac} > ${dirPriv.mac},`), `reply goes to the director: ${l}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reaches the real servers over ssh only through the director (ProxyJump)', async function () {
    const hosts = JSON.parse(fs.readFileSync(lab!.hostsJsonPath, 'utf8'));
    for (const name of ['rs1', 'rs2']) {
      const h = lab!.hosts.find((x) => x.name === name)!;
      assert.equal(h.mgmtAddress, undefined);
      assert.equal(hosts.hosts[name].proxyJump, 'director');
      assert.equal(hosts.hosts[name].host, h.lanAddress);
      // its address in the service: the RIP on the private network (keepalived.conf's real_server)
      assert.equal(hosts.hosts[name].address, `10.0.0.${10 + Number(name.slice(2))}`);
      const r = await ssh(lab!, name, 'ip -o -4 addr show dev eth0', ['-o', 'StrictHostKeyChecking=yes']);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.stdout.includes(`${h.lanAddress}/24`), r.stdout);
      // sshd listens on the LAN address only: nothing of the real server faces the root namespace
      const listen = await lab!.exec(name, ['ss', '-Hltn', 'sport = :22']);
      assert.match(listen.stdout, new RegExp(`${h.lanAddress.replace(/\./g, '\\.')}:22\\b`));
      const links = await lab!.exec(name, ['ip', '-o', 'link', 'show']);
      assert.doesNotMatch(links.stdout, /mgmt0/);
    }
  });

  it('lvsuser logs in with its password and may sudo with it; lvsnosudo may not sudo', async function () {
    const user = lab!.users.find((u) => u.name === 'lvsuser')!;
    assert.equal(user.sudo, 'password');
    assert.ok(user.password && user.password.length >= 12);
    const ok = await sshPassword(lab!, 'director', 'lvsuser', user.password!, 'sudo -S -p "" id -u', user.password + '\n');
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout.trim(), '0');
    const noPw = await sshPassword(lab!, 'director', 'lvsuser', user.password!, 'sudo -k; sudo -n id -u');
    assert.notEqual(noPw.code, 0, 'sudo -n needs the password');
    const nosudo = lab!.users.find((u) => u.name === 'lvsnosudo')!;
    const refused = await sshPassword(lab!, 'director', 'lvsnosudo', nosudo.password!, 'sudo -S -p "" id -u', nosudo.password + '\n');
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /not in the sudoers file|not allowed/);
    await assert.rejects(sshPassword(lab!, 'director', 'lvsuser', 'wrong-password', 'true'), /authentication/i);
    // another process re-attaching to the lab gets the same users, password included
    const reopened = labOpen(lab!.instance);
    assert.deepEqual(reopened.users, lab!.users);
    assert.ok(!fs.readFileSync(`${lab!.stateDir}/lab.json`, 'utf8').includes(user.password!), 'no password in lab.json');
  });
});
