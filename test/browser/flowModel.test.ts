// The flow view's pure rules (media/flow/model.ts): lane order, which lanes each
// hop's arrow joins, the packets findings cite, and the connection filter.
import * as assert from 'node:assert/strict';
import type { Connection, Hop, Lane } from '../../src/core/analysis/result';
import type { Finding } from '../../src/core/findings/finding';
import {
  citedPackets,
  connectionMatches,
  findingMatcher,
  formatLatency,
  formatOffset,
  hopEnds,
  hostGroups,
  orderColumns,
  refKey,
  rewriteKind,
} from '../../media/flow/model';
import { wrapText } from '../../media/flow/diagram';
import { syntheticAnalysis } from './syntheticAnalysis';

const lane = (point: number, host: string, role: Lane['role'], iface = 'eth0'): Lane => ({ point, host, role, interface: iface, packetCount: 0 });

function hop(point: number, direction: Hop['direction'], sameAs?: number, extra: Partial<Hop> = {}): Hop {
  return { ref: { point, n: 1 }, ts: 0, direction, summary: 'S', src: 'a', dst: 'b', sameAs, ...extra };
}

/** from/to of a hop's arrow as host/interface names ('client' for the stand-in column). */
function ends(c: Connection, i: number, cols: ReturnType<typeof orderColumns>): string {
  const p = hopEnds(c, i, cols);
  const name = (k: number): string => (cols[k].point < 0 ? cols[k].host : `${cols[k].host}/${cols[k].interface}`);
  return p.from === p.to ? `${p.kind} ${name(p.from)}` : `${p.kind} ${name(p.from)} → ${name(p.to)}${p.tail !== undefined ? ' … ' + name(p.tail) : ''}`;
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
    assert.deepEqual(ends(c, 0, cols), 'arrive client → director/eth0');
    assert.deepEqual(ends(c, 1, cols), 'arrive director/eth0 → rs1/eth0');
    assert.deepEqual(ends(c, 2, cols), 'depart rs1/eth0 → director/eth0', 'the real server answers towards where the reply is seen next');
    assert.deepEqual(ends(c, 3, cols), 'arrive rs1/eth0 → director/eth0 … client', 'and it goes on to the client nobody captured');
  });

  it('draws a DR reply straight from the real server to the client, and client-side captures leaving towards where they are seen next', function () {
    const cols = orderColumns([lane(0, 'client', 'client'), lane(1, 'director', 'director'), lane(2, 'rs1', 'real-server')]);
    const c = conn([hop(0, 'request'), hop(1, 'request', 0), hop(2, 'request', 1), hop(2, 'reply'), hop(0, 'reply', 3)]);
    assert.deepEqual(hopEnds(c, 0, cols), { kind: 'depart', from: 0, to: 1, here: 0 });
    assert.deepEqual(hopEnds(c, 2, cols), { kind: 'arrive', from: 1, to: 2, here: 2 });
    assert.deepEqual(hopEnds(c, 3, cols), { kind: 'depart', from: 2, to: 0, here: 2 });
    assert.deepEqual(hopEnds(c, 4, cols), { kind: 'arrive', from: 2, to: 0, here: 0 });
  });

  it("draws the copy a director sends out after rewriting it leaving the director, not coming from the client", function () {
    // dr-healthy: the director captures the SYN coming in and going out (MAC → rs2) on one interface.
    const lanes = [lane(0, 'client', 'client'), lane(1, 'router', 'router', 'eth1'), lane(2, 'director', 'director'), lane(3, 'rs1', 'real-server'), lane(4, 'rs2', 'real-server')];
    const c = conn([
      hop(0, 'request'),
      hop(1, 'request', 0),
      hop(2, 'request', 1),
      hop(2, 'request', 2, { rewrite: 'mac', rewriteText: 'MAC → 02:00:c0:00:02:0c (rs2)' }),
      hop(4, 'request', 3),
      hop(2, 'request'),
      hop(2, 'request', 5, { rewrite: 'mac' }),
    ]);
    const cols = orderColumns(lanes, 'client', c);
    assert.equal(ends(c, 0, cols), 'depart client/eth0 → router/eth1');
    assert.equal(ends(c, 3, cols), 'depart director/eth0 → rs2/eth0');
    assert.equal(ends(c, 4, cols), 'arrive director/eth0 → rs2/eth0');
    // Seen nowhere further on: a stub leaving the director (towards the servers).
    assert.equal(ends(c, 6, cols), 'stub-out director/eth0');
    assert.equal(hopEnds(c, 6, cols).towards, 1);
    const roleOf = (p: number): Lane['role'] | undefined => lanes[p]?.role;
    assert.equal(rewriteKind(c, 3, roleOf), 'lvs');
  });

  it('draws a request to where it is seen next, even when that is not a director (requests bypassing it)', function () {
    // dr-arp-problem: client → router → rs1, the director never sees them.
    const lanes = [lane(0, 'client', 'client'), lane(1, 'router', 'router', 'eth1'), lane(2, 'director', 'director'), lane(3, 'rs1', 'real-server')];
    const c = conn([hop(0, 'request'), hop(1, 'request', 0, { rewrite: 'mac' }), hop(3, 'request', 1), hop(3, 'reply'), hop(1, 'reply', 3), hop(0, 'reply', 4)]);
    const cols = orderColumns(lanes, 'client', c);
    assert.equal(ends(c, 0, cols), 'depart client/eth0 → router/eth1');
    assert.equal(ends(c, 2, cols), 'arrive router/eth1 → rs1/eth0');
    assert.equal(ends(c, 3, cols), 'depart rs1/eth0 → router/eth1');
    const roleOf = (p: number): Lane['role'] | undefined => lanes[p]?.role;
    assert.equal(rewriteKind(c, 1, roleOf), 'routing', "a router's MAC change is routing, not LVS");
  });

  it('puts DNAT and SNAT on the steps inside the director, and a TUN decapsulation on the real server', function () {
    const lanes = [lane(0, 'client', 'client'), lane(1, 'director', 'director'), lane(2, 'director', 'director', 'eth1'), lane(3, 'rs2', 'real-server')];
    const c = conn([
      hop(0, 'request'),
      hop(1, 'request', 0),
      hop(2, 'request', 1, { rewrite: 'dnat' }),
      hop(3, 'request', 2),
      hop(3, 'reply'),
      hop(2, 'reply', 4),
      hop(1, 'reply', 5, { rewrite: 'snat' }),
      hop(0, 'reply', 6),
    ]);
    const cols = orderColumns(lanes, 'client', c);
    assert.equal(ends(c, 2, cols), 'arrive director/eth0 → director/eth1');
    assert.equal(ends(c, 6, cols), 'arrive director/eth1 → director/eth0');
    assert.equal(ends(c, 7, cols), 'arrive director/eth0 → client/eth0');
    const tun = conn([hop(0, 'request'), hop(1, 'request', 0, { rewriteText: 'decapsulated (tunnel 192.0.2.2 → 203.0.113.11)', rewrite: 'none' })]);
    assert.equal(rewriteKind(tun, 1, () => 'real-server'), 'note');
  });

  it('orders lanes along the path: a router carrying the director’s output comes after it (TUN)', function () {
    const lanes = [lane(0, 'client', 'client'), lane(1, 'director', 'director'), lane(2, 'router', 'router', 'eth2'), lane(3, 'rs1', 'real-server'), lane(4, 'rs1', 'real-server', 'tunl0'), lane(5, 'rs2', 'real-server')];
    assert.deepEqual(orderColumns(lanes).map((c) => c.host), ['client', 'router', 'director', 'rs1', 'rs1', 'rs2'], 'without hops: by role');
    const c = conn([
      hop(0, 'request'),
      hop(1, 'request', 0),
      hop(1, 'request', 1, { rewrite: 'ipip' }),
      hop(2, 'request', 2, { rewrite: 'mac' }),
      hop(3, 'request', 3),
      hop(4, 'request', 4, { rewriteText: 'decapsulated' }),
      hop(3, 'reply'),
      hop(2, 'reply', 6),
      hop(0, 'reply', 7),
    ]);
    const cols = orderColumns(lanes, 'client', c);
    assert.deepEqual(cols.map((x) => `${x.host}/${x.interface}`), ['client/eth0', 'director/eth0', 'router/eth2', 'rs1/eth0', 'rs1/tunl0', 'rs2/eth0']);
    assert.deepEqual(hostGroups(cols).map((g) => `${g.host}×${g.count}`), ['client×1', 'director×1', 'router×1', 'rs1×2', 'rs2×1']);
    assert.equal(ends(c, 2, cols), 'depart director/eth0 → router/eth2');
    const roleOf = (p: number): Lane['role'] | undefined => lanes[p]?.role;
    assert.equal(rewriteKind(c, 2, roleOf), 'lvs');
    assert.equal(rewriteKind(c, 3, roleOf), 'routing', 'the router forwarding the tunnelled packet is plain routing');
  });

  it('draws copies of one packet at two captures of one host (any and eth0) as a copy, not a hop between hosts', function () {
    const lanes = [lane(0, 'client', 'client'), lane(1, 'director', 'director', 'any'), lane(2, 'director', 'director'), lane(3, 'rs1', 'real-server')];
    // lab no-real-servers: the SYN at any and eth0, the director's own ICMP unreachable at any and eth0, then at the client.
    const c = conn([hop(0, 'request'), hop(1, 'request', 0), hop(2, 'request', 1), hop(1, 'reply'), hop(2, 'reply', 3), hop(0, 'reply', 4)]);
    const cols = orderColumns(lanes, 'client', c);
    assert.deepEqual(hostGroups(cols).map((g) => `${g.host}×${g.count}`), ['client×1', 'director×2', 'rs1×1']);
    assert.equal(ends(c, 2, cols), 'copy director/any → director/eth0');
    assert.equal(ends(c, 3, cols), 'depart director/any → client/eth0', 'the ICMP goes to the client, not towards eth0 and the real servers');
    assert.equal(ends(c, 4, cols), 'copy director/any → director/eth0');
    assert.equal(ends(c, 5, cols), 'arrive director/eth0 → client/eth0');
  });

  it('keeps one finding apart from another with the same code (by the connections it names)', function () {
    const tcp: Connection = { ...conn([]), id: 'tcp:1', protocol: 'tcp', vport: 80 };
    const udp: Connection = { ...conn([]), id: 'udp:1', protocol: 'udp', vport: 9000 };
    const f = (extra: Partial<Finding>): Finding => ({ code: 'quiescent-dead-server', severity: 'error', message: '', evidence: [], ...extra });
    assert.ok(findingMatcher(f({ connections: ['tcp:1'] }))(tcp, ['quiescent-dead-server']));
    assert.ok(!findingMatcher(f({ connections: ['tcp:1'] }))(udp, ['quiescent-dead-server']));
    // Without a list: by code, for the service it names.
    assert.ok(!findingMatcher(f({ service: 'tcp:192.0.2.100:80' }))(udp, ['quiescent-dead-server']));
    assert.ok(findingMatcher(f({ service: 'udp:192.0.2.100:9000' }))(udp, ['quiescent-dead-server']));
    assert.ok(connectionMatches(tcp, ['x'], { only: findingMatcher(f({ connections: ['tcp:1'] })) }));
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

  it('writes time offsets to the microsecond', function () {
    const t0 = 1_764_000_000;
    assert.equal(formatOffset(t0 + 0.012692, t0), '+12.692 ms');
    assert.equal(formatOffset(t0 + 0.012731, t0), '+12.731 ms');
    assert.equal(formatOffset(t0 + 0.000081, t0), '+0.081 ms');
    assert.equal(formatOffset(t0 + 1.028534, t0), '+1.028534 s');
    assert.equal(formatOffset(t0 + 1.028564, t0), '+1.028564 s');
    assert.equal(formatOffset(t0 + 250.5, t0), '+250.500 s');
  });

  it('wraps the stop reason at spaces, never losing a word', function () {
    const reason = "rs2's answer reached the client from 10.0.0.12:8080, not from 192.0.2.100:80, and the client did not accept it";
    const lines = wrapText(reason, 30);
    assert.ok(lines.every((l) => l.length <= 30));
    assert.equal(lines.join(' '), reason);
  });

  it('formats latencies in µs, ms and s', function () {
    assert.equal(formatLatency(0.073), '73 µs');
    assert.equal(formatLatency(3.05), '3.05 ms');
    assert.equal(formatLatency(250), '250 ms');
    assert.equal(formatLatency(1500), '1.50 s');
  });
});
