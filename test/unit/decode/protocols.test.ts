import assert from 'node:assert/strict';
import { formatPacketLine, packetToJson } from '../../../src/core/decode';
import { formatIpv6 } from '../../../src/core/decode/addresses';
import { arp, ether, gre, icmp6Error, icmpEcho, icmpUnreach, ipv4, ipv6, ipv6Bytes, tcp, udp, vrrp } from '../../helpers/frames';
import { decodeBytes } from './util';

const A = '02:00:00:00:00:0a';
const B = '02:00:00:00:00:0b';
const C = '198.51.100.10';
const VIP = '192.0.2.100';
const udpReq = ipv4({ src: C, dst: VIP, proto: 'udp', id: 77 }, udp({ sport: 40000, dport: 9000 }, new Uint8Array(21)));
const syn = ipv4({ src: C, dst: VIP, proto: 'tcp', id: 78 }, tcp({ sport: 42330, dport: 80, seq: 4059782215, flags: 'S', mss: 1460 }));

describe('decoder: VLAN, raw IP, loopback, IPv4 options and fragments, IPv6, ICMP, VRRPv3, tunnels', function () {
  it('reads 802.1Q and QinQ tags, outer first', function () {
    const one = decodeBytes(ether({ src: A, dst: B, vlan: 100 }, udpReq));
    assert.deepEqual(one.vlan, [100]);
    assert.equal(one.dport, 9000);
    const two = decodeBytes(ether({ src: A, dst: B, vlan: [200, 300] }, arp({ op: 'request', senderMac: A, senderIp: '192.0.2.1', targetMac: '00:00:00:00:00:00', targetIp: VIP })));
    assert.deepEqual(two.vlan, [200, 300]);
    assert.equal(two.arp?.targetIp, VIP);
  });

  it('decodes raw IP link types by version nibble or by link type', function () {
    for (const lt of [12, 14, 101, 228]) assert.equal(decodeBytes(udpReq, lt).sport, 40000, `link type ${lt}`);
    const v6 = ipv6({ src: '2001:db8::1', dst: '2001:db8::2', proto: 'udp' }, udp({ sport: 7, dport: 8 }));
    for (const lt of [101, 229]) assert.equal(decodeBytes(v6, lt).dst, '2001:db8::2');
  });

  it('decodes BSD loopback in either byte order', function () {
    const le = Uint8Array.from([2, 0, 0, 0, ...udpReq]);
    const be = Uint8Array.from([0, 0, 0, 30, ...ipv6({ src: '::1', dst: '::1', proto: 'udp' }, udp({ sport: 1, dport: 2 }))]);
    assert.equal(decodeBytes(le, 0).src, C);
    assert.equal(decodeBytes(be, 108).src, '::1');
  });

  it('lists IPv4 options and flags fragments', function () {
    const ra = decodeBytes(ipv4({ src: '192.0.2.2', dst: '224.0.0.22', proto: 'udp', options: Uint8Array.from([0x94, 4, 0, 0]) }, udp({ sport: 1, dport: 2 })), 101);
    assert.deepEqual(ra.ipOptions, [0x94]);
    assert.equal(ra.dport, 2);
    const payload = udp({ sport: 40001, dport: 9000 }, new Uint8Array(40));
    const first = decodeBytes(ipv4({ src: C, dst: VIP, proto: 'udp', id: 9, mf: true }, payload.subarray(0, 24)), 101);
    assert.deepEqual(first.fragment, { offset: 0, more: true });
    assert.equal(first.sport, 40001);
    const second = decodeBytes(ipv4({ src: C, dst: VIP, proto: 'udp', id: 9, fragOffset: 24 }, payload.subarray(24)), 101);
    assert.deepEqual(second.fragment, { offset: 24, more: false });
    assert.equal(second.proto, 'udp');
    assert.equal(second.sport, undefined, 'a later fragment has no UDP header');
    assert.equal(second.len, 24);
    assert.match(formatPacketLine(second), /198\.51\.100\.10 > 192\.0\.2\.100: ip-proto-17$/);
  });

  it('walks IPv6 extension headers to the upper layer', function () {
    const p = decodeBytes(ipv6({ src: '2001:db8:1::10', dst: '2001:db8::100', proto: 'tcp', ext: [{ type: 0 }, { type: 43 }, { type: 60 }] }, tcp({ sport: 5, dport: 443, seq: 1, ack: 2, flags: 'PA', sack: [[10, 20]] }, new Uint8Array(3))), 101);
    assert.deepEqual(p.ipv6ExtHeaders, [0, 43, 60]);
    assert.equal(p.protoNumber, 6);
    assert.equal(p.flags, 'P.');
    assert.equal(p.len, 3);
    assert.deepEqual(p.tcp?.sack, [[10, 20]]);
    const frag = decodeBytes(ipv6({ src: '2001:db8:1::10', dst: '2001:db8::100', proto: 'udp', ext: [{ type: 44, fragOffset: 1232 }] }, new Uint8Array(16)), 101);
    assert.deepEqual(frag.fragment, { offset: 1232, more: false });
    assert.equal(frag.proto, 'udp');
    assert.equal(frag.sport, undefined);
  });

  it('formats IPv6 addresses as inet_ntop does (RFC 5952)', function () {
    const cases = ['::', '::1', '2001:db8::1', '2001:db8:0:1:1:1:1:1', '2001:0:0:1::1', 'fe80::2', 'ff02::12', '::ffff:192.0.2.1', '2001:db8::1:0:0:1', '1::'];
    for (const c of cases) assert.equal(formatIpv6(ipv6Bytes(c), 0), c);
    assert.equal(formatIpv6(ipv6Bytes('2001:0db8:0000:0000:0001:0000:0000:0001'), 0), '2001:db8::1:0:0:1');
  });

  it('decodes ICMP port unreachable with the quoted datagram', function () {
    const p = decodeBytes(ipv4({ src: VIP, dst: C, proto: 'icmp' }, icmpUnreach(3, udpReq)), 101);
    assert.equal(p.proto, 'icmp');
    assert.deepEqual(p.icmp, { type: 3, code: 3, quoted: { src: C, dst: VIP, ipId: 77, ttl: 64, proto: 'udp', protoNumber: 17, sport: 40000, dport: 9000, flags: undefined, seq: undefined, ack: undefined, len: 21 } });
    assert.equal(p.warnings, undefined);
    assert.match(formatPacketLine(p), /ICMP 192\.0\.2\.100 udp port 9000 unreachable/);
  });

  it('decodes ICMP fragmentation needed with the MTU and the quoted TCP ports and seq', function () {
    const p = decodeBytes(ipv4({ src: '192.0.2.1', dst: C, proto: 'icmp' }, icmpUnreach(4, syn, 1400)), 101);
    assert.equal(p.icmp?.mtu, 1400);
    assert.equal(p.icmp?.quoted?.sport, 42330);
    assert.equal(p.icmp?.quoted?.seq, 4059782215);
    assert.equal(p.icmp?.quoted?.flags, undefined, 'only 8 bytes of TCP are quoted');
    assert.equal(p.warnings, undefined, 'a short quote is normal, not a warning');
    assert.match(formatPacketLine(p), /need to frag \(mtu 1400\)/);
    const echo = decodeBytes(ipv4({ src: C, dst: VIP, proto: 'icmp' }, icmpEcho({ id: 7, seq: 3 })), 101);
    assert.deepEqual(echo.icmp, { type: 8, code: 0, id: 7, seq: 3 });
  });

  it('decodes ICMPv6 packet too big with the MTU and quoted packet', function () {
    const inner = ipv6({ src: '2001:db8:1::10', dst: '2001:db8::100', proto: 'tcp' }, tcp({ sport: 50000, dport: 443, flags: 'S', seq: 5 }));
    const p = decodeBytes(ipv6({ src: '2001:db8::1', dst: '2001:db8:1::10', proto: 'icmp6' }, icmp6Error(2, 0, inner, 1280)), 101);
    assert.equal(p.proto, 'icmp6');
    assert.equal(p.icmp?.mtu, 1280);
    assert.equal(p.icmp?.quoted?.dst, '2001:db8::100');
    assert.equal(p.icmp?.quoted?.flags, 'S');
  });

  it('decodes VRRPv3 over IPv4 and IPv6', function () {
    const v4 = decodeBytes(ipv4({ src: '192.0.2.3', dst: '224.0.0.18', proto: 'vrrp', ttl: 255 }, vrrp({ version: 3, vrid: 52, priority: 100, addresses: [VIP, '192.0.2.101'], advertInt: 150 })), 101);
    assert.deepEqual(v4.vrrp, { version: 3, type: 1, vrid: 52, priority: 100, intervalSec: 1.5, addresses: [VIP, '192.0.2.101'], authType: undefined });
    const v6 = decodeBytes(ipv6({ src: 'fe80::2', dst: 'ff02::12', proto: 'vrrp', hopLimit: 255 }, vrrp({ version: 3, vrid: 53, priority: 254, addresses: ['2001:db8::100'] })), 101);
    assert.deepEqual(v6.vrrp?.addresses, ['2001:db8::100']);
    assert.equal(v6.vrrp?.vrid, 53);
  });

  it('decodes IP-in-IP (4in4, 6in4, 4in6) and GRE with the inner packet', function () {
    const tun = decodeBytes(ipv4({ src: '192.0.2.2', dst: '203.0.113.12', proto: 'ipip' }, syn), 101);
    assert.equal(tun.proto, 'ipip');
    assert.equal(tun.protoNumber, 4);
    assert.deepEqual(tun.inner, { src: C, dst: VIP, ipId: 78, ttl: 64, proto: 'tcp', protoNumber: 6, sport: 42330, dport: 80, flags: 'S', seq: 4059782215, ack: undefined, len: 0 });
    const json = packetToJson(tun);
    assert.deepEqual(json.inner, { src: C, dst: VIP, proto: 'tcp', ipId: 78, sport: 42330, dport: 80, flags: 'S', seq: 4059782215, len: 0 });
    const six = decodeBytes(ipv4({ src: '192.0.2.2', dst: '203.0.113.12', proto: 'ipv6' }, ipv6({ src: '2001:db8::1', dst: '2001:db8::2', proto: 'udp' }, udp({ sport: 1, dport: 2 }))), 101);
    assert.equal(six.proto, 'ipip');
    assert.equal(six.inner?.dst, '2001:db8::2');
    const four6 = decodeBytes(ipv6({ src: '2001:db8::1', dst: '2001:db8::2', proto: 'ipip' }, udpReq), 101);
    assert.equal(four6.inner?.dport, 9000);
    const g = decodeBytes(ipv4({ src: '192.0.2.2', dst: '203.0.113.12', proto: 'gre' }, gre({ key: 42, seq: 9, checksum: true }, syn)), 101);
    assert.equal(g.proto, 'gre');
    assert.deepEqual(g.gre, { version: 0, protocol: 0x0800, key: 42, sequence: 9 });
    assert.equal(g.inner?.sport, 42330);
  });

  it('bounds nested encapsulation', function () {
    let pkt = udpReq;
    for (let k = 0; k < 20; k++) pkt = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 'ipip' }, pkt);
    const p = decodeBytes(pkt, 101);
    assert.equal(p.proto, 'ipip');
    assert.ok(p.warnings?.some((w) => /deeper than/.test(w)));
  });

  it('gives JSON with exactly the keys of the layers present', function () {
    const p = decodeBytes(ether({ src: A, dst: B }, syn));
    const j = packetToJson(p);
    assert.deepEqual(Object.keys(j), ['n', 'ts', 'srcMac', 'dstMac', 'src', 'dst', 'ipId', 'ttl', 'proto', 'sport', 'dport', 'flags', 'seq', 'len', 'tcp']);
    const a = packetToJson(decodeBytes(ether({ src: A, dst: B }, arp({ op: 'reply', senderMac: A, senderIp: VIP, targetMac: B, targetIp: '192.0.2.1' }))));
    assert.deepEqual(a, { n: 1, ts: 1700000000.5, srcMac: A, dstMac: B, proto: 'arp', arp: { op: 'reply', senderMac: A, senderIp: VIP, targetMac: B, targetIp: '192.0.2.1' } });
    const v = packetToJson(decodeBytes(ipv4({ src: '192.0.2.2', dst: '224.0.0.18', proto: 'vrrp', ttl: 255 }, vrrp({ version: 2, vrid: 51, priority: 150, addresses: [VIP] })), 101));
    assert.deepEqual(v.vrrp, { version: 2, type: 1, vrid: 51, priority: 150, intervalSec: 1, addresses: [VIP], authType: 0 });
  });

  it('prints tcpdump-like lines', function () {
    const p = decodeBytes(ether({ src: A, dst: B }, ipv4({ src: C, dst: VIP, proto: 'tcp' }, tcp({ sport: 42330, dport: 80, seq: 1, ack: 2, flags: 'PA', win: 502, ts: [5, 6] }, new Uint8Array(75)))));
    assert.equal(formatPacketLine(p), `2023-11-14 22:13:20.500000 ${A} > ${B}, ethertype IPv4 (0x0800), length ${p.wirelen}: ${C}.42330 > ${VIP}.80: Flags [P.], seq 1:76, ack 2, win 502, options [TS val 5 ecr 6,nop,nop], length 75`);
  });
});
