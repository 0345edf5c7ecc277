// One text line per packet, in the layout of `tcpdump -nn -e -tttt -S` (times in UTC):
// someone who knows tcpdump reads it at once, and the tests compare it with tcpdump's.
import { DecodedPacket } from './decodedPacket';
import { linkTypes } from './dispatch';
import type { Packet } from './packet';

const SLL_DIRECTION = ['In', 'B', 'M', 'P', 'Out'];
const ETHERTYPE_NAMES: Record<number, string> = { 0x0800: 'IPv4', 0x0806: 'ARP', 0x86dd: 'IPv6', 0x8100: '802.1Q', 0x88a8: '802.1Q-QinQ', 0x9100: '802.1Q-QinQ' };
const VRRP_AUTH = ['none', 'simple', 'ah'];

/**
 * `YYYY-MM-DD HH:MM:SS.uuuuuu` (UTC). With `tsNanos` (the exact nanoseconds past the whole
 * second) the microseconds are truncated from it, as tcpdump prints them; `ts` alone is a
 * double about 0.24 µs apart at today's epoch, which cannot hold nanoseconds: it is then
 * rounded to the nearest microsecond (what a microsecond file's value was).
 */
export function formatTimestamp(ts: number, tsNanos?: number): string {
  // A corrupt timestamp resolution or offset can push the time outside what Date holds.
  if (!(Math.abs(ts) < 8.64e12)) return `ts ${ts}`;
  let sec: number;
  let usec: number;
  if (tsNanos !== undefined && tsNanos >= 0 && tsNanos < 1e9) {
    // ts is within a few ulps of sec + tsNanos / 1e9: the whole second is the nearest integer.
    sec = Math.round(ts - tsNanos / 1e9);
    usec = Math.floor(tsNanos / 1000);
  } else {
    sec = Math.floor(ts);
    usec = Math.round((ts - sec) * 1e6);
    if (usec >= 1e6) {
      sec += 1;
      usec -= 1e6;
    }
  }
  const iso = new Date(sec * 1000).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${String(usec).padStart(6, '0')}`;
}

function etherType(t: number): string {
  return `ethertype ${ETHERTYPE_NAMES[t] ?? 'Unknown'} (0x${t.toString(16).padStart(4, '0')})`;
}

export function formatPacketLine(p: Packet): string {
  let line = `${formatTimestamp(p.ts, p.tsNanos)} ${formatLink(p)}${formatNetwork(p)}`;
  if (p.warnings) line += ` [${p.warnings.join('; ')}]`;
  return line;
}

function formatLink(p: Packet): string {
  const type = p.etherType;
  const mac = p.srcMac !== undefined ? `${p.srcMac} ` : '';
  switch (p.linkType) {
    case 1: {
      if (p.dstMac === undefined) return '';
      if (!p.vlan) return `${p.srcMac} > ${p.dstMac}, ${type !== undefined ? etherType(type) : '802.3'}, length ${p.wirelen}: `;
      const tpids = vlanTpids(p);
      const tags = p.vlan.map((v, k) => `${vlanTag(v, p.vlanTci?.[k] ?? 0)}, ${k + 1 < tpids.length ? etherType(tpids[k + 1]) : type !== undefined ? etherType(type) : ''}, `).join('');
      return `${p.srcMac} > ${p.dstMac}, ${etherType(tpids[0])}, length ${p.wirelen}: ${tags}`;
    }
    case 113:
      return `${(SLL_DIRECTION[p.sllPacketType ?? -1] ?? String(p.sllPacketType)).padStart(3)} ${mac}${type !== undefined ? etherType(type) : ''}, length ${p.wirelen}: `;
    case 276:
      return `${'?'.padEnd(5)} ${(SLL_DIRECTION[p.sllPacketType ?? -1] ?? String(p.sllPacketType)).padEnd(3)} ifindex ${p.sllIfIndex} ${mac}${type !== undefined ? etherType(type) : ''}, length ${p.wirelen}: `;
    case 0:
    case 108: {
      const d = p.data;
      const be = d.length >= 4 ? ((d[0] << 24) | (d[1] << 16) | (d[2] << 8) | d[3]) >>> 0 : 0;
      const family = be < 256 ? be : d[0] | (d[1] << 8);
      return `AF ${family === 2 ? 'IPv4' : p.ipVersion === 6 ? 'IPv6' : 'Unknown'} (${family}), length ${p.wirelen}: `;
    }
    default:
      // tcpdump -e labels every raw-IP frame "ip: ", IPv6 included.
      return p.ipVersion !== undefined ? 'ip: ' : '';
  }
}

/** tcpdump's `vlan 100, p 3` (priority), `, DEI` when the drop-eligible bit is set. */
function vlanTag(id: number, tci: number): string {
  return `vlan ${id}, p ${tci >> 13}${tci & 0x1000 ? ', DEI' : ''}`;
}

/** The bytes of the link-layer header ARP follows (Ethernet and its VLAN tags, Linux cooked
 *  v1 and v2: the link types whose EtherType leads to ARP). */
function arpLinkHeader(p: Packet): number | undefined {
  switch (p.linkType) {
    case 1:
      return 14 + 4 * (p.vlan?.length ?? 0);
    case 113:
      return 16;
    case 276:
      return 20;
    default:
      return undefined;
  }
}

function formatNetwork(p: Packet): string {
  if (p.arp) {
    const a = p.arp;
    // tcpdump's length is everything after the link header on the wire: 28 for the ARP
    // message itself, 46 when the sender padded the frame to Ethernet's 60 bytes.
    const header = arpLinkHeader(p);
    const len = header !== undefined && p.wirelen - header >= 28 ? p.wirelen - header : 28;
    // tcpdump shows the target MAC of a request only when it is set (gratuitous ARP).
    const tha = a.targetMac !== '00:00:00:00:00:00' ? ` (${a.targetMac})` : '';
    if (a.op === 'request') return `Request who-has ${a.targetIp}${tha} tell ${a.senderIp}, length ${len}`;
    if (a.op === 'reply') return `Reply ${a.senderIp} is-at ${a.senderMac}, length ${len}`;
    return `ARP, op ${a.op} ${a.senderIp} (${a.senderMac}) > ${a.targetIp} (${a.targetMac}), length ${len}`;
  }
  if (p.src === undefined) return p.proto === 'arp' ? 'ARP, truncated' : `length ${p.caplen}`;
  const ends = p.sport !== undefined ? `${p.src}.${p.sport} > ${p.dst}.${p.dport}` : `${p.src} > ${p.dst}`;
  // Like tcpdump (without -v): a later fragment shows only its protocol number.
  if (p.fragment && p.fragment.offset > 0) return `${ends}: ${p.ipVersion === 6 ? `frag (${p.fragment.offset}|${p.len})` : `ip-proto-${p.protoNumber}`}`;
  return `${ends}: ${formatTransport(p)}`;
}

function formatTransport(p: Packet): string {
  const len = p.len ?? 0;
  switch (p.proto) {
    case 'tcp': {
      const t = p.tcp;
      if (p.flags === undefined || !t) return `tcp ${len} [|tcp]`;
      let s = `Flags [${p.flags}]`;
      // A data offset below 20 or past the IP payload: tcpdump stops at the flags (the
      // decoder's warning, e.g. "bad hdr length 60 - too long, > 40", follows the line).
      if (p.payloadOffset === undefined) return s;
      // tcpdump -S: the sequence number when the segment carries data or SYN/FIN/RST.
      if (len > 0 || t.flagBits & 0x07) s += `, seq ${p.seq}${len > 0 ? `:${((p.seq ?? 0) + len) >>> 0}` : ''}`;
      if (p.ack !== undefined) s += `, ack ${p.ack}`;
      s += `, win ${t.window}`;
      const opts = tcpOptions(p);
      if (opts) s += `, options [${opts}]`;
      return `${s}, length ${len}`;
    }
    case 'udp':
      return `UDP, length ${len}`;
    case 'vrrp': {
      const v = p.vrrp;
      if (!v) return 'VRRP [|vrrp]';
      const ttl = p.ttl !== 255 ? `, (ttl ${p.ttl})` : '';
      // Like tcpdump: a type other than advertisement is named and nothing more is shown.
      if (v.type !== 1) return `VRRPv${v.version}, unknown type (${v.type})${ttl}`;
      const auth = v.authType ?? 0;
      const rest = v.version === 2 ? `, authtype ${VRRP_AUTH[auth] ?? `#${auth}`}, intvl ${v.intervalSec}s` : `, intvl ${Math.round(v.intervalSec * 100)}cs`;
      return `VRRPv${v.version}, Advertisement${ttl}, vrid ${v.vrid}, prio ${v.priority}${rest}, length ${len + 8}`;
    }
    case 'icmp':
    case 'icmp6':
      return formatIcmp(p);
    case 'ipip':
      return formatInner(p) ?? `ip-proto-${p.protoNumber} ${len}`;
    case 'gre': {
      const g = p.gre;
      if (!g) return 'GRE [|gre]';
      const inner = formatInner(p);
      const header = p.innerOffset !== undefined && p.l4Offset !== undefined ? p.innerOffset - p.l4Offset : 4;
      const key = g.key !== undefined ? `key=0x${g.key.toString(16)}, ` : '';
      const seq = g.sequence !== undefined ? `seq ${g.sequence}, ` : '';
      return `GREv${g.version}, ${key}${seq}proto ${ETHERTYPE_NAMES[g.protocol] ?? 'Unknown'} (0x${g.protocol.toString(16).padStart(4, '0')}), length ${len + header}${inner ? `: ${inner}` : ''}`;
    }
    case 'igmp':
      return `igmp, length ${len}`;
    default:
      return `ip-proto-${p.protoNumber ?? '?'} ${len}`;
  }
}

/** The encapsulated packet, decoded again from its bytes and printed in full. */
function formatInner(p: Packet): string | undefined {
  if (p.innerOffset === undefined) return undefined;
  const data = p.data.subarray(p.innerOffset);
  const q = new DecodedPacket({ n: p.n, ts: p.ts, caplen: data.length, wirelen: data.length, linkType: 101, data });
  linkTypes[101]?.(q, data, 0, data.length, data.length, 1);
  return q.src !== undefined ? formatNetwork(q) : undefined;
}

/** TCP options in wire order, as tcpdump names them. */
function tcpOptions(p: Packet): string {
  const d = p.data;
  const at0 = p.l4Offset;
  if (at0 === undefined || p.payloadOffset === undefined) return '';
  const out: string[] = [];
  let at = at0 + 20;
  const end = Math.min(p.payloadOffset, d.length);
  const u32 = (i: number) => ((d[i] << 24) | (d[i + 1] << 16) | (d[i + 2] << 8) | d[i + 3]) >>> 0;
  while (at < end) {
    const kind = d[at];
    if (kind === 0) {
      out.push('eol');
      break;
    }
    if (kind === 1) {
      out.push('nop');
      at++;
      continue;
    }
    const len = d[at + 1];
    if (at + 1 >= end || len < 2 || at + len > end) {
      out.push('[bad opt]');
      break;
    }
    if (kind === 2 && len === 4) out.push(`mss ${(d[at + 2] << 8) | d[at + 3]}`);
    else if (kind === 3 && len === 3) out.push(`wscale ${d[at + 2]}`);
    else if (kind === 4 && len === 2) out.push('sackOK');
    else if (kind === 5) {
      const blocks: string[] = [];
      for (let b = at + 2; b + 8 <= at + len; b += 8) blocks.push(`{${u32(b)}:${u32(b + 4)}}`);
      out.push(`sack ${blocks.length} ${blocks.join('')}`);
    } else if (kind === 8 && len === 10) out.push(`TS val ${u32(at + 2)} ecr ${u32(at + 6)}`);
    else out.push(`opt-${kind}:${len}`);
    at += len;
  }
  return out.join(',');
}

function formatIcmp(p: Packet): string {
  const c = p.icmp;
  const len = `, length ${(p.len ?? 0) + 8}`;
  if (p.proto === 'icmp6') {
    if (!c) return 'ICMP6 [|icmp6]';
    if (c.id !== undefined) return `ICMP6, echo ${c.type === 128 ? 'request' : 'reply'}, id ${c.id}, seq ${c.seq}${len}`;
    const q = c.quoted;
    if (c.type === 2) return `ICMP6, packet too big, mtu ${c.mtu}${len}`;
    if (c.type === 1 && c.code === 4 && q?.dport !== undefined) return `ICMP6, destination unreachable, unreachable port, ${q.dst} ${q.proto} port ${q.dport}${len}`;
    return `ICMP6, type ${c.type} code ${c.code}${q ? `, about ${q.src} > ${q.dst} ${q.proto}` : ''}${len}`;
  }
  if (!c) return 'ICMP [|icmp]';
  if (c.id !== undefined) return `ICMP echo ${c.type === 8 ? 'request' : 'reply'}, id ${c.id}, seq ${c.seq}${len}`;
  const q = c.quoted;
  if (q) {
    if (c.type === 3 && c.code === 3 && q.dport !== undefined) return `ICMP ${q.dst} ${q.proto} port ${q.dport} unreachable${len}`;
    if (c.type === 3 && c.code === 4) return `ICMP ${q.dst} unreachable - need to frag (mtu ${c.mtu})${len}`;
    return `ICMP type ${c.type} code ${c.code}, about ${q.src} > ${q.dst} ${q.proto}${len}`;
  }
  return `ICMP type ${c.type} code ${c.code}${len}`;
}

/** The tag protocol identifiers of the VLAN tags, read back from the frame. */
function vlanTpids(p: Packet): number[] {
  const out: number[] = [];
  const d = p.data;
  for (let k = 0, at = 12; k < (p.vlan?.length ?? 0) && at + 2 <= d.length; k++, at += 4) out.push((d[at] << 8) | d[at + 1]);
  return out;
}
