// Decoding an encapsulated or quoted IP packet (IP-in-IP, GRE, ICMP errors) with the same
// decoders as the outer one, then keeping the fields downstream code needs.
import { MAX_DEPTH, nextEtherType, warn } from './dispatch';
import { DecodedPacket } from './decodedPacket';
import type { InnerPacket, Packet } from './packet';

export function decodeInnerIp(outer: Packet, d: Uint8Array, off: number, end: number, depth: number): InnerPacket | undefined {
  if (depth >= MAX_DEPTH) {
    warn(outer, `encapsulation deeper than ${MAX_DEPTH} levels not decoded`);
    return undefined;
  }
  if (end - off < 1) return undefined;
  outer.innerOffset = off;
  const version = d[off] >> 4;
  const q = new DecodedPacket(outer);
  if (version === 4) nextEtherType(q, 0x0800, d, off, end, depth + 1);
  else if (version === 6) nextEtherType(q, 0x86dd, d, off, end, depth + 1);
  else {
    warn(outer, `encapsulated packet with IP version ${version}`);
    return undefined;
  }
  if (q.warnings) for (const w of q.warnings) warn(outer, `inner: ${w}`);
  if (q.src === undefined || q.dst === undefined) return undefined;
  // Every field present (undefined when the layer lacks it): one object shape.
  const inner: InnerPacket = {
    src: q.src,
    dst: q.dst,
    ipId: q.ipId,
    ttl: q.ttl,
    proto: q.proto ?? 'other',
    protoNumber: q.protoNumber ?? 0,
    sport: q.sport,
    dport: q.dport,
    flags: q.flags,
    seq: q.seq,
    ack: q.ack,
    len: q.len,
  };
  return inner;
}
