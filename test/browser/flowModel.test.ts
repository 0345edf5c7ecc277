// The flow view's pure rules (media/flow/model.ts): lane order, which lanes each
// hop's arrow joins, the packets findings cite, and the connection filter.
import * as assert from 'node:assert/strict';
import type { Connection, Hop, Lane } from '../../src/core/analysis/result';
import { citedPackets, connectionMatches, formatLatency, hopEnds, orderColumns, refKey } from '../../media/flow/model';
import { syntheticAnalysis } from './syntheticAnalysis';

const lane = (point: number, host: string, role: Lane['role']): Lane => ({ point, host, role, interface: 'eth0', packetCount: 0 });

function hop(point: number, direction: Hop['direction'], sameAs?: number): Hop {
  return { ref: { point, n: 1 }, ts: 0, direction, summary: 'S', src: 'a', dst: 'b', sameAs };
}

function conn(hops: Hop[]): Connection {
  return { id: 'c', protocol: 'tcp', client: '198.51.100.7', vip: '192.0.2.100', state: 'complete', start: 0, end: 1, packets: hops.length, hops };
}

describe('flow view model', function () {
  it('orders lanes client, router, directors, real servers and adds a client lane when none was captured', function () {
    const cols = orderColumns([lane(0, 'rs1', 'real-server'), lane(1, 'lb', 'director'), lane(2, 'gw', 'router')]);
    assert.deepEqual(cols.map((c) => c.host), ['client', 'gw', 'lb', 'rs1']);
    assert.equal(cols[0].point, -1);
    assert.deepEqual(orderColumns([lane(0, 'rs1', 'real-server'), lane(1, 'me', 'client')]).map((c) => c.host), ['me', 'rs1']);
  });

  it('draws a NAT connection hop by hop: client → director → real server, and the reply back through the director', function () {
    const cols = orderColumns([lane(0, 'director', 'director'), lane(1, 'rs1', 'real-server')]);
    // cols: client(-1)=0, director=1, rs1=2
    const c = conn([hop(0, 'request'), hop(1, 'request', 0), hop(1, 'reply'), hop(0, 'reply', 2)]);
    assert.deepEqual(hopEnds(c, 0, cols), { from: 0, to: 1 });
    assert.deepEqual(hopEnds(c, 1, cols), { from: 1, to: 2 });
    assert.deepEqual(hopEnds(c, 2, cols), { from: 2, to: 1 }, 'the real server answers towards where the reply is seen next');
    assert.deepEqual(hopEnds(c, 3, cols), { from: 1, to: 0 });
  });

  it('draws a DR reply straight from the real server to the client, and client-side captures leaving towards the director', function () {
    const cols = orderColumns([lane(0, 'client', 'client'), lane(1, 'director', 'director'), lane(2, 'rs1', 'real-server')]);
    const c = conn([hop(0, 'request'), hop(1, 'request', 0), hop(2, 'request', 1), hop(2, 'reply'), hop(0, 'reply', 3)]);
    assert.deepEqual(hopEnds(c, 0, cols), { from: 0, to: 1 });
    assert.deepEqual(hopEnds(c, 2, cols), { from: 1, to: 2 });
    assert.deepEqual(hopEnds(c, 3, cols), { from: 2, to: 0 });
    assert.deepEqual(hopEnds(c, 4, cols), { from: 2, to: 0 });
  });

  it('maps finding evidence (by file, else by host) to the packets it cites', function () {
    const r = syntheticAnalysis({ connections: 4 });
    const cited = citedPackets(r);
    const ev = r.findings[0].evidence[0];
    const point = r.manifest.points.findIndex((p) => p.file === ev.file);
    assert.ok(point >= 0);
    for (const n of ev.packets!) assert.deepEqual(cited.get(refKey(point, n)), ['rs-no-reply']);
    assert.equal(cited.size, ev.packets!.length);
  });

  it('filters by real server, state, finding and every search word', function () {
    const c: Connection = { ...conn([]), clientPort: 40001, vport: 80, realServer: 'rs2', state: 'no-reply' };
    assert.ok(connectionMatches(c, ['rs-no-reply'], { realServer: 'rs2', state: 'no-reply', finding: 'rs-no-reply', search: '40001 rs2' }));
    assert.ok(!connectionMatches(c, [], { finding: 'rs-no-reply' }));
    assert.ok(!connectionMatches(c, [], { realServer: 'rs1' }));
    assert.ok(!connectionMatches(c, [], { search: '40001 rs1' }));
    assert.ok(connectionMatches({ ...c, realServer: undefined }, [], { realServer: '(none)' }));
  });

  it('formats latencies in µs, ms and s', function () {
    assert.equal(formatLatency(0.073), '73 µs');
    assert.equal(formatLatency(3.05), '3.05 ms');
    assert.equal(formatLatency(250), '250 ms');
    assert.equal(formatLatency(1500), '1.50 s');
  });
});
