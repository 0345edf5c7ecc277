// Parsers of outputs the fixtures do not hold: checked on this machine's real
// `ss`, `ip -o addr`, `ip -o link`, kernel config, and on the exact layouts the
// kernel and iproute2 print; plus the errors on unknown input.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { hasCommand, requireOrSkip } from '../../helpers/env';
import {
  kernelHas,
  listenersFor,
  parseEndpoint,
  parseIpAddr,
  parseIpLink,
  parseIpRoute,
  parseIpvsadmConnections,
  parseIpvsadmList,
  parseIpvsadmSave,
  parseKernelConfig,
  parseProcIpVs,
  parseSsListen,
  parseSysctl,
  sameIpv4Subnet,
  StateParseError,
} from './imports';

const run = (argv: string[]): string => execFileSync(argv[0], argv.slice(1), { encoding: 'utf8' });

describe('state parsers on live local output and documented layouts', function () {
  it('reads this machine\'s real `ss -lntu` (with and without -H) and finds listeners', function () {
    requireOrSkip(this, hasCommand('ss'), 'ss (iproute2)');
    const withHeader = parseSsListen(run(['ss', '-lntu']));
    const noHeader = parseSsListen(run(['ss', '-H', '-lntu']));
    assert.deepEqual(
      withHeader.map((s) => [s.protocol, s.local.address, s.local.port]).sort(),
      noHeader.map((s) => [s.protocol, s.local.address, s.local.port]).sort(),
    );
    assert.ok(withHeader.every((s) => ['tcp', 'udp'].includes(s.protocol) && typeof s.local.port === 'number'));
  });

  it('reads ss rows with device-bound, IPv6 and wildcard addresses', function () {
    const text = [
      'Netid State  Recv-Q Send-Q  Local Address:Port Peer Address:PortProcess',
      'udp   UNCONN 0      0       192.0.2.100%lo:9000      0.0.0.0:*',
      'tcp   LISTEN 0      5              0.0.0.0:80        0.0.0.0:*',
      'tcp   LISTEN 0      4096              [::]:22           [::]:*',
      'tcp   LISTEN 0      128                  *:8080            *:*',
      'tcp   LISTEN 0      128         10.0.0.11:6379      0.0.0.0:*',
    ].join('\n');
    const s = parseSsListen(text);
    assert.deepEqual(s[0].local, { address: '192.0.2.100', port: 9000, device: 'lo' });
    assert.deepEqual(s[2].local, { address: '::', port: 22 });
    assert.equal(listenersFor(s, 'tcp', '192.0.2.100', 80).length, 1);
    assert.equal(listenersFor(s, 'tcp', '192.0.2.100', 8080).length, 1);
    assert.equal(listenersFor(s, 'tcp', '192.0.2.100', 6379).length, 0, 'bound to the RIP only');
    assert.equal(listenersFor(s, 'tcp', '10.0.0.11', 6379).length, 1);
    assert.throws(() => parseSsListen('tcp LISTEN x y 1.2.3.4:80 *:*'), /ss -lntu: expected .* at line 1/);
  });

  it('reads this machine\'s real `ip -o addr`, `ip -o link` and `ip route`', function () {
    requireOrSkip(this, hasCommand('ip'), 'ip (iproute2)');
    const oneLine = parseIpAddr(run(['ip', '-o', 'addr']), 'ip -o addr');
    const full = parseIpAddr(run(['ip', 'addr']));
    const flat = (l: typeof full): string[] => l.flatMap((i) => i.addresses.map((a) => `${i.name} ${a.address}/${a.prefix}`)).sort();
    assert.deepEqual(flat(oneLine), flat(full));
    assert.ok(oneLine.find((i) => i.name === 'lo')?.addresses.some((a) => a.address === '127.0.0.1'));
    const links = parseIpLink(run(['ip', '-o', 'link']));
    assert.deepEqual(links.map((l) => l.name).sort(), full.map((l) => l.name).sort());
    parseIpRoute(run(['ip', 'route']));
    parseIpRoute(run(['ip', '-6', 'route']));
  });

  it('reads ip route types, metrics and multipath next hops', function () {
    const r = parseIpRoute(
      [
        'default proto static metric 100',
        '\tnexthop via 10.0.0.1 dev eth1 weight 1',
        '\tnexthop via 10.0.0.2 dev eth1 weight 2',
        'blackhole 198.51.100.0/24',
        'local 192.0.2.100 dev lo table local proto kernel scope host src 192.0.2.100',
      ].join('\n'),
    );
    assert.deepEqual(r[0].nexthops, [
      { via: '10.0.0.1', dev: 'eth1', weight: 1 },
      { via: '10.0.0.2', dev: 'eth1', weight: 2 },
    ]);
    assert.equal(r[0].metric, 100);
    assert.equal(r[1].type, 'blackhole');
    assert.equal(r[2].table, 'local');
    assert.throws(() => parseIpRoute('Error: ipv4: FIB table does not exist.'), (e: unknown) => e instanceof StateParseError && /ip route: .* at line 1/.test(e.message));
  });

  it('reads the running kernel\'s real config (/proc/config.gz or /boot/config-*)', function () {
    const release = run(['uname', '-r']).trim();
    let text: string | undefined;
    if (fs.existsSync(`/boot/config-${release}`)) text = fs.readFileSync(`/boot/config-${release}`, 'utf8');
    else if (fs.existsSync('/proc/config.gz')) text = zlib.gunzipSync(fs.readFileSync('/proc/config.gz')).toString('utf8');
    requireOrSkip(this, text !== undefined, 'a kernel config (/boot/config-$(uname -r) or /proc/config.gz)');
    const cfg = parseKernelConfig(text ?? '');
    assert.ok(cfg.size > 100);
    assert.ok(cfg.has('CONFIG_IP_VS') || cfg.has('CONFIG_NETFILTER'), 'IP_VS or NETFILTER is mentioned');
  });

  it('tells built-in, module and not-set kernel options apart', function () {
    const cfg = parseKernelConfig(
      ['#', '# IPVS transport protocol load balancing support', '#', 'CONFIG_IP_VS=m', 'CONFIG_IP_VS_PROTO_TCP=y', '# CONFIG_IP_VS_PROTO_UDP is not set', 'CONFIG_IP_VS_RR=m', 'CONFIG_IP_VS_SH_TAB_BITS=8', 'CONFIG_LOCALVERSION=""'].join('\n'),
    );
    assert.equal(kernelHas(cfg, 'IP_VS_PROTO_TCP'), true);
    assert.equal(kernelHas(cfg, 'CONFIG_IP_VS_RR'), true);
    assert.equal(kernelHas(cfg, 'IP_VS_PROTO_UDP'), false);
    assert.equal(cfg.get('CONFIG_IP_VS_PROTO_UDP'), 'n');
    assert.equal(cfg.get('CONFIG_LOCALVERSION'), '');
    assert.throws(() => parseKernelConfig('CONFIG_X=y\nIP_VS=y'), /kernel config: expected .* at line 2/);
  });

  it('reads /proc/net/ip_vs (hex addresses, persistent netmask, fwmark) as the kernel prints it', function () {
    // Layout of ip_vs_info_seq_show(): "%s  %08X:%04X %s %s " + "persistent %d %08X\n",
    // destinations "  -> %08X:%04X      %-7s %-6d %-10d %-10d\n".
    const text = [
      'IP Virtual Server version 1.2.1 (size=4096)',
      'Prot LocalAddress:Port Scheduler Flags',
      '  -> RemoteAddress:Port Forward Weight ActiveConn InActConn',
      'TCP  C0000264:0050 rr  ',
      '  -> C000020C:0050      Route   1      0          2         ',
      '  -> C000020B:0050      Route   0      3          0         ',
      'UDP  C0000264:2328 wlc ops persistent 300 FFFFFF00',
      '  -> 0A00000B:2328      Masq    2      0          0         ',
      'FWM  00000064 sh  ',
    ].join('\n');
    const t = parseProcIpVs(text);
    assert.deepEqual(t.services.map((s) => [s.protocol, s.vip, s.port, s.fwmark, s.scheduler]), [
      ['tcp', '192.0.2.100', 80, undefined, 'rr'],
      ['udp', '192.0.2.100', 9000, undefined, 'wlc'],
      ['fwm', undefined, undefined, 100, 'sh'],
    ]);
    assert.deepEqual(t.services[0].destinations.map((d) => [d.address, d.port, d.weight, d.activeConns]), [
      ['192.0.2.12', 80, 1, 0],
      ['192.0.2.11', 80, 0, 3],
    ]);
    assert.equal(t.services[1].onePacket, true);
    assert.equal(t.services[1].persistenceNetmask, '255.255.255.0');
  });

  it('reads ipvsadm -Ln service flags and scaled --stats numbers; --persistent-conn columns', function () {
    const ln = parseIpvsadmList(
      [
        'IP Virtual Server version 1.2.1 (size=4096)',
        'Prot LocalAddress:Port Scheduler Flags',
        '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
        'TCP  192.0.2.10:443 sh (sh-fallback,sh-port) persistent 300 mask 255.255.255.0 pe sip',
        '  -> 10.0.0.11:443                Masq    1      3          12',
        'UDP  [2001:db8::10]:53 rr ops',
        '  -> [2001:db8::11]:53            Route   1      0          0',
        'FWM  100 rr',
      ].join('\n'),
    );
    const s = ln.services[0];
    assert.deepEqual([s.scheduler, s.schedulerFlags, s.persistenceSeconds, s.persistenceNetmask, s.persistenceEngine], ['sh', ['sh-fallback', 'sh-port'], 300, '255.255.255.0', 'sip']);
    assert.deepEqual([ln.services[1].vip, ln.services[1].onePacket, ln.services[1].destinations[0].address], ['2001:db8::10', true, '2001:db8::11']);
    assert.equal(ln.services[2].fwmark, 100);
    const stats = parseIpvsadmList(
      [
        'IP Virtual Server version 1.2.1 (size=4096)',
        'Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes',
        '  -> RemoteAddress:Port',
        'TCP  192.0.2.100:80                 12345  123456K    5678M   98765G       3T',
      ].join('\n'),
    );
    assert.deepEqual(stats.services[0].counters, { Conns: 12345, InPkts: 123456e3, OutPkts: 5678e6, InBytes: 98765e9, OutBytes: 3e12 });
    const pc = parseIpvsadmList(
      [
        'IP Virtual Server version 1.2.1 (size=4096)',
        'Prot LocalAddress:Port Scheduler Flags',
        '  -> RemoteAddress:Port           Forward Weight PersistConn ActiveConn InActConn',
        'TCP  192.0.2.100:80 rr persistent 300',
        '  -> 192.0.2.11:80                Route   0      4           1          0',
      ].join('\n'),
    );
    assert.deepEqual([pc.services[0].destinations[0].weight, pc.services[0].destinations[0].persistConns], [0, 4]);
  });

  it('names the command and line of anything it does not understand', function () {
    const cases: [() => unknown, RegExp][] = [
      [() => parseIpvsadmList('hello'), /^ipvsadm -Ln: expected "IP Virtual Server version/],
      [() => parseIpvsadmList('IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\nICMP 1.2.3.4:0 rr'), /unexpected line .* at line 4/],
      [() => parseIpvsadmList('IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\nTCP  1.2.3.4:80 rr\n  -> 1.2.3.5:80 Bridge 1 0 0'), /unknown forwarding method "Bridge" at line 5/],
      [() => parseIpvsadmConnections('IPVS connection entries\npro expire state source virtual destination\nTCP xx'), /ipvsadm -Lnc: unexpected connection entry at line 3/],
      [() => parseIpvsadmSave('-A -t 1.2.3.4:80 -s rr\n-a -t 1.2.3.4:81 -r 10.0.0.1:80 -m'), /real server for a service not defined above at line 2/],
      [() => parseIpvsadmSave('-A -t 1.2.3.4:80 --bogus'), /unknown option "--bogus" at line 1/],
      [() => parseSysctl('net.ipv4.ip_forward = 1\nthis is not sysctl'), /sysctl: expected "key = value" at line 2/],
      [() => parseIpAddr('garbage here'), /ip addr: unexpected line at line 1/],
    ];
    for (const [fn, re] of cases) assert.throws(fn, (e: unknown) => e instanceof StateParseError && re.test(e.message), String(re));
  });

  it('parses endpoints and subnets', function () {
    assert.deepEqual(parseEndpoint('[2001:db8::1]:53'), { address: '2001:db8::1', port: 53 });
    assert.equal(parseEndpoint('1.2.3.4:99999'), undefined);
    assert.equal(sameIpv4Subnet('10.0.0.11', '10.0.0.1', 24), true);
    assert.equal(sameIpv4Subnet('10.0.1.11', '10.0.0.1', 24), false);
  });
});
