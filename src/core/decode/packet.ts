// The decoded form of one captured frame: the contract between the decoder and
// everything downstream (flow tables, correlation, findings, CLI, webview).
// Field names follow the `lvs-trace decode --json` output; a field is absent
// when the packet has no such layer.

export type L4Proto =
  | 'tcp'
  | 'udp'
  | 'icmp'
  | 'icmp6'
  | 'arp'
  | 'vrrp'
  | 'ipip'
  | 'gre'
  | 'igmp'
  | 'other';

export interface ArpInfo {
  op: 'request' | 'reply' | number;
  senderMac: string;
  senderIp: string;
  targetMac: string;
  targetIp: string;
}

export interface VrrpInfo {
  version: 2 | 3;
  /** Message type (low nibble of the first byte): 1 = advertisement, the only type VRRP
   *  defines; receivers discard others (the fields below are then what the bytes hold). */
  type: number;
  vrid: number;
  priority: number;
  /** Advertisement interval in seconds (v2: whole seconds; v3: centiseconds / 100). */
  intervalSec: number;
  addresses: string[];
  /** v2 only: 0 none, 1 simple text, 2 IP AH. */
  authType?: number;
}

export interface TcpInfo {
  /** Flag bits as on the wire (FIN=1 SYN=2 RST=4 PSH=8 ACK=16 URG=32 ECE=64 CWR=128). */
  flagBits: number;
  window: number;
  mss?: number;
  wscale?: number;
  sackPermitted?: boolean;
  sack?: Array<[number, number]>;
  tsval?: number;
  tsecr?: number;
}

export interface IcmpInfo {
  type: number;
  code: number;
  /** For errors (unreachable, time exceeded, too big): the quoted original datagram. */
  quoted?: InnerPacket;
  /** Fragmentation needed / packet too big: the next-hop MTU. */
  mtu?: number;
  /** Echo id/seq. */
  id?: number;
  seq?: number;
}

/** An encapsulated or quoted IP packet (IP-in-IP, GRE, ICMP error quote). */
export interface InnerPacket {
  src: string;
  dst: string;
  ipId?: number;
  ttl?: number;
  proto: L4Proto;
  protoNumber: number;
  sport?: number;
  dport?: number;
  flags?: string;
  seq?: number;
  ack?: number;
  len?: number;
}

/** GRE header facts (RFC 2784/2890; version 1 is PPTP's enhanced GRE). */
export interface GreInfo {
  version: number;
  /** EtherType of the payload (0x0800 IPv4, 0x86dd IPv6, 0x6558 Ethernet...). */
  protocol: number;
  key?: number;
  sequence?: number;
}

export interface Packet {
  /** 1-based packet number within its file. */
  n: number;
  /** Seconds since the epoch (a double: about a quarter of a microsecond apart today). */
  ts: number;
  /** Nanoseconds past the whole second of `ts`, exact (see RawFrame.tsNanos); the text
   *  line's microseconds come from it. Absent when the source gave only `ts`. */
  tsNanos?: number;
  /** Bytes captured / bytes on the wire. */
  caplen: number;
  wirelen: number;
  /** pcap LINKTYPE_* of this packet's interface. */
  linkType: number;
  /** pcapng interface id (0 for classic pcap). */
  ifIndex?: number;
  srcMac?: string;
  dstMac?: string;
  /** 802.1Q/802.1ad VLAN ids, outer tag first. */
  vlan?: number[];
  /** The same tags' whole TCI: priority (PCP) in bits 15-13, drop-eligible (DEI) bit 12, id. */
  vlanTci?: number[];
  /** Linux SLL/SLL2 packet type: 0 to us, 1 broadcast, 2 multicast, 3 to someone else, 4 sent by us. */
  sllPacketType?: number;
  /** Linux SLL2 interface index. */
  sllIfIndex?: number;
  etherType?: number;
  ipVersion?: 4 | 6;
  src?: string;
  dst?: string;
  ipId?: number;
  ttl?: number;
  /** IPv4 fragment: offset in bytes and the more-fragments bit. */
  fragment?: { offset: number; more: boolean };
  /** IPv4 option types present (when the header is longer than 20 bytes). */
  ipOptions?: number[];
  /** IPv6 extension headers walked before the upper layer (next-header values: 0, 43, 44, 60, 51). */
  ipv6ExtHeaders?: number[];
  /** IP protocol / IPv6 next header after extension headers. */
  protoNumber?: number;
  proto?: L4Proto;
  sport?: number;
  dport?: number;
  /** TCP flags in tcpdump's letters and order (F S R P . U E W): S, S., P., F., R, R., ., S.E */
  flags?: string;
  seq?: number;
  ack?: number;
  /** L4 payload bytes (TCP/UDP data; for others the bytes after their header). */
  len?: number;
  tcp?: TcpInfo;
  arp?: ArpInfo;
  vrrp?: VrrpInfo;
  icmp?: IcmpInfo;
  gre?: GreInfo;
  /** IP-in-IP / GRE: the encapsulated packet. */
  inner?: InnerPacket;
  /** Byte offset of the transport (IP payload) header in `data`. */
  l4Offset?: number;
  /** IP-in-IP / GRE / ICMP error: byte offset of the encapsulated or quoted IP header in `data`. */
  innerOffset?: number;
  /** Byte offset of the L4 payload in `data` (when there is one). */
  payloadOffset?: number;
  /** The captured bytes (a view into the read buffer; copy it to keep it). */
  data: Uint8Array;
  /** Decoder complaints about this packet (truncated header, bad length...). */
  warnings?: string[];
}
