// Baselines for the analysis bench, not product code, each run in a fresh process beside the
// first analysis: countFlows() is the least any per-connection analysis does with a capture —
// our reader, then per frame the IPv4 addresses and TCP/UDP ports read from the bytes, a lookup
// in an open-addressing table of typed arrays (no strings, no objects per flow), and a few
// counters; no directions, MACs, duplicates, records, correlation or findings. buildFlowTables()
// is our analysis' first stage alone; leanFlowTables() a sketch of that stage written for speed.

import * as path from 'node:path';
import { ServiceMap } from '../../src/core/analysis/endpoints';
import { capturePoints, readPoints } from '../../src/core/analysis/readPoints';
import { readManifest } from '../../src/core/capture/manifest';
import { readFramesReusingFrame } from '../../src/core/pcap/read';

const TABLE_BITS = 18;
const TABLE = 1 << TABLE_BITS;

export interface FloorCount {
  frames: number;
  flows: number;
}

/** countFlows(): counts frames and distinct 5-tuples (both directions as one) of the given pcap files. */
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
 *  flow table as analyzeCapture reads them (in turns), nothing after. */
export function buildFlowTables(folder: string): number {
  const manifest = readManifest(folder);
  const points = capturePoints(manifest, new ServiceMap(manifest));
  for (const _ of readPoints(folder, points));
  return points.reduce((a, p) => a + p.table.packets, 0);
}

/**
 * leanFlowTables(): a sketch of the analysis' first stage written for speed alone, as a
 * ceiling for a rewrite: TCP flows by client endpoint in typed columns indexed by flow id,
 * numeric keys, the 5-tuple cache, the ring of recent packet signatures (forwarded copies),
 * the counters, MAC change detection, and head/tail packet records in one ArrayBuffer. No
 * strings, no object per flow or packet; no UDP, ICMP, ARP, VRRP, tunnels or learning.
 */
export function leanFlowTables(folder: string): number {
  const manifest = readManifest(folder);
  const ip4 = (s: string): number => s.split('.').reduce((a, b) => (a << 8) | Number(b), 0);
  // address * 65536 + port of every VIP and real server
  const servers = new Set<number>();
  for (const sv of manifest.services) {
    if (sv.port === undefined || sv.vip === undefined) continue;
    servers.add(ip4(sv.vip) * 65536 + sv.port);
    for (const r of sv.realServers) servers.add(ip4(r.address) * 65536 + (r.port ?? sv.port));
  }
  let packets = 0;
  for (const spec of manifest.points) {
    const t = new LeanTable(servers);
    readFramesReusingFrame(path.join(folder, spec.file), (f) => {
      if (f.buf !== undefined && f.at !== undefined) t.frame(f.buf, f.at, f.caplen, f.n, f.ts);
    });
    packets += t.packets;
  }
  return packets;
}

const LEAN_CACHE = 1 << 14;
const COUNTERS = 16;

class LeanTable {
  packets = 0;
  private flows = 0;
  private cap = 0;
  private first = new Float64Array(0);
  private last = new Float64Array(0);
  private counters = new Int32Array(0);
  private seqEnd = new Float64Array(0);
  private ring = new Uint32Array(0);
  private ringMeta = new Uint8Array(0);
  private heads = new Int32Array(0);
  private macs = new Int32Array(0);
  private readonly macLists: number[][] = [];
  private readonly byClient = new Map<number, number>();
  private readonly cacheSrc = new Int32Array(LEAN_CACHE);
  private readonly cacheDst = new Int32Array(LEAN_CACHE);
  private readonly cachePorts = new Int32Array(LEAN_CACHE);
  private readonly cacheFlow = new Int32Array(LEAN_CACHE).fill(-1);
  private readonly cacheReply = new Uint8Array(LEAN_CACHE);
  private records = 0;
  private recordCap = 16384;
  private recordBuf = new ArrayBuffer(16384 * 48);
  private rf = new Float64Array(this.recordBuf);
  private ri = new Int32Array(this.recordBuf);
  private resolvedReply = 0;

