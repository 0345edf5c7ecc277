// BSD loopback: a 4-byte address family, in the writer's byte order for LINKTYPE_NULL (0)
// and big-endian for LINKTYPE_LOOP (108). AF_INET is 2 everywhere; AF_INET6 is 24, 28 or
// 30 depending on the BSD (10 on Linux).
import { nextEtherType, warn } from './dispatch';
import type { Packet } from './packet';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from './rawIp';

const AF_INET6 = new Set([10, 24, 28, 30]);

export function decodeLoopback(p: Packet, d: Uint8Array, off: number, end: number, _wireLen: number, depth: number): void {
  if (end - off < 4) {
    warn(p, `loopback header needs 4 bytes, ${end - off} captured`);
    return;
  }
  // Whichever byte order gives a small number is the right one.
  const be = ((d[off] << 24) | (d[off + 1] << 16) | (d[off + 2] << 8) | d[off + 3]) >>> 0;
  const le = ((d[off + 3] << 24) | (d[off + 2] << 16) | (d[off + 1] << 8) | d[off]) >>> 0;
  const family = be < 256 ? be : le;
  if (family === 2) nextEtherType(p, ETHERTYPE_IPV4, d, off + 4, end, depth);
  else if (AF_INET6.has(family)) nextEtherType(p, ETHERTYPE_IPV6, d, off + 4, end, depth);
  else p.proto = 'other';
}
