// Hops are built when a connection's `hops` is first read: the analysis result still
// reads, serialises and posts like plain JSON, and sending the webview its first message
// (everything but the hops) builds none of them.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { analyzeCapture } from '../../../src/core/analysis/index';
import type { Connection } from '../../../src/core/analysis/result';
import { hopsIndex, withoutHops } from '../../../src/extension/flow/protocol';
import { repoRoot } from '../../helpers/env';

const folder = path.join(repoRoot, 'samples', 'dr-healthy');
const unbuilt = (c: Connection): boolean => typeof Object.getOwnPropertyDescriptor(c, 'hops')?.get === 'function';

describe('analysis: hops built on first read', function () {
  it('withoutHops() leaves them unbuilt; reading one builds it once; JSON carries them all', async function () {
    const r = await analyzeCapture(folder);
    assert.ok(r.connections.length > 3);
    assert.ok(r.connections.every(unbuilt), 'no connection has its hops built by the analysis itself');
    const first = withoutHops(r);
    assert.ok(r.connections.every(unbuilt), 'the first webview message built no hops');
    assert.ok(first.connections.every((c) => Array.isArray(c.hops) && c.hops.length === 0));
    assert.deepEqual(Object.keys(first.connections[0]).sort(), Object.keys(r.connections[0]).sort());
    const c = r.connections[1];
    const hops = hopsIndex(r).get(c.id);
    assert.ok(hops && hops.length > 0);
    assert.equal(c.hops, hops, 'a second read gets the same array');
    assert.ok(!unbuilt(c) && unbuilt(r.connections[2]), 'only the connection asked for was built');
    const json = JSON.parse(JSON.stringify(r)) as { connections: Connection[] };
    assert.equal(json.connections.length, r.connections.length);
    json.connections.forEach((j, k) => assert.deepEqual(j.hops, JSON.parse(JSON.stringify(r.connections[k].hops))));
    assert.ok(json.connections.every((j) => j.hops.length > 0));
    // Assigning replaces the lazy value (the webview keeps a connection with its hops).
    r.connections[3].hops = [];
    assert.deepEqual(r.connections[3].hops, []);
  });
});
