// "Export capture as pcapng": every capture point's packets merged into one pcapng
// in time order (clock offsets applied), one interface per point named after its
// host, and a comment on each packet we annotated (connection, rewrite, latency,
// findings) so Wireshark shows our conclusions next to the bytes.
// No `vscode` import: plain Node, tested against tshark.
import * as path from 'node:path';
import type { AnalysisResult } from '../../core/analysis/result';
import { PcapngWriter, readFrames } from '../../core/pcap';

interface Frame {
  ts: number;
  iface: number;
  data: Uint8Array;
  wirelen: number;
  comment?: string;
  order: number;
}

/** `point:n` → annotation lines. */
export function packetAnnotations(result: AnalysisResult): Map<string, string[]> {
  const notes = new Map<string, string[]>();
  const add = (point: number, n: number, text: string): void => {
    const k = `${point}:${n}`;
    const list = notes.get(k) ?? [];
    if (!list.includes(text)) list.push(text);
    notes.set(k, list);
  };
  for (const c of result.connections) {
    c.hops.forEach((h) => {
      const parts = [`lvs: ${c.protocol} ${c.client}:${c.clientPort ?? ''} -> ${c.vip}:${c.vport ?? ''} ${h.direction}`];
      if (c.realServer) parts.push(`via ${c.realServer}`);
      if (h.rewriteText ?? (h.rewrite && h.rewrite !== 'none')) parts.push(h.rewriteText ?? h.rewrite!);
      if (h.latencyMs !== undefined) parts.push(`+${h.latencyMs.toFixed(3)} ms`);
      add(h.ref.point, h.ref.n, parts.join(', '));
    });
    if (c.stoppedAt) {
      const last = [...c.hops].reverse().find((h) => h.ref.point === c.stoppedAt!.point) ?? c.hops[c.hops.length - 1];
      if (last) add(last.ref.point, last.ref.n, `lvs: connection stopped here: ${c.stoppedAt.reason}`);
    }
  }
  const points = result.manifest.points;
  for (const f of result.findings) {
    for (const ev of f.evidence) {
      for (const n of ev.packets ?? []) {
        points.forEach((p, i) => {
          if (ev.file ? p.file === ev.file : p.host === ev.host) add(i, n, `lvs finding ${f.code} (${f.severity}): ${f.message}`);
        });
      }
    }
  }
  return notes;
}

/** Writes the merged pcapng; returns the number of packets and of comments written. */
export function writeMergedPcapng(result: AnalysisResult, outFile: string): { packets: number; comments: number } {
  const notes = packetAnnotations(result);
  const w = new PcapngWriter({ application: 'LVS Troubleshooter' });
  const frames: Frame[] = [];
  const ifaces = new Map<string, number>();
  result.manifest.points.forEach((p, point) => {
    const offsetSec = (result.lanes.find((l) => l.point === point)?.clockOffsetMs ?? -(p.clockOffsetMs ?? 0)) / 1000;
    readFrames(path.resolve(result.folder, p.file), (f) => {
      // One pcapng interface per (point, link type): a pcapng source may mix link types.
      const key = `${point}/${f.linkType}`;
      let iface = ifaces.get(key);
      if (iface === undefined) {
        iface = w.addInterface({ linkType: f.linkType, name: `${p.host} ${p.interface}`, tsresol: 9 });
        ifaces.set(key, iface);
      }
      const note = notes.get(`${point}:${f.n}`);
      frames.push({ ts: f.ts + offsetSec, iface, data: Uint8Array.from(f.data), wirelen: f.wirelen, comment: note?.join('\n'), order: frames.length });
    });
  });
  frames.sort((a, b) => a.ts - b.ts || a.order - b.order);
  let comments = 0;
  for (const f of frames) {
    if (f.comment) comments++;
    w.add(f.iface, f.ts, f.data, { wirelen: f.wirelen, comment: f.comment });
  }
  w.writeFile(outFile);
  return { packets: frames.length, comments };
}
