// Synthetic captures for the cases the lab fixtures lack: every protocol and link type
// the decoder supports, in every file flavour (µs/ns, both byte orders, pcapng with
// several interfaces). Shared by the decoder, tshark-agreement and fuzz tests.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PcapWriter, PcapngWriter } from '../../../src/core/pcap';
import {
  arp,
  ether,
  gre,
  icmp6Echo,
  icmp6Error,
  icmpEcho,
  icmpUnreach,
  ipv4,
  ipv6,
  sll,
  sll2,
  tcp,
  udp,
  vrrp,
} from '../../helpers/frames';

const CLIENT_MAC = '02:00:c6:33:64:0a';
const ROUTER_MAC = '02:00:c6:33:64:01';
const DIR_MAC = '02:00:c0:00:02:02';
const RS_MAC = '02:00:c0:00:02:0b';

/** IP packets (no link header) covering every L3/L4 decoder. */
export function ipPackets(): Uint8Array[] {
  const out: Uint8Array[] = [];
  const c = '198.51.100.10';
  const vip = '192.0.2.100';
  const syn = ipv4({ src: c, dst: vip, proto: 'tcp', id: 101, df: true }, tcp({ sport: 42330, dport: 80, seq: 4059782215, flags: 'S', mss: 1460, sackOk: true, ts: [2691661391, 0], ws: 7 }));
  out.push(syn);
  out.push(ipv4({ src: vip, dst: c, proto: 'tcp', id: 0, df: true }, tcp({ sport: 80, dport: 42330, seq: 3275293951, ack: 4059782216, flags: 'SA', mss: 1460, sackOk: true, ts: [2201996876, 2691661391], ws: 7 })));
  out.push(ipv4({ src: c, dst: vip, proto: 'tcp', id: 102, df: true }, tcp({ sport: 42330, dport: 80, seq: 4059782216, ack: 3275293952, flags: 'PA', win: 502, ts: [2691661423, 2201996876] }, new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))));
  out.push(ipv4({ src: c, dst: vip, proto: 'tcp', id: 103 }, tcp({ sport: 42330, dport: 80, seq: 4059782243, ack: 3275294078, flags: 'A', sack: [[3275295000, 3275296000]] })));
  out.push(ipv4({ src: c, dst: vip, proto: 'tcp', id: 104 }, tcp({ sport: 42330, dport: 80, seq: 4059782243, ack: 3275294078, flags: 'FA' })));
  out.push(ipv4({ src: vip, dst: c, proto: 'tcp', id: 105 }, tcp({ sport: 80, dport: 42331, seq: 0, ack: 12345, flags: 'RA', win: 0 })));
  out.push(ipv4({ src: c, dst: vip, proto: 'tcp', id: 106 }, tcp({ sport: 42332, dport: 80, seq: 777, flags: 'R', win: 0 })));
  const udpReq = ipv4({ src: c, dst: vip, proto: 'udp', id: 107 }, udp({ sport: 40000, dport: 9000 }, new TextEncoder().encode('hello from the client')));
  out.push(udpReq);
  out.push(ipv4({ src: '192.0.2.2', dst: '224.0.0.18', proto: 'vrrp', ttl: 255, id: 108 }, vrrp({ version: 2, vrid: 51, priority: 150, addresses: [vip], authType: 1, authPass: 'pass1234' })));
  out.push(ipv4({ src: '192.0.2.3', dst: '224.0.0.18', proto: 'vrrp', ttl: 255, id: 109 }, vrrp({ version: 3, vrid: 52, priority: 100, addresses: [vip, '192.0.2.101'], advertInt: 100 })));
  out.push(ipv6({ src: 'fe80::2', dst: 'ff02::12', proto: 'vrrp', hopLimit: 255 }, vrrp({ version: 3, vrid: 53, priority: 254, addresses: ['2001:db8::100'], advertInt: 50 })));
  // IPv4 with options (router alert) and fragments.
  out.push(ipv4({ src: '192.0.2.2', dst: '224.0.0.22', proto: 'udp', id: 110, ttl: 1, options: Uint8Array.from([0x94, 0x04, 0, 0]) }, udp({ sport: 33333, dport: 33334 }, new Uint8Array(4))));
  const big = udp({ sport: 40001, dport: 9000 }, new Uint8Array(40).fill(7));
  out.push(ipv4({ src: c, dst: vip, proto: 'udp', id: 111, mf: true, keepL4Checksum: true }, big.subarray(0, 24)));
  out.push(ipv4({ src: c, dst: vip, proto: 'udp', id: 111, fragOffset: 24, keepL4Checksum: true }, big.subarray(24)));
  // ICMP: echo, port unreachable quoting the UDP request, fragmentation needed quoting the SYN.
  out.push(ipv4({ src: c, dst: vip, proto: 'icmp', id: 112 }, icmpEcho({ id: 7, seq: 1, payload: new Uint8Array(16) })));
  out.push(ipv4({ src: vip, dst: c, proto: 'icmp', id: 113 }, icmpEcho({ reply: true, id: 7, seq: 1, payload: new Uint8Array(16) })));
  out.push(ipv4({ src: vip, dst: c, proto: 'icmp', id: 114 }, icmpUnreach(3, udpReq)));
  out.push(ipv4({ src: '192.0.2.1', dst: c, proto: 'icmp', id: 115 }, icmpUnreach(4, syn, 1400)));
  // IPv6 with extension headers, ICMPv6.
  const v6c = '2001:db8:1::10';
  const v6vip = '2001:db8::100';
  const syn6 = ipv6({ src: v6c, dst: v6vip, proto: 'tcp' }, tcp({ sport: 50000, dport: 443, seq: 1, flags: 'S', mss: 1440 }));
  out.push(syn6);
  out.push(ipv6({ src: v6c, dst: v6vip, proto: 'tcp', ext: [{ type: 0 }, { type: 60 }] }, tcp({ sport: 50000, dport: 443, seq: 2, ack: 3, flags: 'PA' }, new Uint8Array(10))));
  out.push(ipv6({ src: v6c, dst: v6vip, proto: 'udp', ext: [{ type: 43 }] }, udp({ sport: 50001, dport: 53 }, new Uint8Array(12))));
  out.push(ipv6({ src: v6c, dst: v6vip, proto: 'udp', ext: [{ type: 44, mf: true, id: 99 }] }, udp({ sport: 50002, dport: 53 }, new Uint8Array(16))));
  out.push(ipv6({ src: v6vip, dst: v6c, proto: 'icmp6' }, icmp6Error(2, 0, syn6, 1280)));
  out.push(ipv6({ src: v6vip, dst: v6c, proto: 'icmp6' }, icmp6Error(1, 4, ipv6({ src: v6c, dst: v6vip, proto: 'udp' }, udp({ sport: 50003, dport: 9000 }, new Uint8Array(5))))));
  out.push(ipv6({ src: v6c, dst: v6vip, proto: 'icmp6' }, icmp6Echo({ id: 9, seq: 3 })));
  out.push(ipv6({ src: '::ffff:192.0.2.1', dst: '::1', proto: 'udp' }, udp({ sport: 1, dport: 2 })));
  // Tunnels: IPVS TUN 4in4, 6in4, 4in6, 6in6, GRE.
  out.push(ipv4({ src: '192.0.2.2', dst: '203.0.113.12', proto: 'ipip', id: 0, df: true, ttl: 63 }, syn));
  out.push(ipv4({ src: '192.0.2.2', dst: '203.0.113.12', proto: 'ipv6', id: 116 }, syn6));
  out.push(ipv6({ src: '2001:db8::2', dst: '2001:db8::12', proto: 'ipip' }, udpReq));
  out.push(ipv6({ src: '2001:db8::2', dst: '2001:db8::12', proto: 'ipv6' }, syn6));
  out.push(ipv4({ src: '192.0.2.2', dst: '203.0.113.12', proto: 'gre', id: 117 }, gre({ key: 42 }, syn)));
  out.push(ipv4({ src: '192.0.2.2', dst: '203.0.113.12', proto: 'gre', id: 118 }, gre({ checksum: true, seq: 5 }, syn6)));
  return out;
}

