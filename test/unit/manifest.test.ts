import * as assert from 'node:assert/strict';
import { validateManifest, ManifestError } from '../../src/core/capture/manifest';

describe('capture.json validation', () => {
  it('accepts a minimal manifest and defaults the interface to any', () => {
    const m = validateManifest({ format: 1, target: { vip: '192.0.2.100' }, points: [{ host: 'd', role: 'director', file: 'pcap/d.pcap' }] });
    assert.equal(m.points[0].interface, 'any');
    assert.deepEqual(m.services, []);
  });
  it('names the field at fault', () => {
    assert.throws(() => validateManifest({ format: 1, target: { vip: 'x' }, points: [{ host: 'd', role: 'boss', file: 'a' }] }), (e: Error) => e instanceof ManifestError && /points\[0\]\.role/.test(e.message));
    assert.throws(() => validateManifest({ format: 2 }), /unsupported "format" 2/);
  });
  it('refuses point files outside the folder', () => {
    assert.throws(() => validateManifest({ format: 1, target: { vip: 'x' }, points: [{ host: 'd', role: 'director', file: '../../etc/passwd' }] }), /inside the capture folder/);
  });
});
