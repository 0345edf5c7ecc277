// RawFrame -> Packet: the link-type decoder starts the chain through the registry.
import type { RawFrame } from '../pcap/frame';
import { linkTypes, warn } from './dispatch';
import type { Packet } from './packet';
import './registry';

/** Decode one frame. Never throws on malformed bytes: problems go to `warnings`. */
export function decodeFrame(f: RawFrame): Packet {
  const p: Packet = { n: f.n, ts: f.ts, caplen: f.caplen, wirelen: f.wirelen, linkType: f.linkType, ifIndex: f.ifIndex, data: f.data };
  const link = linkTypes.get(f.linkType);
  if (link === undefined) {
    warn(p, `link type ${f.linkType} is not decoded`);
    return p;
  }
  try {
    link(p, f.data, 0, f.data.length, f.wirelen, 0);
  } catch (e) {
    // Decoders bound-check every read; this is only a last line of defence.
    warn(p, `decoder failed: ${(e as Error).message}`);
  }
  return p;
}
