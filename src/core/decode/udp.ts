// UDP (RFC 768).
import { u16 } from './bytes';
import { warn } from './dispatch';
import type { Packet } from './packet';

const HEADER_LEN = 8;

export function decodeUdp(p: Packet, d: Uint8Array, off: number, end: number, wireLen: number, depth: number): void {
  p.proto = 'udp';
  const avail = end - off;
  if (avail < 4) {
    warn(p, `UDP header needs ${HEADER_LEN} bytes, ${avail} captured`);
    return;
  }
  p.sport = u16(d, off);
  p.dport = u16(d, off + 2);
  if (avail < HEADER_LEN) {
    if (depth === 0) warn(p, `UDP header needs ${HEADER_LEN} bytes, ${avail} captured`);
    return;
  }
  const ulen = u16(d, off + 4);
  if (ulen >= HEADER_LEN) {
    p.len = ulen - HEADER_LEN;
  } else {
    p.len = wireLen > HEADER_LEN ? wireLen - HEADER_LEN : 0;
    warn(p, `UDP length field ${ulen} is below the ${HEADER_LEN}-byte header`);
  }
  p.payloadOffset = off + HEADER_LEN;
}
