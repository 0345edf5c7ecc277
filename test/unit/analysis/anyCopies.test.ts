// A host captured on `any` (Linux cooked capture: no destination MAC, one source MAC) and on
// its interfaces at once records one packet several times. Those copies are no rewrites: a
// director's forwarding is one rewrite (DR's MAC, NAT's address, TUN's outer header), named
// once, on the first sighting of the frame it sent out, with the real server's MAC when any
// capture of that frame shows it. And the next host's sighting is linked (sameAs) to the
// frame as the interface it left by captured it, not to the `any` copy.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeCapture } from '../../../src/core/analysis/index';
import type { AnalysisResult, Connection, Hop } from '../../../src/core/analysis/result';
import { firstPacketPath } from '../../../src/core/analysis/text';
import { hasSharedFixtures, labFixturesDir, requireOrSkip } from '../../helpers/env';
import { DIRECTOR_MAC, SynthLab, type SynthOptions } from './synth';

const RS2_MAC = '02:00:c0:00:02:0c';
const RS2_NAT_MAC = '02:00:0a:00:00:0c';
const GENERIC = 'forwarded (destination MAC rewritten)';

/** Per hop, the first sighting of its packet (following sameAs back). */
function packetOf(hops: Hop[]): number[] {
  const out: number[] = [];
  hops.forEach((h, i) => (out[i] = h.sameAs === undefined ? i : out[h.sameAs]));
  return out;
}

/** The hops of each packet (first sighting → its hops), in hop order. */
function packets(hops: Hop[]): Map<number, number[]> {
  const of = packetOf(hops);
  const out = new Map<number, number[]>();
  of.forEach((p, i) => {
    const list = out.get(p);
    if (list) list.push(i);
    else out.set(p, [i]);
  });
  return out;
}

const rewritten = (h: Hop): boolean => h.rewrite !== undefined && h.rewrite !== 'none';

function describeHops(r: AnalysisResult, c: Connection, which: number[]): string {
  return which
    .map((i) => {
      const h = c.hops[i];
      const l = r.lanes[h.ref.point];
      return `  ${i} ${l.host}/${l.interface} ${h.direction} ${h.summary} ${h.srcMac ?? '-'} > ${h.dstMac ?? '-'} ${h.rewrite ?? ''} ${h.rewriteText ?? ''} sameAs ${h.sameAs ?? '-'}`;
    })
    .join('\n');
}

/**
 * Checks one connection: each packet's rewrites are exactly `want` (by kind, in path order);
 * no hop that is another capture of the frame the hop it links to shows (same host, same
 * source MAC, same addresses) is a rewrite; a hop at another host is never linked to an `any`
 * copy of a frame that a named interface of that host captured too.
 */
function checkConnection(r: AnalysisResult, c: Connection, want: (hops: Hop[], list: number[]) => string[]): void {
  const hops = c.hops;
  const lane = (h: Hop) => r.lanes[h.ref.point];
  for (const [first, list] of packets(hops)) {
    const where = `${c.id} packet first seen at hop ${first}:\n${describeHops(r, c, list)}`;
    assert.deepEqual(list.filter((i) => rewritten(hops[i])).map((i) => hops[i].rewrite), want(hops, list), where);
    for (const i of list) {
      const h = hops[i];
      if (h.sameAs === undefined) continue;
      const prev = hops[h.sameAs];
      const sameFrame = h.srcMac !== undefined && h.srcMac === prev.srcMac && h.src === prev.src && h.dst === prev.dst && h.sport === prev.sport && h.dport === prev.dport;
      if (sameFrame && lane(h).host === lane(prev).host) assert.ok(!rewritten(h), `${where}\nhop ${i}: another capture of the frame of hop ${h.sameAs}, no rewrite`);
      if (lane(h).host !== lane(prev).host && lane(prev).interface === 'any') {
        const named = list.some((k) => k < i && lane(hops[k]).host === lane(prev).host && lane(hops[k]).interface !== 'any' && hops[k].srcMac === prev.srcMac && hops[k].dst === prev.dst && hops[k].dport === prev.dport);
        assert.ok(!named, `${where}\nhop ${i} is linked to the any copy ${h.sameAs}, not to the interface's own capture of that frame`);
      }
    }
  }
}

