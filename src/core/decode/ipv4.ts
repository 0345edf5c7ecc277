// IPv4 (RFC 791). Ethernet padding is trimmed to the total length; a capture shorter
// than the total length is a truncation, not an error (lengths come from the header).
import { formatIpv4 } from './addresses';
import { u16 } from './bytes';
import { ipProtocolNames, nextIpProtocol, warn } from './dispatch';
import type { Packet } from './packet';

const MIN_HEADER = 20;

export function decodeIpv4(p: Packet, d: Uint8Array, off: number, end: number, _wireLen: number, depth: number): void {
  const avail = end - off;
  if (avail < MIN_HEADER) {
    warn(p, `IPv4 header needs ${MIN_HEADER} bytes, ${avail} captured`);
    return;
  }
  const vihl = d[off];
  if (vihl >> 4 !== 4) {
    warn(p, `IPv4 header with version ${vihl >> 4}`);
    return;
  }
  const ihl = (vihl & 0x0f) * 4;
  let total = u16(d, off + 2);
  // With TCP segmentation offload the kernel hands tcpdump a total length of 0.
  if (total === 0) total = avail;
  p.ipVersion = 4;
  p.src = formatIpv4(d, off + 12);
  p.dst = formatIpv4(d, off + 16);
  p.ipId = u16(d, off + 4);
  p.ttl = d[off + 8];
  const proto = d[off + 9];
  if (ihl < MIN_HEADER || total < ihl) {
    p.protoNumber = proto;
    warn(p, `bad IPv4 lengths: header ${ihl}, total ${total}`);
    return;
  }
  const ff = u16(d, off + 6);
  const fragOffset = (ff & 0x1fff) * 8;
  const more = (ff & 0x2000) !== 0;
  if (fragOffset !== 0 || more) p.fragment = { offset: fragOffset, more };
  if (ihl > MIN_HEADER && ihl <= avail) p.ipOptions = optionTypes(d, off + MIN_HEADER, off + ihl);
  if (ihl > avail) {
    p.protoNumber = proto;
    warn(p, `IPv4 options cut off by the capture`);
    return;
  }
  if (fragOffset !== 0) {
    // A later fragment carries no upper-layer header.
    p.protoNumber = proto;
    p.proto = ipProtocolNames[proto] ?? 'other';
    p.len = total - ihl;
    return;
  }
  const capEnd = off + total < end ? off + total : end;
  nextIpProtocol(p, proto, d, off + ihl, capEnd, total - ihl, depth);
}

function optionTypes(d: Uint8Array, at: number, end: number): number[] {
  const types: number[] = [];
  while (at < end) {
    const t = d[at];
    types.push(t);
    if (t === 0) break; // end of option list
    if (t === 1) {
      at++; // no-operation
      continue;
    }
    const len = d[at + 1];
    if (at + 1 >= end || len < 2) break;
    at += len;
  }
  return types;
}
