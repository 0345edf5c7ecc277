// ICMP for IPv4 (RFC 792). Errors quote the original datagram's header and first 8
// payload bytes: decoded so that "port unreachable" and "fragmentation needed" (with the
// next-hop MTU, RFC 1191) can be tied to the flow they are about.
import { u16 } from './bytes';
import { warn } from './dispatch';
import { decodeInnerIp } from './inner';
import type { IcmpInfo, Packet } from './packet';

const HEADER_LEN = 8;
export const ICMP_ECHO_REPLY = 0;
export const ICMP_UNREACH = 3;
export const ICMP_ECHO = 8;
export const ICMP_TIME_EXCEEDED = 11;
export const ICMP_UNREACH_NEEDFRAG = 4;
const QUOTING = new Set([3, 4, 5, 11, 12]);

export function decodeIcmp(p: Packet, d: Uint8Array, off: number, end: number, wireLen: number, depth: number): void {
  p.proto = 'icmp';
  const avail = end - off;
  if (avail < 4) {
    warn(p, `ICMP header needs ${HEADER_LEN} bytes, ${avail} captured`);
    return;
  }
  const icmp: IcmpInfo = { type: d[off], code: d[off + 1] };
  p.icmp = icmp;
  p.len = wireLen >= HEADER_LEN ? wireLen - HEADER_LEN : 0;
  if (avail < HEADER_LEN) return;
  if (icmp.type === ICMP_ECHO || icmp.type === ICMP_ECHO_REPLY) {
    icmp.id = u16(d, off + 4);
    icmp.seq = u16(d, off + 6);
  } else if (QUOTING.has(icmp.type)) {
    if (icmp.type === ICMP_UNREACH && icmp.code === ICMP_UNREACH_NEEDFRAG) icmp.mtu = u16(d, off + 6);
    if (avail > HEADER_LEN) {
      const quoted = decodeInnerIp(p, d, off + HEADER_LEN, end, depth);
      if (quoted) icmp.quoted = quoted;
    }
  }
}
