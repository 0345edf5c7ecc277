import assert from 'node:assert/strict';
import * as path from 'node:path';
import { readPackets } from '../../../src/core/decode';
import { hasCommand, hasSharedFixtures, requireOrSkip } from '../../helpers/env';
import { pcapFixtures } from '../pcap/fixtures';
import { writeSyntheticCaptures } from './synthetic';
import { FIELDS, normaliseTheirs, ourRow, runTshark, type Row } from './tsharkFields';

function compare(file: string, theirs: Row[]): string[] {
  const ours: Row[] = [];
  readPackets(file, (p) => void ours.push(ourRow(p)));
  const problems: string[] = [];
  if (ours.length !== theirs.length) problems.push(`${ours.length} packets decoded, tshark shows ${theirs.length}`);
  const n = Math.min(ours.length, theirs.length);
  for (let k = 0; k < n && problems.length < 20; k++) {
    const t = normaliseTheirs(theirs[k]);
    for (const f of FIELDS) {
      const a = ours[k][f];
      const b = t[f];
      if (a !== b) problems.push(`frame ${k + 1} ${f}: ours ${a ?? '(absent)'}, tshark ${b ?? '(absent)'}`);
    }
  }
  return problems;
}

/** tshark runs for all files, started up front in a few lanes (each costs ~0.3 s of startup). */
function prefetch(files: string[], parallel = 3): Map<string, Promise<Row[]>> {
  const results = new Map<string, Promise<Row[]>>();
  const lanes: Array<Promise<unknown>> = Array.from({ length: parallel }, () => Promise.resolve());
  files.forEach((f, k) => {
    const p = lanes[k % parallel].then(() => runTshark(f));
    lanes[k % parallel] = p.catch(() => undefined);
    p.catch(() => undefined); // the test that awaits it reports the failure
    results.set(f, p);
  });
  return results;
}

describe('decoder agrees with tshark field by field', function () {
  this.timeout(120000);
  const tshark = hasCommand('tshark');
  let pending = new Map<string, Promise<Row[]>>();
  const tsharkRows = (file: string): Promise<Row[]> => pending.get(file) ?? runTshark(file);
  const synthetic = writeSyntheticCaptures();
  const fixtures = hasSharedFixtures() ? pcapFixtures() : [];
  before(function () {
    if (tshark) pending = prefetch([...fixtures, ...synthetic.map((s) => s.file)]);
  });

  describe('on every lab fixture pcap', function () {
    const files = fixtures;
    it('finds the fixtures', function () {
      requireOrSkip(this, hasSharedFixtures(), 'shared lab fixtures (../shared/fixtures/lab)');
      assert.ok(files.length >= 40, `${files.length} fixture pcaps`);
    });
    for (const file of files) {
      it(path.relative(path.dirname(path.dirname(path.dirname(file))), file), async function () {
        requireOrSkip(this, tshark, 'tshark');
        const problems = compare(file, await tsharkRows(file));
        assert.deepEqual(problems, []);
      });
    }
  });

  describe('on generated captures (every protocol, link type and file flavour)', function () {
    for (const s of synthetic) {
      it(s.name, async function () {
        requireOrSkip(this, tshark, 'tshark');
        const theirs = await tsharkRows(s.file);
        assert.equal(theirs.length, s.frames);
        assert.deepEqual(compare(s.file, theirs), []);
      });
    }
  });
});
