// "Export capture as pcapng": every capture point's packets merged into one pcapng
// in time order (clock offsets applied), one interface per point named after its
// host, and a comment on each packet we annotated (connection, rewrite, latency,
// findings) so Wireshark shows our conclusions next to the bytes.
//
// Written as it is merged: each point's file is read a batch of frames at a time, the
// output goes to disk every MiB, and a connection's annotations are made when the merge
// reaches it and dropped once written: memory holds a few thousand packets and the notes
// of the connections still open, never the capture itself (captures run to gigabytes).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeFileError, isFileError } from '../fileErrors';
import { PcapngWriter } from '../pcap';
import { openFrames, type OpenFrames } from '../pcap/read';
import { hopsWithoutKeeping } from './hops';
import type { AnalysisResult, Connection } from './result';

/** Frames read from a point at a time. */
const BATCH = 512;
/** Frames held back to put a point's own slightly late packets in time order (tcpdump's
 *  timestamps step back by a fraction of a millisecond now and then, e.g. on `-i any`). */
const REORDER = 4096;
/** Output written to the file once this much is made. */
const FLUSH_AT = 1 << 20;

/** A connection's annotations: (point, packet number, text), hops built and not kept. */
function connectionNotes(c: Connection, add: (point: number, n: number, text: string) => void): void {
  const hops = hopsWithoutKeeping(c);
  hops.forEach((h) => {
    const parts = [`lvs: ${c.protocol} ${c.client}:${c.clientPort ?? ''} -> ${c.vip}:${c.vport ?? ''} ${h.direction}`];
    if (c.realServer) parts.push(`via ${c.realServer}`);
    if (h.rewriteText ?? (h.rewrite && h.rewrite !== 'none')) parts.push(h.rewriteText ?? h.rewrite!);
    if (h.latencyMs !== undefined) parts.push(`+${h.latencyMs.toFixed(3)} ms`);
    add(h.ref.point, h.ref.n, parts.join(', '));
  });
  if (c.stoppedAt) {
    const last = [...hops].reverse().find((h) => h.ref.point === c.stoppedAt!.point) ?? hops[hops.length - 1];
    if (last) add(last.ref.point, last.ref.n, `lvs: connection stopped here: ${c.stoppedAt.reason}`);
  }
}

/** The findings' annotations, on the packets their evidence cites. */
function findingNotes(result: AnalysisResult, add: (point: number, n: number, text: string) => void): void {
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
}

/** `point:n` → annotation lines: the connections' (in their order), then the findings'. */
export function packetAnnotations(result: AnalysisResult): Map<string, string[]> {
  const notes = new Map<string, string[]>();
  const add = (point: number, n: number, text: string): void => {
    const k = `${point}:${n}`;
    const list = notes.get(k) ?? [];
    if (!list.includes(text)) list.push(text);
    notes.set(k, list);
  };
  for (const c of result.connections) connectionNotes(c, add);
  findingNotes(result, add);
  return notes;
}

/**
 * packetAnnotations() as the merge needs them, in time order: a connection's annotations
 * are made when the merge reaches its start and dropped once written, so the notes held
 * are those of the connections still open, not of the whole capture.
 */
class Annotations {
  /** Per packet: [rank, text] with rank the connection's index (findings after them). */
  private readonly notes = new Map<string, Array<[number, string]>>();
  private readonly byStart: number[];
  private next = 0;

  constructor(private readonly result: AnalysisResult) {
    const conns = result.connections;
    this.byStart = conns.map((_, k) => k).sort((a, b) => startOf(conns[a]) - startOf(conns[b]) || a - b);
    findingNotes(result, this.adder(conns.length));
  }

  private adder(rank: number): (point: number, n: number, text: string) => void {
    return (point, n, text) => {
      const k = `${point}:${n}`;
      const list = this.notes.get(k);
      if (list === undefined) this.notes.set(k, [[rank, text]]);
      else list.push([rank, text]);
    };
  }

  /** The lines of packet n of `point` (seen at `ts`), forgotten once given. */
  take(point: number, n: number, ts: number): string[] | undefined {
    const conns = this.result.connections;
    // Packet times and connection starts share the clock correction; a second of slack.
    while (this.next < this.byStart.length && startOf(conns[this.byStart[this.next]]) <= ts + 1) {
      const k = this.byStart[this.next++];
      connectionNotes(conns[k], this.adder(k));
    }
    const key = `${point}:${n}`;
    const list = this.notes.get(key);
    if (list === undefined) return undefined;
    this.notes.delete(key);
    // As packetAnnotations() orders them: by connection, findings last, each text once.
    list.sort((a, b) => a[0] - b[0]);
    const lines: string[] = [];
    for (const [, text] of list) if (!lines.includes(text)) lines.push(text);
    return lines;
  }
}

