// The flow table's fast path (fields read straight from the reader's buffer) must leave
// exactly the state the full decoder leaves: every flow counter, small list and packet
// record, on every real capture we have and on frames built to hit each of its exits.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { readManifest, type CaptureManifest } from '../../../src/core/capture/manifest';
import { ServiceMap } from '../../../src/core/analysis/endpoints';
import { PointTable } from '../../../src/core/analysis/flowTable';
import { decodeFrame } from '../../../src/core/decode/index';
import type { RawFrame } from '../../../src/core/pcap/frame';
import { readFrames, readFramesReusingFrame } from '../../../src/core/pcap/read';
import { hasSharedFixtures, labFixturesDir, repoRoot } from '../../helpers/env';
import { ether, ipv4, sll, sll2, tcp, udp } from '../../helpers/frames';

/** Everything a table holds, as comparable JSON (records resolved per flow). */
function snapshot(t: PointTable): unknown {
  const s = t.records;
  const flows = t.allFlows().map((f) => {
    const rest = f.toJSON();
    const records = f.recordIndices().map((i) => ({
      n: s.n[i],
      ts: s.ts[i],
      reply: s.reply(i),
      dup: s.dup(i),
      flagBits: s.flagBits(i),
      seq: s.seq[i],
      ack: s.ack[i],
      len: s.len[i],
      ipId: s.ipId(i),
      sport: s.sport(i),
      dport: s.dport(i),
      sig: s.sig(i),
      addr: s.addr(i),
      note: s.note(i),
    }));
    return { ...rest, records };
  });
  return {
    packets: t.packets,
    first: t.first,
    last: t.last,
    ignored: t.ignored,
    otherFlows: t.otherFlows,
    flows,
    arp: t.arp,
    vrrp: [...t.vrrp.values()],
    fragNeeded: t.fragNeeded,
    macClaims: [...t.macClaims].map(([k, v]) => [k, [...v]]),
    srcMacByIp: [...t.srcMacByIp],
    acceptCounts: [...t.acceptCounts],
    macCounts: [...t.macCounts],
    ipCounts: [...t.ipCounts],
  };
}

/** Feeds frames both ways; returns how many took the fast path. */
function compare(frames: (each: (f: RawFrame) => void) => void, services: ServiceMap, learns: boolean, label: string): number {
  const fast = new PointTable(0, services, learns);
  const full = new PointTable(0, services, learns);
  let fastHits = 0;
  frames((f) => {
    const ok = fast.consumeFrame(f);
    if (ok) fastHits++;
    else fast.consume(decodeFrame(f));
    full.consume(decodeFrame(f));
  });
  assert.deepStrictEqual(snapshot(fast), snapshot(full), label);
  return fastHits;
}

function captureFolders(): string[] {
  const roots = [path.join(repoRoot, 'samples')];
  if (hasSharedFixtures()) roots.push(labFixturesDir);
  const out: string[] = [];
  for (const root of roots) {
    for (const e of fs.readdirSync(root, { withFileTypes: true })) {
      if (e.isDirectory() && fs.existsSync(path.join(root, e.name, 'capture.json'))) out.push(path.join(root, e.name));
    }
  }
  return out;
}

function frameSource(frames: Uint8Array[], linkType: number): (each: (f: RawFrame) => void) => void {
  return (each) =>
    frames.forEach((data, k) => each({ n: k + 1, ts: 1795600000 + k / 1000, caplen: data.length, wirelen: data.length, linkType, ifIndex: 0, data, offset: 0 }));
}

const VIP = '192.0.2.100';
const manifest: CaptureManifest = {
  format: 1,
  target: { vip: VIP, protocol: 'tcp', port: 80 },
  services: [
    { protocol: 'tcp', vip: VIP, port: 80, method: 'dr', scheduler: 'rr', persistenceSeconds: 0, realServers: [{ name: 'rs1', address: '192.0.2.11', port: 80, weight: 1 }] },
    { protocol: 'udp', vip: VIP, port: 53, method: 'dr', scheduler: 'rr', persistenceSeconds: 0, realServers: [{ name: 'rs1', address: '192.0.2.11', port: 53, weight: 1 }] },
  ],
  points: [],
};

