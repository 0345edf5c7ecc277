// Attribution of client source ports to real servers from real real-server
// captures of the IPVS fixture cluster (DR, NAT with port mapping, TUN inside IPIP).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { attributeFromCaptures } from '../../../src/core/probe/captureAttribution';
import { parseIpvsadmConnections } from '../../../src/core/state';
import { hasSharedFixtures, labFixturesDir, requireOrSkip } from '../../helpers/env';

/** Source port -> real-server address, from the director's own connection table. */
function truth(scenario: string, protocol: string): Map<number, string> {
  const conns = parseIpvsadmConnections(fs.readFileSync(path.join(labFixturesDir, scenario, 'director', 'ipvsadm-Lnc.txt'), 'utf8'));
  return new Map(conns.filter((c) => c.protocol === protocol).map((c) => [c.client.port!, c.destination.address]));
}

describe('probe attribution from real-server captures', function () {
  before(function () {
    requireOrSkip(this, hasSharedFixtures(), 'shared lab fixtures (../shared/fixtures/lab)');
  });

  const cases: [string, string, string, number, Record<string, string>][] = [
    ['dr-healthy', 'tcp', 'eth0', 80, { rs1: '192.0.2.11', rs2: '192.0.2.12' }],
    ['dr-healthy', 'udp', 'eth0', 9000, { rs1: '192.0.2.11', rs2: '192.0.2.12' }],
    ['nat-healthy', 'tcp', 'eth0', 8080, { rs1: '10.0.0.11', rs2: '10.0.0.12' }],
    ['tun-healthy', 'tcp', 'eth0', 80, { rs1: '203.0.113.11', rs2: '203.0.113.12' }],
  ];
  for (const [scenario, protocol, itf, port, servers] of cases) {
    it(`${scenario} ${protocol}: each connection is seen and answered by the real server IPVS chose`, function () {
      const want = truth(scenario, protocol);
      assert.ok(want.size >= 2);
      const files = Object.entries(servers).map(([name, address]) => ({ server: address, file: path.join(labFixturesDir, scenario, 'pcap', `${name}-${itf}.pcap`), port }));
      const fates = attributeFromCaptures(files, protocol as 'tcp' | 'udp', new Set(want.keys()));
      for (const [sport, rs] of want) {
        const f = fates.get(sport);
        assert.deepEqual([...(f?.seenBy ?? [])], [rs], `${sport} seen`);
        assert.deepEqual([...(f?.answeredBy ?? [])], [rs], `${sport} answered`);
      }
    });
  }

  it('counts only frames to or from the real server\'s own MACs (tcpdump is promiscuous)', function () {
    const want = truth('dr-healthy', 'tcp');
    const file = path.join(labFixturesDir, 'dr-healthy', 'pcap', 'rs1-eth0.pcap');
    const own = attributeFromCaptures([{ server: 'rs1', file, port: 80, macs: new Set(['02:00:c0:00:02:0b']) }], 'tcp', new Set(want.keys()));
    assert.equal([...own.values()].filter((f) => f.seenBy.has('rs1')).length, [...want.values()].filter((a) => a === '192.0.2.11').length);
    // Told that rs1 is rs2's MAC, none of these frames are "its own".
    const other = attributeFromCaptures([{ server: 'rs1', file, port: 80, macs: new Set(['02:00:c0:00:02:0c']) }], 'tcp', new Set(want.keys()));
    assert.ok([...other.values()].every((f) => f.seenBy.size === 0 && f.answeredBy.size === 0));
  });

  it('ignores source ports that are not the probe\'s', function () {
    const file = path.join(labFixturesDir, 'dr-healthy', 'pcap', 'rs1-eth0.pcap');
    assert.equal(attributeFromCaptures([{ server: 'rs1', file, port: 80 }], 'tcp', new Set([1])).size, 0);
  });
});
