// Check defects found on a real lab, each on the recorded outputs of a fixture
// cluster with the one output that shows the defect changed.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkCluster, stateCommands, type CheckHost } from '../../../src/core/check';
import { loadClusterModel } from '../../../src/core/config';
import type { Finding } from '../../../src/core/findings/finding';
import type { ClusterModel } from '../../../src/core/model/cluster';
import { modelFromIpvs, parseIpvsadmSave } from '../../../src/core/state';
import { hasSharedFixtures, labFixturesDir, requireOrSkip } from '../../helpers/env';
import { FixtureHost, NOT_RECORDED, type FixtureOutput } from './fixtureHost';

const lab = (...p: string[]): string => path.join(labFixturesDir, ...p);
const read = (...p: string[]): string => fs.readFileSync(lab(...p), 'utf8');
const rulesModel = (scenario: string, suffix = ''): ClusterModel => modelFromIpvs(parseIpvsadmSave(read(scenario, 'director', `ipvsadm-save-n${suffix}.txt`)), lab(scenario, 'director', `ipvsadm-save-n${suffix}.txt`));
const hosts = (scenario: string, spec: [string, CheckHost['role'], string?][], extra: Record<string, Record<string, FixtureOutput>> = {}): Map<string, CheckHost> =>
  new Map(spec.map(([name, role, suffix]) => [name, { role, host: new FixtureHost(name, lab(scenario, name), suffix ?? '', extra[name] ?? {}) }]));
const real = (fs: Finding[]): Finding[] => fs.filter((f) => !(f.code === 'check-source-unreadable' && f.evidence.every((e) => e.text.includes(NOT_RECORDED))));
const codes = (fs: Finding[]): string[] => real(fs).filter((f) => f.severity !== 'info').map((f) => `${f.code}@${f.evidence[0]?.host ?? ''}`);
const SYSCTL = 'sh -c cd /proc/sys*';

/** `ss -lntu` of a DR real server: the UDP service bound to the VIP, a DHCPv6 client, and `tcp` as given. */
const ss = (tcp: string[]): string =>
  [
    'Netid State  Recv-Q Send-Q                      Local Address:Port  Peer Address:PortProcess',
    'udp   UNCONN 0      0       [fe80::a00:27ff:fe4e:66a1]%enp0s3:546           [::]:*',
    'udp   UNCONN 0      0                         192.0.2.100:9000       0.0.0.0:*',
    ...tcp.map((t) => `tcp   LISTEN 0      128                           ${t}         0.0.0.0:*`),
    'tcp   LISTEN 0      128                               0.0.0.0:22         0.0.0.0:*',
  ].join('\n');

