// The result of analysing one capture folder: what `lvs-trace analyze --json`
// prints, what the VS Code layer turns into diagnostics and what the flow
// webview draws. Plain JSON (no Maps, no class instances) so it can be posted
// to the webview and written to disk as is.

import type { Finding } from '../findings/finding';
import type { CaptureManifest, HostRole } from '../capture/manifest';

/** A capture point as the webview shows it: one lane each. */
export interface Lane {
  /** Index into `manifest.points`. */
  point: number;
  host: string;
  role: HostRole;
  interface: string;
  /** Clock offset estimated from matched packets (ms to add to this lane's times), if any. */
  clockOffsetMs?: number;
  /** How the clock offset was estimated (or bounded) from matched packets. */
  clockNote?: string;
  /** A real server's point capture.json does not tie to a real server (no `realServer`): the
   *  real server the analysis identified it as, from its capture. */
  realServer?: string;
  /** For such a point: how it was identified, or why it could not be. */
  realServerNote?: string;
  packetCount: number;
  /** Set when the file could not be read completely. */
  error?: string;
  warning?: string;
  /** What this lane's capture covered, on the common clock (seconds since the epoch, the
   *  lane's clock offset applied): capture.json's captureStart/captureEnd when recorded
   *  (`recorded: true`), else its first to last packet. Absent with neither. */
  captureSpan?: { start: number; end: number; recorded: boolean };
}

/** A reference to one packet: lane (point index) and 1-based packet number in that file. */
export interface PacketRef {
  point: number;
  n: number;
}

export type Rewrite = 'none' | 'dnat' | 'snat' | 'mac' | 'ipip' | 'gre';

/** One packet of a connection as seen at one capture point. */
export interface Hop {
  ref: PacketRef;
  /** Capture time corrected by the lane's clock offset, seconds since the epoch. */
  ts: number;
  /** `request` (client towards server) or `reply`. */
  direction: 'request' | 'reply';
  /** e.g. `S`, `S.`, `P. 73`, `UDP 12`, `ICMP port unreachable`, `ARP reply`. */
  summary: string;
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
  srcMac?: string;
  dstMac?: string;
  /** How this copy differs from the same packet at the previous point. Another capture of the
   *  very same frame (an `any` capture beside the interface's own, the next host receiving it)
   *  is `none`: a rewrite is named once, on the first sighting of the frame it made. */
  rewrite?: Rewrite;
  /** Text for the rewrite, e.g. `DNAT 192.0.2.100:80 → 10.0.0.11:8080`. */
  rewriteText?: string;
  /** Same packet seen at an earlier point: that hop's index in `hops`, and latency in ms. At
   *  another host, the interface's capture of the frame rather than an `any` copy of it. */
  sameAs?: number;
  latencyMs?: number;
  /** Packets of this connection at this hop's point that were not kept (the middle of a long
   *  connection: a point keeps each flow's first and last packets) between the previous hop at
   *  the same point and this one. */
  omittedBefore?: number;
}

export type ConnectionState =
  | 'complete' // handshake and teardown (or request and response for UDP)
  | 'established' // handshake done, no teardown in the capture
  | 'reset'
  | 'rejected' // RST to SYN, ICMP unreachable
  | 'no-reply' // requests, never an answer
  | 'unknown' // where it went past stoppedAt cannot be told: the next host was not capturing then (before its capture began, after it ended, or its capture is unreadable)
  | 'partial'; // started before the capture, or otherwise incomplete

export interface Connection {
  id: string;
  protocol: 'tcp' | 'udp' | 'icmp' | 'other';
  client: string;
  clientPort?: number;
  vip: string;
  vport?: number;
  /** Real server (name) that got it, when known. */
  realServer?: string;
  state: ConnectionState;
  /** Where it stopped, when it did: the lane and a sentence. */
  stoppedAt?: { point: number; reason: string };
  start: number;
  end: number;
  packets: number;
  hops: Hop[];
  /** Codes of the findings that cite this connection. */
  findings?: string[];
}

export interface AnalysisResult {
  folder: string;
  manifest: CaptureManifest;
  lanes: Lane[];
  connections: Connection[];
  findings: Finding[];
  /** Totals for the summary line. */
  stats: { packets: number; connections: number; durationSec: number };
}

/** The result without the connections' hops (90% of the bytes), for the flow view's first
 *  message and for the analysis worker's answer. Copies each connection key by key so that
 *  hops the analysis builds on first read (see defineLazyHops) are not built here. */
export function withoutHops(result: AnalysisResult): AnalysisResult {
  const connections = result.connections.map((c) => {
    const copy: Record<string, unknown> = {};
    for (const k of Object.keys(c)) if (k !== 'hops') copy[k] = c[k as keyof Connection];
    copy.hops = [];
    return copy as unknown as Connection;
  });
  return { ...result, connections };
}
