// The `lvs-trace decode --json` object: stable keys, absent when the layer is absent.
import type { Packet } from './packet';

export function packetToJson(p: Packet): Record<string, unknown> {
  const o: Record<string, unknown> = { n: p.n, ts: p.ts };
  if (p.srcMac !== undefined) o.srcMac = p.srcMac;
  if (p.dstMac !== undefined) o.dstMac = p.dstMac;
  if (p.vlan !== undefined) {
    o.vlan = p.vlan;
    // Per tag, as tcpdump shows them: priority (`p 3`) and the drop-eligible bit (`DEI`).
    const tci = p.vlanTci ?? p.vlan.map(() => 0);
    o.vlanPriority = tci.map((t) => t >> 13);
    o.vlanDei = tci.map((t) => (t & 0x1000) !== 0);
  }
  if (p.src !== undefined) o.src = p.src;
  if (p.dst !== undefined) o.dst = p.dst;
  if (p.ipId !== undefined) o.ipId = p.ipId;
  if (p.ttl !== undefined) o.ttl = p.ttl;
  if (p.fragment !== undefined) o.fragment = p.fragment;
  if (p.proto !== undefined) o.proto = p.proto;
  if (p.sport !== undefined) o.sport = p.sport;
  if (p.dport !== undefined) o.dport = p.dport;
  if (p.flags !== undefined) o.flags = p.flags;
  if (p.seq !== undefined) o.seq = p.seq;
  if (p.ack !== undefined) o.ack = p.ack;
  if (p.len !== undefined) o.len = p.len;
  if (p.tcp !== undefined) {
    const t: Record<string, unknown> = { window: p.tcp.window };
    if (p.tcp.mss !== undefined) t.mss = p.tcp.mss;
    if (p.tcp.wscale !== undefined) t.wscale = p.tcp.wscale;
    if (p.tcp.sackPermitted) t.sackPermitted = true;
    if (p.tcp.sack !== undefined) t.sack = p.tcp.sack;
    if (p.tcp.tsval !== undefined) t.tsval = p.tcp.tsval;
    if (p.tcp.tsecr !== undefined) t.tsecr = p.tcp.tsecr;
    o.tcp = t;
  }
  if (p.arp !== undefined) o.arp = { ...p.arp };
  if (p.vrrp !== undefined) {
    const v = p.vrrp;
    const vrrp: Record<string, unknown> = { version: v.version, type: v.type, vrid: v.vrid, priority: v.priority, intervalSec: v.intervalSec, addresses: v.addresses };
    if (v.authType !== undefined) vrrp.authType = v.authType;
    o.vrrp = vrrp;
  }
  if (p.icmp !== undefined) {
    const { quoted, ...rest } = p.icmp;
    o.icmp = quoted !== undefined ? { ...rest, quoted: innerJson(quoted) } : rest;
  }
  if (p.inner !== undefined) o.inner = innerJson(p.inner);
  if (p.sllPacketType !== undefined) o.sllPacketType = p.sllPacketType;
  if (p.sllIfIndex !== undefined) o.sllIfIndex = p.sllIfIndex;
  if (p.warnings !== undefined) o.warnings = p.warnings;
  return o;
}

function innerJson(i: NonNullable<Packet['inner']>): Record<string, unknown> {
  const o: Record<string, unknown> = { src: i.src, dst: i.dst, proto: i.proto };
  if (i.ipId !== undefined) o.ipId = i.ipId;
  if (i.sport !== undefined) o.sport = i.sport;
  if (i.dport !== undefined) o.dport = i.dport;
  if (i.flags !== undefined) o.flags = i.flags;
  if (i.seq !== undefined) o.seq = i.seq;
  if (i.ack !== undefined) o.ack = i.ack;
  if (i.len !== undefined) o.len = i.len;
  return o;
}
