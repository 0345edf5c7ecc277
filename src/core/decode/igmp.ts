// IGMP (IP protocol 2): named only, so that multicast joins around VRRP are not "other".
import type { Packet } from './packet';

export function decodeIgmp(p: Packet, _d: Uint8Array, _off: number, _end: number, wireLen: number): void {
  p.proto = 'igmp';
  p.len = wireLen;
}
