// TCP (RFC 9293): ports, raw seq/ack, flags in tcpdump's letters, window, and the options
// MSS, window scale, SACK-permitted, SACK blocks and timestamps.
import { u16, u32 } from './bytes';
import { warn } from './dispatch';
import type { Packet, TcpInfo } from './packet';

const MIN_HEADER = 20;
export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

// tcpdump prints the flags in this order (print-tcp.c, tcp_flag_values): ACK's '.' comes
// before URG, ECE and CWR (`S.E`, `.E`, `P.UEW`).
const LETTERS: Array<[number, string]> = [
  [0x01, 'F'],
  [0x02, 'S'],
  [0x04, 'R'],
  [0x08, 'P'],
  [0x10, '.'],
  [0x20, 'U'],
  [0x40, 'E'],
  [0x80, 'W'],
];
/** tcpdump's flag string for every value of the flags byte, computed once. */
export const TCP_FLAG_STRINGS: string[] = [];
for (let bits = 0; bits < 256; bits++) {
  const s = LETTERS.filter(([bit]) => bits & bit).map(([, l]) => l).join('');
  TCP_FLAG_STRINGS.push(s === '' ? 'none' : s);
}

export function decodeTcp(p: Packet, d: Uint8Array, off: number, end: number, wireLen: number, depth: number): void {
  p.proto = 'tcp';
  const avail = end - off;
  if (avail < 4) {
    warn(p, `TCP header needs ${MIN_HEADER} bytes, ${avail} captured`);
    return;
  }
  p.sport = u16(d, off);
  p.dport = u16(d, off + 2);
  if (avail < MIN_HEADER) {
    // ICMP errors quote only the first 8 bytes: ports and sequence number.
    if (avail >= 8) p.seq = u32(d, off + 4);
    if (depth === 0) warn(p, `TCP header needs ${MIN_HEADER} bytes, ${avail} captured`);
    return;
  }
  const bits = d[off + 13];
  p.seq = u32(d, off + 4);
  if (bits & TCP_ACK) p.ack = u32(d, off + 8);
  p.flags = TCP_FLAG_STRINGS[bits];
  const dataOff = (d[off + 12] >> 4) * 4;
  // All option fields up front: one object shape for every segment (see decodedPacket.ts).
  const tcp: TcpInfo = {
    flagBits: bits,
    window: u16(d, off + 14),
    mss: undefined,
    wscale: undefined,
    sackPermitted: undefined,
    sack: undefined,
    tsval: undefined,
    tsecr: undefined,
  };
  if (dataOff < MIN_HEADER) {
    warn(p, `TCP data offset ${dataOff} is below the ${MIN_HEADER}-byte header`);
  } else if (dataOff > wireLen) {
    // The header claims more than the IP packet holds: its options and the payload's start
    // are unknown, so neither is given (no len, no payloadOffset). tcpdump's words.
    warn(p, `bad hdr length ${dataOff} - too long, > ${wireLen}`);
  } else {
    if (dataOff > MIN_HEADER) {
      if (dataOff <= avail) readOptions(tcp, d, off + MIN_HEADER, off + dataOff);
      else if (depth === 0) warn(p, 'TCP options cut off by the capture');
    }
    p.len = wireLen - dataOff;
    p.payloadOffset = off + dataOff;
  }
  p.tcp = tcp;
}

function readOptions(tcp: TcpInfo, d: Uint8Array, at: number, end: number): void {
  while (at < end) {
    const kind = d[at];
    if (kind === 0) return; // end of options
    if (kind === 1) {
      at++; // NOP
      continue;
    }
    if (at + 1 >= end) return;
    const len = d[at + 1];
    if (len < 2 || at + len > end) return;
    if (kind === 2 && len === 4) tcp.mss = u16(d, at + 2);
    else if (kind === 3 && len === 3) tcp.wscale = d[at + 2];
    else if (kind === 4 && len === 2) tcp.sackPermitted = true;
    else if (kind === 5 && len >= 10) {
      const blocks: Array<[number, number]> = [];
      for (let b = at + 2; b + 8 <= at + len; b += 8) blocks.push([u32(d, b), u32(d, b + 4)]);
      tcp.sack = blocks;
    } else if (kind === 8 && len === 10) {
      tcp.tsval = u32(d, at + 2);
      tcp.tsecr = u32(d, at + 6);
    }
    at += len;
  }
}
