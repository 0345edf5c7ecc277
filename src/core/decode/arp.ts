// ARP over Ethernet/IPv4 (RFC 826): the 28-byte form is the only one LVS cares about.
import { formatIpv4, formatMac } from './addresses';
import { u16 } from './bytes';
import { warn } from './dispatch';
import type { Packet } from './packet';

const HEADER_LEN = 28;

export function decodeArp(p: Packet, d: Uint8Array, off: number, end: number): void {
  p.proto = 'arp';
  if (end - off < 8) {
    warn(p, `ARP header needs 8 bytes, ${end - off} captured`);
    return;
  }
  const hlen = d[off + 4];
  const plen = d[off + 5];
  const op = u16(d, off + 6);
  if (hlen !== 6 || plen !== 4) {
    warn(p, `ARP with hardware address length ${hlen} and protocol address length ${plen} is not decoded`);
    return;
  }
  if (end - off < HEADER_LEN) {
    warn(p, `ARP length ${end - off} too short, ${HEADER_LEN} expected`);
    return;
  }
  p.arp = {
    op: op === 1 ? 'request' : op === 2 ? 'reply' : op,
    senderMac: formatMac(d, off + 8),
    senderIp: formatIpv4(d, off + 14),
    targetMac: formatMac(d, off + 18),
    targetIp: formatIpv4(d, off + 24),
  };
}
