// "LVS: Assemble Capture from pcap Files…": what it prefills and checks before the core writes
// the folder (src/extension/captures/assembleChoices.ts, no vscode), and how the command is
// contributed (package.json) and registered.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadAssembleConfig } from '../../../src/core/capture/assemble';
import { defaultAssembleFolder, destinationProblem, hostPrefill, ignoreCaptures, parseHostInput, roleItems } from '../../../src/extension/captures/assembleChoices';
import { repoRoot } from '../../helpers/env';

const NWG = path.join(repoRoot, 'samples', 'nat-wrong-gateway');

describe('Assemble Capture from pcap Files (extension side)', function () {
  let tmp: string;
  beforeEach(function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-assemble-ext-'));
  });
  afterEach(function () {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('prefills the host from the file name, with the interface it names', function () {
    assert.equal(hostPrefill('/caps/rs1-eth0.pcap'), 'rs1@eth0');
    assert.equal(hostPrefill('/caps/lb1.pcapng'), 'lb1');
    assert.deepEqual(parseHostInput(' rs1@eth0 '), { host: 'rs1', interface: 'eth0' });
    assert.deepEqual(parseHostInput('192.0.2.11'), { host: '192.0.2.11' });
    assert.deepEqual(parseHostInput('rs 1'), { problem: 'host name "rs 1" may hold only letters, digits and . _ : - (and start with a letter or digit)' });
    assert.deepEqual(parseHostInput('rs1@eth0@x'), { problem: 'one @ at most: HOST or HOST@INTERFACE' });
    assert.match((parseHostInput('rs1@') as { problem: string }).problem, /interface name ""/);
  });

  it('offers the roles with the inferred one first, saying why; none preselected when nothing tells', function () {
    const config = loadAssembleConfig(path.join(NWG, 'keepalived.conf'));
    const rs = roleItems('10.0.0.12', { config });
    assert.equal(rs.inferred?.role, 'real-server');
    assert.equal(rs.items[0], rs.inferred);
    assert.match(rs.items[0].description, /inferred: real server 10\.0\.0\.12 of keepalived\.conf/);
    assert.deepEqual(rs.items.map((i) => i.role).sort(), ['client', 'director', 'other', 'real-server', 'router']);
    const d = roleItems('lvslab0_director', { config });
    assert.equal(d.inferred?.role, 'director');
    assert.match(d.items[0].description, /router_id|director of keepalived\.conf/);
    const none = roleItems('mystery', { config });
    assert.equal(none.inferred, undefined);
    assert.deepEqual(none.items.map((i) => i.role), ['director', 'real-server', 'client', 'router', 'other']);
    assert.ok(none.items.every((i) => !/inferred/.test(i.description)));
  });

  it('puts the folder under the workspace\'s captures by default, else beside the first pcap; never on a folder in use', function () {
    const now = new Date('2026-11-25T15:01:02Z');
    const captures = path.join(tmp, '.lvs', 'captures');
    assert.equal(defaultAssembleFolder('/caps/rs1.pcap', captures, now), path.join(captures, '20261125-150102-assembled'));
    assert.equal(defaultAssembleFolder(path.join(tmp, 'rs1.pcap'), undefined, now), path.join(tmp, '20261125-150102-assembled'));
    fs.mkdirSync(path.join(tmp, '20261125-150102-assembled'));
    fs.writeFileSync(path.join(tmp, '20261125-150102-assembled', 'capture.json'), '{}');
    assert.equal(defaultAssembleFolder(path.join(tmp, 'rs1.pcap'), undefined, now), path.join(tmp, '20261125-150102-assembled-2'));
  });

  it('says what is wrong with a destination typed in', function () {
    assert.equal(destinationProblem(path.join(tmp, 'new', 'cap')), undefined);
    assert.equal(destinationProblem(tmp), undefined, 'an empty folder');
    fs.writeFileSync(path.join(tmp, 'x'), '');
    assert.equal(destinationProblem(tmp), `The folder ${tmp} exists and is not empty; choose a new folder`);
    assert.equal(destinationProblem(path.join(tmp, 'x')), `The folder ${path.join(tmp, 'x')} is a file, not a folder`);
    assert.equal(destinationProblem('rel/cap'), 'give a full path');
    assert.equal(destinationProblem(''), 'give the folder to write the capture into');
  });

  it('keeps the workspace\'s captures out of git, without replacing a .gitignore there', function () {
    fs.mkdirSync(path.join(tmp, '.lvs'));
    ignoreCaptures(tmp);
    assert.equal(fs.readFileSync(path.join(tmp, '.lvs', '.gitignore'), 'utf8'), '# Captures hold packet data: keep them out of git.\n*\n');
    fs.writeFileSync(path.join(tmp, '.lvs', '.gitignore'), 'mine\n');
    ignoreCaptures(tmp);
    assert.equal(fs.readFileSync(path.join(tmp, '.lvs', '.gitignore'), 'utf8'), 'mine\n');
  });

  it('is contributed as "LVS: Assemble Capture from pcap Files…", usable in an untrusted workspace, and registered', function () {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
      contributes: { commands: Array<{ command: string; title: string; category?: string; enablement?: string }>; menus: { commandPalette: Array<{ command: string; when?: string }> } };
    };
    const c = pkg.contributes.commands.find((x) => x.command === 'lvs.assembleCapture');
    assert.deepEqual({ title: c?.title, category: c?.category, enablement: c?.enablement }, { title: 'Assemble Capture from pcap Files…', category: 'LVS', enablement: undefined });
    assert.equal(pkg.contributes.commands.find((x) => x.command === 'lvs.openCapture')?.category, c?.category, 'the same category as the other commands');
    assert.ok(!pkg.contributes.menus.commandPalette.some((m) => m.command === 'lvs.assembleCapture'), 'in the palette unconditionally');
    const feature = fs.readFileSync(path.join(repoRoot, 'src', 'extension', 'captureFeature.ts'), 'utf8');
    assert.match(feature, /reg\(ASSEMBLE_COMMAND, /);
    const command = fs.readFileSync(path.join(repoRoot, 'src', 'extension', 'commands', 'assembleCapture.ts'), 'utf8');
    assert.match(command, /export const ASSEMBLE_COMMAND = 'lvs\.assembleCapture';/);
    // It runs nothing on a host: no SSH pool, no local command, no capture run.
    assert.doesNotMatch(command, /\bSshPool\b|\bworkspacePool\(|\bLocalHost\b|\brunCapture\(|child_process/);
    // The analysis opens the folder as Open Capture does.
    assert.match(command, /await openCapture\(deps, vscode\.Uri\.file\(out\)\)/);
  });
});
