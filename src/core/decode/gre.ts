// GRE (RFC 2784 with RFC 2890 key and sequence; version 1 is PPTP's, RFC 2637): IPVS TUN
// with `--tun-type gre` carries the client's packet in it.
import { u16, u32 } from './bytes';
import { warn } from './dispatch';
import { decodeInnerIp } from './inner';
import type { GreInfo, Packet } from './packet';

const FLAG_CHECKSUM = 0x8000;
const FLAG_ROUTING = 0x4000;
const FLAG_KEY = 0x2000;
const FLAG_SEQ = 0x1000;
const FLAG_ACK = 0x0080; // version 1 only

export function decodeGre(p: Packet, d: Uint8Array, off: number, end: number, wireLen: number, depth: number): void {
  p.proto = 'gre';
  if (end - off < 4) {
    warn(p, `GRE header needs 4 bytes, ${end - off} captured`);
    return;
  }
  const fv = u16(d, off);
  const gre: GreInfo = { version: fv & 7, protocol: u16(d, off + 2) };
  let at = off + 4;
  if (fv & (FLAG_CHECKSUM | FLAG_ROUTING)) at += 4;
  if (fv & FLAG_KEY) {
    if (at + 4 <= end) gre.key = u32(d, at);
    at += 4;
  }
  if (fv & FLAG_SEQ) {
    if (at + 4 <= end) gre.sequence = u32(d, at);
    at += 4;
  }
  if (gre.version === 1 && fv & FLAG_ACK) at += 4;
  p.gre = gre;
  p.len = wireLen - (at - off);
  if (at > end) {
    warn(p, 'GRE header cut off by the capture');
    return;
  }
  if (gre.protocol === 0x0800 || gre.protocol === 0x86dd) {
    const inner = decodeInnerIp(p, d, at, end, depth);
    if (inner) p.inner = inner;
  }
}
