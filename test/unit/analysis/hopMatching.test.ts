// Which sighting of a packet the hops call "the same packet seen earlier" (sameAs): never
// one further along the path (a later packet with the same headers, e.g. a second RST
// with IP ID 0, is a new packet, not a copy that travelled back), never more than
// MATCH_WINDOW_S before, and a point seeing a packet twice is a new packet unless it is
// the forwarded copy of an in/out pair. And a frame a point only overheard (a bridge
// flooding the DR director's copy to a real server it has not learnt yet, captured by
// the router's promiscuous tcpdump) is no hop: the path ends at the real server.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CaptureManifest, CapturePoint, HostRole } from '../../../src/core/capture/manifest';
import { readManifest } from '../../../src/core/capture/manifest';
import { MATCH_WINDOW_S, pathRank } from '../../../src/core/analysis/hops';
import { analyzeCapture, gatherFacts } from '../../../src/core/analysis/index';
import type { AnalysisResult, Hop } from '../../../src/core/analysis/result';
import { firstPacketPath } from '../../../src/core/analysis/text';
import { PcapWriter } from '../../../src/core/pcap/writer';
import { ether, ipv4, sll, tcp } from '../../helpers/frames';
import { hasSharedFixtures, labFixturesDir, labScenarioDirs, repoRoot, requireOrSkip } from '../../helpers/env';

const samplesDir = path.join(repoRoot, 'samples');
const sampleDirs = fs.existsSync(samplesDir)
  ? fs
      .readdirSync(samplesDir)
      .map((n) => path.join(samplesDir, n))
      .filter((d) => fs.existsSync(path.join(d, 'capture.json')))
  : [];

/** Whether each hop is a tunnel's outer packet (as far as its chain of copies says). */
function encapsulated(hops: Hop[]): boolean[] {
  const out: boolean[] = [];
  hops.forEach((h, i) => {
    const prev = h.sameAs;
    out[i] = h.rewrite === 'ipip' || (prev !== undefined && out[prev] && !(h.rewriteText ?? '').startsWith('decapsulated'));
  });
  return out;
}

const addressing = (h: Hop): string => [h.src, h.dst, h.sport, h.dport, h.srcMac, h.dstMac].join('|');

/** Every hop's sameAs: not further along the path, not too long before, and a second
 *  sighting at the same point only as a differently addressed (forwarded) copy. */
function assertSaneHops(roles: HostRole[], id: string, hops: Hop[]): void {
  const enc = encapsulated(hops);
  hops.forEach((h, i) => {
    if (h.sameAs === undefined) return;
    const j = h.sameAs;
    const prev = hops[j];
    const where = `${id} hop ${i} (${h.summary} at point ${h.ref.point} #${h.ref.n}) sameAs ${j} (point ${prev.ref.point} #${prev.ref.n})`;
    assert.ok(j < i, `${where}: sameAs an earlier hop`);
    assert.equal(prev.direction, h.direction, where);
    assert.ok(h.latencyMs !== undefined && h.latencyMs >= 0 && h.latencyMs <= MATCH_WINDOW_S * 1000, `${where}: latency ${h.latencyMs} ms`);
    const reply = h.direction === 'reply';
    const from = pathRank(roles[prev.ref.point], reply, enc[j]);
    const to = pathRank(roles[h.ref.point], reply, enc[i]);
    assert.ok(from <= to, `${where}: goes backwards along the path (${from} -> ${to})`);
    if (prev.ref.point === h.ref.point && enc[i] === enc[j]) assert.notEqual(addressing(h), addressing(prev), `${where}: the same frame seen twice at one point is not a forwarded copy`);
  });
}

/** Checks the hops of every connection of a capture folder; returns the facts' MACs. */
function checkFolder(dir: string): { conns: number } {
  const facts = gatherFacts(dir, readManifest(dir));
  const roles = facts.points.map((p) => p.spec.role);
  for (const c of facts.conns) {
    const hops = c.conn.hops;
    assertSaneHops(roles, `${path.basename(dir)} ${c.conn.id}`, hops);
    // No overheard frame: the director's frame to a real server, at a point that is
    // neither a director nor that real server.
    for (const h of hops) {
      const p = facts.points[h.ref.point].spec;
      if (p.role === 'director' || !h.srcMac || !h.dstMac || !facts.directorMacs.has(h.srcMac)) continue;
      const owner = facts.rsMacs.get(h.dstMac);
      assert.ok(owner === undefined || owner === p.realServer, `${path.basename(dir)} ${c.conn.id}: ${p.host} ${p.interface} #${h.ref.n} (${h.srcMac} > ${h.dstMac}, to ${owner}) overheard, shown as a hop`);
    }
  }
  return { conns: facts.conns.length };
}

