// Public surface of the decoder.
import { readFramesReusingFrame } from '../pcap/read';
import type { ReadSummary } from '../pcap/frame';
import { decodeFrame } from './decoder';
import type { Packet } from './packet';

export { decodeFrame } from './decoder';
export { formatPacketLine, formatTimestamp } from './format';
export { packetToJson } from './json';
export { TCP_FLAG_STRINGS } from './tcp';
export type * from './packet';

/** Read and decode a capture file; returning false from onPacket stops. */
export function readPackets(file: string, onPacket: (p: Packet) => void | false): ReadSummary {
  return readFramesReusingFrame(file, (f) => onPacket(decodeFrame(f)));
}
