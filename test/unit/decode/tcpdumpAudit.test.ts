// Regressions from the audit against tcpdump 4.99.3 on crafted inputs: TCP flag letter
// order, nanosecond timestamps truncated (not rounded) to the microsecond, VRRP message
// type and authentication, VLAN priority and DEI, a TCP data offset past the IP payload.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeFrame, formatPacketLine, formatTimestamp, packetToJson, readPackets, TCP_FLAG_STRINGS, type Packet } from '../../../src/core/decode';
import { PcapngWriter, PcapWriter, readFramesFromBuffer } from '../../../src/core/pcap';
import { hasCommand, requireOrSkip } from '../../helpers/env';
import { ether, ipv4, tcp, vrrp } from '../../helpers/frames';
import { writeSyntheticCaptures } from './synthetic';
import { decodeBytes } from './util';

const A = '02:00:00:00:00:0a';
const B = '02:00:00:00:00:0b';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-audit-'));

function segment(flags: string): Uint8Array {
  return ether({ src: A, dst: B }, ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 'tcp' }, tcp({ sport: 1, dport: 2, flags, seq: 5, ack: 7 })));
}

/** Decodes every frame of a file through the reused-frame reader (what the CLI uses). */
function decodeFile(file: string): string[] {
  const out: string[] = [];
  readPackets(file, (p) => void out.push(formatPacketLine(p)));
  return out;
}

