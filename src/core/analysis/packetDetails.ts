// The flow view's details pane: one packet re-read from its capture file on demand
// (the webview never holds raw bytes for 100,000 packets) and shown as a field tree
// plus its bytes. The extension asks the analysis worker for it (the file is read up
// to the packet: not on the extension host's thread); the browser test calls it directly.
import * as path from 'node:path';
import type { CaptureManifest } from '../capture/manifest';
import type { Packet } from '../decode/packet';
import type { RawFrame } from '../pcap';
import { readFramesReusingFrame } from '../pcap/read';
import type { PacketRef } from './result';

/** One decoded field of a packet, as a tree: `Ethernet` > `src: 02:…`. */
export interface PacketField {
  name: string;
  value?: string;
  children?: PacketField[];
}

export interface PacketDetails {
  ref: PacketRef;
  /** Capture point label, e.g. `rs1 · eth0`. */
  where: string;
  ts: number;
  capturedLength: number;
  originalLength: number;
  fields: PacketField[];
  /** Captured bytes as lower-case hex (capped, see `bytesCapped`). */
  hex: string;
  bytesCapped?: boolean;
}

/** Cap on the bytes sent to the webview (jumbo frames are rare; snaplen is usually smaller). */
const MAX_BYTES = 4096;

export type FrameDecoder = (frame: RawFrame) => Packet;

/** Reads packet `ref.n` of capture point `ref.point` and describes it. */
export function readPacketDetails(folder: string, manifest: CaptureManifest, ref: PacketRef, decode: FrameDecoder): PacketDetails {
  const point = manifest.points[ref.point];
  if (!point) throw new Error(`capture point ${ref.point} is not in capture.json`);
  if (!Number.isInteger(ref.n) || ref.n < 1) throw new Error(`packet number ${ref.n} is not valid`);
  const file = path.resolve(folder, point.file);
  let found: PacketDetails | undefined;
  // The frames before it are only counted (one shared frame object, no view per frame).
  readFramesReusingFrame(file, (frame) => {
    if (frame.n < ref.n) return;
    const p = decode(frame);
    const bytes = frame.data.subarray(0, MAX_BYTES);
    found = {
      ref,
      where: `${point.host} · ${point.interface}`,
      ts: frame.ts,
      capturedLength: frame.caplen,
      originalLength: frame.wirelen,
      fields: packetFields(p),
      hex: Buffer.from(bytes).toString('hex'),
      bytesCapped: frame.data.length > MAX_BYTES || undefined,
    };
    return false;
  });
  if (!found) throw new Error(`${point.file} has no packet ${ref.n}`);
  return found;
}

const f = (name: string, value: unknown): PacketField | undefined =>
  value === undefined || value === null ? undefined : { name, value: String(value) };

function group(name: string, ...fields: Array<PacketField | undefined>): PacketField {
  return { name, children: fields.filter((x): x is PacketField => x !== undefined) };
}

/** Any small info object (TCP options, VRRP, ICMP...) as fields, one per key. */
function objectFields(obj: object): PacketField[] {
  const out: PacketField[] = [];
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined || v instanceof Uint8Array) continue;
    if (v && typeof v === 'object' && !Array.isArray(v)) out.push({ name: k, children: objectFields(v) });
    else out.push({ name: k, value: Array.isArray(v) ? v.join(', ') : String(v) });
  }
  return out;
}

/** The decoded layers of a packet as a tree, outermost first. */
export function packetFields(p: Packet): PacketField[] {
  const out: PacketField[] = [];
  out.push(group('Frame', f('number', p.n), f('captured', `${p.caplen} bytes`), f('on the wire', `${p.wirelen} bytes`), f('link type', p.linkType)));
  if (p.srcMac || p.dstMac || p.etherType !== undefined) {
    out.push(
      group(
        p.sllPacketType !== undefined ? 'Linux cooked capture' : 'Ethernet',
        f('src', p.srcMac),
        f('dst', p.dstMac),
        f('VLAN', p.vlan?.join(', ')),
        f('packet type', p.sllPacketType),
        f('ether type', p.etherType !== undefined ? `0x${p.etherType.toString(16).padStart(4, '0')}` : undefined),
      ),
    );
  }
  if (p.arp) out.push({ name: 'ARP', children: objectFields(p.arp) });
  if (p.ipVersion) {
    out.push(
      group(
        `IPv${p.ipVersion}`,
        f('src', p.src),
        f('dst', p.dst),
        f('id', p.ipId),
        f('ttl', p.ttl),
        f('fragment', p.fragment ? `offset ${p.fragment.offset}${p.fragment.more ? ', more' : ''}` : undefined),
        f('protocol', p.protoNumber !== undefined ? `${p.proto ?? ''} (${p.protoNumber})` : undefined),
      ),
    );
  }
  if (p.proto === 'tcp' || p.proto === 'udp') {
    out.push(
      group(
        p.proto.toUpperCase(),
        f('src port', p.sport),
        f('dst port', p.dport),
        f('flags', p.flags),
        f('seq', p.seq),
        f('ack', p.ack),
        f('payload', p.len !== undefined ? `${p.len} bytes` : undefined),
        ...(p.tcp ? objectFields(p.tcp) : []),
      ),
    );
  }
  if (p.icmp) out.push({ name: p.proto === 'icmp6' ? 'ICMPv6' : 'ICMP', children: objectFields(p.icmp) });
  if (p.vrrp) out.push({ name: 'VRRP', children: objectFields(p.vrrp) });
  if (p.inner) out.push({ name: p.proto === 'gre' ? 'GRE inner packet' : 'Inner packet', children: objectFields(p.inner) });
  if (p.warnings?.length) out.push({ name: 'Warnings', children: p.warnings.map((w) => ({ name: '⚠', value: w })) });
  return out;
}