/** A DR connection's first request path ends at its real server. */
function assertPathsEndAtRs(r: AnalysisResult, label: string): void {
  let checked = 0;
  for (const c of r.connections) {
    if (!c.realServer) continue;
    const p = firstPacketPath(r, c);
    assert.match(p, new RegExp(`→ ${c.realServer} [0-9.]+ms$`), `${label} ${c.id}: ${p}`);
    checked++;
  }
  assert.ok(checked > 0, `${label}: connections with a real server`);
}

describe('analysis: hop matching (sameAs) and overheard frames', function () {
  this.timeout(60000);

  describe('the bundled samples', function () {
    it('every hop is a copy of one before it on the path, within the match window', function () {
      let conns = 0;
      for (const dir of sampleDirs) conns += checkFolder(dir).conns;
      assert.ok(sampleDirs.length >= 7 && conns > 50, `${sampleDirs.length} folders, ${conns} connections`);
    });

    it('nat-wrong-gateway: the client RST sent again a second later is a new packet, not a copy that came back from rs2', async function () {
      const r = await analyzeCapture(path.join(samplesDir, 'nat-wrong-gateway'));
      const client = r.lanes.findIndex((l) => l.role === 'client');
      const resets = r.connections.filter((c) => c.state === 'reset');
      assert.ok(resets.length >= 4, `${resets.length} reset connections`);
      for (const c of resets) {
        const rsts = c.hops.filter((h) => h.ref.point === client && h.direction === 'request' && h.summary === 'R');
        assert.ok(rsts.length >= 2, `${c.id}: the client's RSTs`);
        for (const h of rsts) assert.equal(h.sameAs, undefined, `${c.id}: the client's RST #${h.ref.n} is where it was first seen`);
        // Each RST goes client → router → rs2, in well under the match window.
        for (const h of c.hops) if (h.summary === 'R' && h.sameAs !== undefined) assert.ok(h.latencyMs! < 100, `${c.id} #${h.ref.n}: ${h.latencyMs} ms`);
      }
    });

    for (const name of ['dr-vip-missing-on-lo', 'dr-healthy', 'dead-rs', 'dr-arp-problem']) {
      it(`${name}: the first request's path ends at the real server (no overheard frame at the router)`, async function () {
        const r = await analyzeCapture(path.join(samplesDir, name));
        assertPathsEndAtRs(r, name);
      });
    }

    it('dr-vip-missing-on-lo: the router\'s overheard copies are no hops; the connection, its real server and findings stay', async function () {
      const r = await analyzeCapture(path.join(samplesDir, 'dr-vip-missing-on-lo'));
      const c = r.connections.find((x) => x.clientPort === 41013 && x.protocol === 'tcp');
      assert.ok(c);
      assert.equal(c.realServer, 'rs2');
      assert.equal(c.state, 'no-reply');
      const router = r.lanes.findIndex((l) => l.role === 'router');
      const atRouter = c.hops.filter((h) => h.ref.point === router);
      assert.ok(atRouter.length > 0, 'the router still shows the client\'s frames to the director');
      assert.ok(
        atRouter.every((h) => h.dstMac !== '02:00:c0:00:02:0c'),
        `router hops: ${atRouter.map((h) => `#${h.ref.n} ${h.srcMac} > ${h.dstMac}`).join(', ')}`,
      );
      assert.equal(r.findings.filter((f) => f.severity !== 'info')[0]?.code, 'rs-no-reply');
    });

    it("dr-arp-problem: the router's own frames straight to rs1 stay on the path", async function () {
      const r = await analyzeCapture(path.join(samplesDir, 'dr-arp-problem'));
      const router = r.lanes.findIndex((l) => l.role === 'router');
      for (const c of r.connections) {
        const direct = c.hops.filter((h) => h.ref.point === router && h.dstMac === '02:00:c0:00:02:0b');
        assert.ok(direct.length > 0, `${c.id}: the router's frames to rs1`);
        assert.match(firstPacketPath(r, c), /router [0-9.]+ms \(MAC → 02:00:c0:00:02:0b \(rs1\)\) → rs1/);
      }
    });
  });

  describe('the real IPVS fixtures', function () {
    before(function () {
      requireOrSkip(this, hasSharedFixtures(), `shared lab fixtures in ${labFixturesDir}`);
    });

    it('every hop is a copy of one before it on the path, within the match window', function () {
      const dirs = labScenarioDirs();
      let conns = 0;
      for (const dir of dirs) conns += checkFolder(dir).conns;
      assert.ok(dirs.length >= 8 && conns > 20, `${dirs.length} folders, ${conns} connections`);
    });

    it('nat-wrong-gateway: the second RST of 41718 and 41744 is a new packet', async function () {
      const r = await analyzeCapture(path.join(labFixturesDir, 'nat-wrong-gateway'));
      const client = r.lanes.findIndex((l) => l.role === 'client');
      for (const port of [41718, 41744]) {
        const c = r.connections.find((x) => x.protocol === 'tcp' && x.clientPort === port);
        assert.ok(c, `connection ${port}`);
        assert.equal(c.realServer, 'rs2');
        const rsts = c.hops.filter((h) => h.ref.point === client && h.summary === 'R');
        assert.ok(rsts.length >= 2);
        assert.ok(rsts.every((h) => h.sameAs === undefined), `${port}: ${rsts.map((h) => `#${h.ref.n} sameAs ${h.sameAs} ${h.latencyMs} ms`).join(', ')}`);
      }
    });

    for (const name of ['dr-healthy', 'dr-arp-problem']) {
      it(`${name}: the first request's path ends at the real server`, async function () {
        const dir = path.join(labFixturesDir, name);
        requireOrSkip(this, fs.existsSync(path.join(dir, 'capture.json')), `lab fixture ${dir}/capture.json`);
        assertPathsEndAtRs(await analyzeCapture(dir), name);
      });
    }
  });

  describe('built captures', function () {
    const CLIENT = '198.51.100.10';
    const VIP = '192.0.2.100';
    const CLIENT_MAC = '02:00:c6:33:64:0a';
    const ROUTER_IN_MAC = '02:00:c6:33:64:01';
    const ROUTER_MAC = '02:00:c0:00:02:01';
    const DIRECTOR_MAC = '02:00:c0:00:02:02';
    const RS_MAC = '02:00:c0:00:02:0c';
    const OTHER_RS_MAC = '02:00:c0:00:02:0b';
    let tmp: string;
    let seq = 0;

    before(function () {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-hops-'));
    });
    after(function () {
      fs.rmSync(tmp, { recursive: true, force: true });
    });

    interface Opts {
      /** The director captures with `-i any` (Linux cooked): in copy and forwarded copy. */
      cooked?: boolean;
      /** The router's capture on the director's segment overhears the copy to rs2. */
      overheard?: boolean;
    }

    /**
     * DR, rs2 answers the client's SYN; the client resets (an RST with IP ID 0), then rs2
     * sends its SYN-ACK again a second later and the client sends the very same RST again.
     */
    function build(o: Opts): string {
      const dir = path.join(tmp, `case-${++seq}`);
      fs.mkdirSync(path.join(dir, 'pcap'), { recursive: true });
      const writers = new Map<string, PcapWriter>();
      const emit = (point: string, ts: number, frame: Uint8Array): void => {
        let w = writers.get(point);
        if (!w) writers.set(point, (w = new PcapWriter({ linkType: point === 'director' && o.cooked ? 113 : 1 })));
        w.add(ts, frame);
      };
      const cport = 41013;
      const isn = 1000;
      const sisn = 777000;
      // A request from the client along client → router → director (in, out) → rs2.
      const request = (t: number, id: number, flags: string, seqNo: number, ack: number): void => {
        const ip = ipv4({ src: CLIENT, dst: VIP, proto: 'tcp', id, df: true }, tcp({ sport: cport, dport: 80, flags, seq: seqNo, ack }));
        emit('client', t, ether({ src: CLIENT_MAC, dst: ROUTER_IN_MAC }, ip));
        emit('router', t + 0.0001, ether({ src: ROUTER_MAC, dst: DIRECTOR_MAC }, ip));
        if (o.cooked) {
          emit('director', t + 0.0002, sll({ packetType: 0, src: ROUTER_MAC }, ip));
          emit('director', t + 0.0003, sll({ packetType: 4, src: DIRECTOR_MAC }, ip));
        } else {
          emit('director', t + 0.0002, ether({ src: ROUTER_MAC, dst: DIRECTOR_MAC }, ip));
          emit('director', t + 0.0003, ether({ src: DIRECTOR_MAC, dst: RS_MAC }, ip));
        }
        emit('rs2', t + 0.0004, ether({ src: DIRECTOR_MAC, dst: RS_MAC }, ip));
        if (o.overheard) emit('router', t + 0.00045, ether({ src: DIRECTOR_MAC, dst: RS_MAC }, ip));
      };
      // A reply from rs2 straight to the router (DR), then to the client.
      const reply = (t: number, id: number, flags: string, seqNo: number, ack: number): void => {
        const ip = ipv4({ src: VIP, dst: CLIENT, proto: 'tcp', id, df: true }, tcp({ sport: 80, dport: cport, flags, seq: seqNo, ack }));
        emit('rs2', t, ether({ src: RS_MAC, dst: ROUTER_MAC }, ip));
        emit('router', t + 0.0001, ether({ src: RS_MAC, dst: ROUTER_MAC }, ip));
        emit('client', t + 0.0002, ether({ src: ROUTER_IN_MAC, dst: CLIENT_MAC }, ip));
      };
      const t0 = 1_700_000_000;
      request(t0, 0x1234, 'S', isn, 0);
      reply(t0 + 0.001, 0, 'S.', sisn, isn + 1);
      request(t0 + 0.002, 0, 'R', isn + 1, 0);
      reply(t0 + 1.001, 0, 'S.', sisn, isn + 1);
      request(t0 + 1.002, 0, 'R', isn + 1, 0);
      // Another connection, to rs1, so that both real servers' MACs are known.
      const ip1 = ipv4({ src: CLIENT, dst: VIP, proto: 'tcp', id: 0x2000, df: true }, tcp({ sport: 41014, dport: 80, flags: 'S', seq: 5000 }));
      const back1 = ipv4({ src: VIP, dst: CLIENT, proto: 'tcp', id: 0, df: true }, tcp({ sport: 80, dport: 41014, flags: 'S.', seq: 9000, ack: 5001 }));
      const t1 = t0 + 2.5;
      emit('client', t1, ether({ src: CLIENT_MAC, dst: ROUTER_IN_MAC }, ip1));
      emit('router', t1 + 0.0001, ether({ src: ROUTER_MAC, dst: DIRECTOR_MAC }, ip1));
      emit('director', t1 + 0.0002, o.cooked ? sll({ packetType: 0, src: ROUTER_MAC }, ip1) : ether({ src: ROUTER_MAC, dst: DIRECTOR_MAC }, ip1));
      emit('director', t1 + 0.0003, o.cooked ? sll({ packetType: 4, src: DIRECTOR_MAC }, ip1) : ether({ src: DIRECTOR_MAC, dst: OTHER_RS_MAC }, ip1));
      emit('rs1', t1 + 0.0004, ether({ src: DIRECTOR_MAC, dst: OTHER_RS_MAC }, ip1));
      emit('rs1', t1 + 0.001, ether({ src: OTHER_RS_MAC, dst: ROUTER_MAC }, back1));
      emit('router', t1 + 0.0011, ether({ src: OTHER_RS_MAC, dst: ROUTER_MAC }, back1));
      emit('client', t1 + 0.0012, ether({ src: ROUTER_IN_MAC, dst: CLIENT_MAC }, back1));

      const points: CapturePoint[] = [
        { host: 'client', role: 'client', interface: 'eth0', file: 'pcap/client-eth0.pcap' },
        { host: 'router', role: 'router', interface: 'eth1', file: 'pcap/router-eth1.pcap' },
        { host: 'director', role: 'director', interface: o.cooked ? 'any' : 'eth0', file: 'pcap/director.pcap' },
        { host: 'rs1', role: 'real-server', interface: 'eth0', file: 'pcap/rs1-eth0.pcap', realServer: 'rs1' },
        { host: 'rs2', role: 'real-server', interface: 'eth0', file: 'pcap/rs2-eth0.pcap', realServer: 'rs2' },
      ];
      const keys = ['client', 'router', 'director', 'rs1', 'rs2'];
      keys.forEach((k, i) => writers.get(k)!.writeFile(path.join(dir, points[i].file)));
      const manifest: CaptureManifest = {
        format: 1,
        target: { vip: VIP },
        services: [
          {
            protocol: 'tcp',
            vip: VIP,
            port: 80,
            method: 'dr',
            scheduler: 'rr',
            persistenceSeconds: 0,
            realServers: [
              { name: 'rs1', address: '192.0.2.11', port: 80, weight: 1 },
              { name: 'rs2', address: '192.0.2.12', port: 80, weight: 1 },
            ],
          },
        ],
        points,
      };
      fs.writeFileSync(path.join(dir, 'capture.json'), JSON.stringify(manifest, null, 2));
      return dir;
    }

    for (const cooked of [false, true]) {
      it(`DR${cooked ? ', director -i any' : ''}: the same RST sent again is a new packet; each is forwarded once`, async function () {
        const dir = build({ cooked });
        const r = await analyzeCapture(dir);
        const c = r.connections.find((x) => x.clientPort === 41013);
        assert.ok(c);
        assert.equal(c.realServer, 'rs2');
        assertSaneHops(r.manifest.points.map((p) => p.role), c.id, c.hops);
        const at = (host: string) => r.lanes.findIndex((l) => l.host === host);
        const rsts = c.hops.map((h, i) => ({ h, i })).filter(({ h }) => h.summary === 'R');
        // Two RSTs, each client → router → director (in, out) → rs2.
        assert.deepEqual(
          rsts.map(({ h }) => h.ref.point),
          [at('client'), at('router'), at('director'), at('director'), at('rs2'), at('client'), at('router'), at('director'), at('director'), at('rs2')],
        );
        for (const [k, { h, i }] of rsts.entries()) {
          if (k % 5 === 0) {
            assert.equal(h.sameAs, undefined, `the client's RST #${h.ref.n} is a first sighting`);
            continue;
          }
          assert.equal(h.sameAs, rsts[k - 1].i, `RST hop ${i} is the copy of the one just before it on the path`);
          assert.ok(h.latencyMs! < 1, `RST hop ${i}: ${h.latencyMs} ms`);
        }
        assert.equal(rsts[3].h.rewrite, 'mac', 'the director\'s forwarded copy');
        assert.equal(rsts[8].h.rewrite, 'mac', 'the director\'s forwarded copy of the second RST');
      });
    }

    it('DR: the router overhearing the director\'s copy to rs2 changes no hop path, real server or finding', async function () {
      const plain = await analyzeCapture(build({}));
      const flooded = await analyzeCapture(build({ overheard: true }));
      const router = flooded.lanes.findIndex((l) => l.role === 'router');
      assert.deepEqual(
        flooded.connections.map((c) => [c.id, c.realServer, c.state]),
        plain.connections.map((c) => [c.id, c.realServer, c.state]),
      );
      assert.deepEqual(
        flooded.findings.map((f) => [f.code, f.realServer, f.message]),
        plain.findings.map((f) => [f.code, f.realServer, f.message]),
      );
      for (const c of flooded.connections) {
        const p = plain.connections.find((x) => x.id === c.id)!;
        assert.ok(c.hops.every((h) => h.ref.point !== router || h.dstMac !== RS_MAC), `${c.id}: no overheard hop`);
        // The same hops but for the overheard frames' packet numbers at the router.
        const strip = (hs: Hop[]) => hs.map((h) => [h.ref.point, h.summary, h.srcMac, h.dstMac, h.sameAs, h.rewrite].join(' '));
        assert.deepEqual(strip(c.hops), strip(p.hops), c.id);
        assert.equal(firstPacketPath(flooded, c), firstPacketPath(plain, c));
      }
      assertPathsEndAtRs(flooded, 'flooded');
    });
  });
});
