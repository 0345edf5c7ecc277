// The extension keeps the analyses of the captures used last, for their hops: bounded,
// least recently used let go (and released in the worker), one analysis per source even
// when asked for several times at once.
import * as assert from 'node:assert/strict';
import type { AnalysisResult } from '../../../src/core/analysis/result';
import type { Analysis } from '../../../src/core/analysis/worker/client';
import { KeptAnalyses } from '../../../src/core/analysis/worker/kept';

interface Fake extends Analysis {
  source: string;
  released: boolean;
}

function maker(): { make: (s: string) => Promise<Analysis>; made: Fake[]; fail: Set<string> } {
  const made: Fake[] = [];
  const fail = new Set<string>();
  const make = async (source: string): Promise<Analysis> => {
    await new Promise((r) => setTimeout(r, 5));
    if (fail.has(source)) throw new Error(`cannot read ${source}`);
    const a: Fake = {
      source,
      released: false,
      result: { folder: source } as AnalysisResult,
      hops: async () => [],
      exportPcapng: async () => ({ packets: 0, comments: 0, points: 0, problems: [] }),
      release: () => void (a.released = true),
    };
    made.push(a);
    return a;
  };
  return { make, made, fail };
}

describe('analysis: the analyses kept for their hops', function () {
  it('keeps the most recently used few and releases the one it lets go', async function () {
    const m = maker();
    const kept = new KeptAnalyses(m.make, 2);
    const a = await kept.get('a');
    await kept.get('b');
    assert.equal(kept.peek('a'), a, 'a used again: b is now the oldest');
    await kept.get('c');
    assert.deepEqual(kept.sources(), ['a', 'c']);
    assert.deepEqual(m.made.filter((x) => x.released).map((x) => x.source), ['b']);
    assert.equal(kept.peek('b'), undefined);
    // Asked for again: made again, once.
    const b2 = (await kept.get('b')) as Fake;
    assert.equal(b2.released, false);
    assert.equal(m.made.filter((x) => x.source === 'b').length, 2);
    assert.deepEqual(kept.sources(), ['c', 'b']);
  });

  it('several asks at once share one analysis; fresh replaces the kept one and releases it', async function () {
    const m = maker();
    const kept = new KeptAnalyses(m.make, 4);
    const [x, y, z] = await Promise.all([kept.get('a'), kept.get('a'), kept.get('a')]);
    assert.ok(x === y && y === z);
    assert.equal(m.made.length, 1);
    const again = await kept.get('a', true);
    assert.notEqual(again, x);
    assert.equal((x as Fake).released, true);
    assert.equal(kept.peek('a'), again);
    kept.releaseAll();
    assert.equal((again as Fake).released, true);
    assert.deepEqual(kept.sources(), []);
  });

  it('a failed analysis is not kept: the next ask tries again', async function () {
    const m = maker();
    const kept = new KeptAnalyses(m.make, 4);
    m.fail.add('bad');
    await assert.rejects(kept.get('bad'), /cannot read bad/);
    assert.deepEqual(kept.sources(), []);
    m.fail.delete('bad');
    assert.equal(((await kept.get('bad')) as Fake).source, 'bad');
  });
});