describe('checkCluster: regressions', function () {
  before(function () {
    requireOrSkip(this, hasSharedFixtures(), 'shared lab fixtures (../shared/fixtures/lab)');
  });

  it('reads the sysctls from /proc/sys, not with `sysctl` (not on a normal user\'s PATH on Debian)', function () {
    const c = stateCommands.find((x) => x.label === 'sysctl')!;
    assert.notEqual(c.argv[0], 'sysctl');
    assert.match(c.argv.join(' '), /\/proc\/sys/);
  });

  it('a source a check needs that cannot be read is a warning naming the host and the checks left out, not "no findings"', async function () {
    // What a user without /usr/sbin on PATH got from `sysctl ...`.
    const h = hosts('dr-arp-problem', [['director', 'director'], ['rs1', 'real-server']], {
      rs1: { [SYSCTL]: { stderr: 'sh: 1: sysctl: not found', code: 127 } },
    });
    const r = await checkCluster({ model: rulesModel('dr-arp-problem'), hosts: h });
    assert.ok(!codes(r.findings).includes('check-arp-sysctls@rs1'));
    const f = real(r.findings).find((x) => x.code === 'check-source-unreadable');
    assert.ok(f, codes(r.findings).join());
    assert.equal(f.severity, 'warning');
    assert.match(f.message, /real-server rs1/);
    assert.match(f.message, /sysctl \(exit 127: sh: 1: sysctl: not found\) → not checked: ARP sysctls/);
  });

  it('a command that timed out is reported as such (here the keepalived journal, with VRRP in the config)', async function () {
    const model = loadClusterModel([lab('keepalived-vrrp', 'dir1', 'keepalived.conf')]);
    const dir1 = new FixtureHost('dir1', lab('keepalived-vrrp', 'dir1'), '-1-running');
    const exec = dir1.exec.bind(dir1);
    dir1.exec = async (argv, opts) => {
      if (argv[0] === 'journalctl') throw Object.assign(new Error('dir1 (192.0.2.2:22): journalctl did not finish within 15 s'), { kind: 'command-timeout' });
      return exec(argv, opts);
    };
    const r = await checkCluster({ model, hosts: new Map([['dir1', { role: 'director', host: dir1 }]]) });
    const f = real(r.findings).find((x) => x.code === 'check-source-unreadable');
    assert.ok(f, JSON.stringify(r.findings.map((x) => x.code)));
    assert.match(f.message, /keepalived log \(timed out\) → not checked: VRRP state/);
    assert.match(f.advice ?? '', /--timeout/);
  });

  it('an ss line with a scoped IPv6 address does not hide the missing listener (and the live weight decides the severity)', async function () {
    const run = (ln?: string) =>
      checkCluster({
        model: rulesModel('dr-healthy'),
        hosts: hosts('dr-healthy', [['director', 'director'], ['rs1', 'real-server']], {
          rs1: { 'ss -lntu': { stdout: ss([]) } },
          ...(ln ? { director: { 'ipvsadm -Ln': { stdout: ln } } } : {}),
        }),
      });
    const inRotation = real((await run()).findings).filter((f) => f.code === 'check-no-listener');
    assert.equal(inRotation.length, 1, 'TCP 80; UDP 9000 listens on the VIP');
    assert.equal(inRotation[0].severity, 'error');
    assert.match(inRotation[0].message, /Nothing listens on TCP port 80 on real server rs1 .*, which is in rotation on director \(weight 1\)/);

    const ln = read('dr-healthy', 'director', 'ipvsadm-Ln.txt');
    const weight0 = real((await run(ln.replace(/(-> 192\.0\.2\.11:80 +Route +)1/, '$10'))).findings).find((f) => f.code === 'check-no-listener')!;
    assert.equal(weight0.severity, 'warning');
    assert.match(weight0.message, /which has weight 0 on director: no new connections are sent to it/);
    assert.doesNotMatch(weight0.message, /in rotation/);

    const absent = real((await run(ln.replace(/ {2}-> 192\.0\.2\.11:80 .*\n/, ''))).findings).find((f) => f.code === 'check-no-listener')!;
    assert.equal(absent.severity, 'warning');
    assert.match(absent.message, /which is not in the IPVS table of director/);
  });

  it('a listener on the port among lines ss printed that could not be read is not called missing', async function () {
    const odd = `${ss([])}\ntcp   LISTEN 0      128       [0.0.0.0:80 0.0.0.0:*`;
    const r = await checkCluster({ model: rulesModel('dr-healthy'), hosts: hosts('dr-healthy', [['director', 'director'], ['rs1', 'real-server']], { rs1: { 'ss -lntu': { stdout: odd } } }) });
    assert.ok(!codes(r.findings).some((c) => c.startsWith('check-no-listener')), codes(r.findings).join());
    assert.ok(r.findings.some((f) => f.code === 'check-source-unreadable' && /not understood/.test(f.message)));
  });

  it('a keepalived killed by systemd ends its VRRP state: the VIP it left behind is check-vrrp-vip-without-master', async function () {
    const model = loadClusterModel([lab('keepalived-vrrp', 'dir1', 'keepalived.conf')]);
    const logOf = (host: string, lines: number): string => read('keepalived-vrrp', 'logs', `keepalived-${host}.log`).split('\n').slice(0, lines).join('\n');
    const killed = `${logOf('dir1', 30)}\nkeepalived.service: Main process exited, code=killed, status=9/KILL\nkeepalived.service: Failed with result 'signal'.\n`;
    const r = await checkCluster({
      model,
      hosts: hosts('keepalived-vrrp', [['dir1', 'director', '-1-running'], ['dir2', 'director', '-2-after-failover']], {
        dir1: { 'journalctl*': { stdout: killed } },
        dir2: { 'journalctl*': { stdout: logOf('dir2', 30) } },
      }),
    });
    const c = codes(r.findings).filter((x) => x.startsWith('check-vrrp'));
    assert.deepEqual(c, ['check-vrrp-vip-without-master@dir1']);
    const f = r.findings.find((x) => x.code === 'check-vrrp-vip-without-master')!;
    assert.equal(f.evidence[0].text, 'keepalived log: keepalived.service: Main process exited, code=killed, status=9/KILL');
    assert.match(f.message, /competes with whichever director is MASTER/);
    assert.deepEqual(r.hosts.find((h) => h.name === 'dir1')?.vrrp, ['keepalived stopped']);
  });

  it('one director holding a VIP after its keepalived stopped: nothing "competes with the real MASTER"', async function () {
    const model = loadClusterModel([lab('keepalived-vrrp', 'dir1', 'keepalived.conf')]);
    const r = await checkCluster({
      model,
      hosts: hosts('keepalived-vrrp', [['dir1', 'director', '-1-running']], { dir1: { 'journalctl*': { stdout: read('keepalived-vrrp', 'logs', 'keepalived-dir1.log') } } }),
    });
    const f = r.findings.find((x) => x.code === 'check-vrrp-vip-without-master')!;
    assert.ok(f);
    assert.doesNotMatch(f.message, /real MASTER/);
    assert.match(f.message, /nothing manages it now/);
  });

  it('an IPv6 DR cluster: VIPs and real servers found, config spelling of addresses does not matter', async function () {
    const dirAddr = [
      '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000',
      '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00',
      '    inet 127.0.0.1/8 scope host lo',
      '    inet6 ::1/128 scope host noprefixroute',
      '2: eth0@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000',
      '    link/ether 02:00:c0:00:02:02 brd ff:ff:ff:ff:ff:ff link-netnsid 0',
      '    inet6 2001:db8::100/128 scope global nodad',
      '    inet6 2001:db8::2/64 scope global nodad',
      '    inet6 fe80::ff:c0ff:fe00:202/64 scope link',
    ].join('\n');
    const rsAddr = [
      '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000',
      '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00',
      '    inet 127.0.0.1/8 scope host lo',
      '    inet6 2001:db8::100/128 scope global',
      '    inet6 ::1/128 scope host noprefixroute',
      '2: eth0@if5: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000',
      '    link/ether 02:00:c0:00:02:0b brd ff:ff:ff:ff:ff:ff link-netnsid 0',
      '    inet6 2001:db8::11/64 scope global nodad',
    ].join('\n');
    const ln = [
      'IP Virtual Server version 1.2.1 (size=4096)',
      'Prot LocalAddress:Port Scheduler Flags',
      '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
      'TCP  [2001:db8::100]:80 rr',
      '  -> [2001:db8::11]:80             Route   1      0          0',
    ].join('\n');
    const model: ClusterModel = {
      services: [{ protocol: 'tcp', vip: '2001:DB8:0::100', port: 80, method: 'dr', scheduler: 'rr', persistenceSeconds: 0, realServers: [{ name: '2001:DB8::11', address: '2001:DB8::11', port: 80, weight: 1 }] }],
      vrrpInstances: [],
      sources: [],
    };
    const empty = { stdout: '' };
    const h = hosts('dr-healthy', [['director', 'director'], ['rs1', 'real-server']], {
      director: { 'ip addr show': { stdout: dirAddr }, 'ipvsadm -Ln': { stdout: ln }, 'ipvsadm -Ln --rate --exact': empty, 'ipvsadm -Ln --stats --exact': empty },
      rs1: { 'ip addr show': { stdout: rsAddr }, 'ss -lntu': { stdout: 'Netid State Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\ntcp LISTEN 0 128 [::]:80 [::]:*' } },
    });
    const r = await checkCluster({ model, hosts: h });
    assert.deepEqual(codes(r.findings).filter((c) => !c.startsWith('check-source-unreadable')), []);
    assert.deepEqual(r.hosts.find((x) => x.name === 'rs1')?.realServers, ['[2001:db8::11]:80 in tcp:[2001:db8::100]:80']);
    assert.deepEqual(r.hosts.find((x) => x.name === 'director')?.vips, ['2001:db8::100 on eth0']);
  });

  it('NAT: a route more specific than the default via another gateway is a warning', async function () {
    const route = `${read('nat-healthy', 'rs1', 'ip-route.txt')}198.51.100.0/24 via 10.0.0.254 dev eth0\n`;
    const h = hosts('nat-healthy', [['director', 'director', '-before'], ['rs1', 'real-server']], { rs1: { 'ip route show': { stdout: route } } });
    const r = await checkCluster({ model: rulesModel('nat-healthy'), hosts: h });
    assert.deepEqual(codes(r.findings), ['check-rs-route-bypasses-director@rs1']);
    const f = r.findings.find((x) => x.code === 'check-rs-route-bypasses-director')!;
    assert.equal(f.severity, 'warning');
    assert.match(f.message, /sends traffic for 198\.51\.100\.0\/24 via 10\.0\.0\.254, not via the director \(10\.0\.0\.1\)/);
    assert.equal(f.evidence[0].text, 'ip route line 3: 198.51.100.0/24 via 10.0.0.254 dev eth0');
  });

  it('TUN: a real server on another network than the VIP has no ARP problem, whatever its arp sysctls', async function () {
    const sysctl = read('tun-healthy', 'rs1', 'sysctl.txt').replace(/(arp_(ignore|announce)) = [12]/g, '$1 = 0');
    const h = hosts('tun-healthy', [['director', 'director', '-before'], ['rs1', 'real-server']], { rs1: { [SYSCTL]: { stdout: sysctl }, 'sysctl*': { stdout: sysctl } } });
    const r = await checkCluster({ model: rulesModel('tun-healthy'), hosts: h });
    assert.deepEqual(codes(r.findings), []);
  });

  it('quick fixes show no sudo when the SSH user is root', async function () {
    const h = hosts('dr-arp-problem', [['director', 'director'], ['rs1', 'real-server']]);
    Object.defineProperty(h.get('rs1')!.host, 'user', { value: 'root' });
    const r = await checkCluster({ model: rulesModel('dr-arp-problem'), hosts: h });
    assert.equal(r.findings.find((f) => f.code === 'check-arp-sysctls')?.fix?.sudo, false);
  });

  it('/proc/net/ip_vs: the persistence timeout (jiffies) is shown in seconds, using the kernel\'s CONFIG_HZ', async function () {
    const proc = [
      'IP Virtual Server version 1.2.1 (size=4096)',
      'Prot LocalAddress:Port Scheduler Flags',
      '  -> RemoteAddress:Port Forward Weight ActiveConn InActConn',
      'TCP  C0000264:0050 rr persistent 75000 FFFFFFFF',
      '  -> C000020B:0050      Route   1      0          0         ',
      '  -> C000020C:0050      Route   1      0          0         ',
      'UDP  C0000264:2328 rr ',
      '  -> C000020B:2328      Route   1      0          0         ',
      '  -> C000020C:2328      Route   1      0          0         ',
    ].join('\n');
    const h = hosts('dr-healthy', [['director', 'director']], {
      director: {
        'ipvsadm*': { stderr: 'sudo: ipvsadm: command not found', code: 1 },
        'cat /proc/net/ip_vs': { stdout: proc },
        'sh -c r=*': { stdout: '# uname -r: 6.1.0-test\nCONFIG_HZ=250\nCONFIG_IP_VS=m\nCONFIG_IP_VS_PROTO_TCP=y\nCONFIG_IP_VS_PROTO_UDP=y\nCONFIG_IP_VS_RR=m\n' },
      },
    });
    const r = await checkCluster({ model: rulesModel('dr-healthy'), hosts: h });
    const f = r.findings.find((x) => x.code === 'check-ipvs-drift-persistence');
    assert.ok(f, codes(r.findings).join());
    assert.match(f.message, /is persistent \(300 s\) but the config says no persistence/);
  });
});