  constructor(private readonly servers: Set<number>) {
    this.grow(1024);
  }

  private grow(cap: number): void {
    const g = <T extends Float64Array | Int32Array | Uint32Array | Uint8Array>(old: T, bigger: T): T => {
      bigger.set(old);
      return bigger;
    };
    this.first = g(this.first, new Float64Array(cap));
    this.last = g(this.last, new Float64Array(cap));
    this.counters = g(this.counters, new Int32Array(cap * COUNTERS));
    this.seqEnd = g(this.seqEnd, new Float64Array(cap));
    this.ring = g(this.ring, new Uint32Array(cap * 8));
    this.ringMeta = g(this.ringMeta, new Uint8Array(cap * 2));
    this.heads = g(this.heads, new Int32Array(cap * 4));
    this.macs = g(this.macs, new Int32Array(cap * 4));
    this.cap = cap;
  }

  private resolve(srcIp: number, dstIp: number, sport: number, dport: number): number {
    let reply: number;
    if (this.servers.has((dstIp >>> 0) * 65536 + dport)) reply = 0;
    else if (this.servers.has((srcIp >>> 0) * 65536 + sport)) reply = 1;
    else return -1;
    const key = (reply ? dstIp >>> 0 : srcIp >>> 0) * 65536 + (reply ? dport : sport);
    let id = this.byClient.get(key);
    if (id === undefined) {
      if (this.flows === this.cap) this.grow(this.cap * 2);
      id = this.flows++;
      this.first[id] = Infinity;
      this.heads[id * 4] = -1;
      this.byClient.set(key, id);
    }
    this.resolvedReply = reply;
    return id;
  }

