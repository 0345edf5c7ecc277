// analyzeCapture() lets the event loop run between its steps (every so many frames read,
// each capture point read to its end, the correlation): in the extension host other work goes on during a long analysis.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { analyzeCapture, analyzeManifest } from '../../../src/core/analysis/index';
import { readManifest } from '../../../src/core/capture/manifest';
import { repoRoot } from '../../helpers/env';

describe('analysis: yields to the event loop', function () {
  it('other callbacks run between the steps, and the result is the synchronous one', async function () {
    const folder = path.join(repoRoot, 'samples', 'nat-healthy');
    let turns = 0;
    let spinning = true;
    const spin = (): void => {
      if (!spinning) return;
      turns++;
      setImmediate(spin);
    };
    setImmediate(spin);
    const r = await analyzeCapture(folder);
    spinning = false;
    assert.ok(r.lanes.length >= 3);
    assert.ok(turns >= r.lanes.length, `the event loop ran ${turns} times during the analysis of ${r.lanes.length} points`);
    const sync = analyzeManifest(folder, readManifest(folder), undefined);
    assert.deepEqual(JSON.parse(JSON.stringify(sync)).findings, JSON.parse(JSON.stringify(r)).findings);
    assert.equal(JSON.stringify(sync.connections), JSON.stringify(r.connections));
  });
});
