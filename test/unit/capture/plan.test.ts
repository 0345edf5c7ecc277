// The capture plan per forwarding method: which hosts, where to listen, what filter.
// Each filter is also compiled by the real tcpdump (-d) when available, so a plan
// never hands tcpdump a filter it would reject.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ClusterModel, ForwardingMethod, VirtualService } from '../../../src/core/model/cluster';
import { parseServiceSpec, planCapture, type PlanHost } from '../../../src/core/capture/plan';
import { InvalidValueError } from '../../../src/core/ssh/quote';
import { hasCommand } from '../../helpers/env';

function service(method: ForwardingMethod, rsNet: string, rsPort = 80, protocol: 'tcp' | 'udp' = 'tcp', port = 80): VirtualService {
  return {
    protocol,
    vip: '192.0.2.100',
    port,
    method,
    scheduler: 'wlc',
    persistenceSeconds: 0,
    realServers: [
      { name: 'rs1', address: `${rsNet}.11`, port: rsPort, weight: 1 },
      { name: 'rs2', address: `${rsNet}.12`, port: rsPort, weight: 1 },
    ],
  };
}
const model = (services: VirtualService[]): ClusterModel => ({ services, vrrpInstances: [], sources: ['keepalived.conf'] });
const hosts: PlanHost[] = [
  { name: 'lb1', role: 'director' },
  { name: 'rs1', role: 'real-server' },
  { name: 'rs2', role: 'real-server' },
  { name: 'cl', role: 'client' },
];

/** tcpdump compiles the filter against an empty Ethernet pcap (needs no capture rights). */
function compiles(filter: string): void {
  if (!hasCommand('tcpdump')) return;
  const empty = path.join(os.tmpdir(), `plan-test-${process.pid}.pcap`);
  const hdr = Buffer.alloc(24);
  hdr.writeUInt32LE(0xa1b2c3d4, 0);
  hdr.writeUInt16LE(2, 4);
  hdr.writeUInt16LE(4, 6);
  hdr.writeUInt32LE(65535, 16);
  hdr.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  fs.writeFileSync(empty, hdr);
  try {
    execFileSync('tcpdump', ['-d', '-r', empty, filter.replace(/\{self\}/g, '10.0.0.11')], { stdio: 'ignore' });
  } finally {
    fs.rmSync(empty, { force: true });
  }
}

