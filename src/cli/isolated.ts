// The commands that analyse a capture (analyze, export) run in a worker thread started by
// startAnalysisIsolate(): its isolate compiles hot code synchronously, which costs a one-shot
// analysis less CPU (see core/analysis/worker/isolate.ts). Not when the whole process
// compiles that way already (node started with --no-concurrent-recompilation): main() then
// runs them in its own thread, without a worker's start-up (~0.3 G instructions). The worker
// runs this same bundle (dist/cli.js), which sees the request in its workerData and runs the
// command as usual.
// Its output reaches the process's stdout and stderr: what StdoutWriter writes (JSON) goes
// to the file descriptor directly, process.stdout/stderr writes through the main thread.

import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { ANALYSIS_HEAP_MB, startAnalysisIsolate } from '../core/analysis/worker/isolate';

interface IsolatedCommand {
  lvsTraceArgv: string[];
}

/** Runs `argv` (a command and its arguments) in an analysis isolate of `bundle`; resolves
 *  with the command's exit status (2 when the worker failed). */
export function runInAnalysisIsolate(bundle: string, argv: string[]): Promise<number> {
  return new Promise((resolve) => {
    let status: number | undefined;
    const worker = startAnalysisIsolate(bundle, {
      workerData: { lvsTraceArgv: argv } satisfies IsolatedCommand,
      resourceLimits: { maxOldGenerationSizeMb: ANALYSIS_HEAP_MB },
    });
    worker.on('message', (m: { exitStatus?: unknown }) => {
      if (typeof m?.exitStatus === 'number') status = m.exitStatus;
    });
    worker.on('error', (e: Error & { code?: string }) => {
      const why = e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `the capture needs more than ${ANALYSIS_HEAP_MB} MiB to analyse` : e.message;
      process.stderr.write(`lvs-trace ${argv[0]}: ${why}\n`);
      status = 2;
    });
    worker.on('exit', () => resolve(status ?? 2));
  });
}

/** In a worker started by runInAnalysisIsolate(): runs the command with `run` and reports its
 *  exit status. Elsewhere, does nothing. */
export function serveIsolatedCommand(run: (argv: string[]) => Promise<number>): void {
  const request = workerData as IsolatedCommand | undefined;
  if (isMainThread || !parentPort || !Array.isArray(request?.lvsTraceArgv)) return;
  const port = parentPort;
  void run(request.lvsTraceArgv).then((exitStatus) => port.postMessage({ exitStatus }));
}
