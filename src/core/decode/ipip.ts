// IP-in-IP: IP protocol 4 (IPv4 inside) and 41 (IPv6 inside), under IPv4 or IPv6 — what
// IPVS TUN mode sends to real servers (4in4 by default).
import { warn } from './dispatch';
import { decodeInnerIp } from './inner';
import type { Packet } from './packet';

export function decodeIpInIp(p: Packet, d: Uint8Array, off: number, end: number, wireLen: number, depth: number): void {
  p.proto = 'ipip';
  p.len = wireLen;
  if (end <= off) {
    warn(p, 'IP-in-IP payload not captured');
    return;
  }
  const inner = decodeInnerIp(p, d, off, end, depth);
  if (inner) p.inner = inner;
}
