// Reading a capture folder's points into their flow tables. The points are read in turns,
// a few hundred frames each, not one file after another: the flow table's code then meets
// every kind of point (client, director, real server) within its first frames, and the
// JIT optimises it once for all of them instead of again each time the next file brings
// paths the previous one never took (~15% less CPU for the whole analysis of a big folder).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CaptureManifest, CapturePoint } from '../capture/manifest';
import { decodeFrame } from '../decode/index';
import type { FrameCallback, ReadSummary } from '../pcap/frame';
import { openFrames, type OpenFrames } from '../pcap/read';
import type { ServiceMap } from './endpoints';
import { UNKNOWN_CLOCK_DOUBT_S, type PointInfo } from './facts';
import { PointTable } from './flowTable';
import type { Lane } from './result';

/** Frames read from one point before the next point's turn. */
const FRAMES_PER_TURN = 512;
/** Frames read between two steps of the caller (each a chance for other work to run). */
const FRAMES_PER_STEP = 1 << 16;

/** One PointInfo per capture point of the manifest, with an empty flow table. */
export function capturePoints(manifest: CaptureManifest, services: ServiceMap): PointInfo[] {
  return manifest.points.map((spec, index) => {
    // Real servers' own address and MAC may have to be learnt from their capture.
    const needsAddress = spec.role === 'real-server';
    const lane: Lane = { point: index, host: spec.host, role: spec.role, interface: spec.interface, packetCount: 0 };
    const { shift, doubt } = manifestClock(spec, lane);
    return { index, spec, lane, shift, clockDoubt: doubt, readable: true, table: new PointTable(index, services, needsAddress), realServer: spec.realServer };
  });
}

/**
 * The shift capture.json's clock offset gives a point, and how far its times may then be off
 * (seconds). An offset no larger than its uncertainty is not applied: the measurement cannot
 * tell it from none, and hops microseconds apart would be put out of order by it (the
 * packets may still refine it, see correlate.ts alignClocks).
 */
function manifestClock(spec: CapturePoint, lane: Lane): { shift: number; doubt: number } {
  const off = spec.clockOffsetMs;
  const unc = spec.clockUncertaintyMs;
  if (off === undefined) return { shift: 0, doubt: UNKNOWN_CLOCK_DOUBT_S };
  if (unc !== undefined && Math.abs(off) <= unc) {
    lane.clockOffsetMs = 0;
    lane.clockNote = `clock offset ${off} ms measured at capture time is within its uncertainty (±${unc} ms): not applied`;
    return { shift: 0, doubt: (unc + Math.abs(off)) / 1000 };
  }
  lane.clockOffsetMs = -off;
  return { shift: -off / 1000, doubt: unc !== undefined ? unc / 1000 : UNKNOWN_CLOCK_DOUBT_S };
}

interface Reading {
  point: PointInfo;
  frames: OpenFrames;
  onFrame: FrameCallback;
}

/** Reads every point's pcap into its table; yields now and then. A point whose file is
 *  missing or corrupt gets a lane error (what was read before the error is kept). */
export function* readPoints(folder: string, points: PointInfo[]): Generator<void> {
  const open: Reading[] = [];
  try {
    for (const point of points) {
      const file = path.join(folder, point.spec.file);
      if (!fs.existsSync(file)) {
        point.readable = false;
        point.lane.error = `file not found: ${point.spec.file}`;
        continue;
      }
      try {
        open.push({ point, frames: openFrames(file, true), onFrame: frameConsumer(point.table) });
      } catch (e) {
        failed(point, e as Error);
      }
    }
    let sinceStep = 0;
    while (open.length > 0) {
      const reading = open.length;
      for (let k = 0; k < open.length; ) {
        const r = open[k];
        let more = false;
        try {
          more = r.frames.read(r.onFrame, FRAMES_PER_TURN);
        } catch (e) {
          failed(r.point, e as Error);
        }
        if (more) {
          k++;
          continue;
        }
        if (r.point.lane.error === undefined) noteWarnings(r.point.lane, r.frames.summary);
        r.frames.close();
        open.splice(k, 1);
        // A step also ends with each file read to its end.
        sinceStep = 0;
        yield;
      }
      sinceStep += FRAMES_PER_TURN * reading;
      if (sinceStep >= FRAMES_PER_STEP) {
        sinceStep = 0;
        yield;
      }
    }
  } finally {
    // Left early (the caller stopped stepping, or an error): close what is still open.
    for (const r of open) r.frames.close();
  }
  for (const p of points) p.lane.packetCount = p.table.packets;
}

/** Most frames take the table's fast path straight from the reader's buffer; the rest
 *  (ARP, VRRP, ICMP, tunnels, IPv6, VLANs...) are decoded in full. */
function frameConsumer(table: PointTable): FrameCallback {
  return (f) => {
    if (!table.consumeFrame(f)) table.consume(decodeFrame(f));
  };
}

/** A corrupt file: what was read before the error stays. */
function failed(point: PointInfo, e: Error): void {
  point.lane.error = e.message;
  if (point.table.packets === 0) point.readable = false;
}

function noteWarnings(lane: Lane, summary: ReadSummary): void {
  if (summary.truncatedAt !== undefined) lane.warning = `file ends in the middle of a packet at byte ${summary.truncatedAt}; analysed the ${summary.frames} packets before it`;
  else if (summary.warnings.length) lane.warning = summary.warnings.slice(0, 3).join('; ');
}
