// Decode bytes as one frame of the given link type.
import { decodeFrame, type Packet } from '../../../src/core/decode';
import type { RawFrame } from '../../../src/core/pcap';

export function decodeBytes(data: Uint8Array, linkType = 1, n = 1): Packet {
  const f: RawFrame = { n, ts: 1700000000.5, caplen: data.length, wirelen: data.length, linkType, ifIndex: 0, data, offset: 24 };
  return decodeFrame(f);
}
