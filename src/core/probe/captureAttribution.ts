// The authoritative answer to "which real server got connection i": the packets
// each real server captured while the probe ran. A probe connection is known by
// its client source port; a real server "saw" it when the SYN (or UDP request)
// arrived there, and "answered" when it sent a SYN-ACK (or UDP reply) back. A RST
// or ICMP port unreachable from the real server is a refusal, not an answer.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { readPackets, type InnerPacket, type Packet } from '../decode';

export interface PortFate {
  /** Real servers where the request arrived. */
  seenBy: Set<string>;
  answeredBy: Set<string>;
  refusedBy: Set<string>;
}

export interface CaptureFile {
  /** Real-server name the capture belongs to. */
  server: string;
  file: string;
  /** Port the requests carry at this real server (NAT may map it). */
  port: number;
  /**
   * MAC addresses of the real server. tcpdump listens promiscuously, so on a
   * shared segment a server also sees frames the director sent to another one;
   * only frames to (or from) its own MACs count.
   */
  macs?: Set<string>;
}

type L4 = { proto?: InnerPacket['proto']; sport?: number; dport?: number; flags?: string };

function l4Of(p: Packet): L4 {
  // TUN: the client's packet travels inside IP-in-IP on the real server's NIC.
  if ((p.proto === 'ipip' || p.proto === 'gre') && p.inner) return p.inner;
  return p;
}

/**
 * `packets`, when given, receives the number of packets each server's capture held
 * (0 = it captured nothing: the wrong interface, or no traffic reached it).
 */
export function attributeFromCaptures(
  files: CaptureFile[],
  protocol: 'tcp' | 'udp',
  sourcePorts: Set<number>,
  baseDir = '',
  packets?: Map<string, number>,
): Map<number, PortFate> {
  const fates = new Map<number, PortFate>();
  const fate = (port: number): PortFate => {
    let f = fates.get(port);
    if (!f) {
      f = { seenBy: new Set(), answeredBy: new Set(), refusedBy: new Set() };
      fates.set(port, f);
    }
    return f;
  };
  for (const c of files) {
    const mine = (mac: string | undefined): boolean => !c.macs || c.macs.size === 0 || mac === undefined || c.macs.has(mac.toLowerCase());
    packets?.set(c.server, packets.get(c.server) ?? 0);
    const file = path.resolve(baseDir, c.file);
    // A capture that never started leaves no file: that server captured nothing.
    if (!fs.existsSync(file)) continue;
    readPackets(file, (p) => {
      packets?.set(c.server, (packets.get(c.server) ?? 0) + 1);
      const q = l4Of(p);
      const toMe = mine(p.dstMac);
      const fromMe = mine(p.srcMac);
      if (q.proto === protocol) {
        if (q.dport === c.port && q.sport !== undefined && sourcePorts.has(q.sport)) {
          if (toMe && (protocol === 'udp' || q.flags === 'S')) fate(q.sport).seenBy.add(c.server);
        } else if (fromMe && q.sport === c.port && q.dport !== undefined && sourcePorts.has(q.dport)) {
          if (protocol === 'udp' || q.flags === 'S.') fate(q.dport).answeredBy.add(c.server);
          else if (q.flags?.startsWith('R')) fate(q.dport).refusedBy.add(c.server);
        }
      } else if (fromMe && (q.proto === 'icmp' || q.proto === 'icmp6') && p.icmp?.quoted) {
        // Port unreachable quoting our request: the real server refused it.
        const quoted = p.icmp.quoted;
        if (quoted.proto === protocol && quoted.dport === c.port && quoted.sport !== undefined && sourcePorts.has(quoted.sport)) {
          fate(quoted.sport).refusedBy.add(c.server);
        }
      }
    });
  }
  return fates;
}
