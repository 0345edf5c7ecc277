// The messages between the flow webview (media/flow) and the extension host.
// Imported by both sides (type-only in the webview), so a change here is checked
// on both ends by the compiler. No `vscode` import: the browser test uses it too.
import type { AnalysisResult, Hop, PacketRef } from '../../core/analysis/result';
import type { PacketDetails } from '../../core/analysis/packetDetails';
export { withoutHops } from '../../core/analysis/result';
export type { PacketDetails, PacketField } from '../../core/analysis/packetDetails';

//#region to the webview

/** The analysis to show. Sent after the webview says it is `ready`. */
export interface ShowAnalysisMessage {
  type: 'show';
  /**
   * The AnalysisResult as JSON text, without the connections' hops (see
   * `withoutHops`): the webview asks for a connection's hops when it draws it.
   * A string crosses postMessage as one block; an object graph of 100,000 hops
   * took over a second to clone.
   */
  resultJson: string;
  /** What was opened (capture folder or pcap file): kept in the state for the serializer. */
  source: string;
  /** A title for the header, e.g. the capture folder name. */
  title: string;
}

/** Answer to a `packetRequest`. */
export interface PacketDetailsMessage {
  type: 'packetDetails';
  inReplyTo: number;
  details?: PacketDetails;
  error?: string;
}

/** The analysis is being (re)computed. */
export interface LoadingMessage {
  type: 'loading';
  text: string;
}

/** Answer to a `hopsRequest`: the hops, or why they could not be had (`error`, with `hops`
 *  empty; the webview offers to ask again and keeps nothing). */
export interface HopsMessage {
  type: 'hops';
  inReplyTo: number;
  connectionId: string;
  hops: Hop[];
  error?: string;
}

export type ToWebviewMessage = ShowAnalysisMessage | PacketDetailsMessage | LoadingMessage | HopsMessage;

//#endregion

//#region from the webview

/** The script has loaded and listens: the host may send `show`. */
export interface ReadyMessage {
  type: 'ready';
}

/** Decode one packet again from its file, for the details pane. */
export interface PacketRequestMessage {
  type: 'packetRequest';
  requestId: number;
  ref: PacketRef;
}

/** The hops of one connection, to draw it. */
export interface HopsRequestMessage {
  type: 'hopsRequest';
  requestId: number;
  connectionId: string;
}

/** Timing marks (ms since navigation start) for the benchmark and the log. */
export interface PerfMessage {
  type: 'perf';
  marks: Record<string, number>;
}

/** Reveal a finding's config location or the capture.json in an editor. */
export interface OpenLocationMessage {
  type: 'openFinding';
  index: number;
}

export type FromWebviewMessage = ReadyMessage | PacketRequestMessage | HopsRequestMessage | PerfMessage | OpenLocationMessage;

//#endregion

/** What the webview keeps with `setState` so a reload restores the view. */
export interface FlowViewState {
  /** The capture folder (or pcap file) shown: the serializer reopens it. */
  source?: string;
  selectedId?: string;
  search?: string;
  filterRealServer?: string;
  filterFinding?: string;
  filterState?: string;
  listScrollTop?: number;
  details?: PacketRef;
}

export interface HopsLookup {
  get(connectionId: string): Hop[] | undefined;
}

/** A connection's hops by id from a full result held in this thread (built when first asked
 *  for): how the browser test's host and the webview bench answer `hopsRequest`; the
 *  extension asks its analysis worker (CaptureLibrary.hops). */
export function hopsIndex(result: AnalysisResult): HopsLookup {
  const byId = new Map(result.connections.map((c) => [c.id, c]));
  return { get: (id) => byId.get(id)?.hops };
}
