// The service a pcap is about when nothing says so (a lone pcap opened in the flow view, pcaps
// taken by hand and assembled into a capture folder): a VIP of the config that the file talks
// to, else the address most connection openings (TCP SYNs, UDP requests) go to.
import type { CaptureManifest } from './manifest';
import { decodeFrame } from '../decode';
import { readFrames } from '../pcap';

/** Enough packets to see which address is the service; the file may be huge. */
const SCAN_PACKETS = 200_000;

/** `knownVips`: the config's VIPs, preferred when the file talks to one. Nothing to go by
 *  (no packet to any address): `{ vip: '0.0.0.0' }`. Throws PcapFormatError on a file that is
 *  no capture. */
export function guessTarget(file: string, knownVips: string[] = []): CaptureManifest['target'] {
  const opens = new Map<string, number>();
  const seen = new Set<string>();
  readFrames(file, (f) => {
    if (f.n > SCAN_PACKETS) return false;
    const p = decodeFrame(f);
    if (p.dst) seen.add(p.dst);
    const opening = (p.proto === 'tcp' && p.flags === 'S') || (p.proto === 'udp' && p.dport !== undefined && p.dport < 49152);
    if (opening && p.dst && p.dport !== undefined) {
      const k = `${p.proto}|${p.dst}|${p.dport}`;
      opens.set(k, (opens.get(k) ?? 0) + 1);
    }
  });
  const known = knownVips.find((v) => seen.has(v));
  const ranked = [...opens.entries()].sort((a, b) => b[1] - a[1]).map(([k]) => k.split('|'));
  const best = (known ? ranked.find(([, ip]) => ip === known) : undefined) ?? ranked[0];
  if (!best) return { vip: known ?? '0.0.0.0' };
  return { vip: best[1], protocol: best[0] as 'tcp' | 'udp', port: Number(best[2]) };
}
