// The concrete Packet the decoder builds. Every field is declared up front (undefined
// until a layer sets it) so that all packets share one object shape: V8 then keeps the
// fields in-object and the decoders' property accesses monomorphic, which is most of
// the difference between ~1 and >3 million packets per second. JSON output and
// `=== undefined` checks treat an undefined field as absent.
import type { RawFrame } from '../pcap/frame';
import type { ArpInfo, GreInfo, IcmpInfo, InnerPacket, L4Proto, Packet, TcpInfo, VrrpInfo } from './packet';

export class DecodedPacket implements Packet {
  n: number;
  ts: number;
  tsNanos: number | undefined;
  caplen: number;
  wirelen: number;
  linkType: number;
  ifIndex: number | undefined;
  srcMac: string | undefined = undefined;
  dstMac: string | undefined = undefined;
  vlan: number[] | undefined = undefined;
  vlanTci: number[] | undefined = undefined;
  sllPacketType: number | undefined = undefined;
  sllIfIndex: number | undefined = undefined;
  etherType: number | undefined = undefined;
  ipVersion: 4 | 6 | undefined = undefined;
  src: string | undefined = undefined;
  dst: string | undefined = undefined;
  ipId: number | undefined = undefined;
  ttl: number | undefined = undefined;
  fragment: { offset: number; more: boolean } | undefined = undefined;
  ipOptions: number[] | undefined = undefined;
  ipv6ExtHeaders: number[] | undefined = undefined;
  protoNumber: number | undefined = undefined;
  proto: L4Proto | undefined = undefined;
  sport: number | undefined = undefined;
  dport: number | undefined = undefined;
  flags: string | undefined = undefined;
  seq: number | undefined = undefined;
  ack: number | undefined = undefined;
  len: number | undefined = undefined;
  tcp: TcpInfo | undefined = undefined;
  arp: ArpInfo | undefined = undefined;
  vrrp: VrrpInfo | undefined = undefined;
  icmp: IcmpInfo | undefined = undefined;
  gre: GreInfo | undefined = undefined;
  inner: InnerPacket | undefined = undefined;
  l4Offset: number | undefined = undefined;
  innerOffset: number | undefined = undefined;
  payloadOffset: number | undefined = undefined;
  data: Uint8Array;
  warnings: string[] | undefined = undefined;

  constructor(f: Pick<RawFrame, 'n' | 'ts' | 'caplen' | 'wirelen' | 'linkType' | 'data'> & { ifIndex?: number; tsNanos?: number }) {
    this.n = f.n;
    this.ts = f.ts;
    // A reused classic-pcap frame reads it from the record header (only now, when asked).
    this.tsNanos = f.tsNanos;
    this.caplen = f.caplen;
    this.wirelen = f.wirelen;
    this.linkType = f.linkType;
    this.ifIndex = f.ifIndex;
    this.data = f.data;
  }
}
