// What the readers hand to their callers: one captured frame, framing only.

export interface RawFrame {
  /** 1-based frame number within the file. */
  n: number;
  /** Seconds since the epoch (a double: it cannot hold nanoseconds at today's epoch). */
  ts: number;
  /**
   * Nanoseconds past the whole second of `ts` (0-999999999 in a well-formed file), exact,
   * from the file's integer fields (units finer than 1 ns truncated): what a timestamp is
   * printed from. The reused classic-pcap frame reads it from the record header only when
   * asked. Absent when the source gives only `ts`.
   */
  tsNanos?: number;
  caplen: number;
  wirelen: number;
  /** LINKTYPE_* of the frame's interface. */
  linkType: number;
  /** pcapng interface id; 0 for classic pcap. */
  ifIndex: number;
  /** The captured bytes: a view into the reader's buffer, valid only during the callback. */
  data: Uint8Array;
  /** Byte offset of the frame's record (pcap) or block (pcapng) in the file. */
  offset: number;
  /** Reuse mode only: the reader's buffer and the frame's first byte in it, for callers
   *  that read fields straight from the bytes (`data` is then only made when asked for). */
  buf?: Uint8Array;
  at?: number;
}

export interface ReadSummary {
  format: 'pcap' | 'pcapng';
  frames: number;
  linkTypes: number[];
  warnings: string[];
  /** Set when the file ends in the middle of a record: the byte offset of that record. */
  truncatedAt?: number;
}

/** Return false to stop reading. */
export type FrameCallback = (f: RawFrame) => void | false;

/** A capture file read a batch of frames at a time, so that several files can be read in
 *  turns (the analysis reads its capture points that way). */
export interface FrameSource {
  /** What was read so far (complete once read() has returned false). */
  readonly summary: ReadSummary;
  /** Reads up to `max` more frames; returns false once the file is done or onFrame returned
   *  false, true while frames may remain. Throws PcapFormatError on a corrupt file. */
  read(onFrame: FrameCallback, max: number): boolean;
}
