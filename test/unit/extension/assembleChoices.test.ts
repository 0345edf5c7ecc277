// "LVS: Assemble Capture from pcap Files…": what it prefills and checks before the core writes
// the folder (src/extension/captures/assembleChoices.ts, no vscode), and how the command is
// contributed (package.json) and registered.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadAssembleConfig, planAssembly } from '../../../src/core/capture/assemble';
import {
  defaultAssembleFolder,
  destinationProblem,
  hostPrefill,
  ignoreCaptures,
  parseHostInput,
  pcapSelection,
  pcapsIn,
  realServerItems,
  roleAccepted,
  roleFromName,
  roleItems,
} from '../../../src/extension/captures/assembleChoices';
import { repoRoot } from '../../helpers/env';

const NWG = path.join(repoRoot, 'samples', 'nat-wrong-gateway');
const VML = path.join(repoRoot, 'samples', 'dr-vip-missing-on-lo');

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

  it('keeps several files picked as they are; for one file, lists the pcaps of its folder with that one checked (the simple file dialog picks one file only)', function () {
    for (const n of ['rs10-eth0.pcap', 'rs2-eth0.pcap', 'lb1.PCAPNG', 'notes.txt', 'old.cap']) fs.writeFileSync(path.join(tmp, n), n === 'rs2-eth0.pcap' ? Buffer.alloc(2048) : 'x');
    fs.mkdirSync(path.join(tmp, 'sub.pcap')); // a folder named like a pcap is no pcap
    const f = (n: string): string => path.join(tmp, n);
    assert.deepEqual(pcapsIn(tmp), [f('lb1.PCAPNG'), f('old.cap'), f('rs2-eth0.pcap'), f('rs10-eth0.pcap')], 'pcaps only, files only, rs2 before rs10');
    assert.deepEqual(pcapsIn(path.join(tmp, 'missing')), []);
    // Several files (a native dialog): those, once each, nothing asked.
    assert.deepEqual(pcapSelection([f('rs2-eth0.pcap'), f('lb1.PCAPNG'), f('rs2-eth0.pcap')]), { files: [f('rs2-eth0.pcap'), f('lb1.PCAPNG')] });
    // One file with other pcaps beside it: its folder's to choose from, that one checked.
    const one = pcapSelection([f('rs2-eth0.pcap')]);
    assert.ok('choices' in one);
    assert.equal(one.folder, tmp);
    assert.deepEqual(
      one.choices.map((c) => [c.label, c.picked, c.file]),
      [
        ['lb1.PCAPNG', false, f('lb1.PCAPNG')],
        ['old.cap', false, f('old.cap')],
        ['rs2-eth0.pcap', true, f('rs2-eth0.pcap')],
        ['rs10-eth0.pcap', false, f('rs10-eth0.pcap')],
      ],
    );
    assert.equal(one.choices[2].description, '2 KB');
    assert.equal(one.choices[0].description, '1 B');
    // A file not named .pcap that was picked is listed too (first), checked.
    const txt = pcapSelection([f('notes.txt')]);
    assert.ok('choices' in txt);
    assert.deepEqual(txt.choices.filter((c) => c.picked).map((c) => c.label), ['notes.txt']);
    assert.equal(txt.choices[0].label, 'notes.txt');
    // A lone pcap in its folder: nothing to choose.
    const alone = path.join(tmp, 'alone');
    fs.mkdirSync(alone);
    fs.writeFileSync(path.join(alone, 'rs1.pcap'), 'x');
    fs.writeFileSync(path.join(alone, 'README'), 'x');
    assert.deepEqual(pcapSelection([path.join(alone, 'rs1.pcap')]), { files: [path.join(alone, 'rs1.pcap')] });
    assert.deepEqual(pcapSelection([]), { files: [] });
  });

  it('asks which real server of the config a real server\'s pcap is when its host names none: "Not known" first, the service\'s real servers not taken yet', function () {
    const config = loadAssembleConfig(path.join(VML, 'keepalived.conf'));
    const items = realServerItems('rs2', { config }, { service: 'tcp:192.0.2.100:80' });
    assert.deepEqual(
      items.map((i) => [i.label, i.realServer, i.description]),
      [
        ['Not known', undefined, 'its packets are analysed without knowing which real server it is'],
        ['192.0.2.11', '192.0.2.11', 'real server of tcp:192.0.2.100:80, udp:192.0.2.100:9000'],
        ['192.0.2.12', '192.0.2.12', 'real server of tcp:192.0.2.100:80, udp:192.0.2.100:9000'],
      ],
    );
    // One already tied to another file is not offered again; all taken: nothing to ask.
    assert.deepEqual(realServerItems('rs2', { config }, { service: 'tcp:192.0.2.100:80', taken: ['192.0.2.11'] }).map((i) => i.label), ['Not known', '192.0.2.12']);
    assert.deepEqual(realServerItems('rs2', { config }, { taken: ['192.0.2.11', '192.0.2.12'] }), []);
    // The host is a real server's address, or the hosts file (or an earlier answer) ties it: nothing to ask.
    assert.deepEqual(realServerItems('192.0.2.12', { config }), []);
    assert.deepEqual(realServerItems('rs2', { config, hosts: [{ name: 'RS2', realServer: '192.0.2.12' }] }), []);
    assert.deepEqual(realServerItems('rs2', { config, hosts: [{ name: 'rs2', address: '192.0.2.12' }] }), []);
    // No config, or a VIP it does not have: every service's real servers; none at all: nothing to ask.
    assert.deepEqual(realServerItems('rs2', {}), []);
    assert.deepEqual(realServerItems('rs2', { config }, { service: 'tcp:198.51.100.1:80' }).map((i) => i.label), ['Not known', '192.0.2.11', '192.0.2.12']);
    assert.deepEqual(realServerItems('rs2', { config }, { service: 'fwm:1' }).length, 3);
  });

  it('the real server answered ties the pcap in capture.json (as the command hands it to the core, before the hosts file\'s hosts)', function () {
    const config = loadAssembleConfig(path.join(VML, 'keepalived.conf'));
    const pcap = (n: string): string => path.join(VML, 'pcap', n);
    const points = [
      { file: pcap('director-eth0.pcap'), role: 'director' },
      { file: pcap('rs1-eth0.pcap'), host: 'rs1', role: 'real-server' },
      { file: pcap('rs2-eth0.pcap'), host: 'rs2', role: 'real-server' },
    ];
    const untied = planAssembly({ points, config, service: 'tcp:192.0.2.100:80' });
    assert.deepEqual(untied.manifest.points.map((p) => p.realServer), [undefined, undefined, undefined]);
    assert.equal(untied.warnings.filter((w) => /matches no real server/.test(w)).length, 2);
    const ties = [
      { name: 'rs2', role: 'real-server' as const, realServer: '192.0.2.12' },
      { name: 'rs1', role: 'real-server' as const, realServer: '192.0.2.11' },
    ];
    const fromHostsFile = [{ name: 'rs2', role: 'real-server' as const, address: '10.9.9.9' }];
    const tied = planAssembly({ points, config, service: 'tcp:192.0.2.100:80', hosts: [...ties, ...fromHostsFile] });
    assert.deepEqual(tied.manifest.points.map((p) => p.realServer), [undefined, '192.0.2.11', '192.0.2.12']);
    assert.deepEqual(tied.warnings, []);
  });

  it('offers the roles with the inferred one first, saying why, and starts on it', function () {
    const config = loadAssembleConfig(path.join(NWG, 'keepalived.conf'));
    const rs = roleItems('10.0.0.12', { config });
    assert.equal(rs.inferred?.role, 'real-server');
    assert.equal(rs.items[0], rs.inferred);
    assert.match(rs.items[0].description, /inferred: real server 10\.0\.0\.12 of keepalived\.conf/);
    assert.deepEqual(rs.items.map((i) => i.role).sort(), ['client', 'director', 'other', 'real-server', 'router']);
    const d = roleItems('lvslab0_director', { config });
    assert.equal(d.inferred?.role, 'director');
    assert.match(d.items[0].description, /router_id|director of keepalived\.conf/);
    assert.equal(d.active, d.inferred, 'the inferred role is what Enter takes');
    const none = roleItems('mystery', { config });
    assert.equal(none.inferred, undefined);
    assert.ok(none.items.every((i) => !/inferred/.test(i.description)));
  });

  it('does not start an unidentified host\'s role picker on a role: a first row that commits nothing, which asks again when accepted', function () {
    const config = loadAssembleConfig(path.join(NWG, 'keepalived.conf'));
    const none = roleItems('mystery', { config }, '/caps/mystery-eth0.pcap');
    assert.equal(none.inferred, undefined);
    assert.equal(none.items[0], none.active, 'the first row is what Enter takes');
    assert.equal(none.active.role, undefined, 'it is no role');
    assert.equal(none.active.label, 'Choose the role of mystery (mystery-eth0.pcap)');
    assert.deepEqual(none.items.slice(1).map((i) => i.role), ['director', 'real-server', 'client', 'router', 'other']);
    assert.ok(none.items.every((i) => !/inferred|likely/.test(i.description)));
    assert.equal(roleItems('mystery', {}).active.label, 'Choose the role of mystery');
    // Accepted, it commits nothing: the picker stays and says what to do; a role row commits.
    assert.deepEqual(roleAccepted(none.active, 'mystery'), { again: 'What is mystery? Pick one of the roles below (↓ then Enter), or type it' });
    assert.deepEqual(roleAccepted(undefined, 'mystery'), { again: 'What is mystery? Pick one of the roles below (↓ then Enter), or type it' });
    assert.deepEqual(roleAccepted(none.items[1], 'mystery'), { role: 'director' });
    // What the config or the hosts file tells is never second-guessed by a name.
    const told = roleItems('rs-lb', { config, hosts: [{ name: 'rs-lb', role: 'client' }] });
    assert.equal(told.active.role, 'client');
    assert.equal(told.inferred, told.active);
  });

  it('starts an unidentified host\'s role picker on the role its name (else its file\'s) makes likely, saying so', function () {
    const cases: Array<[string, string | undefined, string | undefined]> = [
      ['rs1', undefined, 'real-server'],
      ['web-02', undefined, 'real-server'],
      ['backend3', undefined, 'real-server'],
      ['Real_Server_1', undefined, 'real-server'],
      ['lb1', undefined, 'director'],
      ['LVS-A', undefined, 'director'],
      ['dir2', undefined, 'director'],
      ['client7', undefined, 'client'],
      ['gw', undefined, 'router'],
      ['edge-router', undefined, 'router'],
      // Whole words only; two roles named: nothing likely.
      ['rsync', undefined, undefined],
      ['lbx', undefined, undefined],
      ['director-web', undefined, undefined],
      // The host says nothing: its file's name; the host's wins over the file's.
      ['10.9.9.9', '/caps/web3-eth0.pcap', 'real-server'],
      ['box', '/caps/lb1.pcapng', 'director'],
      ['lb1', '/caps/rs1-eth0.pcap', 'director'],
      ['box', '/caps/box-eth0.pcap', undefined],
    ];
    for (const [host, file, want] of cases) assert.equal(roleFromName(host, file)?.role, want, `${host} ${file ?? ''}`);
    const rs = roleItems('rs1', {}, '/caps/rs1-eth0.pcap');
    assert.equal(rs.inferred, undefined, 'likely, not inferred');
    assert.equal(rs.active, rs.items[0]);
    assert.equal(rs.active.role, 'real-server');
    assert.equal(rs.active.description, 'a real server behind the director — likely: its name says "rs"');
    assert.deepEqual(rs.items.map((i) => i.role).sort(), ['client', 'director', 'other', 'real-server', 'router'], 'every role, no "Choose" row');
    const byFile = roleItems('10.9.9.9', {}, '/caps/lb2-eth1.pcap');
    assert.equal(byFile.active.role, 'director');
    assert.match(byFile.active.description, /likely: the file's name says "lb"$/);
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
    // The dialog picks files only (a native one that may pick folders picks nothing else on
    // Windows and Linux); one file picked lists its folder's pcaps to check.
    assert.match(command, /canSelectFolders: false,\s+canSelectMany: true,/);
    assert.match(command, /pcapSelection\(/);
    assert.match(command, /canPickMany: true/);
    // The analysis opens the folder as Open Capture does.
    assert.match(command, /await openCapture\(deps, vscode\.Uri\.file\(out\)\)/);
  });
});
