// The flow view's pure rules (media/flow/model.ts): lane order, which lanes each
// hop's arrow joins, the packets findings cite, and the connection filter.
import * as assert from 'node:assert/strict';
import type { Connection, Hop, Lane } from '../../src/core/analysis/result';
import type { Finding } from '../../src/core/findings/finding';
import {
  blindText,
  bypassOf,
  citedPackets,
  clockShift,
  columnSub,
  connectionMatches,
  describeHop,
  findingMatcher,
  formatLatency,
  formatOffset,
  gapMarks,
  gapText,
  hopEnds,
  hopPaths,
  hostGroups,
  laneBlindAt,
  markUtc,
  orderColumns,
  pointNames,
  realServerMacs,
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

  it('tells a copy of a frame at `-i any` from the copy the host sent out, by its source MAC (nat-healthy, dr-healthy)', function () {
    const R = '02:00:c0:00:02:01'; // router
    const D = '02:00:c0:00:02:02'; // director, LAN side
    const DI = '02:00:0a:00:00:01'; // director, inside (NAT)
    const RS2 = '02:00:0a:00:00:0c';
    const mac = (srcMac: string, dstMac?: string): Partial<Hop> => ({ srcMac, dstMac });
    // nat-healthy tcp:…:35818: in at any and eth0, DNAT out at eth1, its copy at any (which the
    // analysis calls a MAC rewrite: a cooked capture has no destination MAC), then at rs2.
    const nat = [lane(0, 'client', 'client'), lane(1, 'director', 'director', 'any'), lane(2, 'director', 'director'), lane(3, 'director', 'director', 'eth1'), lane(4, 'rs2', 'real-server')];
    const natDnat = { dst: '10.0.0.12', dport: 8080, rewrite: 'dnat' as const, rewriteText: 'DNAT 192.0.2.100:80 → 10.0.0.12:8080' };
    const c = conn([
      hop(0, 'request', undefined, mac('02:00:c6:33:64:0a', '02:00:c6:33:64:01')),
      hop(1, 'request', 0, { ...mac(R), rewrite: 'none' }),
      hop(2, 'request', 1, { ...mac(R, D), rewrite: 'none' }),
      hop(3, 'request', 2, { ...mac(DI, RS2), ...natDnat }),
      hop(1, 'request', 3, { ...mac(DI), dst: '10.0.0.12', dport: 8080, rewrite: 'mac', rewriteText: 'forwarded (destination MAC rewritten)' }),
      hop(4, 'request', 4, { ...mac(DI, RS2), dst: '10.0.0.12', dport: 8080, rewrite: 'none' }),
    ]);
    let cols = orderColumns(nat, 'client', c);
    assert.equal(ends(c, 2, cols), 'copy director/any → director/eth0');
    assert.equal(ends(c, 3, cols), 'arrive director/eth0 → director/eth1');
    assert.equal(ends(c, 4, cols), 'copy director/eth1 → director/any', 'the same frame, not a rewrite');
    assert.equal(ends(c, 5, cols), 'arrive director/eth1 → rs2/eth0', 'it left through eth1, not through any');
    // dr-healthy tcp:…:48844: in at any (sll1), any and eth0; out (MAC → rs2) at the three; then rs2.
    const dr = [lane(0, 'client', 'client'), lane(1, 'director', 'director', 'any'), lane(2, 'director', 'director', 'any'), lane(3, 'director', 'director'), lane(4, 'rs2', 'real-server')];
    const fwd = { rewrite: 'mac' as const, rewriteText: 'forwarded (destination MAC rewritten)' };
    const d = conn([
      hop(0, 'request', undefined, mac(R, D)),
      hop(1, 'request', 0, { ...mac(R), rewrite: 'none' }),
      hop(2, 'request', 1, { ...mac(R), rewrite: 'none' }),
      hop(3, 'request', 2, { ...mac(R, D), rewrite: 'none' }),
      hop(1, 'request', 3, { ...mac(D), ...fwd }),
      hop(2, 'request', 4, { ...mac(D), ...fwd }),
      hop(3, 'request', 5, { ...mac(D, '02:00:c0:00:02:0c'), rewrite: 'mac', rewriteText: 'MAC → 02:00:c0:00:02:0c (rs2)' }),
      hop(4, 'request', 6, { ...mac(D, '02:00:c0:00:02:0c'), rewrite: 'none' }),
    ]);
    cols = orderColumns(dr, 'client', d, [undefined, 'pcap/director-any-sll1.pcap', 'pcap/director-any.pcap', 'pcap/director-eth0.pcap']);
    const paths = hopPaths(d, cols);
    assert.deepEqual(
      paths.map((p) => p.kind),
      ['depart', 'arrive', 'copy', 'copy', 'depart', 'copy', 'copy', 'arrive'],
    );
    assert.equal(ends(d, 4, cols), 'depart director/any → rs2/eth0', 'the copy sent out leaves the director for rs2, not back towards the client');
    assert.equal(paths[4].rewriteText, 'MAC → 02:00:c0:00:02:0c (rs2)', 'named as the eth0 capture of the same frame names it');
    assert.match(describeHop(d.hops[4], cols[paths[4].here], paths[4], cols), /^request seen at director any \(director-any-sll1\.pcap\), S, .*leaving towards rs2 eth0, MAC → 02:00:c0:00:02:0c \(rs2\)/);
    assert.doesNotMatch(describeHop(d.hops[6], cols[paths[6].here], paths[6], cols), /MAC →/, 'a copy names no rewrite');
  });

  it('names two lanes of one host and interface by their files', function () {
    const lanes = [lane(0, 'director', 'director', 'any'), lane(1, 'director', 'director', 'any'), lane(2, 'director', 'director'), lane(3, 'rs1', 'real-server')];
    const files = ['pcap/director-any.pcap', 'pcap/director-any-sll1.pcap', 'pcap/director-eth0.pcap', 'pcap/rs1-eth0.pcap'];
    const names = pointNames(lanes, files);
    assert.deepEqual([...names.values()].sort(), ['director any (director-any-sll1.pcap)', 'director any (director-any.pcap)', 'director eth0', 'rs1 eth0']);
    const cols = orderColumns(lanes, 'client', undefined, files).filter((c) => c.point >= 0);
    assert.deepEqual(cols.map(columnSub), ['any.pcap', 'any-sll1', 'eth0', 'eth0']);
  });

  it("flags the VIP sent to a real server's MAC by a router or client, not a director's own forwarding", function () {
    const lanes = [lane(0, 'client', 'client'), lane(1, 'router', 'router', 'eth1'), lane(2, 'director', 'director'), lane(3, 'rs1', 'real-server')];
    const roleOf = (p: number): Lane['role'] | undefined => lanes[p]?.role;
    const RS1 = '02:00:c0:00:02:0b';
    const vip = { src: '198.51.100.10', dst: '192.0.2.100' };
    // dr-arp-problem: client → router → rs1 (the router's ARP entry for the VIP is rs1's).
    const arp = { ...conn([hop(0, 'request', undefined, { ...vip, dstMac: 'r' }), hop(1, 'request', 0, { ...vip, dstMac: RS1, rewrite: 'mac' }), hop(3, 'request', 1, { ...vip, dstMac: RS1 })]), vip: '192.0.2.100' };
    const macs = realServerMacs(arp, (p) => lanes[p]);
    assert.deepEqual([...macs], [[RS1, 'rs1']]);
    assert.equal(bypassOf(arp, 1, roleOf, macs), 'rs1');
    assert.equal(bypassOf(arp, 2, roleOf, macs), undefined, "rs1's own copy: the same frame");
    assert.equal(bypassOf(arp, 0, roleOf, macs), undefined);
    // DR: the director re-addresses it to rs1 (its own forwarding), a router on the way does not matter.
    const ok = { ...conn([hop(0, 'request', undefined, { ...vip, dstMac: 'd' }), hop(2, 'request', 0, { ...vip, dstMac: 'd' }), hop(1, 'request', 1, { ...vip, dstMac: RS1, rewrite: 'mac' }), hop(3, 'request', 2, { ...vip, dstMac: RS1 })]), vip: '192.0.2.100' };
    assert.equal(bypassOf(ok, 2, roleOf, realServerMacs(ok, (p) => lanes[p])), undefined);
    // NAT: addressed to the real server's own address, not the VIP.
    const nat = { ...conn([hop(1, 'request', undefined, { src: 'c', dst: '10.0.0.11', dstMac: RS1 }), hop(3, 'request', 0, { src: 'c', dst: '10.0.0.11', dstMac: RS1 })]), vip: '192.0.2.100' };
    assert.equal(bypassOf(nat, 0, roleOf, realServerMacs(nat, (p) => lanes[p])), undefined);
  });

  it('marks the gaps where packets were not kept: one mark for adjacent hops, counted per point', function () {
    const hops = [hop(0, 'request'), hop(1, 'request', 0), hop(0, 'request', undefined, { omittedBefore: 1200 }), hop(1, 'request', 2, { omittedBefore: 1200 }), hop(1, 'reply'), hop(0, 'reply', 4, { omittedBefore: 3 })];
    const marks = gapMarks(hops);
    assert.deepEqual(marks, [
      { before: 2, points: [{ point: 0, count: 1200 }, { point: 1, count: 1200 }], total: 2400 },
      { before: 5, points: [{ point: 0, count: 3 }], total: 3 },
    ]);
    const name = (p: number): string => ['client eth0', 'director eth0'][p];
    assert.equal(gapText(marks[0], name), '1,200 packets at client eth0 and 1,200 at director eth0 not shown');
    assert.equal(gapText({ before: 0, points: [{ point: 1, count: 1 }], total: 1 }, name), '1 packet at director eth0 not shown');
    assert.deepEqual(gapMarks(hops, 2), [], 'only among the hops drawn');
  });

  it("says when a lane was not capturing, and marks the analysis' clock times as UTC", function () {
    const span = { start: 100, end: 200, recorded: true };
    assert.equal(laneBlindAt({ captureSpan: span }, 150), undefined);
    assert.equal(laneBlindAt({ captureSpan: span }, 100 - 5e-7), undefined, 'its first packet, give or take a microsecond');
    assert.deepEqual(laneBlindAt({ captureSpan: span }, 50), { why: 'before', recorded: true, at: 100 });
    assert.deepEqual(laneBlindAt({ captureSpan: { ...span, recorded: false } }, 250), { why: 'after', recorded: false, at: 200 });
    assert.deepEqual(laneBlindAt({ error: 'x', captureSpan: span }, 150), { why: 'unreadable' });
    assert.equal(blindText({ why: 'before', recorded: true, at: 1_764_000_002 }), 'its capture began at 16:00:02.000 UTC');
    assert.equal(blindText({ why: 'before', recorded: false, at: 1_764_000_002 }), 'before its first packet (16:00:02.000 UTC)');
    assert.equal(blindText({ why: 'after', recorded: true, at: 1_764_000_002.5 }), 'its capture ended at 16:00:02.500 UTC');
    assert.equal(markUtc("forwarded to rs2 before rs2's capture began (15:54:23.000): not known"), "forwarded to rs2 before rs2's capture began (15:54:23.000 UTC): not known");
    assert.equal(markUtc('from 15:54:23.000 to 15:54:24.5.'), 'from 15:54:23.000 UTC to 15:54:24.5 UTC.');
    assert.equal(markUtc('at 15:54:23.000 UTC'), 'at 15:54:23.000 UTC', 'said once');
    // The analysis writes its clock times with UTC: they are left as they are.
    for (const said of ["forwarded to rs2 before rs2's capture began (15:54:23.000 UTC): whether it arrived is not known", 'both advertise as VRRP master from 00:16:40.300 UTC to 00:16:49.000 UTC (8.7 s)', 'resigned (priority 0) at 15:54:23.000 UTC, 192.0.2.3']) {
      assert.equal(markUtc(said), said);
    }
    assert.equal(markUtc('is-at 02:00:00:00:00:01, fe80::12:34:56'), 'is-at 02:00:00:00:00:01, fe80::12:34:56', 'MACs and IPv6 addresses are not times');
    assert.equal(clockShift(50), '+50 ms');
    assert.equal(clockShift(-0.25), '−0.25 ms');
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
