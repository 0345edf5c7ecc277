// VRRP version 2 (RFC 3768) and 3 (RFC 5798), IP protocol 112: what keepalived sends.
// v2 carries the advertisement interval in seconds, an auth type and, after the addresses,
// 8 bytes of authentication data (the simple-text password for auth type 1: a credential,
// never decoded here, so it is in no output, log or view); v3 a 12-bit
// interval in centiseconds and IPv4 or IPv6 addresses (by the enclosing IP version).
// Both define one message type, 1 (advertisement); receivers discard any other.
import { formatIpv4, formatIpv6 } from './addresses';
import { u16 } from './bytes';
import { warn } from './dispatch';
import type { Packet, VrrpInfo } from './packet';

const HEADER_LEN = 8;

export function decodeVrrp(p: Packet, d: Uint8Array, off: number, end: number, wireLen: number): void {
  p.proto = 'vrrp';
  const avail = end - off;
  p.len = wireLen >= HEADER_LEN ? wireLen - HEADER_LEN : 0;
  if (avail < HEADER_LEN) {
    warn(p, `VRRP header needs ${HEADER_LEN} bytes, ${avail} captured`);
    return;
  }
  const version = d[off] >> 4;
  if (version !== 2 && version !== 3) {
    warn(p, `VRRP version ${version} is not decoded`);
    return;
  }
  const count = d[off + 3];
  const v6 = version === 3 && p.ipVersion === 6;
  const size = v6 ? 16 : 4;
  const addresses: string[] = [];
  let at = off + HEADER_LEN;
  for (let k = 0; k < count && at + size <= end; k++, at += size) {
    addresses.push(v6 ? formatIpv6(d, at) : formatIpv4(d, at));
  }
  if (addresses.length < count) warn(p, `VRRP lists ${count} addresses, ${addresses.length} captured`);
  const authType = version === 2 ? d[off + 4] : undefined;
  // Every field present (undefined when absent): one object shape.
  const vrrp: VrrpInfo = {
    version: version as 2 | 3,
    type: d[off] & 0x0f,
    vrid: d[off + 1],
    priority: d[off + 2],
    intervalSec: version === 2 ? d[off + 5] : (u16(d, off + 4) & 0x0fff) / 100,
    addresses,
    authType,
  };
  p.vrrp = vrrp;
}

