// A lone pcap opened in the flow view: the one-point capture finds the service
// address by itself and the analysis then follows its connections.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeCapture } from '../../../src/core/analysis';
import { readManifest } from '../../../src/core/capture/manifest';
import type { ManifestService } from '../../../src/core/capture/manifest';
import { analysisSource, guessTarget, singleFileCapture } from '../../../src/extension/captures/singleFile';
import { hasSharedFixtures, labFixturesDir, requireOrSkip } from '../../helpers/env';

describe('single pcap file as a capture', function () {
  before(function () {
    requireOrSkip(this, hasSharedFixtures(), 'the shared lab fixtures');
  });

  it('takes the address most connections open to as the VIP', function () {
    const t = guessTarget(path.join(labFixturesDir, 'dr-healthy', 'pcap', 'client-eth0.pcap'));
    assert.equal(t.vip, '192.0.2.100');
    assert.ok(t.protocol === 'tcp' || t.protocol === 'udp');
  });

  it('prefers a VIP of the config that the file talks to', function () {
    const t = guessTarget(path.join(labFixturesDir, 'nat-healthy', 'pcap', 'director-any.pcap'), ['203.0.113.9', '192.0.2.100']);
    assert.equal(t.vip, '192.0.2.100');
  });

  it('a lone pcap opened from the editor is analysed with the workspace config\'s services', function () {
    const file = path.join(labFixturesDir, 'nat-healthy', 'pcap', 'director-any.pcap');
    const services: ManifestService[] = [
      { protocol: 'tcp', vip: '203.0.113.9', port: 443, method: 'dr', realServers: [] },
      { protocol: 'tcp', vip: '192.0.2.100', port: 80, method: 'nat', scheduler: 'rr', realServers: [{ name: '10.0.0.11', address: '10.0.0.11', port: 80, weight: 1 }] },
    ];
    const dir = analysisSource(file, services);
    try {
      const m = readManifest(dir);
      assert.equal(m.target.vip, '192.0.2.100');
      assert.deepEqual(m.services, [services[1]], 'the config\'s service of that VIP: method and real servers for the analysis');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    // A capture folder is analysed as it is.
    const folder = path.join(labFixturesDir, 'nat-healthy');
    assert.equal(analysisSource(folder, services), folder);
  });

  it('analyses a lone client-side pcap into connections', async function () {
    const dir = singleFileCapture(path.join(labFixturesDir, 'dr-healthy', 'pcap', 'client-eth0.pcap'));
    try {
      const m = readManifest(dir);
      assert.equal(m.points.length, 1);
      const r = await analyzeCapture(dir);
      assert.ok(r.connections.length > 0, 'connections found');
      assert.equal(r.lanes.length, 1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
