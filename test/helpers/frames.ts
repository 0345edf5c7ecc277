// Frame builders for tests and benches: every builder returns the exact bytes a real
// stack would send, with correct lengths and checksums (IP header, TCP/UDP/ICMPv6 and
// VRRPv3 over the pseudo-header — filled in by ipv4()/ipv6() —, ICMP, VRRPv2), so that
// tshark shows no checksum complaints.

export function macBytes(s: string): Uint8Array {
  const parts = s.split(':').map((h) => parseInt(h, 16));
  if (parts.length !== 6 || parts.some((n) => !(n >= 0 && n <= 255))) throw new Error(`bad MAC ${s}`);
  return Uint8Array.from(parts);
}

export function ipv4Bytes(s: string): Uint8Array {
  const parts = s.split('.').map(Number);
  if (parts.length !== 4 || parts.some((n) => !(n >= 0 && n <= 255))) throw new Error(`bad IPv4 ${s}`);
  return Uint8Array.from(parts);
}

export function ipv6Bytes(s: string): Uint8Array {
  const out = new Uint8Array(16);
  let text = s;
  let tail: Uint8Array | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    tail = ipv4Bytes(text.slice(lastColon + 1));
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head, rest] = text.split('::');
  const h = head ? head.split(':') : [];
  const r = rest !== undefined && rest !== '' ? rest.split(':') : [];
  const groups = rest === undefined ? h : [...h, ...new Array(8 - h.length - r.length).fill('0'), ...r];
  if (groups.length !== 8) throw new Error(`bad IPv6 ${s}`);
  groups.forEach((g, k) => {
    const v = parseInt(g, 16);
    out[2 * k] = v >> 8;
    out[2 * k + 1] = v & 0xff;
  });
  if (tail) out.set(tail, 12);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function put16(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >> 8) & 0xff;
  b[at + 1] = v & 0xff;
}

function put32(b: Uint8Array, at: number, v: number): void {
  put16(b, at, (v >>> 16) & 0xffff);
  put16(b, at + 2, v & 0xffff);
}

/** RFC 1071 Internet checksum over the concatenation of the parts. */
export function internetChecksum(...parts: Uint8Array[]): number {
  let sum = 0;
  let odd = false;
  let carryByte = 0;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) {
      if (odd) sum += (carryByte << 8) | p[i];
      else carryByte = p[i];
      odd = !odd;
    }
  }
  if (odd) sum += carryByte << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

const ETHERTYPE_BY_NIBBLE: Record<number, number> = { 4: 0x0800, 6: 0x86dd };

export interface EtherOpts {
  src: string;
  dst: string;
  /** EtherType; by default IPv4/IPv6 from the payload's version nibble, else ARP. */
  type?: number;
  /** 802.1Q VLAN id(s); several = QinQ (outer first, 0x88a8 for the outer tag). */
  vlan?: number | number[];
}

export function ether(o: EtherOpts, payload: Uint8Array): Uint8Array {
  const type = o.type ?? ETHERTYPE_BY_NIBBLE[payload[0] >> 4] ?? 0x0806;
  const vlans = o.vlan === undefined ? [] : Array.isArray(o.vlan) ? o.vlan : [o.vlan];
  const h = new Uint8Array(14 + 4 * vlans.length);
  h.set(macBytes(o.dst), 0);
  h.set(macBytes(o.src), 6);
  let at = 12;
  vlans.forEach((id, k) => {
    put16(h, at, vlans.length > 1 && k === 0 ? 0x88a8 : 0x8100);
    put16(h, at + 2, id & 0x0fff);
    at += 4;
  });
  put16(h, at, type);
  return concat(h, payload);
}

export interface SllOpts {
  /** 0 to us, 1 broadcast, 2 multicast, 3 to someone else, 4 sent by us. */
  packetType?: number;
  src?: string;
  type?: number;
}

/** LINKTYPE_LINUX_SLL (113). */
export function sll(o: SllOpts, payload: Uint8Array): Uint8Array {
  const h = new Uint8Array(16);
  put16(h, 0, o.packetType ?? 0);
  put16(h, 2, 1); // ARPHRD_ETHER
  put16(h, 4, 6);
  h.set(macBytes(o.src ?? '02:00:00:00:00:01'), 6);
  put16(h, 14, o.type ?? ETHERTYPE_BY_NIBBLE[payload[0] >> 4] ?? 0x0806);
  return concat(h, payload);
}

/** LINKTYPE_LINUX_SLL2 (276). */
export function sll2(o: SllOpts & { ifIndex?: number }, payload: Uint8Array): Uint8Array {
  const h = new Uint8Array(20);
  put16(h, 0, o.type ?? ETHERTYPE_BY_NIBBLE[payload[0] >> 4] ?? 0x0806);
  put32(h, 4, o.ifIndex ?? 2);
  put16(h, 8, 1);
  h[10] = o.packetType ?? 0;
  h[11] = 6;
  h.set(macBytes(o.src ?? '02:00:00:00:00:01'), 12);
  return concat(h, payload);
}