/** A connection with no time (none seen) is annotated before any packet. */
function startOf(c: Connection): number {
  return Number.isFinite(c.start) ? c.start : -Infinity;
}

interface QueuedFrame {
  ts: number;
  point: number;
  n: number;
  linkType: number;
  wirelen: number;
  data: Uint8Array;
}

/** One point's frames in file order, a batch at a time (copied out of the reader's buffer). */
class PointFrames {
  private queue: QueuedFrame[] = [];
  private at = 0;
  private more = true;

  /** Why this point's frames ended early (a corrupt record: what came before is kept). */
  problem: string | undefined;

  constructor(
    readonly point: number,
    private readonly source: OpenFrames,
    private readonly offsetSec: number,
  ) {}

  /** The next frame, or undefined at the end of the file. */
  head(): QueuedFrame | undefined {
    if (this.at === this.queue.length) {
      if (!this.more) return undefined;
      this.queue = [];
      this.at = 0;
      try {
        this.more = this.source.read((f) => {
        // The frame's bytes are the reader's until the callback returns: copied (one memcpy;
        // not Buffer#slice, which is a view).
        const data = new Uint8Array(f.buf !== undefined && f.at !== undefined ? f.buf.subarray(f.at, f.at + f.caplen) : f.data);
        this.queue.push({ ts: f.ts + this.offsetSec, point: this.point, n: f.n, linkType: f.linkType, wirelen: f.wirelen, data });
        }, BATCH);
      } catch (e) {
        this.more = false;
        this.problem = (e as Error).message;
      }
      if (this.queue.length === 0) return undefined;
    }
    return this.queue[this.at];
  }

  next(): void {
    this.at++;
  }

  close(): void {
    this.source.close();
  }
}

/** Earlier first; on the same time the lower point, then file order (as a stable sort of
 *  every point's packets, one point after the other, would give). */
function before(a: QueuedFrame, b: QueuedFrame): boolean {
  return a.ts < b.ts || (a.ts === b.ts && (a.point < b.point || (a.point === b.point && a.n < b.n)));
}

/** A binary min-heap of frames (by before()). */
class FrameHeap {
  private readonly items: QueuedFrame[] = [];

  get size(): number {
    return this.items.length;
  }

  push(f: QueuedFrame): void {
    const a = this.items;
    // Sift up: parents move down into the hole until f's place is found.
    let i = a.push(f) - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (!before(f, a[up])) break;
      a[i] = a[up];
      i = up;
    }
    a[i] = f;
  }

  pop(): QueuedFrame | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      // Sift down: the smaller child moves up into the hole until `last` fits.
      let i = 0;
      for (;;) {
        let m = 2 * i + 1;
        if (m >= a.length) break;
        if (m + 1 < a.length && before(a[m + 1], a[m])) m++;
        if (!before(a[m], last)) break;
        a[i] = a[m];
        i = m;
      }
      a[i] = last;
    }
    return top;
  }
}

export interface MergeSummary {
  packets: number;
  comments: number;
  /** Capture points whose file was opened and merged (in whole or in part). */
  points: number;
  /** Points left out or cut short, and why (missing file, corrupt record). */
  problems: string[];
}

/** The real path of `file`, or of its folder joined with its name when it does not exist
 *  (yet); undefined when neither resolves. */
function realPathOf(file: string): string | undefined {
  try {
    return fs.realpathSync(file);
  } catch {
    try {
      return path.join(fs.realpathSync(path.dirname(path.resolve(file))), path.basename(file));
    } catch {
      return undefined;
    }
  }
}

/** Why `outFile` must not be written for this capture (it is one of the capture's own files:
 *  capture.json, a pcap or the config it lists, by whatever path), or undefined. */
export function exportTargetProblem(result: Pick<AnalysisResult, 'folder' | 'manifest'>, outFile: string): string | undefined {
  const target = realPathOf(outFile);
  if (target === undefined) return undefined;
  const config = result.manifest.config;
  for (const own of ['capture.json', ...result.manifest.points.map((p) => p.file), ...(config ? [config] : [])]) {
    if (realPathOf(path.resolve(result.folder, own)) === target) return `is one of the capture's own files (${own}); writing it would destroy the capture: choose another file`;
  }
  return undefined;
}

/** Where the merged file is written: a regular file (or a new one) through a temporary file
 *  beside it, renamed over it at the end, so that a failed export leaves what was there; a
 *  device or a pipe (/dev/stdout, a FIFO) directly. Errors name `outFile`. */
class MergedOutput {
  readonly fd: number;
  private readonly temp: string | undefined;
  private readonly target: string;

