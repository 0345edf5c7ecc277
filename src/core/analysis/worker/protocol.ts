// Messages between the analysis worker thread and its client (see client.ts, entry.ts).
// The worker keeps each analysis it made (its facts build hops on demand) until released;
// results cross as structured clones, without hops.

import type { CaptureManifest } from '../../capture/manifest';
import type { MergeSummary } from '../mergedPcapng';
import type { PacketDetails } from '../packetDetails';
import type { AnalysisResult, Hop, PacketRef } from '../result';

export type ToWorker =
  | { type: 'analyze'; req: number; folder: string }
  | { type: 'hops'; req: number; analysis: number; connectionId: string }
  | { type: 'exportPcapng'; req: number; analysis: number; outFile: string }
  | { type: 'packetDetails'; req: number; folder: string; manifest: CaptureManifest; ref: PacketRef }
  | { type: 'release'; analysis: number };

export type FromWorker =
  | { type: 'analyzed'; req: number; analysis: number; result: AnalysisResult }
  | { type: 'hops'; req: number; hops: Hop[] | undefined }
  | { type: 'exported'; req: number; summary: MergeSummary }
  | { type: 'packetDetails'; req: number; details: PacketDetails }
  | { type: 'error'; req: number; message: string; stack?: string };