const PROTO_NUMBERS: Record<string, number> = { icmp: 1, igmp: 2, ipip: 4, tcp: 6, udp: 17, ipv6: 41, gre: 47, icmp6: 58, vrrp: 112 };

/** Where the upper layer's checksum sits, for those that cover the IP pseudo-header. */
function pseudoChecksumOffset(proto: number, payload: Uint8Array): number | undefined {
  if (proto === 6 && payload.length >= 20) return 16;
  if (proto === 17 && payload.length >= 8) return 6;
  if (proto === 58 && payload.length >= 4) return 2;
  if (proto === 112 && payload.length >= 8 && payload[0] >> 4 === 3) return 6;
  return undefined;
}

function fillPseudoChecksum(proto: number, payload: Uint8Array, pseudo: Uint8Array): Uint8Array {
  const at = pseudoChecksumOffset(proto, payload);
  if (at === undefined) return payload;
  const out = Uint8Array.from(payload);
  put16(out, at, 0);
  let c = internetChecksum(pseudo, out);
  if (proto === 17 && c === 0) c = 0xffff; // 0 means "no checksum" in UDP
  put16(out, at, c);
  return out;
}

export interface Ipv4Opts {
  src: string;
  dst: string;
  proto: number | keyof typeof PROTO_NUMBERS;
  id?: number;
  ttl?: number;
  tos?: number;
  df?: boolean;
  /** Fragment offset in bytes (multiple of 8). */
  fragOffset?: number;
  mf?: boolean;
  /** Raw option bytes (padded to 4 by the builder). */
  options?: Uint8Array;
  /** Override the total length field (for truncated quotes in ICMP errors). */
  totalLength?: number;
  /** Keep the upper-layer checksum as given (e.g. a quoted or fragmented payload). */
  keepL4Checksum?: boolean;
}

export function ipv4(o: Ipv4Opts, payload: Uint8Array): Uint8Array {
  const proto = typeof o.proto === 'number' ? o.proto : PROTO_NUMBERS[o.proto];
  const opt = o.options ?? new Uint8Array(0);
  const optLen = (opt.length + 3) & ~3;
  const ihl = 20 + optLen;
  const h = new Uint8Array(ihl);
  h[0] = 0x40 | (ihl / 4);
  h[1] = o.tos ?? 0;
  put16(h, 2, o.totalLength ?? ihl + payload.length);
  put16(h, 4, o.id ?? 0);
  put16(h, 6, (o.df ? 0x4000 : 0) | (o.mf ? 0x2000 : 0) | ((o.fragOffset ?? 0) >> 3));
  h[8] = o.ttl ?? 64;
  h[9] = proto;
  h.set(ipv4Bytes(o.src), 12);
  h.set(ipv4Bytes(o.dst), 16);
  h.set(opt, 20);
  put16(h, 10, internetChecksum(h));
  const fragmented = (o.fragOffset ?? 0) > 0 || o.mf === true;
  if (!fragmented && !o.keepL4Checksum) {
    const pseudo = new Uint8Array(12);
    pseudo.set(h.subarray(12, 20), 0);
    pseudo[9] = proto;
    put16(pseudo, 10, payload.length);
    payload = fillPseudoChecksum(proto, payload, pseudo);
  }
  return concat(h, payload);
}

export interface Ipv6Ext {
  /** 0 hop-by-hop, 43 routing, 44 fragment, 60 destination options. */
  type: 0 | 43 | 44 | 60;
  /** Fragment header fields (type 44). */
  fragOffset?: number;
  mf?: boolean;
  id?: number;
}

export interface Ipv6Opts {
  src: string;
  dst: string;
  proto: number | keyof typeof PROTO_NUMBERS;
  hopLimit?: number;
  flowLabel?: number;
  ext?: Ipv6Ext[];
}

