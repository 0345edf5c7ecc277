// The lab's plan as data (no root needed): addressing and MACs as in the real-IPVS
// fixtures, names the kernel accepts, and the director's rules per mode.
import * as assert from 'node:assert/strict';
import { planTopology, macFor, MAX_REAL_SERVERS, type TopologyPlan } from '../../lab/topology';
import { drRuleset, natRuleset, tunRouting } from '../../lab/forwarding';
import { mgmtVethName } from '../../lab/network';
import { keepalivedConf } from '../../lab/keepalived';

const host = (plan: TopologyPlan, name: string) => plan.hosts.find((h) => h.name === name)!;

describe('lab topology plan', function () {
  it('uses the fixtures\' addresses and the 02:00:<address> MAC scheme', function () {
    assert.equal(macFor('192.0.2.2'), '02:00:c0:00:02:02');
    assert.equal(macFor('10.0.0.11/24'), '02:00:0a:00:00:0b');
    const dr = planTopology({ instance: 3 });
    assert.equal(dr.mode, 'dr');
    assert.deepEqual(host(dr, 'director').nics, [{ ifname: 'eth0', segment: 'lan', cidr: '192.0.2.2/24', mac: '02:00:c0:00:02:02' }]);
    assert.deepEqual(host(dr, 'rs2').loAddresses, ['192.0.2.100']);
    assert.equal(host(dr, 'rs2').defaultVia, '192.0.2.1');
    assert.equal(host(dr, 'client').mgmtAddress, '198.18.3.10');
    assert.equal(host(dr, 'rs1').netns, 'lvslab3-rs1');
    const nat = planTopology({ instance: 0, mode: 'nat' });
    assert.equal(nat.rsPort, 8080);
    assert.equal(host(nat, 'rs1').nics[0].cidr, '10.0.0.11/24');
    assert.equal(host(nat, 'rs1').defaultVia, '10.0.0.1');
    assert.equal(host(nat, 'director').sysctls['net.ipv4.ip_forward'], '1');
    const tun = planTopology({ instance: 0, mode: 'tun' });
    assert.equal(host(tun, 'rs2').nics[0].cidr, '203.0.113.12/24');
    assert.deepEqual(host(tun, 'rs2').tunl0Addresses, ['192.0.2.100']);
    assert.ok(host(tun, 'router').nics.some((n) => n.cidr === '203.0.113.1/24'));
  });

  it('applies each break to the host the fixtures break', function () {
    const dr = planTopology({ instance: 0, breaks: ['arp-problem', 'vip-missing-on-lo', 'dead-rs', 'no-tcpdump:director'] });
    assert.equal(host(dr, 'rs1').sysctls['net.ipv4.conf.all.arp_ignore'], '0');
    assert.equal(host(dr, 'rs2').sysctls['net.ipv4.conf.all.arp_ignore'], '1');
    assert.deepEqual(host(dr, 'rs2').loAddresses, []);
    assert.deepEqual(dr.brokenHost, { 'arp-problem': 'rs1', 'vip-missing-on-lo': 'rs2', 'dead-rs': 'rs2' });
    assert.deepEqual(dr.noTcpdumpHosts, ['director']);
    const nat = planTopology({ instance: 0, mode: 'nat', breaks: ['wrong-gateway'] });
    assert.equal(host(nat, 'rs2').defaultVia, '10.0.0.254');
    assert.equal(host(nat, 'rs1').defaultVia, '10.0.0.1');
    assert.ok(host(nat, 'router').nics.some((n) => n.cidr === '10.0.0.254/24'));
    const one = planTopology({ instance: 0, realServers: 1, breaks: ['dead-rs'] });
    assert.equal(one.brokenHost['dead-rs'], 'rs1');
  });

  it('keeps every interface name within the kernel\'s 15 characters, for the largest lab', function () {
    const plan = planTopology({ instance: 9, mode: 'nat', realServers: MAX_REAL_SERVERS, breaks: ['wrong-gateway'] });
    const names = [plan.mgmtBridge, ...plan.hosts.map((h) => mgmtVethName(9, h.name)), ...plan.hosts.flatMap((h) => h.nics.map((n) => `${h.name}-${n.ifname}`))];
    for (const n of names) assert.ok(n.length <= 15, n);
    assert.equal(new Set(names).size, names.length, 'names unique');
    const mgmt = plan.hosts.map((h) => h.mgmtAddress);
    assert.equal(new Set(mgmt).size, mgmt.length);
    assert.ok(mgmt.every((a) => /^198\.18\.9\.\d+$/.test(a!) && Number(a!.split('.')[3]) < 255));
  });

  it('gives real servers no management address when they sit behind the director', function () {
    const plan = planTopology({ instance: 0, rsBehindDirector: true });
    assert.equal(host(plan, 'rs1').mgmtAddress, undefined);
    assert.ok(host(plan, 'director').mgmtAddress);
  });

  it('writes director rules that hash per connection over every real server', function () {
    const dr = planTopology({ instance: 0, realServers: 3 });
    const rules = drRuleset(dr, host(dr, 'director'));
    assert.match(rules, /hook ingress device "eth0"/);
    assert.match(rules, /ether daddr 02:00:c0:00:02:02 ip daddr 192\.0\.2\.100 tcp dport 80 ether saddr set 02:00:c0:00:02:02 ether daddr set jhash ip saddr \. tcp sport mod 3 seed 0x[0-9a-f]+ map \{ 0 : 02:00:c0:00:02:0b, 1 : 02:00:c0:00:02:0c, 2 : 02:00:c0:00:02:0d \} fwd to "eth0"/);
    assert.match(rules, /udp dport 9000 .*jhash ip saddr \. udp sport mod 3/);
    const nat = natRuleset(planTopology({ instance: 0, mode: 'nat' }));
    assert.match(nat, /tcp dport 80 dnat ip to jhash ip saddr \. tcp sport mod 2 seed \S+ map \{ 0 : 10\.0\.0\.11 \. 8080, 1 : 10\.0\.0\.12 \. 8080 \}/);
    const tun = planTopology({ instance: 0, mode: 'tun' });
    assert.ok(tunRouting(tun, host(tun, 'director')).includes('rule add pref 10 to 192.0.2.100 ipproto tcp dport 80 iif eth0 lookup 100'));
  });

  it('describes the lab in keepalived.conf with the right lb_kind and real servers', function () {
    const conf = keepalivedConf(planTopology({ instance: 0, mode: 'nat' }));
    assert.match(conf, /virtual_ipaddress \{\s+192\.0\.2\.100\/32 dev eth0/);
    assert.match(conf, /virtual_server 192\.0\.2\.100 80 \{[^}]*lb_kind NAT[^]*real_server 10\.0\.0\.11 8080/);
    assert.match(conf, /virtual_server 192\.0\.2\.100 9000 \{[^}]*protocol UDP[^]*real_server 10\.0\.0\.12 9000/);
  });
});