describe('decoder: tcpdump parity (audit of crafted inputs)', function () {
  describe('TCP flag letters', function () {
    it("puts ACK's '.' before U, E and W, as tcpdump does", function () {
      const cases: Array<[string, string]> = [
        ['SAE', 'S.E'],
        ['AE', '.E'],
        ['FAE', 'F.E'],
        ['SAW', 'S.W'],
        ['PAUEW', 'P.UEW'],
        ['SEW', 'SEW'],
        ['FSRPAUEW', 'FSRP.UEW'],
      ];
      for (const [given, shown] of cases) {
        const p = decodeBytes(segment(given));
        assert.equal(p.flags, shown, given);
        assert.match(formatPacketLine(p), new RegExp(`Flags \\[${shown.replace('.', '\\.')}\\]`), given);
        assert.equal(packetToJson(p).flags, shown, given);
      }
    });

    it('has the tcpdump order (F S R P . U E W) for every flags byte', function () {
      const order: Array<[number, string]> = [[0x01, 'F'], [0x02, 'S'], [0x04, 'R'], [0x08, 'P'], [0x10, '.'], [0x20, 'U'], [0x40, 'E'], [0x80, 'W']];
      for (let bits = 0; bits < 256; bits++) {
        const s = order.filter(([b]) => bits & b).map(([, l]) => l).join('');
        assert.equal(TCP_FLAG_STRINGS[bits], s || 'none', `0x${bits.toString(16)}`);
      }
    });
  });

  describe('timestamps', function () {
    it('truncates nanoseconds to the microsecond and never rolls into the next second', function () {
      // 1795616525 = 2026-11-25 14:22:05 UTC; the reader's ts is sec + frac * 1e-9 (a double:
      // .123456789 becomes .1234567..., .999999999 the next second).
      assert.equal(formatTimestamp(1795616525 + 123456789e-9, 123456789), '2026-11-25 14:22:05.123456');
      assert.equal(1795616525 + 999999999e-9, 1795616526);
      assert.equal(formatTimestamp(1795616525 + 999999999e-9, 999999999), '2026-11-25 14:22:05.999999');
      assert.equal(formatTimestamp(1795616525 + 1e-9, 1), '2026-11-25 14:22:05.000000');
      assert.equal(formatTimestamp(1795616525.000001, 1000), '2026-11-25 14:22:05.000001');
      // Without the integer nanoseconds: the double rounded to the µs, as before.
      assert.equal(formatTimestamp(1795616525.054113), '2026-11-25 14:22:05.054113');
    });

    it('prints nanosecond pcap records exactly (reused frame and fresh frames)', function () {
      const frame = segment('S');
      const w = new PcapWriter({ linkType: 1, nanosecond: true });
      const fracs = [123456789, 999999999, 0, 1000, 654321999];
      for (let k = 0; k < fracs.length; k++) w.add(1795616525, frame);
      const buf = w.toBuffer();
      // The writer takes a double; set the exact integer fractions in the records.
      fracs.forEach((frac, k) => buf.writeUInt32LE(frac, 24 + k * (16 + frame.length) + 4));
      const file = path.join(tmp, 'ns.pcap');
      fs.writeFileSync(file, buf);
      const want = ['.123456', '.999999', '.000000', '.000001', '.654321'].map((f) => `2026-11-25 14:22:05${f} `);
      const reused = decodeFile(file);
      const fresh: string[] = [];
      readFramesFromBuffer(buf, 'ns.pcap', (f) => void fresh.push(formatPacketLine(decodeFrame(f))));
      for (const lines of [reused, fresh]) {
        assert.equal(lines.length, fracs.length);
        lines.forEach((l, k) => assert.ok(l.startsWith(want[k]), `${l} should start with ${want[k]}`));
      }
    });

    it('matches tcpdump on the synthetic nanosecond captures, timestamps included', function () {
      requireOrSkip(this, hasCommand('tcpdump'), 'tcpdump');
      const files = writeSyntheticCaptures().filter((f) => /-ns/.test(f.name));
      assert.equal(files.length, 2);
      for (const f of files) {
        const theirs = execFileSync('tcpdump', ['-nn', '-e', '-tttt', '-S', '-r', f.file], { env: { ...process.env, TZ: 'UTC' }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter((l) => l !== '');
        const ours = decodeFile(f.file);
        assert.equal(ours.length, theirs.length, f.name);
        // Lines tcpdump decodes further (IGMP, IPv6 extension headers, GRE with a checksum,
        // HTTP payloads) are compared up to their timestamp.
        ours.forEach((l, k) => {
          if (l !== theirs[k] && !theirs[k].startsWith(`${l}: `)) assert.equal(l.slice(0, 27), theirs[k].slice(0, 27), `${f.name} #${k + 1}`);
        });
        assert.ok(ours.filter((l, k) => l === theirs[k] || theirs[k].startsWith(`${l}: `)).length >= f.frames - 6, f.name);
      }
    });

    it('prints pcapng nanosecond and 2^-32 s timestamps exactly', function () {
      const frame = segment('S');
      const w = new PcapngWriter();
      const ns = w.addInterface({ linkType: 1, tsresol: 9 });
      const bin = w.addInterface({ linkType: 1, tsresol: 0x80 | 32 });
      w.add(ns, 1795616525, frame);
      w.add(bin, 1795616525, frame);
      const buf = w.toBuffer();
      const offsets: number[] = [];
      readFramesFromBuffer(buf, 'x.pcapng', (f) => void offsets.push(f.offset));
      const setCount = (at: number, count: bigint) => {
        buf.writeUInt32LE(Number(count >> 32n), at + 12);
        buf.writeUInt32LE(Number(count & 0xffffffffn), at + 16);
      };
      setCount(offsets[0], 1795616525n * 1000000000n + 999999999n);
      // 2^32 - 1 units of 2^-32 s: 0.99999999976... s.
      setCount(offsets[1], 1795616525n * 4294967296n + 4294967295n);
      const lines: string[] = [];
      readFramesFromBuffer(buf, 'x.pcapng', (f) => void lines.push(formatPacketLine(decodeFrame(f))));
      assert.ok(lines[0].startsWith('2026-11-25 14:22:05.999999 '), lines[0]);
      assert.ok(lines[1].startsWith('2026-11-25 14:22:05.999999 '), lines[1]);
    });
  });

  describe('VRRP', function () {
    const advert = (o: Partial<Parameters<typeof vrrp>[0]> = {}, ttl = 255) =>
      ipv4({ src: '192.0.2.2', dst: '224.0.0.18', proto: 'vrrp', ttl }, vrrp({ version: 2, vrid: 51, priority: 150, addresses: ['192.0.2.100'], ...o }));

    it('names a message type other than advertisement as tcpdump does, and keeps it in JSON', function () {
      const ip = advert();
      ip[20] = 0x22; // version 2, type 2
      const p = decodeBytes(ip, 101);
      assert.equal(p.vrrp?.type, 2);
      assert.match(formatPacketLine(p), /: VRRPv2, unknown type \(2\)$/);
      assert.equal((packetToJson(p).vrrp as Record<string, unknown>).type, 2);
      const lowTtl = advert({}, 64);
      lowTtl[20] = 0x2f;
      assert.match(formatPacketLine(decodeBytes(lowTtl, 101)), /: VRRPv2, unknown type \(15\), \(ttl 64\)$/);
      const ok = decodeBytes(advert(), 101);
      assert.equal(ok.vrrp?.type, 1);
      assert.match(formatPacketLine(ok), /VRRPv2, Advertisement, vrid 51, prio 150, authtype none, intvl 1s, length 20$/);
    });

    it('gives the auth type in JSON, never the password', function () {
      const p = decodeBytes(advert({ authType: 1, authPass: 'lvslab1' }), 101);
      const j = packetToJson(p).vrrp as Record<string, unknown>;
      assert.deepEqual(j, { version: 2, type: 1, vrid: 51, priority: 150, intervalSec: 1, addresses: ['192.0.2.100'], authType: 1 });
      // The password is a credential: in no field of the packet, the JSON or the text line.
      assert.ok(!JSON.stringify(packetToJson(p)).includes('lvslab1'));
      assert.ok(!JSON.stringify(p, (_k, v) => (v instanceof Uint8Array ? undefined : v)).includes('lvslab1'));
      assert.ok(!formatPacketLine(p).includes('lvslab1'));
      const none = packetToJson(decodeBytes(advert(), 101)).vrrp as Record<string, unknown>;
      assert.equal(none.authType, 0);
      // v3 has no authentication.
      const v3 = packetToJson(decodeBytes(ipv4({ src: '192.0.2.3', dst: '224.0.0.18', proto: 'vrrp', ttl: 255 }, vrrp({ version: 3, vrid: 52, priority: 100, addresses: ['192.0.2.100'] })), 101)).vrrp as Record<string, unknown>;
      assert.deepEqual(Object.keys(v3), ['version', 'type', 'vrid', 'priority', 'intervalSec', 'addresses']);
    });

    it('prints an unknown auth type as tcpdump does (#N)', function () {
      const ip = advert();
      ip[24] = 5;
      assert.match(formatPacketLine(decodeBytes(ip, 101)), /authtype #5, intvl 1s/);
    });
  });

  describe('VLAN tags', function () {
    /** A tagged frame with the tags' priority and DEI bits set (ether() writes ids only). */
    function tagged(ids: number | number[], pcpDei: Array<[number, boolean]>): Packet {
      const f = ether({ src: A, dst: B, vlan: ids }, ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 'tcp' }, tcp({ sport: 1, dport: 2, flags: 'S' })));
      pcpDei.forEach(([pcp, dei], k) => {
        f[14 + 4 * k] |= (pcp << 5) | (dei ? 0x10 : 0);
      });
      return decodeBytes(f);
    }

    it('prints and gives the priority and DEI of each tag', function () {
      const one = tagged(100, [[3, false]]);
      assert.deepEqual(one.vlan, [100]);
      assert.match(formatPacketLine(one), /length 58: vlan 100, p 3, ethertype IPv4 \(0x0800\), 10\.0\.0\.1\.1 > /);
      const j = packetToJson(one);
      assert.deepEqual([j.vlan, j.vlanPriority, j.vlanDei], [[100], [3], [false]]);
      const qinq = tagged([200, 300], [[7, true], [2, false]]);
      assert.deepEqual(qinq.vlan, [200, 300]);
      assert.match(formatPacketLine(qinq), /: vlan 200, p 7, DEI, ethertype 802\.1Q \(0x8100\), vlan 300, p 2, ethertype IPv4 \(0x0800\), /);
      const q = packetToJson(qinq);
      assert.deepEqual([q.vlan, q.vlanPriority, q.vlanDei], [[200, 300], [7, 2], [true, false]]);
    });
  });

  describe('TCP data offset', function () {
    it('past the IP payload: one warning in tcpdump words, no options or length in text or JSON', function () {
      const seg = tcp({ sport: 48844, dport: 80, seq: 1684289252, flags: 'S', mss: 1460, sackOk: true, ts: [2691579074, 0], ws: 7 });
      assert.equal(seg.length, 40);
      seg[12] = 15 << 4; // 60 bytes claimed, 40 in the packet
      const p = decodeBytes(ether({ src: A, dst: B }, ipv4({ src: '198.51.100.10', dst: '192.0.2.100', proto: 'tcp' }, seg)));
      assert.deepEqual(p.warnings, ['bad hdr length 60 - too long, > 40']);
      assert.equal(p.len, undefined);
      assert.equal(p.payloadOffset, undefined);
      assert.equal(p.tcp?.mss, undefined);
      assert.match(formatPacketLine(p), /: 198\.51\.100\.10\.48844 > 192\.0\.2\.100\.80: Flags \[S\] \[bad hdr length 60 - too long, > 40\]$/);
      const j = packetToJson(p);
      assert.deepEqual(j.tcp, { window: 64240 });
      assert.ok(!('len' in j));
    });

    it('within the IP payload but past the capture: options cut off, length still known', function () {
      const seg = tcp({ sport: 1, dport: 2, flags: 'S', mss: 1460, sackOk: true, ts: [1, 0], ws: 7 });
      const frame = ether({ src: A, dst: B }, ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 'tcp' }, seg));
      const p = decodeBytes(frame.subarray(0, frame.length - 8));
      assert.deepEqual(p.warnings, ['TCP options cut off by the capture']);
      assert.equal(p.len, 0);
    });
  });
});
