// Every host-output parser on every real command output in ../shared/fixtures/lab
// (real IPVS kernel 6.1, ipvsadm 1.31, iproute2, procps).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hasSharedFixtures, labFixturesDir, requireOrSkip } from '../../helpers/env';
import {
  effectiveConf,
  ipvsUnavailable,
  parseIpAddr,
  parseIpLink,
  parseIpRoute,
  parseIpvsadmConnections,
  parseIpvsadmList,
  parseIpvsadmSave,
  parseIpvsadmTimeout,
  parseKeepalivedLog,
  parseSysctl,
  serviceKey,
  StateParseError,
} from './imports';

/** All files under the lab fixtures whose base name matches `re`. */
function fixtureFiles(re: RegExp): string[] {
  if (!hasSharedFixtures()) return [];
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (re.test(e.name)) out.push(p);
    }
  };
  walk(labFixturesDir);
  return out.sort();
}
const read = (p: string): string => fs.readFileSync(p, 'utf8');
const rel = (p: string): string => path.relative(labFixturesDir, p);
const lab = (p: string): string => path.join(labFixturesDir, p);

describe('state parsers on the real fixture outputs', function () {
  before(function () {
    requireOrSkip(this, hasSharedFixtures(), 'shared lab fixtures (../shared/fixtures/lab)');
  });

  it('reads every ipvsadm -Ln / --stats / --rate listing, and each agrees with ipvsadm-save of the same moment', function () {
    const files = fixtureFiles(/^ipvsadm-Ln(-stats|-rate)?(-.*)?\.txt$/);
    assert.ok(files.length >= 30, `only ${files.length} listings found`);
    for (const f of files) {
      const table = parseIpvsadmList(read(f));
      assert.equal(table.version, '1.2.1', rel(f));
      assert.equal(table.connTableSize, 4096, rel(f));
      // The save file of the same moment lists the same services and destinations.
      const save = f.replace(/ipvsadm-Ln(-stats|-rate)?/, 'ipvsadm-save-n');
      if (!fs.existsSync(save)) continue;
      const saved = parseIpvsadmSave(read(save));
      const keys = (t: typeof table): string[] =>
        t.services.map((s) => `${serviceKey({ protocol: s.protocol === 'fwm' ? 'tcp' : s.protocol, vip: s.vip, port: s.port })}>${s.destinations.map((d) => `${d.address}:${d.port}`).join(',')}`);
      assert.deepEqual(keys(table), keys(saved), rel(f));
    }
  });

  it('gets the columns of dr-healthy right: Route, weights, conns, stats and rates', function () {
    const ln = parseIpvsadmList(read(lab('dr-healthy/director/ipvsadm-Ln.txt')));
    assert.deepEqual(ln.serviceColumns, ['Scheduler', 'Flags']);
    assert.equal(ln.services.length, 2);
    const [tcp, udp] = ln.services;
    assert.deepEqual([tcp.protocol, tcp.vip, tcp.port, tcp.scheduler], ['tcp', '192.0.2.100', 80, 'rr']);
    assert.deepEqual([udp.protocol, udp.port], ['udp', 9000]);
    assert.deepEqual(
      tcp.destinations.map((d) => [d.address, d.port, d.forward, d.weight, d.activeConns, d.inactiveConns, d.line]),
      [
        ['192.0.2.11', 80, 'Route', 1, 0, 2, 5],
        ['192.0.2.12', 80, 'Route', 1, 0, 2, 6],
      ],
    );
    const stats = parseIpvsadmList(read(lab('dr-healthy/director/ipvsadm-Ln-stats.txt')));
    assert.deepEqual(stats.services[0].counters, { Conns: 4, InPkts: 24, OutPkts: 0, InBytes: 1580, OutBytes: 0 });
    assert.deepEqual(stats.services[0].destinations[1].counters, { Conns: 2, InPkts: 12, OutPkts: 0, InBytes: 790, OutBytes: 0 });
    const rate = parseIpvsadmList(read(lab('dr-healthy/director/ipvsadm-Ln-rate.txt')));
    assert.equal(rate.services[0].counters?.InBPS, 62);
    assert.deepEqual(Object.keys(rate.services[0].destinations[0].counters ?? {}), ['CPS', 'InPPS', 'OutPPS', 'InBPS', 'OutBPS']);
  });

  it('reads Masq and Tunnel destinations, services without destinations, and weight 65536', function () {
    const nat = parseIpvsadmList(read(lab('nat-wrong-gateway/director/ipvsadm-Ln.txt')));
    assert.deepEqual(nat.services[0].destinations.map((d) => [d.address, d.port, d.forward, d.activeConns]), [
      ['10.0.0.11', 8080, 'Masq', 0],
      ['10.0.0.12', 8080, 'Masq', 2],
    ]);
    const tun = parseIpvsadmList(read(lab('tun-healthy/director/ipvsadm-Ln.txt')));
    assert.ok(tun.services.every((s) => s.destinations.every((d) => d.forward === 'Tunnel')));
    const empty = parseIpvsadmList(read(lab('no-real-servers/director/ipvsadm-Ln.txt')));
    assert.deepEqual(empty.services.map((s) => [s.protocol, s.scheduler, s.destinations.length]), [
      ['tcp', 'wlc', 0],
      ['udp', 'rr', 0],
    ]);
    const errors = parseIpvsadmList(read(lab('ipvsadm-errors/director/ipvsadm-Ln.txt')));
    assert.equal(errors.services[0].destinations[2].weight, 65536);
    const after = parseIpvsadmList(read(lab('keepalived-vrrp/dir1/ipvsadm-Ln-2-after-failover.txt')));
    assert.equal(after.services.length, 0, 'keepalived stopped: the table is empty');
  });

  it('reads every ipvsadm -Lnc (with and without --persistent-conn)', function () {
    const files = fixtureFiles(/^ipvsadm-Lnc(-persistent)?(-.*)?\.txt$/);
    assert.ok(files.length >= 20);
    for (const f of files) parseIpvsadmConnections(read(f));
    const conns = parseIpvsadmConnections(read(lab('dr-healthy/director/ipvsadm-Lnc.txt')));
    assert.equal(conns.length, 7);
    assert.deepEqual(conns[1], {
      protocol: 'tcp',
      expiresInSec: 109,
      state: 'FIN_WAIT',
      client: { address: '198.51.100.10', port: 48844 },
      virtual: { address: '192.0.2.100', port: 80 },
      destination: { address: '192.0.2.12', port: 80 },
      template: false,
      line: 4,
    });
    const stuck = parseIpvsadmConnections(read(lab('nat-wrong-gateway/director/ipvsadm-Lnc.txt')));
    assert.ok(stuck.some((c) => c.state === 'SYN_RECV' && c.destination.address === '10.0.0.12'), 'SYN_RECV to rs2 (README)');
  });

  it('reads every ipvsadm-save -n, with methods, weights and tunnel options', function () {
    const files = fixtureFiles(/^ipvsadm-save-n(-.*)?\.txt$/);
    assert.ok(files.length >= 10);
    for (const f of files) parseIpvsadmSave(read(f));
    const tun = parseIpvsadmSave(read(lab('tun-healthy/director/ipvsadm-save-n.txt')));
    assert.deepEqual(tun.services[0].destinations.map((d) => [d.address, d.forward, d.weight, d.line]), [
      ['203.0.113.11', 'Tunnel', 1, 2],
      ['203.0.113.12', 'Tunnel', 1, 3],
    ]);
    const nat = parseIpvsadmSave(read(lab('nat-wrong-gateway/director/ipvsadm-save-n.txt')));
    assert.deepEqual(nat.services.map((s) => [s.protocol, s.vip, s.port, s.scheduler]), [
      ['tcp', '192.0.2.100', 80, 'rr'],
      ['udp', '192.0.2.100', 9000, 'rr'],
    ]);
    assert.equal(nat.services[0].destinations[1].forward, 'Masq');
  });

  it('reads every ipvsadm --timeout', function () {
    const files = fixtureFiles(/^ipvsadm-timeout(-.*)?\.txt$/);
    assert.ok(files.length >= 10);
    for (const f of files) assert.deepEqual(parseIpvsadmTimeout(read(f)), { tcp: 900, tcpFin: 120, udp: 300 }, rel(f));
  });

  it('recognises the real "no IPVS in this kernel" output and refuses to read it as a table', function () {
    const text = read(lab('host-no-ipvs/ipvsadm-no-ipvs-kernel.txt'));
    assert.deepEqual(ipvsUnavailable(text), { kind: 'kernel', reason: 'Protocol not available' });
    assert.throws(() => parseIpvsadmList(text), (e: unknown) => e instanceof StateParseError && /ipvsadm -Ln: IPVS is not available \(Protocol not available\)/.test(e.message));
    assert.equal(ipvsUnavailable(read(lab('dr-healthy/director/ipvsadm-Ln.txt'))), undefined);
  });

  it('reads every sysctl dump, and the effective ARP values are max(all, iface)', function () {
    const files = fixtureFiles(/^sysctl(-.*)?\.txt$/);
    assert.ok(files.length >= 30);
    for (const f of files) assert.ok(parseSysctl(read(f)).has('net.ipv4.ip_forward'), rel(f));
    const good = parseSysctl(read(lab('dr-healthy/rs1/sysctl.txt')));
    assert.equal(effectiveConf(good, 'eth0', 'arp_ignore'), 1);
    assert.equal(effectiveConf(good, 'eth0', 'arp_announce'), 2);
    assert.equal(good.get('net.ipv4.vs.sync_threshold'), '3\t50');
    const bad = parseSysctl(read(lab('dr-arp-problem/rs1/sysctl.txt')));
    assert.equal(effectiveConf(bad, 'eth0', 'arp_ignore'), 0);
    assert.equal(parseSysctl(read(lab('nat-wrong-gateway/director/sysctl.txt'))).get('net.ipv4.ip_forward'), '1');
  });

  it('reads every ip addr dump: interfaces, MACs, VIP on lo / tunl0 / eth0', function () {
    const files = fixtureFiles(/^ip-addr(-.*)?\.txt$/);
    assert.ok(files.length >= 30);
    for (const f of files) assert.ok(parseIpAddr(read(f)).some((i) => i.name === 'lo'), rel(f));
    const rs1 = parseIpAddr(read(lab('dr-healthy/rs1/ip-addr.txt')));
    assert.deepEqual(rs1.map((i) => [i.index, i.name, i.link]), [
      [1, 'lo', undefined],
      [2, 'tunl0', 'NONE'],
      [17, 'eth0', 'if18'],
    ]);
    assert.deepEqual(rs1[0].addresses.map((a) => `${a.address}/${a.prefix}`), ['127.0.0.1/8', '192.0.2.100/32']);
    assert.equal(rs1[2].mac, '02:00:c0:00:02:0b');
    assert.ok(rs1[2].flags.includes('UP'));
    const tun = parseIpAddr(read(lab('tun-healthy/rs1/ip-addr.txt')));
    assert.equal(tun.find((i) => i.name === 'tunl0')?.addresses[0].address, '192.0.2.100');
    const dir1 = parseIpAddr(read(lab('keepalived-vrrp/dir1/ip-addr-1-running.txt')));
    const vip = dir1.find((i) => i.name === 'eth0')?.addresses.find((a) => a.address === '192.0.2.100');
    assert.deepEqual(vip, { family: 'inet', address: '192.0.2.100', prefix: 24, scope: 'global', label: 'eth0', secondary: true });
  });

  it('reads the VRRP states from keepalived\'s console logs and the journal', function () {
    const dir1 = parseKeepalivedLog(read(lab('keepalived-vrrp/logs/keepalived-dir1.log')));
    assert.equal(dir1.stopped, true);
    assert.equal(dir1.instances.get('VI_WEB')?.state, 'MASTER');
    const dir2 = parseKeepalivedLog(read(lab('keepalived-vrrp/logs/keepalived-dir2.log')).split('\n').slice(0, 30).join('\n'));
    assert.deepEqual([dir2.stopped, dir2.instances.get('VI_WEB')?.state, dir2.instances.get('VI_WEB')?.line], [false, 'MASTER', 27]);
    const journal = parseKeepalivedLog(read(lab('keepalived-vrrp/logs/journal-keepalived.txt')));
    assert.ok(journal.seen && journal.instances.has('VI_WEB'));
    assert.equal(parseKeepalivedLog('-- No entries --\n').seen, false);
  });

  it('reads every ip route dump and ip -s link / ip -d link dump', function () {
    const routes = fixtureFiles(/^ip-route(-.*)?\.txt$/);
    assert.ok(routes.length >= 30);
    for (const f of routes) parseIpRoute(read(f));
    assert.deepEqual(parseIpRoute(read(lab('nat-wrong-gateway/rs2/ip-route.txt'))), [
      { destination: 'default', via: '10.0.0.254', dev: 'eth0', line: 1 },
      { destination: '10.0.0.0/24', dev: 'eth0', proto: 'kernel', scope: 'link', src: '10.0.0.12', line: 2 },
    ]);
    for (const f of fixtureFiles(/^ip-(s|d)-link.*\.txt$/)) assert.ok(parseIpLink(read(f)).length >= 1, rel(f));
    const tunl0 = parseIpLink(read(lab('tun-healthy/rs1/ip-d-link-tunl0.txt')));
    assert.deepEqual([tunl0[0].name, tunl0[0].linkType, tunl0[0].flags], ['tunl0', 'ipip', ['NOARP', 'UP', 'LOWER_UP']]);
  });
});