describe('capture/plan', function () {
  it('parses service specs', function () {
    assert.deepEqual(parseServiceSpec('tcp:192.0.2.10:80'), { vip: '192.0.2.10', protocol: 'tcp', port: 80 });
    assert.deepEqual(parseServiceSpec('udp 192.0.2.10:9000'), { vip: '192.0.2.10', protocol: 'udp', port: 9000 });
    assert.deepEqual(parseServiceSpec('tcp:[2001:db8::5]:443'), { vip: '2001:db8::5', protocol: 'tcp', port: 443 });
    assert.deepEqual(parseServiceSpec('192.0.2.10'), { vip: '192.0.2.10', protocol: undefined, port: undefined });
    assert.throws(() => parseServiceSpec('tcp:192.0.2.10:99999'), /out of range/);
    assert.throws(() => parseServiceSpec('tcp:eth0;reboot:80'), /not of the form/);
  });

  it('NAT: director on both sides (VIP:port, RIP:rport), real servers on their own address', function () {
    const plan = planCapture({ model: model([service('nat', '10.0.0', 8080)]), service: 'tcp:192.0.2.100:80', hosts });
    assert.deepEqual(plan.target, { vip: '192.0.2.100', protocol: 'tcp', port: 80 });
    assert.equal(plan.config, 'keepalived.conf');
    const lb = plan.points.filter((p) => p.host === 'lb1');
    assert.equal(lb.length, 2);
    assert.equal(lb[0].filter, '(host 192.0.2.100 and (tcp port 80 or icmp or icmp6))');
    assert.deepEqual(lb[0].interfaceFrom[0], { holds: '192.0.2.100' });
    assert.equal(lb[1].filter, '(host 10.0.0.11 and (tcp port 8080 or icmp or icmp6)) or (host 10.0.0.12 and (tcp port 8080 or icmp or icmp6))');
    assert.deepEqual(lb[1].interfaceFrom, [{ routeTo: '10.0.0.11' }]);
    const rs2 = plan.points.find((p) => p.host === 'rs2')!;
    assert.equal(rs2.realServer, 'rs2');
    assert.equal(rs2.filter, '(host 10.0.0.12 and (tcp port 8080 or icmp or icmp6))');
    assert.deepEqual(rs2.interfaceFrom[0], { holds: '10.0.0.12' });
    assert.equal(plan.services[0].method, 'nat');
    for (const p of plan.points) compiles(p.filter);
  });

  it('DR: host VIP catches both copies at the director; real servers see the VIP and ARP', function () {
    const plan = planCapture({ model: model([service('dr', '192.0.2')]), service: 'tcp:192.0.2.100:80', hosts, vrrp: true });
    const lb = plan.points.filter((p) => p.host === 'lb1');
    assert.equal(lb.length, 1);
    assert.equal(lb[0].filter, '(host 192.0.2.100 and (tcp port 80 or icmp or icmp6)) or arp or (ip proto 112)');
    const rs1 = plan.points.find((p) => p.host === 'rs1')!;
    assert.equal(rs1.filter, '(host 192.0.2.100 and (tcp port 80 or icmp or icmp6)) or arp');
    // the VIP sits on lo there: the interface is the one holding the real-server address
    assert.deepEqual(rs1.interfaceFrom, [{ holds: '192.0.2.11' }, { defaultRoute: true }]);
    const cl = plan.points.find((p) => p.host === 'cl')!;
    assert.deepEqual(cl.interfaceFrom[0], { routeTo: '192.0.2.100' });
    for (const p of plan.points) compiles(p.filter);
  });

  it('TUN: IP-in-IP to the real servers at the director and at each real server', function () {
    const plan = planCapture({ model: model([service('tun', '198.51.100')]), service: 'tcp:192.0.2.100:80', hosts, healthChecks: true });
    const lb = plan.points.find((p) => p.host === 'lb1')!;
    assert.match(lb.filter, /\(ip proto 4 and \(host 198\.51\.100\.11 or host 198\.51\.100\.12\)\)/);
    assert.match(lb.filter, /host 198\.51\.100\.11 and \(tcp port 80/, 'health checks towards the real servers');
    const rs1 = plan.points.find((p) => p.host === 'rs1')!;
    assert.equal(rs1.filter, '(host 192.0.2.100 and (tcp port 80 or icmp or icmp6)) or (ip proto 4 and host 198.51.100.11) or arp');
    for (const p of plan.points) compiles(p.filter);
  });

  it('UDP services filter on udp port; a typed target without config captures the VIP', function () {
    const udp = planCapture({ model: model([service('dr', '192.0.2', 9000, 'udp', 9000)]), service: 'udp:192.0.2.100:9000', hosts });
    assert.match(udp.points[0].filter, /udp port 9000/);
    const typed = planCapture({ target: { vip: '192.0.2.100', protocol: 'tcp', port: 80 }, hosts: hosts.slice(0, 2) });
    assert.ok(typed.warnings.some((w) => /forwarding method unknown/.test(w)));
    assert.equal(typed.points[0].filter, '(host 192.0.2.100 and (tcp port 80 or icmp or icmp6))');
    // a NAT real server whose address is not known gets it from its interface, on the host
    const natTyped = planCapture({ target: { vip: '192.0.2.100', protocol: 'tcp', port: 80 }, method: 'nat', hosts: [{ name: 'x', role: 'real-server' }] });
    assert.equal(natTyped.points[0].filter, '(host {self} and (tcp port 80 or icmp or icmp6))');
    compiles(natTyped.points[0].filter);
  });

  it('keeps the config file that defines the chosen service when the model has several', function () {
    const svc = { ...service('dr', '192.0.2'), location: { file: '/ws/lb/keepalived.conf', line: 3, column: 1 } };
    const m: ClusterModel = { services: [svc], vrrpInstances: [], sources: ['/ws/other/keepalived.conf', '/ws/lb/keepalived.conf'] };
    assert.equal(planCapture({ model: m, service: 'tcp:192.0.2.100:80', hosts }).config, '/ws/lb/keepalived.conf');
    assert.equal(planCapture({ model: model([service('dr', '192.0.2')]), service: 'tcp:192.0.2.100:80', hosts }).config, 'keepalived.conf');
  });

  it('warns about real servers without a host, names unknown services, refuses bad interfaces', function () {
    const plan = planCapture({ model: model([service('dr', '192.0.2')]), service: 'tcp:192.0.2.100:80', hosts: hosts.slice(0, 2) });
    assert.deepEqual(plan.warnings, ['real server rs2 (192.0.2.12) has no host to capture on']);
    assert.throws(
      () => planCapture({ model: model([service('dr', '192.0.2')]), service: 'tcp:192.0.2.100:443', hosts }),
      /no virtual service tcp:192\.0\.2\.100:443 in keepalived\.conf \(services: tcp:192\.0\.2\.100:80\)/,
    );
    assert.throws(
      () => planCapture({ model: model([service('dr', '192.0.2')]), service: 'tcp:192.0.2.100:80', hosts: [{ name: 'lb1', role: 'director', interface: 'eth0;reboot' }] }),
      InvalidValueError,
    );
  });

  it('refuses a real server or host address that is not an address, whatever the method (DR filters do not name them)', function () {
    for (const method of ['dr', 'nat', 'tun'] as const) {
      const svc = service(method, method === 'nat' ? '10.0.0' : '192.0.2');
      svc.realServers[1] = { ...svc.realServers[1], name: 'evil', address: '192.0.2.12;touch/tmp/x' };
      assert.throws(
        () => planCapture({ model: model([svc]), service: 'tcp:192.0.2.100:80', hosts }),
        (e: Error) => e instanceof InvalidValueError && e.message === 'invalid address of real server "evil" in tcp:192.0.2.100:80 "192.0.2.12;touch/tmp/x": not an IPv4 or IPv6 address',
        method,
      );
    }
    // Another service of the VIP (recorded in capture.json too), and a host's own address.
    const udp = service('dr', '192.0.2', 9000, 'udp', 9000);
    udp.realServers[0] = { ...udp.realServers[0], address: '$(reboot)' };
    assert.throws(() => planCapture({ model: model([service('dr', '192.0.2'), udp]), service: 'tcp:192.0.2.100:80', hosts }), InvalidValueError);
    assert.throws(() => planCapture({ model: model([service('dr', '192.0.2')]), service: 'tcp:192.0.2.100:80', hosts: [{ name: 'rs1', role: 'real-server', address: '192.0.2.11 or 1' }] }), InvalidValueError);
  });
});
