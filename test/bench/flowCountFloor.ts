// Baselines for the analysis bench, not product code. countFlows(): the least any per-connection analysis
// has to do with a capture — our reader, then per frame the IPv4 addresses and TCP/UDP
// ports read from the bytes, a lookup in an open-addressing table of typed arrays (no
// strings, no objects per flow), and a few counters. No directions, MACs, duplicates,
// records, correlation or findings. Its packets/s in a fresh process is a ceiling the full
// analysis cannot reach: the bench prints the ratio.

import * as path from 'node:path';
import { ServiceMap } from '../../src/core/analysis/endpoints';
import { PointTable } from '../../src/core/analysis/flowTable';
import { readManifest } from '../../src/core/capture/manifest';
import { decodeFrame } from '../../src/core/decode/index';
import { readFramesReusingFrame } from '../../src/core/pcap/read';

const TABLE_BITS = 18;
const TABLE = 1 << TABLE_BITS;

export interface FloorCount {
  frames: number;
  flows: number;
}

/** Counts frames and distinct 5-tuples (both directions as one) of the given pcap files. */
export function countFlows(files: string[]): FloorCount {
  let frames = 0;
  let flows = 0;
  for (const file of files) {
    const keyA = new Int32Array(TABLE);
    const keyB = new Int32Array(TABLE);
    const keyPorts = new Int32Array(TABLE);
    const used = new Uint8Array(TABLE);
    const packets = new Int32Array(TABLE);
    const syns = new Int32Array(TABLE);
    const fins = new Int32Array(TABLE);
    const first = new Float64Array(TABLE);
    const last = new Float64Array(TABLE);
    let here = 0;
    readFramesReusingFrame(file, (f) => {
      frames++;
      const d = f.buf ?? f.data;
      const at = f.at ?? 0;
      if (f.linkType !== 1 || f.caplen < 38 || d[at + 12] !== 0x08 || d[at + 13] !== 0x00) return;
      const ip = at + 14;
      const proto = d[ip + 9];
      if (proto !== 6 && proto !== 17) return;
      const l4 = ip + (d[ip] & 0x0f) * 4;
      const src = (d[ip + 12] << 24) | (d[ip + 13] << 16) | (d[ip + 14] << 8) | d[ip + 15];
      const dst = (d[ip + 16] << 24) | (d[ip + 17] << 16) | (d[ip + 18] << 8) | d[ip + 19];
      const sport = (d[l4] << 8) | d[l4 + 1];
      const dport = (d[l4 + 2] << 8) | d[l4 + 3];
      // One key for both directions: the lower endpoint first.
      const swap = src > dst || (src === dst && sport > dport);
      const a = swap ? dst : src;
      const b = swap ? src : dst;
      const ports = swap ? (dport << 16) | sport : (sport << 16) | dport;
      let slot = (Math.imul(a ^ Math.imul(b, 0x9e3779b1) ^ ports ^ proto, 0x85ebca6b) >>> (32 - TABLE_BITS)) & (TABLE - 1);
      for (let probes = 0; ; probes++) {
        if (probes === TABLE) return;
        if (used[slot] === 0) {
          if (here >= TABLE / 2) return;
          used[slot] = 1;
          keyA[slot] = a;
          keyB[slot] = b;
          keyPorts[slot] = ports;
          first[slot] = f.ts;
          here++;
          break;
        }
        if (keyA[slot] === a && keyB[slot] === b && keyPorts[slot] === ports) break;
        slot = (slot + 1) & (TABLE - 1);
      }
      packets[slot]++;
      last[slot] = f.ts;
      if (proto === 6) {
        const flags = d[l4 + 13];
        if (flags & 0x02) syns[slot]++;
        if (flags & 0x01) fins[slot]++;
      }
    });
    flows += here;
  }
  return { frames, flows };
}

/** The analysis' first stage alone, for the bench's breakdown: every point read into its
 *  flow table (what analyzeCapture does before correlating), nothing after. */
export function buildFlowTables(folder: string): number {
  const manifest = readManifest(folder);
  const services = new ServiceMap(manifest);
  let packets = 0;
  manifest.points.forEach((spec, index) => {
    const table = new PointTable(index, services, spec.role === 'real-server');
    readFramesReusingFrame(path.join(folder, spec.file), (f) => {
      const ok = f.buf !== undefined && f.at !== undefined ? table.consumeFrame(f.buf, f.at, f.caplen, f.linkType, f.n, f.ts) : false;
      if (!ok) table.consume(decodeFrame(f));
    });
    packets += table.packets;
  });
  return packets;
}
