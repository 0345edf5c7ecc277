// The analysis as JSON a piece at a time (the CLI's --json): the same text as one
// JSON.stringify(result, null, 2), one piece per connection, hops not kept on the result.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { analyzeCapture } from '../../../src/core/analysis/index';
import { analysisJsonPieces } from '../../../src/core/analysis/json';
import type { Connection } from '../../../src/core/analysis/result';
import { repoRoot } from '../../helpers/env';

const unbuilt = (c: Connection): boolean => typeof Object.getOwnPropertyDescriptor(c, 'hops')?.get === 'function';

describe('analysis: JSON in pieces', function () {
  this.timeout(20000);

  for (const sample of ['dr-arp-problem', 'nat-wrong-gateway', 'tun-healthy']) {
    it(`${sample}: the pieces join to JSON.stringify(result, null, 2), one per connection, no hops kept`, async function () {
      const r = await analyzeCapture(path.join(repoRoot, 'samples', sample));
      assert.ok(r.connections.length > 1);
      assert.ok(r.connections[0].hops.length > 0); // one already built: written as it is
      const waiting = r.connections.filter(unbuilt);
      assert.ok(waiting.length > 0);
      const pieces = [...analysisJsonPieces(r)];
      assert.equal(pieces.length, r.connections.length + 2);
      assert.ok(waiting.every(unbuilt), 'writing built no hops to keep');
      const whole = JSON.stringify(r, null, 2);
      assert.equal(pieces.join(''), whole);
      assert.ok(JSON.parse(pieces.join('')).connections.every((c: Connection) => c.hops.length > 0));
    });
  }

  it('no connections, and string values that look like the connections line', async function () {
    const r = await analyzeCapture(path.join(repoRoot, 'samples', 'dr-healthy'));
    const tricky = { ...r, folder: 'x\n  "connections": []\n', connections: [] };
    assert.deepEqual([...analysisJsonPieces(tricky)], [JSON.stringify(tricky, null, 2)]);
    const one = { ...r, folder: '"connections": [', connections: r.connections.slice(0, 1) };
    assert.equal([...analysisJsonPieces(one)].join(''), JSON.stringify(one, null, 2));
  });

  it('never holds more than one connection as text (V8 strings end at 2^29 characters)', async function () {
    const r = await analyzeCapture(path.join(repoRoot, 'samples', 'dr-healthy'));
    const c = r.connections[0];
    // ~1 MB of hops as text, one array shared by every connection (memory stays small).
    const hops = Array.from({ length: 4000 }, () => c.hops[0]);
    const conns = Array.from({ length: 40 }, (_, k) => ({ ...c, id: `c${k}`, hops }));
    let total = 0;
    let longest = 0;
    for (const piece of analysisJsonPieces({ ...r, connections: conns })) {
      total += piece.length;
      longest = Math.max(longest, piece.length);
    }
    // 560 such connections would pass the limit: the pieces stay one connection long.
    assert.ok(total > 40 * 2 ** 20, `${total} characters in all`);
    assert.ok(longest > 2 ** 20 && longest < 2 ** 21, `the longest piece, ${longest} characters, is one connection`);
  });
});
