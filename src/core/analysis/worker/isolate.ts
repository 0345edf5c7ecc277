// Where analyses run: a worker thread whose V8 isolate optimises hot functions on its own
// thread, synchronously, instead of on V8's background compiler thread.
//
// Why: an analysis is one long batch over a few hot loops. With background compiles the
// worker goes on running those loops unoptimised until the compiled code lands, and that
// costs more CPU than the compile itself: a first analysis of 1M packets took ~25% less CPU
// and no more wall time (docs/dev/analysis-performance.md, "Compiling in the worker").
//
// V8 reads --concurrent-recompilation once, when an isolate is created, and the flag is
// process-wide: it is turned off just for the creation of this worker and put back as soon as
// the worker runs, so the process's other isolates keep their way. Another isolate created
// in that moment would compile synchronously too: slower to warm up, never wrong.
// Changing a flag after start-up needs V8's flags unfrozen: Node unfreezes them for
// `v8.setFlagsFromString()` (node.cc), and Electron, where VS Code's extension host runs,
// patches V8 not to freeze them.

import * as v8 from 'node:v8';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** Heap limit of an analysis worker (MiB) unless told otherwise. */
export const ANALYSIS_HEAP_MB = 4096;

/** Workers started and not yet running: the flag goes back when the last one runs. */
let starting = 0;

/** Whether this process was started without background compiles (then nothing is put back). */
const processCompilesInline = process.execArgv.some((a) => /^--(no-concurrent[-_]recompilation|single[-_]threaded)$/.test(a));

/** Whether every isolate of this process, its main thread's included, compiles hot code
 *  synchronously (node started with --no-concurrent-recompilation or --single-threaded): an
 *  analysis then gains nothing from a worker of its own. */
export function processCompilesSynchronously(): boolean {
  return processCompilesInline;
}

function setConcurrentRecompilation(on: boolean): void {
  v8.setFlagsFromString(on ? '--concurrent-recompilation' : '--no-concurrent-recompilation');
}

/** `new Worker(script, options)` with an isolate that compiles hot code synchronously. */
export function startAnalysisIsolate(script: string, options: WorkerOptions = {}): Worker {
  if (starting++ === 0) setConcurrentRecompilation(false);
  let settled = false;
  const started = (): void => {
    if (settled) return;
    settled = true;
    if (--starting === 0 && !processCompilesInline) setConcurrentRecompilation(true);
  };
  let worker: Worker;
  try {
    worker = new Worker(script, options);
  } catch (e) {
    started();
    throw e;
  }
  // 'online': the worker runs JavaScript, so its isolate exists. A worker that fails to
  // start says 'error' or 'exit' instead.
  worker.once('online', started);
  worker.once('error', started);
  worker.once('exit', started);
  return worker;
}
