// Where a connection stopped, and why, as the connection list and the flow view say it:
// checked against what the sample captures really hold.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { analyzeCapture } from '../../../src/core/analysis/index';
import { repoRoot } from '../../helpers/env';

const sample = (name: string): string => path.join(repoRoot, 'samples', name);

describe('analysis: where a connection stopped', function () {
  it('NAT with the wrong gateway: the answer reached the client from the real server, not "never reached" it', async function () {
    const r = await analyzeCapture(sample('nat-wrong-gateway'));
    const toRs2 = r.connections.filter((c) => c.realServer === 'rs2');
    assert.ok(toRs2.length >= 8, `rs2's connections: ${toRs2.length}`);
    for (const c of toRs2) {
      // UDP: no reply the client took; TCP: the client reset the handshake.
      assert.ok(c.state === 'no-reply' || c.state === 'reset', `${c.id}: ${c.state}`);
      assert.ok(c.stoppedAt, `${c.id} has no stop`);
      assert.equal(r.lanes[c.stoppedAt.point].role, 'client', `${c.id} stopped at ${r.lanes[c.stoppedAt.point].host}`);
      const port = c.protocol === 'udp' ? 9000 : 8080;
      assert.match(c.stoppedAt.reason, new RegExp(`from 10\\.0\\.0\\.12:${port}, not from 192\\.0\\.2\\.100:${c.vport}\\b`), c.stoppedAt.reason);
      assert.doesNotMatch(c.stoppedAt.reason, /never reached/);
    }
    // rs1 is fine: its connections complete and stop nowhere.
    for (const c of r.connections.filter((x) => x.realServer === 'rs1')) assert.equal(c.stoppedAt, undefined, c.id);
  });

  it('DR with the VIP missing on lo: the requests stop at rs2, which never answers', async function () {
    const r = await analyzeCapture(sample('dr-vip-missing-on-lo'));
    const toRs2 = r.connections.filter((c) => c.realServer === 'rs2');
    assert.ok(toRs2.length > 0);
    for (const c of toRs2) {
      assert.ok(c.stoppedAt, c.id);
      assert.equal(r.lanes[c.stoppedAt.point].host, 'rs2');
      assert.match(c.stoppedAt.reason, /rs2 received it and never answered/);
    }
  });

  it('healthy samples: no connection stops', async function () {
    for (const name of ['dr-healthy', 'nat-healthy', 'tun-healthy']) {
      const r = await analyzeCapture(sample(name));
      assert.deepEqual(
        r.connections.filter((c) => c.stoppedAt).map((c) => `${c.id}: ${c.stoppedAt!.reason}`),
        [],
        name,
      );
    }
  });
});