describe('analysis: flow table fast path', function () {
  this.timeout(120000);

  it('leaves the same state as the full decoder on every capture folder', function () {
    const folders = captureFolders();
    assert.ok(folders.length >= 8, `expected the bundled samples at least, found ${folders.length}`);
    let fastTotal = 0;
    let files = 0;
    for (const dir of folders) {
      const m = readManifest(dir);
      const services = new ServiceMap(m);
      for (const p of m.points) {
        const file = path.join(dir, p.file);
        if (!fs.existsSync(file)) continue;
        files++;
        const each = (cb: (f: RawFrame) => void) => void readFramesReusingFrame(file, (f) => cb(f));
        // As the analysis runs it (real servers learn who they are), and without learning.
        fastTotal += compare(each, services, p.role === 'real-server', `${dir} ${p.file}`);
        fastTotal += compare(each, services, false, `${dir} ${p.file} (no learning)`);
      }
    }
    assert.ok(files > 20, `read ${files} capture files`);
    assert.ok(fastTotal > 1000, `the fast path took ${fastTotal} frames`);
  });

  it('agrees with the full decoder on frames with damaged headers (fast-check)', function () {
    // Real frames of the bundled DR and NAT samples, TCP and UDP, both link types of the lab.
    const frames: Array<{ data: Uint8Array; linkType: number }> = [];
    for (const name of ['dr-healthy', 'nat-healthy', 'dead-rs', 'tun-healthy']) {
      const dir = path.join(repoRoot, 'samples', name);
      for (const p of readManifest(dir).points) {
        readFrames(path.join(dir, p.file), (f) => {
          if (frames.length < 400 && f.n % 7 === 1) frames.push({ data: Uint8Array.from(f.data), linkType: f.linkType });
        });
      }
    }
    // The same IPv4 packets as Linux cooked v2 frames (the lab's tcpdump writes v1), and
    // with an 802.1Q tag (or two: 802.1ad outside), as on a trunk port.
    for (const f of frames.slice(0, 150)) {
      if (f.linkType !== 1 || f.data[12] !== 0x08 || f.data[13] !== 0x00) continue;
      frames.push({ data: sll2({ packetType: f.data[0] & 1 ? 4 : 0, src: '02:00:c0:00:02:01' }, f.data.subarray(14)), linkType: 276 });
      const tagged = new Uint8Array([...f.data.subarray(0, 12), 0x81, 0x00, 0x00, 0x64, ...f.data.subarray(12)]);
      frames.push({ data: tagged, linkType: 1 });
      frames.push({ data: new Uint8Array([...f.data.subarray(0, 12), 0x88, 0xa8, 0x00, 0x0a, ...tagged.subarray(12)]), linkType: 1 });
    }
    assert.ok(frames.some((f) => f.linkType === 276));
    const services = new ServiceMap(readManifest(path.join(repoRoot, 'samples', 'dr-healthy')));
    const damage = fc.array(fc.record({ frame: fc.nat(), at: fc.integer({ min: 0, max: 80 }), value: fc.integer({ min: 0, max: 255 }), cut: fc.option(fc.integer({ min: 0, max: 90 })) }), { minLength: 1, maxLength: 30 });
    fc.assert(
      fc.property(damage, (hits) => {
        const picked = hits.map((h) => {
          const f = frames[h.frame % frames.length];
          const data = f.data.slice(0, h.cut ?? f.data.length);
          if (h.at < data.length) data[h.at] = h.value;
          return { data, linkType: f.linkType };
        });
        const each = (cb: (f: RawFrame) => void): void =>
          picked.forEach((f, k) => cb({ n: k + 1, ts: 1795600000 + k / 100, caplen: f.data.length, wirelen: f.data.length, linkType: f.linkType, ifIndex: 0, data: f.data, offset: 0 }));
        compare(each, services, false, 'damaged frames');
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with the full decoder when flows of many clients interleave (fast-check)', function () {
    // A fresh flow's first request, forwarded copy and reply copy what an earlier flow with
    // the same addresses and MACs got (FlowColumns.recallFirst()): interleaved clients, MACs,
    // forwarded copies, replies and frames of the same flows taken by the full decoder.
    const clients = ['198.51.100.7', '198.51.100.8', '203.0.113.9'];
    const macs = ['02:00:00:00:00:01', '02:00:00:00:00:02', '02:00:00:00:00:03'];
    const services = new ServiceMap(manifest);
    const packet = fc.record({
      client: fc.nat(2),
      port: fc.integer({ min: 40000, max: 40003 }),
      reply: fc.boolean(),
      copied: fc.boolean(),
      srcMac: fc.nat(2),
      dstMac: fc.nat(2),
      flags: fc.constantFrom('S', '.', 'P.', 'F.', 'S.'),
      seq: fc.nat(3),
      decoded: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(packet, { minLength: 1, maxLength: 40 }), (list) => {
        const frames: Uint8Array[] = [];
        for (const q of list) {
          const client = clients[q.client];
          const l4 = q.reply ? tcp({ sport: 80, dport: q.port, flags: q.flags, seq: q.seq * 100, ack: 1 }) : tcp({ sport: q.port, dport: 80, flags: q.flags, seq: q.seq * 100, ack: 1 });
          // A fragment (offset 0, more fragments) goes to the full decoder.
          const ip = ipv4({ src: q.reply ? VIP : client, dst: q.reply ? client : VIP, proto: 'tcp', id: q.seq, ...(q.decoded ? { mf: true } : {}) }, l4);
          frames.push(ether({ src: macs[q.srcMac], dst: macs[q.dstMac] }, ip));
          if (q.copied) frames.push(ether({ src: macs[q.dstMac], dst: macs[(q.dstMac + 1) % 3] }, ip));
        }
        compare(frameSource(frames, 1), services, false, 'interleaved flows');
      }),
      { numRuns: 300 },
    );
  });

  it('hands every frame it cannot read exactly to the full decoder', function () {
    const c = { src: '198.51.100.7', dst: VIP };
    const mac = { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' };
    const data = new TextEncoder().encode('HTTP/1.1 503 Service Unavailable\r\n');
    const syn = tcp({ sport: 40000, dport: 80, flags: 'S', seq: 1000 });
    const reply = ipv4({ src: VIP, dst: c.src, proto: 'tcp' }, tcp({ sport: 80, dport: 40000, flags: 'P.', seq: 5, ack: 1001 }, data));
    const synIp = ipv4({ ...c, proto: 'tcp', df: true }, syn);
    // IPv4 total length 0 (TSO), options, an Ethernet trailer, a truncated TCP header, a
    // bad data offset, a fragment, a VLAN tag, UDP with a bad length, a new ISN on one port.
    const tso = synIp.slice();
    tso[2] = 0;
    tso[3] = 0;
    const withOptions = ipv4({ ...c, proto: 'tcp', options: new Uint8Array([1, 1, 1, 0]) }, syn);
    const trailer = new Uint8Array([...ether({ ...mac }, synIp), 0, 0, 0, 0, 0, 0]);
    const shortTcp = ipv4({ ...c, proto: 'tcp' }, syn.subarray(0, 12));
    const badOffset = syn.slice();
    badOffset[12] = 0x40;
    const fragment = ipv4({ ...c, proto: 'tcp', fragOffset: 8 }, syn);
    const vlanFrame = ether({ ...mac, vlan: 10 }, synIp);
    const vlanArp = new Uint8Array([...vlanFrame.subarray(0, 16), 0x08, 0x06, ...vlanFrame.subarray(18)]);
    const udpOk = ipv4({ ...c, proto: 'udp' }, udp({ sport: 5353, dport: 53 }, new Uint8Array(20)));
    const udpBad = udpOk.slice();
    udpBad[24] = 0;
    udpBad[25] = 4;
    const newIsn = ipv4({ ...c, proto: 'tcp' }, tcp({ sport: 40000, dport: 80, flags: 'S', seq: 999999 }));
    const other = ipv4({ src: '10.9.9.9', dst: '10.8.8.8', proto: 'tcp' }, tcp({ sport: 1, dport: 2, flags: 'S.' }));
    const ips = [synIp, tso, withOptions, shortTcp, ipv4({ ...c, proto: 'tcp' }, badOffset), fragment, reply, synIp, udpOk, udpBad, newIsn, reply, other, other];
    const services = new ServiceMap(manifest);
    const eth = [...ips.map((ip) => ether({ ...mac }, ip)), trailer, vlanFrame, vlanArp, vlanFrame.subarray(0, 37)];
    const fastEth = compare(frameSource(eth, 1), services, false, 'Ethernet');
    // One 802.1Q tag takes the fast path; two tags, ARP behind a tag and a cut tag do not.
    const qinq = ether({ ...mac, vlan: [10, 20] }, synIp);
    assert.equal(compare(frameSource([vlanFrame, qinq, vlanArp, vlanFrame.subarray(0, 37)], 1), services, false, 'VLAN'), 1);
    assert.ok(fastEth > 0 && fastEth < eth.length, `some frames take the fast path, some do not (${fastEth}/${eth.length})`);
    const cooked = ips.flatMap((ip, k) => [sll({ packetType: k % 2 ? 4 : 0, src: mac.src }, ip), sll({ packetType: 4, src: mac.src }, ip)]);
    assert.ok(compare(frameSource(cooked, 113), services, false, 'Linux cooked') > 0);
    // v2 (tcpdump -i any since 4.99), also with an address that is not a MAC.
    const cooked2 = ips.flatMap((ip, k) => [sll2({ packetType: k % 2 ? 4 : 0, src: mac.src }, ip), sll2({ packetType: 4, src: mac.src }, ip)]);
    const noMac = sll2({ packetType: 0 }, synIp);
    noMac[11] = 4;
    const fastV2 = compare(frameSource([...cooked2, noMac], 276), services, false, 'Linux cooked v2');
    assert.ok(fastV2 > 0 && fastV2 < cooked2.length + 1, `v2: some frames take the fast path, some do not (${fastV2})`);
    assert.equal(compare(frameSource(cooked2, 276), services, true, 'Linux cooked v2, learning'), fastV2 - 1);
    // A real server's point learns its own address and MAC on the fast path too.
    assert.equal(compare(frameSource(eth, 1), services, true, 'learning'), fastEth);
  });
});