export function ipv6(o: Ipv6Opts, payload: Uint8Array): Uint8Array {
  const proto = typeof o.proto === 'number' ? o.proto : PROTO_NUMBERS[o.proto];
  const src = ipv6Bytes(o.src);
  const dst = ipv6Bytes(o.dst);
  const ext = o.ext ?? [];
  const fragmented = ext.some((e) => e.type === 44 && ((e.fragOffset ?? 0) > 0 || e.mf));
  if (!fragmented) {
    const pseudo = new Uint8Array(40);
    pseudo.set(src, 0);
    pseudo.set(dst, 16);
    put32(pseudo, 32, payload.length);
    pseudo[39] = proto;
    payload = fillPseudoChecksum(proto, payload, pseudo);
  }
  // Extension headers, last first, each 8 bytes (a PadN option fills HBH/DO, an empty
  // type-0-less routing header with segments left 0 for routing).
  let next = proto;
  for (let k = ext.length - 1; k >= 0; k--) {
    const e = ext[k];
    const b = new Uint8Array(8);
    b[0] = next;
    if (e.type === 44) {
      put16(b, 2, (e.fragOffset ?? 0) | (e.mf ? 1 : 0));
      put32(b, 4, e.id ?? 1);
    } else if (e.type === 43) {
      b[1] = 0;
      b[2] = 253; // routing type 253 (RFC 4727 experiment), segments left 0: ignored by nodes
      b[3] = 0;
    } else {
      b[1] = 0;
      b[2] = 1; // PadN
      b[3] = 4;
    }
    payload = concat(b, payload);
    next = e.type;
  }
  const h = new Uint8Array(40);
  put32(h, 0, (6 << 28) | ((o.flowLabel ?? 0) & 0xfffff));
  put16(h, 4, payload.length);
  h[6] = next;
  h[7] = o.hopLimit ?? 64;
  h.set(src, 8);
  h.set(dst, 24);
  return concat(h, payload);
}

const FLAG_BITS: Record<string, number> = { F: 0x01, S: 0x02, R: 0x04, P: 0x08, A: 0x10, '.': 0x10, U: 0x20, E: 0x40, W: 0x80 };

export function tcpFlagBits(flags: string): number {
  let bits = 0;
  for (const ch of flags) {
    const b = FLAG_BITS[ch];
    if (b === undefined) throw new Error(`unknown TCP flag letter ${ch}`);
    bits |= b;
  }
  return bits;
}

export interface TcpOpts {
  sport: number;
  dport: number;
  seq?: number;
  ack?: number;
  /** Letters: S F R P U E W, and A or '.' for ACK ('SA', 'S.', 'PA', 'FA', 'R'...). */
  flags: string;
  win?: number;
  mss?: number;
  ws?: number;
  sackOk?: boolean;
  sack?: Array<[number, number]>;
  ts?: [number, number];
}

/** A TCP segment; its checksum is filled in by ipv4()/ipv6(). */
export function tcp(o: TcpOpts, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const opts: number[] = [];
  if (o.mss !== undefined) opts.push(2, 4, o.mss >> 8, o.mss & 0xff);
  if (o.sackOk) opts.push(4, 2);
  if (o.ts) {
    const t = new Uint8Array(10);
    t[0] = 8;
    t[1] = 10;
    put32(t, 2, o.ts[0]);
    put32(t, 6, o.ts[1]);
    opts.push(...t);
  }
  if (o.ws !== undefined) opts.push(1, 3, 3, o.ws);
  if (o.sack && o.sack.length > 0) {
    const s = new Uint8Array(2 + 8 * o.sack.length);
    s[0] = 5;
    s[1] = s.length;
    o.sack.forEach(([a, b], k) => {
      put32(s, 2 + 8 * k, a);
      put32(s, 6 + 8 * k, b);
    });
    opts.push(1, 1, ...s);
  }
  while (opts.length % 4 !== 0) opts.push(1);
  const h = new Uint8Array(20 + opts.length);
  const bits = tcpFlagBits(o.flags);
  put16(h, 0, o.sport);
  put16(h, 2, o.dport);
  put32(h, 4, o.seq ?? 0);
  put32(h, 8, bits & 0x10 ? (o.ack ?? 0) : 0);
  h[12] = (h.length / 4) << 4;
  h[13] = bits;
  put16(h, 14, o.win ?? 64240);
  h.set(opts, 20);
  return concat(h, payload);
}

/** A UDP datagram; its checksum is filled in by ipv4()/ipv6(). */
export function udp(o: { sport: number; dport: number }, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const h = new Uint8Array(8);
  put16(h, 0, o.sport);
  put16(h, 2, o.dport);
  put16(h, 4, 8 + payload.length);
  return concat(h, payload);
}

export interface ArpOpts {
  op: 'request' | 'reply' | number;
  senderMac: string;
  senderIp: string;
  targetMac: string;
  targetIp: string;
}

export function arp(o: ArpOpts): Uint8Array {
  const b = new Uint8Array(28);
  put16(b, 0, 1);
  put16(b, 2, 0x0800);
  b[4] = 6;
  b[5] = 4;
  put16(b, 6, o.op === 'request' ? 1 : o.op === 'reply' ? 2 : o.op);
  b.set(macBytes(o.senderMac), 8);
  b.set(ipv4Bytes(o.senderIp), 14);
  b.set(macBytes(o.targetMac), 18);
  b.set(ipv4Bytes(o.targetIp), 24);
  return b;
}

