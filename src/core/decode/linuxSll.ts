// Linux cooked capture v1 (LINKTYPE_LINUX_SLL, `tcpdump -i any` before 4.99): 16 bytes,
// packet type(2) ARPHRD(2) address length(2) address(8) protocol(2).
import { formatMac } from './addresses';
import { u16 } from './bytes';
import { nextEtherType, warn } from './dispatch';
import type { Packet } from './packet';

const HEADER_LEN = 16;
const ARPHRD_ETHER = 1;

export function decodeLinuxSll(p: Packet, d: Uint8Array, off: number, end: number, _wireLen: number, depth: number): void {
  if (end - off < HEADER_LEN) {
    warn(p, `Linux cooked header needs ${HEADER_LEN} bytes, ${end - off} captured`);
    return;
  }
  p.sllPacketType = u16(d, off);
  const hatype = u16(d, off + 2);
  const addrLen = u16(d, off + 4);
  if (addrLen === 6 && hatype === ARPHRD_ETHER) p.srcMac = formatMac(d, off + 6);
  const proto = u16(d, off + 14);
  if (proto <= 1500) {
    p.proto = 'other'; // 802.3 / 802.2 frames: the protocol field is not an EtherType
    return;
  }
  nextEtherType(p, proto, d, off + HEADER_LEN, end, depth);
}
