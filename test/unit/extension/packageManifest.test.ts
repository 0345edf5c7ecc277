// The extension's settings and capabilities in package.json agree with what the code does.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isPcapFile } from '../../../src/extension/captures/singleFile';
import { repoRoot } from '../../helpers/env';

interface Manifest {
  capabilities: { virtualWorkspaces?: boolean | { supported: boolean }; untrustedWorkspaces: { restrictedConfigurations?: string[] } };
  contributes: {
    configuration: { properties: Record<string, { type: string; scope?: string }> };
    customEditors: Array<{ viewType: string; selector: Array<{ filenamePattern: string }> }>;
    viewsWelcome: Array<{ view: string; contents: string }>;
    configurationDefaults?: Record<string, Record<string, unknown>>;
  };
}

const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as Manifest;

describe('package.json settings and capabilities', function () {
  it('packet counts and byte sizes are whole numbers', function () {
    const props = pkg.contributes.configuration.properties;
    assert.equal(props['lvs.capture.defaultPacketCount'].type, 'integer');
    assert.equal(props['lvs.capture.snaplen'].type, 'integer');
  });

  it('the SSH config and known_hosts files are machine settings a workspace may override, restricted when untrusted', function () {
    const props = pkg.contributes.configuration.properties;
    for (const k of ['lvs.ssh.configFile', 'lvs.ssh.knownHostsFile']) {
      assert.equal(props[k].scope, 'machine-overridable', k);
      assert.ok(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations?.includes(k), k);
    }
  });

  it('keepalived and ipvsadm files get no word-based completions (Enter would take a word equal to the one typed, joining lines)', function () {
    // The extension's completion offers every keyword and enumerated value; when it has
    // nothing (a free-form value: `interface eth0`), VS Code falls back to words of the open
    // files, and Enter at the end of the line takes `eth0` instead of inserting a newline.
    for (const lang of ['keepalived', 'ipvsadm']) assert.equal(pkg.contributes.configurationDefaults?.[`[${lang}]`]?.['editor.wordBasedSuggestions'], 'off', lang);
  });

  it('declares that virtual workspaces are not supported (local files and SSH only)', function () {
    const v = pkg.capabilities.virtualWorkspaces;
    assert.equal(typeof v === 'object' ? v.supported : v, false);
  });

  it('the pcap custom editor opens every file name Open Capture accepts', function () {
    const patterns = pkg.contributes.customEditors.find((e) => e.viewType === 'lvs.pcapViewer')!.selector.map((s) => s.filenamePattern);
    for (const ext of ['pcap', 'pcapng', 'cap']) {
      assert.ok(isPcapFile(`x.${ext}`), ext);
      assert.ok(patterns.includes(`*.${ext}`), `*.${ext} in ${patterns.join(', ')}`);
    }
  });

  it('the view\'s welcome content offers to open a folder and a capture', function () {
    const w = pkg.contributes.viewsWelcome.find((x) => x.view === 'lvs.cluster')!;
    assert.match(w.contents, /\(command:lvs\.openCapture\)/);
    assert.match(w.contents, /\(command:vscode\.openFolder\)/);
  });
});
