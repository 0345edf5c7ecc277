// Raw IP link types: LINKTYPE_RAW (101, and DLT_RAW 12/14 from old writers) where the
// version nibble decides, and LINKTYPE_IPV4 (228) / LINKTYPE_IPV6 (229).
import { nextEtherType, warn } from './dispatch';
import type { Packet } from './packet';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;

export function decodeRawIp(p: Packet, d: Uint8Array, off: number, end: number, _wireLen: number, depth: number): void {
  if (end - off < 1) {
    warn(p, 'empty raw IP frame');
    return;
  }
  const version = d[off] >> 4;
  if (version === 4) nextEtherType(p, ETHERTYPE_IPV4, d, off, end, depth);
  else if (version === 6) nextEtherType(p, ETHERTYPE_IPV6, d, off, end, depth);
  else warn(p, `raw IP frame with IP version ${version}`);
}

export function decodeRawIpv4(p: Packet, d: Uint8Array, off: number, end: number, _wireLen: number, depth: number): void {
  nextEtherType(p, ETHERTYPE_IPV4, d, off, end, depth);
}

export function decodeRawIpv6(p: Packet, d: Uint8Array, off: number, end: number, _wireLen: number, depth: number): void {
  nextEtherType(p, ETHERTYPE_IPV6, d, off, end, depth);
}