  frame(d: Uint8Array, at: number, caplen: number, n: number, ts: number): void {
    if (caplen < 54 || d[at + 12] !== 0x08 || d[at + 13] !== 0x00) return;
    const off = at + 14;
    const ihl = (d[off] & 15) * 4;
    if (d[off + 9] !== 6) return;
    const l4 = off + ihl;
    const srcIp = (d[off + 12] << 24) | (d[off + 13] << 16) | (d[off + 14] << 8) | d[off + 15];
    const dstIp = (d[off + 16] << 24) | (d[off + 17] << 16) | (d[off + 18] << 8) | d[off + 19];
    const ports = (d[l4] << 24) | (d[l4 + 1] << 16) | (d[l4 + 2] << 8) | d[l4 + 3];
    const flags = d[l4 + 13];
    const seq = ((d[l4 + 4] << 24) | (d[l4 + 5] << 16) | (d[l4 + 6] << 8) | d[l4 + 7]) >>> 0;
    const ack = ((d[l4 + 8] << 24) | (d[l4 + 9] << 16) | (d[l4 + 10] << 8) | d[l4 + 11]) >>> 0;
    const len = ((d[off + 2] << 8) | d[off + 3]) - ihl - (d[l4 + 12] >> 4) * 4;
    const ipId = (d[off + 4] << 8) | d[off + 5];
    this.packets++;
    const slot = (Math.imul(srcIp ^ Math.imul(dstIp, 0x9e3779b1) ^ ports, 0x85ebca6b) >>> 18) & (LEAN_CACHE - 1);
    let id = this.cacheFlow[slot];
    let reply: number;
    if (id >= 0 && this.cacheSrc[slot] === srcIp && this.cacheDst[slot] === dstIp && this.cachePorts[slot] === ports && (flags & 0x12) !== 0x02) {
      reply = this.cacheReply[slot];
    } else {
      id = this.resolve(srcIp, dstIp, ports >>> 16, ports & 0xffff);
      if (id < 0) return;
      reply = this.resolvedReply;
      this.cacheSrc[slot] = srcIp;
      this.cacheDst[slot] = dstIp;
      this.cachePorts[slot] = ports;
      this.cacheFlow[slot] = id;
      this.cacheReply[slot] = reply;
    }
    let sig = Math.imul(ipId + 1, 0x9e3779b1) ^ seq;
    sig = Math.imul(sig ^ (sig >>> 15), 0x85ebca6b) ^ ack;
    sig = (Math.imul(sig ^ (sig >>> 13), 0xc2b2ae35) ^ (flags << 16) ^ len ^ (reply ? 0x5bd1e995 : 0)) >>> 0;
    const rb = id * 8;
    const rm = id * 2;
    const ringLen = this.ringMeta[rm];
    let dup = false;
    for (let k = 0; k < ringLen; k++)
      if (this.ring[rb + k] === sig) {
        dup = true;
        break;
      }
    if (!dup) {
      this.ring[rb + this.ringMeta[rm + 1]] = sig;
      this.ringMeta[rm + 1] = (this.ringMeta[rm + 1] + 1) & 7;
      if (ringLen < 8) this.ringMeta[rm] = ringLen + 1;
    }
    if (ts < this.first[id]) this.first[id] = ts;
    if (ts > this.last[id]) this.last[id] = ts;
    const c = id * COUNTERS;
    if (reply) {
      if (dup) this.counters[c + 3]++;
      else {
        this.counters[c + 1]++;
        if ((flags & 0x12) === 0x12) this.counters[c + 5]++;
        if (flags & 1) this.counters[c + 8]++;
        if (flags & 4) this.counters[c + 10]++;
      }
    } else if (dup) this.counters[c + 2]++;
    else {
      this.counters[c]++;
      if ((flags & 0x12) === 0x02) this.counters[c + 4]++;
      else if (flags & 0x10) this.counters[c + 6]++;
      if (flags & 1) this.counters[c + 7]++;
      if (flags & 4) this.counters[c + 9]++;
      if (len > 0) {
        const end = seq + len;
        if (end <= this.seqEnd[id]) this.counters[c + 11]++;
        else this.seqEnd[id] = end;
      }
    }
    // The destination MAC per direction: noted when it changes.
    const m = id * 4 + reply * 2;
    const hi = (d[at] << 8) | d[at + 1];
    const lo = (d[at + 2] << 24) | (d[at + 3] << 16) | (d[at + 4] << 8) | d[at + 5];
    if (this.macs[m] !== hi || this.macs[m + 1] !== lo) {
      this.macs[m] = hi;
      this.macs[m + 1] = lo;
      const list = (this.macLists[id] ??= []);
      if (list.length < 6) list.push(hi * 4294967296 + (lo >>> 0));
    }
    // First 12 and last 4 packets as records of 48 bytes.
    const hb = id * 4;
    let head = this.heads[hb];
    if (head < 0) head = this.heads[hb] = this.allocRecords(16);
    const kept = this.heads[hb + 1];
    let r: number;
    if (kept < 12) {
      r = head + kept;
      this.heads[hb + 1] = kept + 1;
    } else {
      const tail = this.heads[hb + 2];
      r = head + 12 + tail;
      this.heads[hb + 2] = (tail + 1) & 3;
    }
    this.rf[r * 6] = ts;
    const i = r * 12;
    this.ri[i + 2] = n;
    this.ri[i + 3] = seq;
    this.ri[i + 4] = ack;
    this.ri[i + 5] = len;
    this.ri[i + 6] = ipId;
    this.ri[i + 7] = ports;
    this.ri[i + 8] = sig;
    this.ri[i + 9] = flags | (reply << 8) | ((dup ? 1 : 0) << 9);
  }

  private allocRecords(count: number): number {
    const at = this.records;
    this.records += count;
    if (this.records > this.recordCap) {
      while (this.records > this.recordCap) this.recordCap *= 2;
      const bigger = new ArrayBuffer(this.recordCap * 48);
      new Uint8Array(bigger).set(new Uint8Array(this.recordBuf));
      this.recordBuf = bigger;
      this.rf = new Float64Array(bigger);
      this.ri = new Int32Array(bigger);
    }
    return at;
  }
}