/** Ethernet frames: every IP packet (some VLAN-tagged, one QinQ) plus ARP. */
export function ethernetFrames(): Uint8Array[] {
  const frames = ipPackets().map((ip, k) => ether({ src: k % 2 ? CLIENT_MAC : ROUTER_MAC, dst: k % 2 ? DIR_MAC : RS_MAC, vlan: k % 7 === 3 ? 100 : k % 11 === 5 ? [200, 300] : undefined }, ip));
  frames.push(ether({ src: ROUTER_MAC, dst: 'ff:ff:ff:ff:ff:ff' }, arp({ op: 'request', senderMac: ROUTER_MAC, senderIp: '192.0.2.1', targetMac: '00:00:00:00:00:00', targetIp: '192.0.2.100' })));
  frames.push(ether({ src: DIR_MAC, dst: ROUTER_MAC }, arp({ op: 'reply', senderMac: DIR_MAC, senderIp: '192.0.2.100', targetMac: ROUTER_MAC, targetIp: '192.0.2.1' })));
  frames.push(ether({ src: DIR_MAC, dst: ROUTER_MAC, vlan: 100 }, arp({ op: 'reply', senderMac: DIR_MAC, senderIp: '192.0.2.100', targetMac: ROUTER_MAC, targetIp: '192.0.2.1' })));
  return frames;
}