export interface VrrpOpts {
  version: 2 | 3;
  vrid: number;
  priority: number;
  addresses: string[];
  /** v2: seconds (default 1); v3: centiseconds (default 100). */
  advertInt?: number;
  /** v2: 0 none, 1 simple text (with authPass). */
  authType?: number;
  authPass?: string;
}

/** A VRRP advertisement. v2's checksum is computed here; v3's (pseudo-header) by ipv4()/ipv6(). */
export function vrrp(o: VrrpOpts): Uint8Array {
  const v6 = o.addresses.some((a) => a.includes(':'));
  const size = v6 ? 16 : 4;
  const tail = o.version === 2 ? 8 : 0;
  const b = new Uint8Array(8 + size * o.addresses.length + tail);
  b[0] = (o.version << 4) | 1;
  b[1] = o.vrid;
  b[2] = o.priority;
  b[3] = o.addresses.length;
  if (o.version === 2) {
    b[4] = o.authType ?? 0;
    b[5] = o.advertInt ?? 1;
  } else {
    put16(b, 4, (o.advertInt ?? 100) & 0x0fff);
  }
  o.addresses.forEach((a, k) => b.set(v6 ? ipv6Bytes(a) : ipv4Bytes(a), 8 + size * k));
  if (o.version === 2) {
    if (o.authPass) b.set(new TextEncoder().encode(o.authPass.slice(0, 8)), b.length - 8);
    put16(b, 6, internetChecksum(b));
  }
  return b;
}

function icmpMessage(type: number, code: number, rest: Uint8Array, body: Uint8Array): Uint8Array {
  const h = new Uint8Array(8);
  h[0] = type;
  h[1] = code;
  h.set(rest.subarray(0, 4), 4);
  const msg = concat(h, body);
  put16(msg, 2, internetChecksum(msg));
  return msg;
}

/**
 * ICMP destination unreachable (type 3) quoting the original datagram's IP header and
 * first 8 payload bytes. Code 3 = port unreachable, 4 = fragmentation needed (with mtu).
 */
export function icmpUnreach(code: number, quotedIpPacket: Uint8Array, mtu?: number): Uint8Array {
  const ihl = (quotedIpPacket[0] & 0x0f) * 4;
  const rest = new Uint8Array(4);
  if (mtu !== undefined) put16(rest, 2, mtu);
  return icmpMessage(3, code, rest, quotedIpPacket.subarray(0, Math.min(quotedIpPacket.length, ihl + 8)));
}

export function icmpEcho(o: { reply?: boolean; id: number; seq: number; payload?: Uint8Array }): Uint8Array {
  const rest = new Uint8Array(4);
  put16(rest, 0, o.id);
  put16(rest, 2, o.seq);
  return icmpMessage(o.reply ? 0 : 8, 0, rest, o.payload ?? new Uint8Array(0));
}

/** ICMPv6 error (1 unreachable — code 4 port —, 2 packet too big, 3 time exceeded); checksum by ipv6(). */
export function icmp6Error(type: 1 | 2 | 3, code: number, quotedIpv6Packet: Uint8Array, mtu?: number): Uint8Array {
  const h = new Uint8Array(8);
  h[0] = type;
  h[1] = code;
  if (mtu !== undefined) put32(h, 4, mtu);
  return concat(h, quotedIpv6Packet.subarray(0, Math.min(quotedIpv6Packet.length, 1232)));
}

export function icmp6Echo(o: { reply?: boolean; id: number; seq: number }): Uint8Array {
  const h = new Uint8Array(8);
  h[0] = o.reply ? 129 : 128;
  put16(h, 4, o.id);
  put16(h, 6, o.seq);
  return h;
}

export interface GreOpts {
  /** EtherType of the payload (default from the payload's IP version). */
  protocol?: number;
  key?: number;
  seq?: number;
  checksum?: boolean;
}

export function gre(o: GreOpts, payload: Uint8Array): Uint8Array {
  const len = 4 + (o.checksum ? 4 : 0) + (o.key !== undefined ? 4 : 0) + (o.seq !== undefined ? 4 : 0);
  const h = new Uint8Array(len);
  put16(h, 0, (o.checksum ? 0x8000 : 0) | (o.key !== undefined ? 0x2000 : 0) | (o.seq !== undefined ? 0x1000 : 0));
  put16(h, 2, o.protocol ?? ETHERTYPE_BY_NIBBLE[payload[0] >> 4] ?? 0x0800);
  let at = 4 + (o.checksum ? 4 : 0);
  if (o.key !== undefined) {
    put32(h, at, o.key);
    at += 4;
  }
  if (o.seq !== undefined) put32(h, at, o.seq);
  const out = concat(h, payload);
  if (o.checksum) put16(out, 4, internetChecksum(out));
  return out;
}
