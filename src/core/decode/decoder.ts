// RawFrame -> Packet: the link-type decoder starts the chain through the registry.
import type { RawFrame } from '../pcap/frame';
import { linkTypes, warn } from './dispatch';
import { DecodedPacket } from './decodedPacket';
import type { Packet } from './packet';
import './registry';

/** Decode one frame. Never throws on malformed bytes: problems go to `warnings`. */
export function decodeFrame(f: RawFrame): Packet {
  const p = new DecodedPacket(f);
  const link = f.linkType >= 0 && f.linkType <= 0xffff ? linkTypes[f.linkType] : undefined;
  if (link === undefined) {
    warn(p, `link type ${f.linkType} is not decoded`);
    return p;
  }
  try {
    // p.data, not f.data: a reused frame makes its view on each access.
    link(p, p.data, 0, p.data.length, f.wirelen, 0);
  } catch (e) {
    // Decoders bound-check every read; this is only a last line of defence.
    warn(p, `decoder failed: ${(e as Error).message}`);
  }
  return p;
}
