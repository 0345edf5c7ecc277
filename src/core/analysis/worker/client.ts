// Runs analyses in a worker thread (entry.ts, bundled as dist/analysisWorker.js): a big
// capture then never holds up the caller's thread, and a capture too big for memory ends
// that worker with an error instead of the process. Where the worker script is not there
// (running from source), the analysis runs in this thread behind the same interface.

import * as fs from 'node:fs';
import type { Worker } from 'node:worker_threads';
import type { CaptureManifest } from '../../capture/manifest';
import { decodeFrame } from '../../decode/index';
import { analyzeCapture } from '../index';
import { writeMergedPcapng, type MergeSummary } from '../mergedPcapng';
import { readPacketDetails, type PacketDetails } from '../packetDetails';
import { withoutHops, type AnalysisResult, type Hop, type PacketRef } from '../result';
import { ANALYSIS_HEAP_MB, startAnalysisIsolate } from './isolate';
import type { FromWorker, ToWorker } from './protocol';

/** One analysed capture. Its result carries no hops: ask for them per connection. */
export interface Analysis {
  readonly result: AnalysisResult;
  /** The hops of one connection (undefined: no such connection). */
  hops(connectionId: string): Promise<Hop[] | undefined>;
  /** Writes the merged, annotated pcapng (see mergedPcapng.ts) where the analysis lives:
   *  the hops of every connection never cross to the caller. */
  exportPcapng(outFile: string): Promise<MergeSummary>;
  /** Frees what the analysis keeps for its hops. */
  release(): void;
}

export interface AnalysisWorkerOptions {
  /** Heap limit of the worker (MiB). Default ANALYSIS_HEAP_MB. */
  maxHeapMb?: number;
  log?: (message: string) => void;
}

interface Pending {
  resolve: (m: FromWorker) => void;
  reject: (e: Error) => void;
  /** What was asked, to say what failed: `analysis`, `export`... */
  what: string;
}

const WHAT: Record<ToWorker['type'], string> = { analyze: 'analysis', hops: 'hops', exportPcapng: 'export', packetDetails: 'reading the packet', release: 'release' };

/** An analysis held in this thread (when there is no worker script). */
export function localAnalysis(full: AnalysisResult): Analysis {
  const byId = new Map(full.connections.map((c) => [c.id, c]));
  let released = false;
  return {
    result: withoutHops(full),
    hops: async (id) => {
      if (released) throw new Error('this analysis was released');
      return byId.get(id)?.hops;
    },
    exportPcapng: async (outFile) => {
      if (released) throw new Error('this analysis was released');
      return writeMergedPcapng(full, outFile);
    },
    release: () => {
      released = true;
      byId.clear();
    },
  };
}

export class AnalysisWorker {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextReq = 1;
  private disposed = false;

  constructor(
    /** Path of the bundled worker script (dist/analysisWorker.js). */
    private readonly script: string,
    private readonly opts: AnalysisWorkerOptions = {},
  ) {}

  /** Whether analyses run in a worker thread (false: in this thread). */
  get threaded(): boolean {
    return fs.existsSync(this.script);
  }

  async analyze(folder: string): Promise<Analysis> {
    if (this.disposed) throw new Error('the analysis worker was disposed');
    if (!this.threaded) {
      this.opts.log?.(`no ${this.script}: analysing in this thread`);
      return localAnalysis(await analyzeCapture(folder));
    }
    const worker = this.start();
    const m = await this.request(worker, (req) => ({ type: 'analyze', req, folder }));
    if (m.type !== 'analyzed') throw new Error(`unexpected answer ${m.type} from the analysis worker`);
    const id = m.analysis;
    let released = false;
    const alive = (): Worker => {
      if (released) throw new Error('this analysis was released');
      if (this.worker !== worker) throw new Error('the analysis worker stopped since this capture was analysed; open the capture again');
      return worker;
    };
    const result = m.result;
    return {
      result,
      hops: async (connectionId) => {
        const r = await this.request(alive(), (req) => ({ type: 'hops', req, analysis: id, connectionId }));
        return r.type === 'hops' ? r.hops : undefined;
      },
      exportPcapng: async (outFile) => {
        const r = await this.request(alive(), (req) => ({ type: 'exportPcapng', req, analysis: id, outFile }));
        if (r.type !== 'exported') throw new Error(`unexpected answer ${r.type} from the analysis worker`);
        return r.summary;
      },
      release: () => {
        if (released) return;
        released = true;
        if (this.worker === worker) worker.postMessage({ type: 'release', analysis: id } satisfies ToWorker);
      },
    };
  }

  /** Packet `ref.n` of a capture point decoded for the details pane, read in the worker:
   *  reaching a packet deep in a big file takes a while, and not on the caller's thread. */
  async packetDetails(folder: string, manifest: CaptureManifest, ref: PacketRef): Promise<PacketDetails> {
    if (this.disposed) throw new Error('the analysis worker was disposed');
    if (!this.threaded) return readPacketDetails(folder, manifest, ref, decodeFrame);
    const m = await this.request(this.start(), (req) => ({ type: 'packetDetails', req, folder, manifest, ref }));
    if (m.type !== 'packetDetails') throw new Error(`unexpected answer ${m.type} from the analysis worker`);
    return m.details;
  }

  dispose(): void {
    this.disposed = true;
    const w = this.worker;
    this.worker = undefined;
    this.failAll(new Error('the analysis worker was disposed'));
    void w?.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = startAnalysisIsolate(this.script, { resourceLimits: { maxOldGenerationSizeMb: this.opts.maxHeapMb ?? ANALYSIS_HEAP_MB } });
    // Idle, it does not keep the process alive (the CLI, tests).
    worker.unref();
    worker.on('message', (m: FromWorker) => {
      const p = this.pending.get(m.req);
      if (!p) return;
      this.pending.delete(m.req);
      if (m.type === 'error') {
        if (m.stack) this.opts.log?.(`analysis worker: ${m.stack}`);
        p.reject(new Error(`${p.what} failed: ${m.message}`));
      }
      else p.resolve(m);
    });
    const gone = (why: string): void => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.opts.log?.(`analysis worker stopped: ${why}`);
      this.failAll(new Error(`the analysis worker stopped: ${why}`));
    };
    worker.on('error', (e: Error & { code?: string }) =>
      gone(e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `the capture needs more than ${this.opts.maxHeapMb ?? ANALYSIS_HEAP_MB} MiB to analyse` : e.message),
    );
    worker.on('exit', (code) => gone(`exit code ${code}`));
    this.worker = worker;
    return worker;
  }

  private request(worker: Worker, make: (req: number) => ToWorker): Promise<FromWorker> {
    const req = this.nextReq++;
    const message = make(req);
    return new Promise<FromWorker>((resolve, reject) => {
      this.pending.set(req, { resolve, reject, what: WHAT[message.type] });
      // Waiting on an answer keeps the process alive; idle, the worker does not.
      if (this.pending.size === 1) worker.ref();
      worker.postMessage(message);
    }).finally(() => {
      if (this.pending.size === 0 && this.worker === worker) worker.unref();
    });
  }

  private failAll(e: Error): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(e);
  }
}
