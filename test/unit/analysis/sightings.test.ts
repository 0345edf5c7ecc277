// firstSightings() and lastFirstSighting() answer, without building hops, what the hops
// say: which packets were first seen where (hops without `sameAs`). Checked against the
// hops themselves for every connection of every capture folder we have.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readManifest } from '../../../src/core/capture/manifest';
import { firstSightings, lastFirstSighting } from '../../../src/core/analysis/hops';
import { gatherFacts } from '../../../src/core/analysis/index';
import type { Hop } from '../../../src/core/analysis/result';
import { hasSharedFixtures, labFixturesDir, repoRoot } from '../../helpers/env';

function folders(): string[] {
  const roots = [path.join(repoRoot, 'samples')];
  if (hasSharedFixtures()) roots.push(labFixturesDir);
  return roots.flatMap((root) =>
    fs
      .readdirSync(root)
      .map((d) => path.join(root, d))
      .filter((d) => fs.existsSync(path.join(d, 'capture.json'))),
  );
}

const isOpening = (h: Hop): boolean => h.direction === 'request' && (h.summary === 'S' || h.summary.startsWith('UDP'));
const isAnswer = (h: Hop): boolean => h.direction === 'reply' && !h.summary.startsWith('ICMP') && !h.summary.startsWith('R');
const OPEN_BITS = 0x1f;
const wantOpening = (reply: boolean, bits: number, len: number): boolean => !reply && (bits === -1 || (bits >= 0 && (bits & OPEN_BITS) === 2 && len === 0));
const wantAnswer = (reply: boolean, bits: number): boolean => reply && (bits === -1 || (bits >= 0 && !((bits & 4) !== 0 && (bits & 3) === 0)));
const wantAll = (): boolean => true;

describe('analysis: first sightings without hops', function () {
  this.timeout(60000);

  it('agree with the hops on every connection of every capture folder', function () {
    let conns = 0;
    let checkedAnswers = 0;
    for (const dir of folders()) {
      const facts = gatherFacts(dir, readManifest(dir));
      for (const c of facts.conns) {
        conns++;
        const firsts = c.conn.hops.filter((h) => h.sameAs === undefined);
        const got: number[] = [];
        firstSightings(c.flows, facts.points, wantOpening, (s) => got.push(s.ts));
        assert.deepEqual(got.sort(), firsts.filter(isOpening).map((h) => h.ts).sort(), `${dir} ${c.conn.id} openings`);
        const all: string[] = [];
        firstSightings(c.flows, facts.points, wantAll, (s) => all.push(`${s.ts}|${s.reply}`));
        assert.deepEqual(all.sort(), firsts.map((h) => `${h.ts}|${h.direction === 'reply'}`).sort(), `${dir} ${c.conn.id} all`);
        const answers = firsts.filter(isAnswer).map((h) => h.ts);
        const last = lastFirstSighting(c.flows, facts.points, wantAnswer);
        assert.equal(last, answers.length ? Math.max(...answers) : -Infinity, `${dir} ${c.conn.id} last answer`);
        if (answers.length) checkedAnswers++;
      }
    }
    assert.ok(conns > 50 && checkedAnswers > 20, `${conns} connections, ${checkedAnswers} with answers`);
  });
});
