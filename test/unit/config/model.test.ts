import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildClusterModel, loadClusterModel } from '../../../src/core/config';
import { serviceKey } from '../../../src/core/model/cluster';
import { hasSharedFixtures, labFixturesDir, requireOrSkip } from '../../helpers/env';

const conf = `vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority 100
    advert_int 1.5
    nopreempt
    unicast_peer {
        192.0.2.3
    }
    virtual_ipaddress {
        192.0.2.100/24 dev eth0
        192.0.2.101
    }
}
virtual_server_group WEB {
    192.0.2.101 443
    fwmark 7
}
virtual_server 192.0.2.100 53 {
    lb_algo sh
    lvs_method TUN
    protocol UDP
    persistence_timeout
    persistence_granularity 255.255.255.0
    quorum 2
    sorry_server 10.0.0.99 53
    inhibit_on_failure
    real_server 10.0.0.11 53 {
        weight 3
        MISC_CHECK {
            misc_path "/usr/local/bin/check-dns 10.0.0.11"
        }
        DNS_CHECK {
            name example.com
        }
    }
    real_server 10.0.0.12 {
        weight 0
    }
}
virtual_server group WEB {
    lb_algo rr
    lb_kind DR
    real_server 192.0.2.11 443 {
    }
}
`;

describe('cluster model from keepalived.conf', function () {
  it('builds services, real servers, checkers and VRRP instances with locations', function () {
    const m = buildClusterModel(conf, '/etc/keepalived/keepalived.conf');
    assert.deepEqual(m.services.map(serviceKey), ['udp:192.0.2.100:53', 'udp:192.0.2.101:443', 'fwm:7']);
    const dns = m.services[0];
    assert.deepEqual([dns.method, dns.scheduler, dns.persistenceSeconds, dns.persistenceNetmask, dns.quorum], ['tun', 'sh', 360, '255.255.255.0', 2]);
    assert.deepEqual(dns.sorryServer, { address: '10.0.0.99', port: 53 });
    assert.deepEqual(dns.realServers.map((r) => [r.address, r.port, r.weight, r.checkers, r.inhibitOnFailure]), [
      ['10.0.0.11', 53, 3, ['MISC_CHECK', 'DNS_CHECK'], true],
      ['10.0.0.12', 53, 0, [], true],
    ]);
    assert.deepEqual(dns.location, { file: '/etc/keepalived/keepalived.conf', line: 20, column: 1, endLine: 20, endColumn: 30 });
    assert.equal(dns.optionLocations?.lvs_method.line, 22);
    assert.equal(dns.optionLocations?.persistence_timeout.line, 24);
    assert.equal(dns.realServers[0].location?.line, 29);
    assert.equal(dns.realServers[0].optionLocations?.DNS_CHECK.line, 34);
    assert.equal(m.services[1].method, 'dr');
    const [vi] = m.vrrpInstances;
    assert.deepEqual([vi.name, vi.state, vi.interface, vi.virtualRouterId, vi.priority, vi.advertIntSec, vi.nopreempt], ['VI_1', 'BACKUP', 'eth0', 51, 100, 1.5, true]);
    assert.deepEqual(vi.virtualIpAddresses, ['192.0.2.100', '192.0.2.101']);
    assert.deepEqual(vi.unicastPeers, ['192.0.2.3']);
    assert.equal(vi.optionLocations?.virtual_router_id.line, 4);
  });

  it('applies keepalived 2.2.7 defaults: NAT, wlc, UDP (!) without protocol, weight 1, real server port = virtual port', function () {
    const m = buildClusterModel('virtual_server 192.0.2.1 80 {\n  real_server 10.0.0.1 {\n  }\n}\n', '/x/keepalived.conf');
    assert.deepEqual([m.services[0].method, m.services[0].scheduler, m.services[0].protocol, m.services[0].persistenceSeconds], ['nat', 'wlc', 'udp', 0]);
    assert.deepEqual([m.services[0].realServers[0].port, m.services[0].realServers[0].weight], [80, 1]);
  });
});

describe('loadClusterModel', function () {
  let dir: string;
  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-model-'));
  });
  after(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('picks the language by file name or content and merges the files', function () {
    fs.writeFileSync(path.join(dir, 'keepalived.conf'), conf);
    fs.writeFileSync(path.join(dir, 'rules.txt'), '-A -t 198.51.100.1:80 -s rr\n-a -t 198.51.100.1:80 -r 10.0.0.1:80 -m -w 2\n');
    fs.writeFileSync(path.join(dir, 'director.cfg'), 'global_defs {\n router_id x\n}\nvirtual_server fwmark 9 {\n  lb_kind DR\n}\n');
    const m = loadClusterModel([path.join(dir, 'keepalived.conf'), path.join(dir, 'rules.txt'), path.join(dir, 'director.cfg')]);
    assert.deepEqual(m.services.map(serviceKey), ['udp:192.0.2.100:53', 'udp:192.0.2.101:443', 'fwm:7', 'tcp:198.51.100.1:80', 'fwm:9']);
    assert.equal(m.sources.length, 3);
    assert.throws(() => loadClusterModel([path.join(dir, 'missing.conf')]), /cannot read/);
  });

  it('matches the services the lab fixtures captured (capture.json) for their keepalived.conf', function () {
    requireOrSkip(this, hasSharedFixtures(), '../shared/fixtures');
    const m = loadClusterModel([path.join(labFixturesDir, 'keepalived-healthcheck', 'director', 'keepalived.conf')]);
    const manifest = JSON.parse(fs.readFileSync(path.join(labFixturesDir, 'keepalived-healthcheck', 'capture.json'), 'utf8')) as { services: Array<{ protocol: string; vip: string; port: number; method: string; scheduler: string; realServers: Array<{ address: string; port: number; weight: number }> }> };
    for (const s of manifest.services) {
      const ours = m.services.find((x) => x.vip === s.vip && x.port === s.port && x.protocol === s.protocol);
      assert.ok(ours, `service ${s.vip}:${s.port} from capture.json`);
      assert.equal(ours.method, s.method);
      assert.equal(ours.scheduler, s.scheduler);
      for (const rs of s.realServers) assert.ok(ours.realServers.some((r) => r.address === rs.address && r.port === rs.port && r.weight === rs.weight), `${rs.address}:${rs.port}`);
    }
  });
});
