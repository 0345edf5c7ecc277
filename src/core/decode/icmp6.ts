// ICMPv6 (RFC 4443): errors (destination unreachable 1, packet too big 2 with the MTU,
// time exceeded 3, parameter problem 4) quote the original packet; echo has id/seq.
import { u16, u32 } from './bytes';
import { warn } from './dispatch';
import { decodeInnerIp } from './inner';
import type { IcmpInfo, Packet } from './packet';

const HEADER_LEN = 8;
export const ICMP6_PACKET_TOO_BIG = 2;

export function decodeIcmp6(p: Packet, d: Uint8Array, off: number, end: number, wireLen: number, depth: number): void {
  p.proto = 'icmp6';
  const avail = end - off;
  if (avail < 4) {
    warn(p, `ICMPv6 header needs ${HEADER_LEN} bytes, ${avail} captured`);
    return;
  }
  const icmp: IcmpInfo = { type: d[off], code: d[off + 1] };
  p.icmp = icmp;
  p.len = wireLen >= HEADER_LEN ? wireLen - HEADER_LEN : 0;
  if (avail < HEADER_LEN) return;
  if (icmp.type === 128 || icmp.type === 129) {
    icmp.id = u16(d, off + 4);
    icmp.seq = u16(d, off + 6);
  } else if (icmp.type >= 1 && icmp.type <= 4) {
    if (icmp.type === ICMP6_PACKET_TOO_BIG) icmp.mtu = u32(d, off + 4);
    if (avail > HEADER_LEN) {
      const quoted = decodeInnerIp(p, d, off + HEADER_LEN, end, depth);
      if (quoted) icmp.quoted = quoted;
    }
  }
}
