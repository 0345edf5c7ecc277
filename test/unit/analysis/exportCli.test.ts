// `lvs-trace export FOLDER --out FILE.pcapng`: the merged, annotated pcapng of a capture
// folder; a point whose file is missing is left out, one that turns corrupt is cut short,
// and both are named.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { exportCommand } from '../../../src/cli/commands/export';
import { readFrames } from '../../../src/core/pcap';
import { repoRoot } from '../../helpers/env';
import { captureStdio } from '../../helpers/stdio';

const run = (args: string[]): Promise<{ code: number; out: string; err: string }> => captureStdio(() => exportCommand.run(args));

const frames = (file: string): number => readFrames(file, () => undefined).frames;

describe('lvs-trace export', function () {
  this.timeout(20000);
  let tmp: string;
  before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-export-cli-'))));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const copy = (name: string): string => {
    const to = path.join(tmp, `${name}-${Math.random().toString(36).slice(2)}`);
    fs.cpSync(path.join(repoRoot, 'samples', name), to, { recursive: true });
    return to;
  };
  const pcaps = (folder: string): string[] => JSON.parse(fs.readFileSync(path.join(folder, 'capture.json'), 'utf8')).points.map((p: { file: string }) => path.join(folder, p.file));

  it('merges every point of a sample into one pcapng with comments', async function () {
    const folder = path.join(repoRoot, 'samples', 'dr-healthy');
    const file = path.join(tmp, 'dr-healthy.pcapng');
    const r = await run([folder, '--out', file]);
    assert.equal(r.code, 0, r.err);
    const total = pcaps(folder).reduce((n, f) => n + frames(f), 0);
    assert.equal(frames(file), total);
    assert.match(r.out, new RegExp(`${total} packets from ${pcaps(folder).length} capture points, \\d+ with our comments`));
  });

  it('leaves out a point whose pcap is missing and cuts short one that turns corrupt, naming both (exit 1)', async function () {
    const folder = copy('nat-healthy');
    const [first, second] = pcaps(folder);
    fs.rmSync(first);
    // A record length past any bound in the middle of the second point's file.
    const bytes = fs.readFileSync(second);
    const keep = readFrames(second, () => undefined).frames;
    let at = 24;
    for (let k = 0; k < Math.floor(keep / 2); k++) at += 16 + bytes.readUInt32LE(at + 8);
    bytes.writeUInt32LE(0x7fffffff, at + 8);
    fs.writeFileSync(second, bytes);
    const file = path.join(tmp, 'broken.pcapng');
    const r = await run([folder, '--out', file]);
    assert.equal(r.code, 1);
    assert.match(r.err, /warning: \S+ \(pcap\/[^)]+\) left out: file not found/);
    assert.match(r.out, new RegExp(`from ${pcaps(folder).length - 1} capture points`), 'the missing one not counted');
    assert.match(r.err, /warning: \S+ \(pcap\/[^)]+\) cut short: .*impossible captured length/);
    const rest = pcaps(folder).slice(2).reduce((n, f) => n + frames(f), 0);
    assert.equal(frames(file), rest + Math.floor(keep / 2), 'the other points whole, the corrupt one up to the bad record');
  });

  it('refuses an --out that is one of the capture\'s own files, by any path, and leaves it intact', async function () {
    const folder = copy('dr-healthy');
    const pcap = pcaps(folder)[0];
    const before = fs.readFileSync(pcap);
    const link = path.join(tmp, `link-${Math.random().toString(36).slice(2)}.pcap`);
    fs.symlinkSync(pcap, link);
    const relative = path.relative(process.cwd(), pcap);
    for (const out of [pcap, link, relative, path.join(folder, 'pcap', '..', 'capture.json')]) {
      await assert.rejects(run([folder, '--out', out]), (e: Error) => e.message.startsWith(`--out ${out} is `) && /the capture's own/.test(e.message), out);
      assert.deepEqual(fs.readFileSync(pcap), before, `${out}: the pcap untouched`);
    }
    assert.equal(JSON.parse(fs.readFileSync(path.join(folder, 'capture.json'), 'utf8')).format, 1);
  });

  it('writes through a temporary file renamed into place: an existing --out is replaced whole, nothing left beside it', async function () {
    const folder = path.join(repoRoot, 'samples', 'dr-healthy');
    const where = fs.mkdtempSync(path.join(tmp, 'out-'));
    const file = path.join(where, 'merged.pcapng');
    fs.writeFileSync(file, 'an older export');
    const r = await run([folder, '--out', file]);
    assert.equal(r.code, 0, r.err);
    assert.equal(frames(file), pcaps(folder).reduce((n, f) => n + frames(f), 0));
    assert.deepEqual(fs.readdirSync(where), ['merged.pcapng']);
  });

  it('names the file it cannot write (a full device, a missing folder), exit 2', async function () {
    const folder = path.join(repoRoot, 'samples', 'dr-healthy');
    if (fs.existsSync('/dev/full')) await assert.rejects(run([folder, '--out', '/dev/full']), (e: Error) => /^\/dev\/full: no space left/.test(e.message));
    const nowhere = path.join(tmp, 'no-such-folder', 'merged.pcapng');
    await assert.rejects(run([folder, '--out', nowhere]), (e: Error) => e.message.startsWith(`${nowhere}: `) && /no such file or folder/.test(e.message));
  });

  it('usage errors', async function () {
    assert.equal((await run([])).code, 2);
    assert.equal((await run([path.join(repoRoot, 'samples', 'dr-healthy')])).code, 2);
    await assert.rejects(exportCommand.run([path.join(repoRoot, 'samples', 'dr-healthy'), '--out', tmp]), /is a folder/);
  });
});
