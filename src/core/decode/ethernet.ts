// Ethernet II (LINKTYPE_ETHERNET) with 802.1Q / 802.1ad (QinQ) tags.
import { formatMac } from './addresses';
import { u16 } from './bytes';
import { nextEtherType, warn } from './dispatch';
import type { Packet } from './packet';

const HEADER_LEN = 14;
const TPID_8021Q = 0x8100;
const TPID_8021AD = 0x88a8;
const TPID_QINQ_OLD = 0x9100;
const MAX_TAGS = 8;

export function decodeEthernet(p: Packet, d: Uint8Array, off: number, end: number, _wireLen: number, depth: number): void {
  if (end - off < HEADER_LEN) {
    warn(p, `Ethernet header needs ${HEADER_LEN} bytes, ${end - off} captured`);
    return;
  }
  p.dstMac = formatMac(d, off);
  p.srcMac = formatMac(d, off + 6);
  let type = u16(d, off + 12);
  off += HEADER_LEN;
  let tags = 0;
  while ((type === TPID_8021Q || type === TPID_8021AD || type === TPID_QINQ_OLD) && tags < MAX_TAGS) {
    if (end - off < 4) {
      warn(p, 'VLAN tag cut off by the capture');
      return;
    }
    const tci = u16(d, off);
    (p.vlan ??= []).push(tci & 0x0fff);
    (p.vlanTci ??= []).push(tci);
    type = u16(d, off + 2);
    off += 4;
    tags++;
  }
  if (type <= 1500) {
    // 802.3 length field (LLC/SNAP, STP...): not an EtherType.
    p.proto = 'other';
    return;
  }
  nextEtherType(p, type, d, off, end, depth);
}
