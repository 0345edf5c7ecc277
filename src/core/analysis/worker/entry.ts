// The analysis worker thread: analyses capture folders off the caller's thread (in VS Code,
// the extension host, which every extension shares) and answers for hops on demand.
// Bundled on its own as dist/analysisWorker.js.

import { parentPort } from 'node:worker_threads';
import { decodeFrame } from '../../decode/index';
import { analyzeCapture } from '../index';
import { readPacketDetails } from '../packetDetails';
import { localAnalysis, type Analysis } from './client';
import type { FromWorker, ToWorker } from './protocol';

const port = parentPort;
if (!port) throw new Error('analysisWorker.js runs as a worker thread');

/** Analyses kept for their hops, by id, until the client releases them. */
const kept = new Map<number, Analysis>();
let nextId = 1;

function send(m: FromWorker): void {
  port!.postMessage(m);
}

async function handle(m: ToWorker): Promise<void> {
  switch (m.type) {
    case 'analyze': {
      const a = localAnalysis(await analyzeCapture(m.folder));
      const analysis = nextId++;
      kept.set(analysis, a);
      return send({ type: 'analyzed', req: m.req, analysis, result: a.result });
    }
    case 'hops': {
      const a = kept.get(m.analysis);
      if (!a) return send({ type: 'error', req: m.req, message: `analysis ${m.analysis} was released` });
      return send({ type: 'hops', req: m.req, hops: await a.hops(m.connectionId) });
    }
    case 'exportPcapng': {
      const a = kept.get(m.analysis);
      if (!a) return send({ type: 'error', req: m.req, message: `analysis ${m.analysis} was released` });
      return send({ type: 'exported', req: m.req, summary: await a.exportPcapng(m.outFile) });
    }
    case 'packetDetails':
      return send({ type: 'packetDetails', req: m.req, details: readPacketDetails(m.folder, m.manifest, m.ref, decodeFrame) });
    case 'release':
      kept.get(m.analysis)?.release();
      kept.delete(m.analysis);
      return;
  }
}

port.on('message', (m: ToWorker) => {
  handle(m).catch((e: Error) => {
    if ('req' in m) send({ type: 'error', req: m.req, message: e?.message ?? String(e), stack: e?.stack });
  });
});
