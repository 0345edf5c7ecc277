// IPv6 (RFC 8200) with the extension headers that precede an upper layer: hop-by-hop (0),
// routing (43), fragment (44), destination options (60) and AH (51).
import { formatIpv6 } from './addresses';
import { u16 } from './bytes';
import { ipProtocolNames, nextIpProtocol, warn } from './dispatch';
import type { Packet } from './packet';

const HEADER_LEN = 40;
const MAX_EXT_HEADERS = 8;

export function decodeIpv6(p: Packet, d: Uint8Array, off: number, end: number, _wireLen: number, depth: number): void {
  const avail = end - off;
  if (avail < HEADER_LEN) {
    warn(p, `IPv6 header needs ${HEADER_LEN} bytes, ${avail} captured`);
    return;
  }
  if (d[off] >> 4 !== 6) {
    warn(p, `IPv6 header with version ${d[off] >> 4}`);
    return;
  }
  p.ipVersion = 6;
  p.src = formatIpv6(d, off + 8);
  p.dst = formatIpv6(d, off + 24);
  p.ttl = d[off + 7];
  let payload = u16(d, off + 4);
  if (payload === 0) payload = avail - HEADER_LEN; // jumbogram or offload
  let next = d[off + 6];
  let at = off + HEADER_LEN;
  const capEnd = at + payload < end ? at + payload : end;
  for (let k = 0; k < MAX_EXT_HEADERS; k++) {
    if (next !== 0 && next !== 43 && next !== 44 && next !== 60 && next !== 51) break;
    if (capEnd - at < 8) {
      p.protoNumber = next;
      warn(p, `IPv6 extension header ${next} cut off by the capture`);
      return;
    }
    (p.ipv6ExtHeaders ??= []).push(next);
    let len: number;
    if (next === 44) {
      const fo = u16(d, at + 2);
      const fragOffset = fo & 0xfff8;
      const more = (fo & 1) !== 0;
      if (fragOffset !== 0 || more) p.fragment = { offset: fragOffset, more };
      len = 8;
      if (fragOffset !== 0) {
        p.protoNumber = d[at];
        p.proto = ipProtocolNames[d[at]] ?? 'other';
        p.len = payload - (at + len - off - HEADER_LEN);
        return;
      }
    } else if (next === 51) {
      len = (d[at + 1] + 2) * 4;
    } else {
      len = (d[at + 1] + 1) * 8;
    }
    next = d[at];
    at += len;
  }
  const used = at - off - HEADER_LEN;
  if (used > payload) {
    p.protoNumber = next;
    warn(p, `IPv6 extension headers (${used} bytes) overrun the payload length ${payload}`);
    return;
  }
  nextIpProtocol(p, next, d, at, capEnd, payload - used, depth);
}