export interface SyntheticFile {
  name: string;
  file: string;
  /** How many frames it holds. */
  frames: number;
}

const T0 = 1764080525.054113;

/** Writes every synthetic capture into a fresh temp folder. */
export function writeSyntheticCaptures(dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-synth-'))): SyntheticFile[] {
  const files: SyntheticFile[] = [];
  const classic = (name: string, linkType: number, frames: Uint8Array[], opts: { nanosecond?: boolean; bigEndian?: boolean } = {}) => {
    const w = new PcapWriter({ linkType, ...opts });
    frames.forEach((f, k) => w.add(T0 + k * 0.001, f));
    const file = path.join(dir, name);
    w.writeFile(file);
    files.push({ name, file, frames: frames.length });
  };
  const eth = ethernetFrames();
  const ip = ipPackets();
  classic('ethernet-us-le.pcap', 1, eth);
  classic('ethernet-ns-be.pcap', 1, eth, { nanosecond: true, bigEndian: true });
  classic('ethernet-us-be.pcap', 1, eth, { bigEndian: true });
  classic('raw-101-ns.pcap', 101, ip, { nanosecond: true });
  classic('raw-228-ipv4.pcap', 228, ip.filter((p) => p[0] >> 4 === 4));
  classic('raw-229-ipv6.pcap', 229, ip.filter((p) => p[0] >> 4 === 6));
  classic('sll.pcap', 113, ip.map((p, k) => sll({ packetType: k % 5, src: CLIENT_MAC }, p)));
  classic('sll2.pcap', 276, ip.map((p, k) => sll2({ packetType: k % 5, src: DIR_MAC, ifIndex: 3 + (k % 2) }, p)));
  const nullHeader = (le: boolean, family: number) => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, family, le);
    return b;
  };
  const loop = (le: boolean) => ip.map((p) => {
    const h = nullHeader(le, p[0] >> 4 === 4 ? 2 : 30);
    const out = new Uint8Array(4 + p.length);
    out.set(h);
    out.set(p, 4);
    return out;
  });
  classic('null-loopback.pcap', 0, loop(true));
  classic('loop-108.pcap', 108, loop(false));
  for (const bigEndian of [false, true]) {
    const w = new PcapngWriter({ bigEndian, application: 'lvs-troubleshooter tests' });
    const e = w.addInterface({ linkType: 1, name: 'eth0' });
    const r = w.addInterface({ linkType: 101, name: 'tunl0', tsresol: 9 });
    const s = w.addInterface({ linkType: 276, name: 'any', tsresol: 0x80 | 20 });
    w.addRawBlock(0x80000001, new Uint8Array([1, 2, 3])); // local-use block type: skipped
    let n = 0;
    const count = Math.max(eth.length, ip.length);
    for (let k = 0; k < count; k++) {
      if (k < eth.length) w.add(e, T0 + n++ * 0.001, eth[k], k === 0 ? { comment: 'first frame: ARP?' } : {});
      if (k < ip.length) w.add(r, T0 + n++ * 0.001, ip[k], k === 2 ? { comment: 'rs-no-reply: no answer from 192.0.2.11' } : {});
      if (k < ip.length && k % 3 === 0) w.add(s, T0 + n++ * 0.001, sll2({ packetType: 4, src: DIR_MAC, ifIndex: 7 }, ip[k]));
      if (k === 5) w.addRawBlock(0x00000005, new Uint8Array(24)); // interface statistics: skipped
    }
    const name = `multi-if-${bigEndian ? 'be' : 'le'}.pcapng`;
    const file = path.join(dir, name);
    w.writeFile(file);
    files.push({ name, file, frames: n });
  }
  return files;
}
