import assert from 'node:assert/strict';
import { decodeBytes } from './util';
import { arp, ether, ipv4, sll, sll2, tcp, udp, vrrp } from '../../helpers/frames';

const A = '02:00:00:00:00:0a';
const B = '02:00:00:00:00:0b';

describe('decoder: Ethernet, SLL, SLL2, IPv4, TCP, UDP, ARP, VRRP', function () {
  it('decodes a TCP SYN with its options', function () {
    const bytes = ether({ src: A, dst: B }, ipv4({ src: '198.51.100.10', dst: '192.0.2.100', proto: 'tcp', id: 4242, ttl: 63, df: true }, tcp({ sport: 48844, dport: 80, seq: 1684289252, flags: 'S', mss: 1460, sackOk: true, ts: [2691579074, 0], ws: 7 })));
    const p = decodeBytes(bytes);
    assert.equal(p.srcMac, A);
    assert.equal(p.dstMac, B);
    assert.equal(p.etherType, 0x0800);
    assert.equal(p.ipVersion, 4);
    assert.equal(p.src, '198.51.100.10');
    assert.equal(p.dst, '192.0.2.100');
    assert.equal(p.ipId, 4242);
    assert.equal(p.ttl, 63);
    assert.equal(p.fragment, undefined);
    assert.equal(p.proto, 'tcp');
    assert.equal(p.protoNumber, 6);
    assert.equal(p.sport, 48844);
    assert.equal(p.dport, 80);
    assert.equal(p.seq, 1684289252);
    assert.equal(p.ack, undefined, 'no ack number without the ACK flag');
    assert.equal(p.flags, 'S');
    assert.equal(p.len, 0);
    assert.deepEqual(p.tcp, { flagBits: 2, window: 64240, mss: 1460, wscale: 7, sackPermitted: true, sack: undefined, tsval: 2691579074, tsecr: 0 });
    assert.equal(p.warnings, undefined);
  });

  it('prints TCP flags as tcpdump does', function () {
    const cases: Array<[string, string]> = [['S', 'S'], ['SA', 'S.'], ['A', '.'], ['PA', 'P.'], ['FA', 'F.'], ['R', 'R'], ['RA', 'R.'], ['FPA', 'FP.'], ['SEW', 'SEW']];
    for (const [given, shown] of cases) {
      const p = decodeBytes(ether({ src: A, dst: B }, ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 'tcp' }, tcp({ sport: 1, dport: 2, flags: given, seq: 5, ack: 7 }, new Uint8Array(3)))));
      assert.equal(p.flags, shown, given);
      assert.equal(p.len, 3);
      assert.equal(p.ack, given.includes('A') ? 7 : undefined);
    }
  });

  it('decodes UDP and trims Ethernet padding to the IP total length', function () {
    const frame = ether({ src: A, dst: B }, ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 'udp', id: 7 }, udp({ sport: 40000, dport: 9000 }, new Uint8Array([1, 2]))));
    const padded = new Uint8Array(60);
    padded.set(frame);
    const p = decodeBytes(padded);
    assert.equal(p.proto, 'udp');
    assert.equal(p.sport, 40000);
    assert.equal(p.dport, 9000);
    assert.equal(p.len, 2);
    assert.equal(p.payloadOffset, 14 + 20 + 8);
  });

  it('decodes ARP request and reply', function () {
    const req = decodeBytes(ether({ src: A, dst: 'ff:ff:ff:ff:ff:ff' }, arp({ op: 'request', senderMac: A, senderIp: '192.0.2.1', targetMac: '00:00:00:00:00:00', targetIp: '192.0.2.100' })));
    assert.equal(req.proto, 'arp');
    assert.deepEqual(req.arp, { op: 'request', senderMac: A, senderIp: '192.0.2.1', targetMac: '00:00:00:00:00:00', targetIp: '192.0.2.100' });
    assert.equal(req.src, undefined);
    const rep = decodeBytes(ether({ src: B, dst: A }, arp({ op: 'reply', senderMac: B, senderIp: '192.0.2.100', targetMac: A, targetIp: '192.0.2.1' })));
    assert.equal(rep.arp?.op, 'reply');
    const odd = decodeBytes(ether({ src: B, dst: A }, arp({ op: 9, senderMac: B, senderIp: '192.0.2.100', targetMac: A, targetIp: '192.0.2.1' })));
    assert.equal(odd.arp?.op, 9);
  });

  it('decodes VRRPv2 advertisements', function () {
    const p = decodeBytes(ether({ src: '00:00:5e:00:01:33', dst: '01:00:5e:00:00:12' }, ipv4({ src: '192.0.2.2', dst: '224.0.0.18', proto: 'vrrp', ttl: 255 }, vrrp({ version: 2, vrid: 51, priority: 150, addresses: ['192.0.2.100', '192.0.2.101'], authType: 1, authPass: 'secret' }))));
    assert.equal(p.proto, 'vrrp');
    assert.deepEqual(p.vrrp, { version: 2, type: 1, vrid: 51, priority: 150, intervalSec: 1, addresses: ['192.0.2.100', '192.0.2.101'], authType: 1 });
  });

  it('decodes Linux cooked v1 and v2 headers', function () {
    const inner = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 'udp' }, udp({ sport: 5, dport: 6 }));
    const v1 = decodeBytes(sll({ packetType: 4, src: A }, inner), 113);
    assert.equal(v1.sllPacketType, 4);
    assert.equal(v1.srcMac, A);
    assert.equal(v1.dstMac, undefined);
    assert.equal(v1.sport, 5);
    const v2 = decodeBytes(sll2({ packetType: 1, src: B, ifIndex: 15 }, inner), 276);
    assert.equal(v2.sllPacketType, 1);
    assert.equal(v2.sllIfIndex, 15);
    assert.equal(v2.srcMac, B);
    assert.equal(v2.dport, 6);
  });

  it('never throws on truncated bytes: it warns', function () {
    const full = ether({ src: A, dst: B }, ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 'tcp' }, tcp({ sport: 1, dport: 2, flags: 'S', mss: 1460 })));
    for (let cut = 0; cut < full.length; cut++) {
      const p = decodeBytes(full.subarray(0, cut));
      if (cut < full.length) assert.ok(p.warnings && p.warnings.length > 0, `cut at ${cut} has a warning`);
    }
  });
});