/** Where the packet was seen past the client, and was it forwarded by the director. */
function forwarded(r: AnalysisResult, hops: Hop[], list: number[]): boolean {
  return list.some((i) => r.lanes[hops[i].ref.point].role === 'real-server') || list.some((i) => hops[i].srcMac === DIRECTOR_MAC && r.lanes[hops[i].ref.point].role === 'director');
}

describe('analysis: a host captured on `any` and on its interfaces (hop rewrites and links)', function () {
  this.timeout(60000);

  describe('built captures', function () {
    let tmp: string;
    let seq = 0;
    before(function () {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-any-'));
    });
    after(function () {
      fs.rmSync(tmp, { recursive: true, force: true });
    });

    async function run(o: SynthOptions, more?: (l: SynthLab) => void): Promise<AnalysisResult> {
      const l = new SynthLab(path.join(tmp, `case-${++seq}`), o);
      l.tcpConnection(1000, 41013, 'rs2');
      l.tcpConnection(1001, 41014, 'rs1');
      more?.(l);
      return analyzeCapture(l.write());
    }

    const at = (r: AnalysisResult, c: Connection, i: number): string => `${r.lanes[c.hops[i].ref.point].host}/${r.lanes[c.hops[i].ref.point].interface}`;

    /** DR: each request the director forwarded is one MAC rewrite, at the director, named on
     *  the first sighting of the frame it sent out, with the real server's MAC. */
    function checkDr(r: AnalysisResult, rsMac: string, rsName: string): void {
      const c = r.connections.find((x) => x.clientPort === 41013);
      assert.ok(c);
      assert.equal(c.realServer, rsName);
      checkConnection(r, c, (hops, list) => (hops[list[0]].direction === 'request' && forwarded(r, hops, list) ? ['mac'] : []));
      const hops: Hop[] = c.hops;
      let requests = 0;
      for (const list of packets(hops).values()) {
        if (hops[list[0]].direction !== 'request') continue;
        requests++;
        const mac: number | undefined = list.find((i) => hops[i].rewrite === 'mac');
        const out: number | undefined = list.find((i) => hops[i].srcMac === DIRECTOR_MAC);
        assert.ok(mac !== undefined, describeHops(r, c, list));
        assert.equal(mac, out, `${c.id}: the MAC rewrite is on the first sighting of the director's frame\n${describeHops(r, c, list)}`);
        assert.equal(hops[mac].rewriteText, `MAC → ${rsMac} (${rsName})`, describeHops(r, c, list));
        assert.equal(r.lanes[hops[mac].ref.point].role, 'director');
      }
      assert.ok(requests >= 4, `${requests} requests`);
      assert.match(firstPacketPath(r, c), new RegExp(`^S: client → director [0-9.]+ms \\(MAC → ${rsMac} \\(${rsName}\\)\\) → ${rsName} [0-9.]+ms$`));
    }

    it('DR, director on any (SLL), any (SLL2) and eth0: one MAC rewrite per request, named on its first sighting; the copies are none; rs2 links to eth0', async function () {
      const r = await run({ method: 'dr', directorAny: ['sll', 'sll2'] });
      checkDr(r, RS2_MAC, 'rs2');
      const c = r.connections.find((x) => x.clientPort === 41013)!;
      // The SYN: client, any, any, eth0 (in); any, any, eth0 (out); rs2.
      assert.deepEqual(
        c.hops.slice(0, 8).map((h, i) => `${at(r, c, i)} ${h.rewrite ?? '-'} ${h.sameAs ?? '-'}`),
        ['client/eth0 - -', 'director/any none 0', 'director/any none 1', 'director/eth0 none 2', 'director/any mac 3', 'director/any none 4', 'director/eth0 none 5', 'rs2/eth0 none 6'],
      );
      assert.equal(c.hops[4].rewriteText, `MAC → ${RS2_MAC} (rs2)`);
      assert.equal(c.hops[5].rewriteText, undefined);
      assert.equal(c.hops[6].rewriteText, undefined);
    });

    it('DR, director on eth0, then any: the any copy of the frame sent out is none; rs2 links to eth0 (latency from there)', async function () {
      const r = await run({ method: 'dr', directorAny: ['sll2'], directorAnyLast: true });
      checkDr(r, RS2_MAC, 'rs2');
      const c = r.connections.find((x) => x.clientPort === 41013)!;
      assert.deepEqual(
        c.hops.slice(0, 6).map((h, i) => `${at(r, c, i)} ${h.rewrite ?? '-'} ${h.sameAs ?? '-'}`),
        ['client/eth0 - -', 'director/eth0 none 0', 'director/any none 1', 'director/eth0 mac 2', 'director/any none 3', 'rs2/eth0 none 3'],
      );
      assert.equal(c.hops[5].latencyMs, 0.2);
    });

    it('DR, director on any alone: the forwarded copy names the real server MAC its capture shows; the real server\'s copy is none', async function () {
      const r = await run({ method: 'dr', directorAny: ['sll2'], points: ['client', 'director-any', 'rs1', 'rs2'] });
      checkDr(r, RS2_MAC, 'rs2');
      const c = r.connections.find((x) => x.clientPort === 41013)!;
      assert.deepEqual(
        c.hops.slice(0, 4).map((h, i) => `${at(r, c, i)} ${h.rewrite ?? '-'} ${h.rewriteText ?? '-'}`),
        ['client/eth0 - -', 'director/any none -', `director/any mac MAC → ${RS2_MAC} (rs2)`, 'rs2/eth0 none -'],
      );
    });

    it('DR, director on any alone and its frame captured nowhere further: the generic forwarded text stays', async function () {
      const r = await run({ method: 'dr', directorAny: ['sll2'], points: ['client', 'director-any'] });
      const c = r.connections.find((x) => x.clientPort === 41013)!;
      const mac = c.hops.filter((h) => h.rewrite === 'mac');
      assert.ok(mac.length >= 4);
      assert.ok(mac.every((h) => h.rewriteText === GENERIC && h.srcMac === DIRECTOR_MAC));
    });

    it('NAT, director on any, eth0 and eth1: DNAT and SNAT once each, no MAC rewrite; rs2 and the client link to the eth1 and eth0 copies', async function () {
      const r = await run({ method: 'nat', rsPort: 8080, directorAny: ['sll2'] });
      const c = r.connections.find((x) => x.clientPort === 41013);
      assert.ok(c);
      assert.equal(c.realServer, 'rs2');
      checkConnection(r, c, (hops, list) => (hops[list[0]].direction === 'request' ? ['dnat'] : ['snat']));
      assert.ok(c.hops.every((h) => h.rewrite !== 'mac'), 'NAT has no MAC rewrite to report');
      assert.deepEqual(
        c.hops.slice(0, 12).map((h, i) => `${at(r, c, i)} ${h.rewrite ?? '-'} ${h.sameAs ?? '-'}`),
        [
          'client/eth0 - -',
          'director/any none 0',
          'director/eth0 none 1',
          'director/eth1 dnat 2',
          'director/any none 3',
          'rs2/eth0 none 3',
          'rs2/eth0 - -',
          'director/any none 6',
          'director/eth1 none 7',
          'director/eth0 snat 8',
          'director/any none 9',
          'client/eth0 none 9',
        ],
      );
      assert.equal(c.hops[5].dstMac, RS2_NAT_MAC);
      assert.equal(c.hops[5].latencyMs, 0.2);
      assert.equal(c.hops[11].latencyMs, 0.5);
    });

    it('TUN, director on any and eth0: IPIP once; the eth0 copy of the tunnelled frame is no MAC rewrite', async function () {
      const rs = [
        { name: 'rs1', address: '203.0.113.11', mac: '02:00:cb:00:71:0b' },
        { name: 'rs2', address: '203.0.113.12', mac: '02:00:cb:00:71:0c' },
      ];
      const r = await run({ method: 'tun', rs, directorAny: ['sll2'] });
      const c = r.connections.find((x) => x.clientPort === 41013);
      assert.ok(c);
      checkConnection(r, c, (hops, list) => (hops[list[0]].direction === 'request' ? ['ipip'] : []));
      assert.deepEqual(
        c.hops.slice(0, 6).map((h, i) => `${at(r, c, i)} ${h.rewrite ?? '-'} ${h.sameAs ?? '-'}`),
        ['client/eth0 - -', 'director/any none 0', 'director/eth0 none 1', 'director/any ipip 2', 'director/eth0 none 3', 'rs2/eth0 none 4'],
      );
    });
  });

  describe('the real IPVS fixtures', function () {
    before(function () {
      requireOrSkip(this, hasSharedFixtures(), `shared lab fixtures in ${labFixturesDir}`);
    });

    it('dr-healthy: each forwarded request is one MAC rewrite, on the first sighting of the frame sent out (tcp:…:48844 hop 5, not hops 6 and 7)', async function () {
      const r = await analyzeCapture(path.join(labFixturesDir, 'dr-healthy'));
      assert.equal(r.connections.length, 7);
      for (const c of r.connections) {
        assert.ok(c.realServer, c.id);
        checkConnection(r, c, (hops, list) => (hops[list[0]].direction === 'request' && forwarded(r, hops, list) ? ['mac'] : []));
        const rsMac = c.realServer === 'rs1' ? '02:00:c0:00:02:0b' : RS2_MAC;
        for (const list of packets(c.hops).values()) {
          const mac = list.filter((i) => c.hops[i].rewrite === 'mac');
          if (mac.length === 0) continue;
          assert.equal(c.hops[mac[0]].rewriteText, `MAC → ${rsMac} (${c.realServer})`, `${c.id}\n${describeHops(r, c, list)}`);
        }
      }
      const c = r.connections.find((x) => x.id.endsWith(':48844'));
      assert.ok(c);
      assert.deepEqual(
        c.hops.slice(4, 9).map((h) => [h.rewrite, h.rewriteText]),
        [
          ['none', undefined],
          ['mac', `MAC → ${RS2_MAC} (rs2)`],
          ['none', undefined],
          ['none', undefined],
          ['none', undefined],
        ],
      );
      assert.equal(c.hops[8].sameAs, 7, 'rs2 links to the eth0 copy');
      assert.equal(r.lanes[c.hops[7].ref.point].interface, 'eth0');
    });

    it('nat-healthy: no MAC rewrite; the any copy of a frame seen on eth1 is none (tcp:198.51.100.10:35818 hop 4); rs2 and the client link to the interfaces\' copies', async function () {
      const r = await analyzeCapture(path.join(labFixturesDir, 'nat-healthy'));
      for (const c of r.connections) {
        assert.ok(c.hops.every((h) => h.rewrite !== 'mac'), `${c.id}: NAT has no MAC rewrite to report`);
        checkConnection(r, c, (hops, list) => list.filter((i) => rewritten(hops[i])).map((i) => hops[i].rewrite!).filter((w) => w === 'dnat' || w === 'snat'));
      }
      const c = r.connections.find((x) => x.id === 'tcp:198.51.100.10:35818');
      assert.ok(c);
      const iface = (i: number) => `${r.lanes[c.hops[i].ref.point].host}/${r.lanes[c.hops[i].ref.point].interface}`;
      assert.equal(iface(4), 'director/any');
      assert.deepEqual([c.hops[4].rewrite, c.hops[4].rewriteText], ['none', undefined]);
      assert.equal(iface(5), 'rs2/eth0');
      assert.equal(c.hops[5].sameAs, 3, 'rs2 links to the eth1 copy');
      assert.equal(iface(3), 'director/eth1');
      assert.equal(c.hops[5].latencyMs, 0.023);
      assert.equal(iface(10), 'director/any');
      assert.deepEqual([c.hops[10].rewrite, c.hops[10].rewriteText], ['none', undefined]);
      assert.equal(iface(11), 'client/eth0');
      assert.equal(c.hops[11].sameAs, 9, 'the client links to the eth0 copy');
      assert.equal(c.hops[11].latencyMs, 0.099);
    });
  });
});
