import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseHostsFile } from '../../../src/core/ssh/hostsFile';

describe('ssh/hostsFile', function () {
  it('reads the array form and the keyed form the lab writes', function () {
    const list = parseHostsFile(
      JSON.stringify([{ name: 'd1', host: '192.0.2.2', user: 'root', identityFile: '~/.ssh/k', role: 'director' }]),
      '/etc/lvs/hosts.json',
    );
    assert.deepEqual(list, [{ name: 'd1', host: '192.0.2.2', user: 'root', identityFiles: [path.join(os.homedir(), '.ssh/k')], role: 'director' }]);
    const keyed = parseHostsFile(
      JSON.stringify({ hosts: { rs1: { host: '10.0.0.11', port: 22, proxyJump: 'director', role: 'real-server', realServer: 'rs1', identityFile: 'id' } } }),
      '/srv/lab/hosts.json',
    );
    assert.deepEqual(keyed, [
      { name: 'rs1', host: '10.0.0.11', port: 22, proxyJump: 'director', role: 'real-server', realServer: 'rs1', identityFiles: ['/srv/lab/id'] },
    ]);
  });

  it('names the file and the entry at fault', function () {
    assert.throws(() => parseHostsFile('{', 'h.json'), /h\.json: not valid JSON/);
    assert.throws(() => parseHostsFile('[{"host":"x"}]', 'h.json'), /h\.json: hosts\[0\]\.name is missing/);
    assert.throws(() => parseHostsFile('[{"name":"a","port":70000}]', 'h.json'), /hosts\[0\]\.port must be 1-65535/);
    assert.throws(() => parseHostsFile('[{"name":"a","role":"boss"}]', 'h.json'), /hosts\[0\]\.role must be one of/);
    assert.throws(() => parseHostsFile('[{"name":"a"},{"name":"a"}]', 'h.json'), /"a" appears twice/);
    assert.throws(() => parseHostsFile('[{"name":"a","password":"x"}]', 'h.json'), /passwords do not belong/);
  });
});
