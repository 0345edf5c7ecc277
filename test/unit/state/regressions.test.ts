// Parser defects found on real hosts: ss's scoped IPv6 form, one odd ss line hiding
// every listener, IPv6 addresses spelled differently by different commands, the
// kernel's full IPv6 form in /proc/net/ip_vs and its persistence timeout in
// jiffies, and systemd's lines about a killed keepalived.
import { strict as assert } from 'node:assert';
import {
  formatEndpoint,
  livePersistence,
  normalizeAddress,
  parseEndpoint,
  parseIpAddr,
  parseKeepalivedLog,
  parseProcIpVs,
  parseSsListenOutput,
  serviceKey,
  setPersistenceHz,
} from './imports';

describe('state parsers: regressions', function () {
  it('reads ss\'s scoped link-local form [fe80::1]%eth0:546', function () {
    assert.deepEqual(parseEndpoint('[fe80::a00:27ff:fe4e:66a1]%enp0s3:546'), { address: 'fe80::a00:27ff:fe4e:66a1', port: 546, device: 'enp0s3' });
    assert.deepEqual(parseEndpoint('[fe80::1]%eth0:*'), { address: 'fe80::1', device: 'eth0' });
  });

  it('one ss line it cannot read is skipped and counted, not the end of the whole output', function () {
    // A DHCPv6 client on a link-local address (ss -lntu on a Debian host), and a line of an unknown shape.
    const text = [
      'Netid State  Recv-Q Send-Q                      Local Address:Port  Peer Address:PortProcess',
      'udp   UNCONN 0      0       [fe80::a00:27ff:fe4e:66a1]%enp0s3:546           [::]:*',
      'udp   UNCONN 0      0                                 0.0.0.0:9000       0.0.0.0:*',
      'tcp   LISTEN 0      128                               0.0.0.0:80         0.0.0.0:*',
      'tcp   LISTEN 0      128                 something-odd-here',
    ].join('\n');
    const r = parseSsListenOutput(text);
    assert.deepEqual(r.sockets.map((s) => [s.protocol, s.local.address, s.local.port]), [
      ['udp', 'fe80::a00:27ff:fe4e:66a1', 546],
      ['udp', '0.0.0.0', 9000],
      ['tcp', '0.0.0.0', 80],
    ]);
    assert.deepEqual(r.skipped.map((x) => x.line), [5]);
  });

  it('spells IPv6 one way everywhere: config, ipvsadm, ip addr, /proc/net/ip_vs', function () {
    assert.equal(normalizeAddress('2001:DB8:0::10'), '2001:db8::10');
    assert.equal(normalizeAddress('2001:0db8:0000:0000:0000:0000:0000:0011'), '2001:db8::11');
    assert.equal(normalizeAddress('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
    assert.equal(normalizeAddress('::FFFF:192.0.2.1'), '::ffff:192.0.2.1');
    assert.equal(normalizeAddress('192.0.2.1'), '192.0.2.1');
    assert.equal(serviceKey({ protocol: 'tcp', vip: '2001:DB8:0::10', port: 80 }), serviceKey({ protocol: 'tcp', vip: '2001:db8::10', port: 80 }));
    assert.equal(parseEndpoint('[2001:DB8::11]:80')?.address, '2001:db8::11');
    assert.equal(formatEndpoint('2001:db8::11', 80), '[2001:db8::11]:80');
    const itf = parseIpAddr('1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN\n    inet6 2001:DB8:0::10/128 scope global\n');
    assert.equal(itf[0].addresses[0].address, '2001:db8::10');
    // ip_vs_info_seq_show(): "%s  [%pI6]:%04X %s " — %pI6 is the full, uncompressed form.
    const proc = parseProcIpVs(
      [
        'IP Virtual Server version 1.2.1 (size=4096)',
        'Prot LocalAddress:Port Scheduler Flags',
        '  -> RemoteAddress:Port Forward Weight ActiveConn InActConn',
        'TCP  [2001:0db8:0000:0000:0000:0000:0000:0010]:0050 rr ',
        '  -> [2001:0db8:0000:0000:0000:0000:0000:0011]:0050      Route   1      0          0         ',
      ].join('\n'),
    );
    assert.equal(proc.services[0].vip, '2001:db8::10');
    assert.equal(proc.services[0].destinations[0].address, '2001:db8::11');
  });

  it('/proc/net/ip_vs prints the persistence timeout in jiffies: seconds only once HZ is known', function () {
    const text = [
      'IP Virtual Server version 1.2.1 (size=4096)',
      'Prot LocalAddress:Port Scheduler Flags',
      '  -> RemoteAddress:Port Forward Weight ActiveConn InActConn',
      'TCP  C0000264:0050 wlc persistent 75000 FFFFFFFF',
    ].join('\n');
    const t = parseProcIpVs(text);
    assert.equal(t.services[0].persistenceSeconds, undefined);
    assert.deepEqual(livePersistence(t.services[0]), { persistent: true, text: '75000 kernel ticks, HZ unknown' });
    setPersistenceHz(t, 250);
    assert.equal(t.services[0].persistenceSeconds, 300);
    assert.equal(livePersistence(t.services[0]).text, '300 s');
  });

  it('a keepalived killed by systemd (no "Stopped Keepalived" of its own) is stopped', function () {
    const log = [
      'Starting Keepalived v2.2.7 (01/16,2022)',
      '(VI_1) Entering BACKUP STATE (init)',
      '(VI_1) Entering MASTER STATE',
      'keepalived.service: Main process exited, code=killed, status=9/KILL',
      "keepalived.service: Failed with result 'signal'.",
    ].join('\n');
    const s = parseKeepalivedLog(log);
    assert.equal(s.stopped, true);
    assert.equal(s.stoppedLine?.text, 'keepalived.service: Main process exited, code=killed, status=9/KILL');
    // A later start is a new run.
    assert.equal(parseKeepalivedLog(`${log}\nStarting Keepalived v2.2.7 (01/16,2022)\n(VI_1) Entering BACKUP STATE`).stopped, false);
    assert.equal(parseKeepalivedLog('Stopped keepalived.service - LVS and VRRP High Availability Monitor.').stopped, true);
    assert.equal(parseKeepalivedLog('keepalived.service: Deactivated successfully.').stopped, true);
  });
});