  constructor(private readonly outFile: string) {
    let existing: fs.Stats | undefined;
    try {
      existing = fs.statSync(outFile);
    } catch {
      existing = undefined;
    }
    try {
      if (existing && !existing.isFile()) {
        this.target = outFile;
        this.fd = fs.openSync(outFile, 'w');
        return;
      }
      // Beside the real file (an --out that is a symbolic link keeps pointing at it).
      this.target = existing ? fs.realpathSync(outFile) : outFile;
      this.temp = path.join(path.dirname(this.target), `.${path.basename(this.target)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
      this.fd = fs.openSync(this.temp, 'wx', existing ? existing.mode & 0o7777 : 0o666);
    } catch (e) {
      throw this.error(e);
    }
  }

  /** `outFile: what went wrong`, for an error met while writing it. */
  error(e: unknown): Error {
    return isFileError(e) ? new Error(describeFileError(this.outFile, e)) : (e as Error);
  }

  write(w: PcapngWriter): void {
    try {
      w.flushTo(this.fd);
    } catch (e) {
      throw this.error(e);
    }
  }

  /** Closes the file; when `ok`, puts the temporary file in place. */
  close(ok: boolean): void {
    try {
      fs.closeSync(this.fd);
      if (this.temp && ok) fs.renameSync(this.temp, this.target);
    } catch (e) {
      if (ok) throw this.error(e);
    } finally {
      if (this.temp && fs.existsSync(this.temp)) fs.rmSync(this.temp, { force: true });
    }
  }
}

/** Writes the merged pcapng; returns the number of packets and of comments written.
 *  Packets go out in time order: the points merged by their next packet, then through a
 *  window of REORDER packets that puts a point's own late ones in place. Refuses an
 *  `outFile` that is one of the capture's own files (exportTargetProblem). */
export function writeMergedPcapng(result: AnalysisResult, outFile: string): MergeSummary {
  const refused = exportTargetProblem(result, outFile);
  if (refused) throw new Error(`${outFile} ${refused}`);
  const notes = new Annotations(result);
  const w = new PcapngWriter({ application: 'LVS Troubleshooter' });
  const ifaces = new Map<string, number>();
  const points: PointFrames[] = [];
  const out = new MergedOutput(outFile);
  let packets = 0;
  let comments = 0;
  const problems: string[] = [];
  let written = false;
  try {
    result.manifest.points.forEach((p, point) => {
      const offsetSec = (result.lanes.find((l) => l.point === point)?.clockOffsetMs ?? -(p.clockOffsetMs ?? 0)) / 1000;
      // A point whose file cannot be opened is left out, as the analysis leaves it out.
      let source: OpenFrames;
      try {
        source = openFrames(path.resolve(result.folder, p.file), true);
      } catch (e) {
        problems.push(`${p.host} (${p.file}) left out: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (e as Error).message}`);
        return;
      }
      points.push(new PointFrames(point, source, offsetSec));
    });
    // One pcapng interface per (point, link type): a pcapng source may mix link types.
    const interfaceOf = (f: QueuedFrame): number => {
      const key = `${f.point}/${f.linkType}`;
      let iface = ifaces.get(key);
      if (iface === undefined) {
        const spec = result.manifest.points[f.point];
        iface = w.addInterface({ linkType: f.linkType, name: `${spec.host} ${spec.interface}`, tsresol: 9 });
        ifaces.set(key, iface);
      }
      return iface;
    };
    const write = (f: QueuedFrame): void => {
      const iface = interfaceOf(f);
      const note = notes.take(f.point, f.n, f.ts);
      if (note) comments++;
      w.add(iface, f.ts, f.data, { wirelen: f.wirelen, comment: note?.join('\n') });
      packets++;
      if (w.pending >= FLUSH_AT) out.write(w);
    };
    // Each point's interface first, in point order, as a viewer lists them.
    for (const q of points) {
      const h = q.head();
      if (h !== undefined) interfaceOf(h);
    }
    const held = new FrameHeap();
    for (;;) {
      // The point whose next packet comes first (a handful of points: a scan is enough).
      let from: PointFrames | undefined;
      let first: QueuedFrame | undefined;
      for (const q of points) {
        const h = q.head();
        if (h !== undefined && (first === undefined || before(h, first))) {
          from = q;
          first = h;
        }
      }
      if (from === undefined || first === undefined) break;
      from.next();
      held.push(first);
      if (held.size > REORDER) write(held.pop()!);
    }
    while (held.size > 0) write(held.pop()!);
    out.write(w);
    written = true;
  } finally {
    for (const q of points) q.close();
    out.close(written);
  }
  for (const q of points) {
    const spec = result.manifest.points[q.point];
    if (q.problem) problems.push(`${spec.host} (${spec.file}) cut short: ${q.problem}`);
  }
  return { packets, comments, points: points.length, problems };
}
