// What an untrusted workspace can make the extension do: nothing that reaches a host. Every
// command that opens SSH connections is disabled there, and the settings that name files
// the SSH layer reads (hosts, ssh_config with its ProxyJump, known_hosts) are not taken from
// such a workspace's settings.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../../helpers/env';

interface Manifest {
  capabilities: { untrustedWorkspaces: { supported: string | boolean; restrictedConfigurations?: string[] } };
  contributes: { commands: Array<{ command: string; enablement?: string }>; configuration: { properties: Record<string, unknown> } };
}

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as Manifest;

describe('workspace trust in the manifest', function () {
  it('commands that connect to hosts are enabled only in a trusted workspace', function () {
    const remote = ['lvs.captureVipTraffic', 'lvs.checkCluster', 'lvs.probeVip'];
    for (const id of remote) {
      const c = manifest.contributes.commands.find((x) => x.command === id);
      assert.ok(c, `${id} is contributed`);
      assert.match(c.enablement ?? '', /\bisWorkspaceTrusted\b/, `${id} needs a trusted workspace`);
    }
    // The source says which commands run something on a host (SSH pool, local commands):
    // each of those files is one of them, and checks trust itself (quick fixes, other
    // extensions' executeCommand do not go through the manifest's enablement).
    const dir = path.join(repoRoot, 'src', 'extension', 'commands');
    const running = fs.readdirSync(dir).filter((f) => /\bSshPool\b|\bworkspacePool\(|\bLocalHost\b|\brunCapture\(/.test(fs.readFileSync(path.join(dir, f), 'utf8')));
    assert.deepEqual(running.sort(), ['captureVipTraffic.ts', 'checkCluster.ts', 'probeVip.ts']);
    for (const f of running) assert.match(fs.readFileSync(path.join(dir, f), 'utf8'), /\btrustedFor\(/, `${f} checks workspace trust`);
    // The quick-fix command of Check Cluster runs a command on a host: it checks too.
    assert.match(fs.readFileSync(path.join(dir, 'checkCluster.ts'), 'utf8'), /async function applyFix\([^)]*\)[^{]*\{\s*if \(!trustedFor\(/);
  });

  it('the settings naming files the SSH layer reads are restricted in untrusted workspaces', function () {
    const trust = manifest.capabilities.untrustedWorkspaces;
    assert.equal(trust.supported, 'limited');
    const fileSettings = Object.keys(manifest.contributes.configuration.properties).filter((k) => /File$/.test(k));
    assert.deepEqual(fileSettings.sort(), ['lvs.hostsFile', 'lvs.ssh.configFile', 'lvs.ssh.knownHostsFile']);
    assert.deepEqual([...(trust.restrictedConfigurations ?? [])].sort(), fileSettings.sort());
  });
});
