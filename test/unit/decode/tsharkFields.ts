// Runs tshark over a capture and lays our decode out the same way, field by field, so the
// agreement test can compare them. tshark prints one value per protocol occurrence,
// comma-separated (outer, inner) for nested IP (IP-in-IP, GRE, ICMP quotes).
import { execFile } from 'node:child_process';
import { TCP_FLAG_STRINGS, type InnerPacket, type Packet } from '../../../src/core/decode';

export const FIELDS = [
  'frame.number',
  'frame.time_epoch',
  'eth.src',
  'eth.dst',
  'sll.src.eth',
  'ieee8021ad.id',
  'vlan.id',
  'ip.src',
  'ip.dst',
  'ip.id',
  'ipv6.src',
  'ipv6.dst',
  'tcp.srcport',
  'tcp.dstport',
  'tcp.seq',
  'tcp.ack',
  'tcp.flags',
  'tcp.len',
  'udp.srcport',
  'udp.dstport',
  'udp.length',
  'arp.opcode',
  'arp.src.hw_mac',
  'arp.src.proto_ipv4',
  'arp.dst.hw_mac',
  'arp.dst.proto_ipv4',
  'vrrp.version',
  'vrrp.virt_rtr_id',
  'vrrp.prio',
  'icmp.type',
  'icmp.code',
  'icmp.mtu',
  'icmpv6.type',
  'icmpv6.code',
  'icmpv6.mtu',
  'gre.proto',
] as const;
export type Field = (typeof FIELDS)[number];
export type Row = Partial<Record<Field, string>>;

export function runTshark(file: string): Promise<Row[]> {
  const args = ['-n', '-r', file, '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', 'aggregator=,'];
  // Show each frame as captured: no reassembly of IP fragments.
  args.push('-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE');
  // Raw sequence numbers (also inside ICMP quotes, where tshark has no tcp.seq_raw).
  args.push('-o', 'tcp.relative_sequence_numbers:FALSE');
  for (const f of FIELDS) args.push('-e', f);
  return new Promise((resolve, reject) => {
    execFile('tshark', args, { maxBuffer: 256 * 1024 * 1024 }, (err, stdout) => {
      if (err) return reject(err);
      const rows = stdout
        .split('\n')
        .filter((l) => l !== '')
        .map((line) => {
          const cols = line.split('\t');
          const row: Row = {};
          FIELDS.forEach((f, k) => {
            if (cols[k] !== undefined && cols[k] !== '') row[f] = cols[k];
          });
          return row;
        });
      resolve(rows);
    });
  });
}

interface IpLayer {
  v6: boolean;
  src: string;
  dst: string;
  ipId?: number;
  proto: string;
  sport?: number;
  dport?: number;
  flags?: string;
  seq?: number;
  ack?: number;
  len?: number;
  quoted?: boolean;
}

function innerLayer(i: InnerPacket, quoted: boolean): IpLayer {
  return { v6: i.src.includes(':'), src: i.src, dst: i.dst, ipId: i.ipId, proto: i.proto, sport: i.sport, dport: i.dport, flags: i.flags, seq: i.seq, ack: i.ack, len: i.len, quoted };
}

const join = (xs: Array<string | number | undefined>): string | undefined => {
  const vals = xs.filter((x) => x !== undefined);
  return vals.length ? vals.join(',') : undefined;
};

