// A file or folder that cannot be used is named, with what is wrong in plain words, and
// every command exits 2 for it (usage or input error); 1 is for findings at error level.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/cli/main';
import { PcapngWriter, PcapWriter } from '../../../src/core/pcap';
import { repoRoot } from '../../helpers/env';
import { captureStdio } from '../../helpers/stdio';

describe('lvs-trace: files that cannot be used', function () {
  this.timeout(30000);
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-cli-files-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const run = (args: string[]) => captureStdio(() => main(args));

  it('decode: a folder, a missing file, a file that is not a capture: named, exit 2', async function () {
    const folder = await run(['decode', dir]);
    assert.equal(folder.code, 2);
    assert.equal(folder.err, `lvs-trace decode: ${dir}: is a folder, not a file\n`);
    const missing = path.join(dir, 'nonexistent.pcap');
    const gone = await run(['decode', missing]);
    assert.equal(gone.code, 2);
    assert.equal(gone.err, `lvs-trace decode: ${missing}: no such file or folder\n`);
    const text = path.join(dir, 'notes.txt');
    fs.writeFileSync(text, 'hello, this is not a pcap\n');
    const notPcap = await run(['decode', text]);
    assert.equal(notPcap.code, 2);
    assert.match(notPcap.err, /notes\.txt: not a pcap or pcapng file/);
    const one = path.join(dir, 'one-byte');
    fs.writeFileSync(one, 'x');
    assert.match((await run(['decode', one])).err, /file too short to be a capture \(1 byte\)/);
  });

  it('decode: a classic pcap and a pcapng cut inside their file header both fail the same way', async function () {
    const classic = new PcapWriter({ linkType: 1 });
    classic.add(1764080525, new Uint8Array(60));
    const ng = new PcapngWriter({ application: 'a test that needs a section header block of more than 100 bytes, so that 100 bytes cut inside it' });
    ng.add(ng.addInterface({ linkType: 1, name: 'eth0' }), 1764080525, new Uint8Array(60));
    const cut: Array<[string, Uint8Array]> = [
      ['cut.pcap', classic.toBuffer().subarray(0, 20)],
      ['cut.pcapng', ng.toBuffer().subarray(0, 100)],
    ];
    assert.ok(ng.toBuffer().readUInt32LE(4) > 100, 'the section header block is longer than the cut');
    for (const [name, bytes] of cut) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, bytes);
      const r = await run(['decode', file]);
      assert.equal(r.code, 2, `${name}: ${r.err}`);
      assert.match(r.err, new RegExp(`^lvs-trace decode: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: file ends inside its .*header`), name);
    }
  });

  it('lint: a folder or a missing file is named with the reason, exit 2', async function () {
    const folder = await run(['lint', dir]);
    assert.equal(folder.code, 2);
    assert.match(folder.out, new RegExp(`error file-unreadable cannot read ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: is a folder, not a file`));
    const gone = await run(['lint', path.join(dir, 'nope.conf')]);
    assert.equal(gone.code, 2);
    assert.match(gone.out, /cannot read .*nope\.conf: no such file or folder/);
  });

  it("lint: the unknown-language message names every file name it would recognise", async function () {
    const file = path.join(dir, 'mystery.txt');
    fs.writeFileSync(file, 'nothing to see\n');
    const r = await run(['lint', file]);
    assert.equal(r.code, 2);
    for (const pattern of ['keepalived.conf', '*.keepalived.conf', '*.keepalived', '*.ipvsadm', 'ipvsadm.rules', 'ipvsadm.conf', 'ipvsadm-save*', '*.sh', '*.bash'])
      assert.ok(r.out.includes(pattern), `${pattern} in: ${r.out}`);
  });

  it('analyze: no capture.json is exit 2; the capture.json file itself stands for its folder', async function () {
    const gone = await run(['analyze', path.join(dir, 'nonexistent')]);
    assert.equal(gone.code, 2);
    const folder = path.join(repoRoot, 'samples', 'dr-healthy');
    const byFolder = await run(['analyze', folder]);
    const byFile = await run(['analyze', path.join(folder, 'capture.json')]);
    assert.equal(byFile.code, 0, byFile.err);
    assert.equal(byFile.out, byFolder.out);
  });

  it('capture: a config file that cannot be read is named with the reason', async function () {
    const r = await run(['capture', '--service', 'tcp:192.0.2.1:80', '--out', path.join(dir, 'cap'), '--host', 'rs1=director', '--config', path.join(dir, 'missing.conf')]);
    assert.equal(r.code, 2);
    assert.match(r.err, /missing\.conf: no such file or folder/);
    assert.ok(!fs.existsSync(path.join(dir, 'cap')));
  });
});
