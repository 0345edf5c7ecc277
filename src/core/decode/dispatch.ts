// The hand-off tables between layers (gopacket's LayerType / EtherType / IPProtocol
// registries). Protocol files call `next*` to pass their payload on; registry.ts fills
// the tables, one line per protocol.
import type { L4Proto, Packet } from './packet';

/**
 * Decodes one layer starting at `off`. `end` is where the captured bytes of this layer's
 * enclosing packet stop. `wireLen` is the length the enclosing header declares for this
 * layer (it may exceed what was captured); `depth` counts encapsulations so that nested
 * tunnels cannot recurse without bound.
 */
export type LayerDecoder = (p: Packet, d: Uint8Array, off: number, end: number, wireLen: number, depth: number) => void;

/** Indexed by LINKTYPE_* (16 bits in both pcap and pcapng). */
export const linkTypes: Array<LayerDecoder | undefined> = new Array(65536).fill(undefined);
/** Indexed by EtherType (a flat table: a lookup per packet must be cheap). */
export const etherTypes: Array<LayerDecoder | undefined> = new Array(65536).fill(undefined);
export const ipProtocols: Array<LayerDecoder | undefined> = new Array(256).fill(undefined);
/** Protocol names for IP protocol numbers we know (used e.g. for non-first fragments). */
export const ipProtocolNames: Array<L4Proto | undefined> = new Array(256).fill(undefined);

export function registerIpProtocol(proto: number, name: L4Proto, decoder: LayerDecoder): void {
  ipProtocols[proto] = decoder;
  ipProtocolNames[proto] = name;
}

/** Maximum nesting of IP-in-IP / GRE / ICMP quotes. */
export const MAX_DEPTH = 4;

export function warn(p: Packet, message: string): void {
  (p.warnings ??= []).push(message);
}

export function nextEtherType(p: Packet, type: number, d: Uint8Array, off: number, end: number, depth: number): void {
  p.etherType = type;
  const dec = etherTypes[type];
  if (dec) dec(p, d, off, end, end - off, depth);
  else p.proto = 'other';
}

export function nextIpProtocol(p: Packet, proto: number, d: Uint8Array, off: number, end: number, wireLen: number, depth: number): void {
  p.protoNumber = proto;
  p.l4Offset = off;
  const dec = ipProtocols[proto];
  if (dec) dec(p, d, off, end, wireLen, depth);
  else {
    p.proto = 'other';
    p.len = wireLen;
  }
}