/** Our decode in tshark's layout. */
export function ourRow(p: Packet): Row {
  const row: Row = { 'frame.number': String(p.n), 'frame.time_epoch': p.ts.toFixed(6) };
  if (p.linkType === 1) {
    row['eth.src'] = p.srcMac;
    row['eth.dst'] = p.dstMac;
  } else if (p.linkType === 113 || p.linkType === 276) {
    row['sll.src.eth'] = p.srcMac;
  }
  if (p.vlan) row['vlan.id'] = p.vlan.join(',');
  const layers: IpLayer[] = [];
  if (p.src !== undefined && p.dst !== undefined) {
    layers.push({ v6: p.ipVersion === 6, src: p.src, dst: p.dst, ipId: p.ipVersion === 4 ? p.ipId : undefined, proto: p.proto ?? 'other', sport: p.sport, dport: p.dport, flags: p.flags, seq: p.seq, ack: p.ack, len: p.len });
  }
  if (p.inner) layers.push(innerLayer(p.inner, false));
  if (p.icmp?.quoted) layers.push(innerLayer(p.icmp.quoted, true));
  const v4 = layers.filter((l) => !l.v6);
  const v6 = layers.filter((l) => l.v6);
  row['ip.src'] = join(v4.map((l) => l.src));
  row['ip.dst'] = join(v4.map((l) => l.dst));
  row['ip.id'] = join(v4.map((l) => l.ipId));
  row['ipv6.src'] = join(v6.map((l) => l.src));
  row['ipv6.dst'] = join(v6.map((l) => l.dst));
  const tcp = layers.filter((l) => l.proto === 'tcp');
  row['tcp.srcport'] = join(tcp.map((l) => l.sport));
  row['tcp.dstport'] = join(tcp.map((l) => l.dport));
  row['tcp.seq'] = join(tcp.map((l) => l.seq));
  row['tcp.ack'] = join(tcp.map((l) => l.ack));
  row['tcp.flags'] = join(tcp.map((l) => l.flags));
  // tshark does not compute the payload length of a segment quoted in an ICMP error.
  row['tcp.len'] = join(tcp.map((l) => (l.flags !== undefined && !l.quoted ? l.len : undefined)));
  const udp = layers.filter((l) => l.proto === 'udp' && l.sport !== undefined);
  row['udp.srcport'] = join(udp.map((l) => l.sport));
  row['udp.dstport'] = join(udp.map((l) => l.dport));
  row['udp.length'] = join(udp.map((l) => (l.len !== undefined ? l.len + 8 : undefined)));
  if (p.arp) {
    row['arp.opcode'] = String(p.arp.op === 'request' ? 1 : p.arp.op === 'reply' ? 2 : p.arp.op);
    row['arp.src.hw_mac'] = p.arp.senderMac;
    row['arp.src.proto_ipv4'] = p.arp.senderIp;
    row['arp.dst.hw_mac'] = p.arp.targetMac;
    row['arp.dst.proto_ipv4'] = p.arp.targetIp;
  }
  if (p.vrrp) {
    row['vrrp.version'] = String(p.vrrp.version);
    row['vrrp.virt_rtr_id'] = String(p.vrrp.vrid);
    row['vrrp.prio'] = String(p.vrrp.priority);
  }
  if (p.icmp) {
    const v6icmp = p.proto === 'icmp6';
    row[v6icmp ? 'icmpv6.type' : 'icmp.type'] = String(p.icmp.type);
    row[v6icmp ? 'icmpv6.code' : 'icmp.code'] = String(p.icmp.code);
    if (p.icmp.mtu !== undefined) row[v6icmp ? 'icmpv6.mtu' : 'icmp.mtu'] = String(p.icmp.mtu);
  }
  if (p.gre) row['gre.proto'] = String(p.gre.protocol);
  return row;
}

/**
 * tshark's row in our notation: hex numbers to decimal, TCP flag bits to tcpdump letters,
 * and the raw ack number only where the ACK flag makes it meaningful (tcpdump prints it
 * only then, and so do we; tshark shows the field's bits even in a bare SYN).
 */
export function normaliseTheirs(row: Row): Row {
  const out: Row = {};
  for (const f of FIELDS) out[f] = normalise(f, row[f]);
  if (row['tcp.flags'] !== undefined && row['tcp.ack'] !== undefined) {
    const bits = row['tcp.flags'].split(',').map(Number);
    const acks = row['tcp.ack'].split(',');
    out['tcp.ack'] = acks.filter((_, k) => (bits[k] ?? 0x10) & 0x10).join(',') || undefined;
  }
  if (row['tcp.flags'] !== undefined) out['tcp.flags'] = row['tcp.flags'].split(',').map((b) => TCP_FLAG_STRINGS[Number(b) & 0xff]).join(',');
  // Our vlan list holds every tag, outer first; tshark names an outer 0x88a8 tag ieee8021ad.
  out['vlan.id'] = [row['ieee8021ad.id'], row['vlan.id']].filter((v) => v !== undefined).join(',') || undefined;
  out['ieee8021ad.id'] = undefined;
  return out;
}

function normalise(field: Field, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (field === 'frame.time_epoch') return Number(value).toFixed(6);
  if (/^(0x[0-9a-f]+|\d+)(,(0x[0-9a-f]+|\d+))*$/i.test(value) && !field.endsWith('.src') && !field.endsWith('.dst') && !field.includes('proto_ipv4')) {
    return value.split(',').map((v) => String(Number(v))).join(',');
  }
  return value;
}
