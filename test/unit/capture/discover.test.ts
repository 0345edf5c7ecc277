import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { excludeOwnSession, fillSelf, parseIpAddr, parseProbe, parseRoute } from '../../../src/core/capture/discover';
import { hasCommand, requireOrSkip } from '../../helpers/env';

describe('capture/discover', function () {
  it('reads ip -o addr, including veth names with @peer', function () {
    const out = [
      '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever',
      '1: lo    inet 192.0.2.100/32 scope global lo\\       valid_lft forever preferred_lft forever',
      '2: eth0@if7    inet 192.0.2.11/24 brd 192.0.2.255 scope global eth0\\       valid_lft forever preferred_lft forever',
      '2: eth0    inet6 fe80::ff:fe00:20b/64 scope link \\       valid_lft forever preferred_lft forever',
    ].join('\n');
    assert.deepEqual(parseIpAddr(out), [
      { ifname: 'lo', family: 'inet', address: '127.0.0.1' },
      { ifname: 'lo', family: 'inet', address: '192.0.2.100' },
      { ifname: 'eth0', family: 'inet', address: '192.0.2.11' },
      { ifname: 'eth0', family: 'inet6', address: 'fe80::ff:fe00:20b' },
    ]);
  });

  it('reads the real ip output of this machine', function () {
    requireOrSkip(this, hasCommand('ip'), 'ip (iproute2)');
    const list = parseIpAddr(execFileSync('ip', ['-o', 'addr', 'show'], { encoding: 'utf8' }));
    assert.ok(list.some((a) => a.ifname === 'lo' && a.address === '127.0.0.1'));
    const route = parseRoute(execFileSync('ip', ['route', 'get', '127.0.0.1'], { encoding: 'utf8' }));
    assert.deepEqual(route, { dev: 'lo', src: '127.0.0.1', local: true });
  });

  it('reads ip route get and the default route', function () {
    assert.deepEqual(parseRoute('10.0.0.11 dev eth1 src 10.0.0.1 uid 0 \n    cache \n'), { dev: 'eth1', src: '10.0.0.1', local: false });
    assert.deepEqual(parseRoute('default via 192.0.2.1 dev eth0 \n'), { dev: 'eth0', src: undefined, local: false });
  });

  it('reads the probe and builds the own-session exclusion', function () {
    const f = parseProbe(
      'conn=198.18.0.1 40122 198.18.0.21 22\nuid=1001\nuser=lvsuser\ntcpdump=/usr/bin/tcpdump\ntimeout=/usr/bin/timeout\nipvsadm=\nimmediate=1\n' +
        '--- version\ntcpdump version 4.99.3\n--- addr\n2: eth0    inet 10.0.0.11/24 scope global eth0\n--- route\ndefault via 10.0.0.1 dev eth0\n--- dir\n/tmp/lvs-capture.Ab12Cd\n734812\n--- end\n',
    );
    assert.deepEqual(f, {
      uid: 1001,
      user: 'lvsuser',
      tcpdump: '/usr/bin/tcpdump',
      immediateMode: true,
      timeout: '/usr/bin/timeout',
      ipvsadm: undefined,
      sshPeer: { address: '198.18.0.1', serverPort: 22 },
      tcpdumpVersionText: 'tcpdump version 4.99.3',
      ipAddr: '2: eth0    inet 10.0.0.11/24 scope global eth0',
      defaultRoute: 'default via 10.0.0.1 dev eth0',
      tempDir: '/tmp/lvs-capture.Ab12Cd',
      tempFreeKb: 734812,
    });
    assert.equal(excludeOwnSession('host 192.0.2.100', f.sshPeer), '(host 192.0.2.100) and not (host 198.18.0.1 and tcp port 22)');
    assert.equal(parseProbe('conn=$(reboot) 1 2 3\nuid=0\n').sshPeer, undefined, 'a peer that is not an address never reaches a filter');
    assert.equal(fillSelf('host {self} and tcp port 80', '10.0.0.11', 'rs1'), 'host 10.0.0.11 and tcp port 80');
    assert.throws(() => fillSelf('host {self}', undefined, 'rs1'), /rs1: cannot tell the host's own address/);
  });
});
