// One tcpdump-like text line per packet (close to `tcpdump -nn -e -tttt`, times in UTC).
import type { InnerPacket, Packet } from './packet';

const SLL_DIRECTION = ['In', 'B', 'M', 'P', 'Out'];

export function formatTimestamp(ts: number): string {
  // A corrupt timestamp resolution or offset can push the time outside what Date holds.
  if (!(Math.abs(ts) < 8.64e12)) return `ts ${ts}`;
  const sec = Math.floor(ts);
  const usec = Math.round((ts - sec) * 1e6);
  const carry = usec >= 1e6 ? 1 : 0;
  const iso = new Date((sec + carry) * 1000).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${String(carry ? usec - 1e6 : usec).padStart(6, '0')}`;
}

export function formatPacketLine(p: Packet): string {
  let line = formatTimestamp(p.ts) + ' ';
  if (p.sllPacketType !== undefined) {
    line += `${SLL_DIRECTION[p.sllPacketType] ?? p.sllPacketType} `;
    if (p.sllIfIndex !== undefined) line += `ifindex ${p.sllIfIndex} `;
    if (p.srcMac !== undefined) line += `${p.srcMac} `;
  } else if (p.srcMac !== undefined) {
    line += `${p.srcMac} > ${p.dstMac}, `;
  }
  if (p.vlan) line += p.vlan.map((v) => `vlan ${v}, `).join('');
  line += `length ${p.wirelen}: ${formatNetwork(p)}`;
  if (p.warnings) line += ` [${p.warnings.join('; ')}]`;
  return line;
}

function formatNetwork(p: Packet): string {
  if (p.arp) {
    const a = p.arp;
    if (a.op === 'request') return `ARP, Request who-has ${a.targetIp} tell ${a.senderIp}, length 28`;
    if (a.op === 'reply') return `ARP, Reply ${a.senderIp} is-at ${a.senderMac}, length 28`;
    return `ARP, op ${a.op} ${a.senderIp} (${a.senderMac}) > ${a.targetIp} (${a.targetMac})`;
  }
  if (p.src === undefined) {
    if (p.proto === 'arp') return 'ARP, truncated';
    return p.etherType !== undefined ? `ethertype 0x${p.etherType.toString(16).padStart(4, '0')}` : 'unknown';
  }
  const ip = p.ipVersion === 6 ? 'IP6' : 'IP';
  const frag = p.fragment ? ` (frag ${p.ipId ?? ''}:${p.fragment.offset}${p.fragment.more ? '+' : ''})` : '';
  return `${ip} ${endpoints(p)}: ${formatTransport(p)}${frag}`;
}

function endpoints(p: Packet | InnerPacket): string {
  return p.sport !== undefined ? `${p.src}.${p.sport} > ${p.dst}.${p.dport}` : `${p.src} > ${p.dst}`;
}

function formatTransport(p: Packet): string {
  switch (p.proto) {
    case 'tcp': {
      if (p.flags === undefined) return 'tcp (truncated)';
      let s = `Flags [${p.flags}], seq ${p.seq}`;
      if (p.ack !== undefined) s += `, ack ${p.ack}`;
      if (p.tcp) s += `, win ${p.tcp.window}${tcpOptions(p)}`;
      return `${s}, length ${p.len ?? 0}`;
    }
    case 'udp':
      return `UDP, length ${p.len ?? 0}`;
    case 'vrrp':
      if (!p.vrrp) return 'VRRP (truncated)';
      return `VRRPv${p.vrrp.version}, Advertisement, vrid ${p.vrrp.vrid}, prio ${p.vrrp.priority}, intvl ${p.vrrp.intervalSec}s, addrs: ${p.vrrp.addresses.join(',')}, length ${(p.len ?? 0) + 8}`;
    case 'icmp':
    case 'icmp6':
      return formatIcmp(p);
    case 'ipip':
      return p.inner ? `IP-in-IP ${innerLine(p.inner)}` : 'IP-in-IP (truncated)';
    case 'gre': {
      const proto = p.gre ? `proto 0x${p.gre.protocol.toString(16).padStart(4, '0')}` : 'truncated';
      return `GREv${p.gre?.version ?? 0}, ${proto}, length ${p.len ?? 0}${p.inner ? `: ${innerLine(p.inner)}` : ''}`;
    }
    case 'igmp':
      return `igmp, length ${p.len ?? 0}`;
    default:
      return `ip-proto-${p.protoNumber ?? '?'} ${p.len ?? 0}`;
  }
}

function tcpOptions(p: Packet): string {
  const t = p.tcp!;
  const o: string[] = [];
  if (t.mss !== undefined) o.push(`mss ${t.mss}`);
  if (t.sackPermitted) o.push('sackOK');
  if (t.sack) o.push(`sack ${t.sack.length} ${t.sack.map(([a, b]) => `{${a}:${b}}`).join('')}`);
  if (t.tsval !== undefined) o.push(`TS val ${t.tsval} ecr ${t.tsecr}`);
  if (t.wscale !== undefined) o.push(`wscale ${t.wscale}`);
  return o.length ? `, options [${o.join(',')}]` : '';
}

function innerLine(i: InnerPacket): string {
  let s = `${i.protoNumber === 41 || i.src.includes(':') ? 'IP6' : 'IP'} ${endpoints(i)}: ${i.proto}`;
  if (i.flags !== undefined) s += ` Flags [${i.flags}]`;
  if (i.seq !== undefined) s += ` seq ${i.seq}`;
  if (i.len !== undefined) s += `, length ${i.len}`;
  return s;
}

function formatIcmp(p: Packet): string {
  const name = p.proto === 'icmp6' ? 'ICMP6' : 'ICMP';
  const c = p.icmp;
  if (!c) return `${name} (truncated)`;
  const len = `, length ${p.len ?? 0}`;
  const v6 = p.proto === 'icmp6';
  if (c.id !== undefined) {
    const req = v6 ? c.type === 128 : c.type === 8;
    return `${name} echo ${req ? 'request' : 'reply'}, id ${c.id}, seq ${c.seq}${len}`;
  }
  const q = c.quoted;
  if (q) {
    const portUnreach = v6 ? c.type === 1 && c.code === 4 : c.type === 3 && c.code === 3;
    if (portUnreach && q.dport !== undefined) return `${name} ${q.dst} ${q.proto} port ${q.dport} unreachable${len}`;
    if (!v6 && c.type === 3 && c.code === 4) return `${name} ${q.dst} unreachable - need to frag (mtu ${c.mtu})${len}`;
    if (v6 && c.type === 2) return `${name} packet too big, mtu ${c.mtu}${len}`;
    return `${name} type ${c.type} code ${c.code} about ${innerLine(q)}${len}`;
  }
  return `${name} type ${c.type} code ${c.code}${len}`;
}
