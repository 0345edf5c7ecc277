// Linux cooked capture v2 (LINKTYPE_LINUX_SLL2, `tcpdump -i any` since 4.99): 20 bytes,
// protocol(2) reserved(2) ifindex(4) ARPHRD(2) packet type(1) address length(1) address(8).
import { formatMac } from './addresses';
import { u16, u32 } from './bytes';
import { nextEtherType, warn } from './dispatch';
import type { Packet } from './packet';

const HEADER_LEN = 20;
const ARPHRD_ETHER = 1;

export function decodeLinuxSll2(p: Packet, d: Uint8Array, off: number, end: number, _wireLen: number, depth: number): void {
  if (end - off < HEADER_LEN) {
    warn(p, `Linux cooked v2 header needs ${HEADER_LEN} bytes, ${end - off} captured`);
    return;
  }
  const proto = u16(d, off);
  p.sllIfIndex = u32(d, off + 4);
  const hatype = u16(d, off + 8);
  p.sllPacketType = d[off + 10];
  if (d[off + 11] === 6 && hatype === ARPHRD_ETHER) p.srcMac = formatMac(d, off + 12);
  if (proto <= 1500) {
    p.proto = 'other';
    return;
  }
  nextEtherType(p, proto, d, off + HEADER_LEN, end, depth);
}
