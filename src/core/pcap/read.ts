// Entry points: sniff the format from the first four bytes and run its reader.
import * as fs from 'node:fs';
import { ClassicFrames, isClassicMagic } from './classic';
import { PcapFormatError } from './errors';
import type { FrameCallback, FrameSource, ReadSummary } from './frame';
import { PCAPNG_SHB, PcapngFrames } from './pcapng';
import { ByteWindow } from './window';

/** Read a capture file synchronously, in bounded chunks. Returning false from onFrame stops. */
export function readFrames(file: string, onFrame: FrameCallback): ReadSummary {
  return readToEnd(openFrames(file), onFrame);
}

/**
 * readFrames for callers that copy what they need during the callback (the decoder):
 * the RawFrame object itself is reused between callbacks, which saves an allocation
 * per frame on the hot path.
 */
export function readFramesReusingFrame(file: string, onFrame: FrameCallback): ReadSummary {
  return readToEnd(openFrames(file, true), onFrame);
}

export function readFramesFromBuffer(buf: Uint8Array, name: string, onFrame: FrameCallback): ReadSummary {
  const frames = frameSource(ByteWindow.fromBuffer(buf), name, false);
  frames.read(onFrame, Infinity);
  return frames.summary;
}

/** A capture file open for reading in batches (FrameSource); close() it when done. */
export interface OpenFrames extends FrameSource {
  close(): void;
}

/** Opens a capture file and reads its header (throws PcapFormatError when it is not a
 *  pcap or pcapng file); `reuseFrame` as in readFramesReusingFrame(). */
export function openFrames(file: string, reuseFrame = false): OpenFrames {
  const fd = fs.openSync(file, 'r');
  try {
    const frames = frameSource(ByteWindow.fromFd(fd), file, reuseFrame);
    return {
      get summary() {
        return frames.summary;
      },
      read: (onFrame, max) => frames.read(onFrame, max),
      close: () => fs.closeSync(fd),
    };
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}

function readToEnd(frames: OpenFrames, onFrame: FrameCallback): ReadSummary {
  try {
    // In batches, as the analysis reads: read() is then compiled as a whole function called
    // many times, not replaced in the middle of one long loop (cheaper to warm up).
    while (frames.read(onFrame, 512));
    return frames.summary;
  } finally {
    frames.close();
  }
}

function frameSource(win: ByteWindow, name: string, reuseFrame: boolean): FrameSource {
  const i = win.ensure(0, 4);
  if (i < 0) throw new PcapFormatError(name, 0, `file too short to be a capture (${win.size} ${win.size === 1 ? 'byte' : 'bytes'})`);
  const magic = win.view.getUint32(i, false);
  if (isClassicMagic(magic)) return new ClassicFrames(win, name, reuseFrame);
  // pcapng frames are always fresh objects (their interface varies per frame).
  if (magic === PCAPNG_SHB) return new PcapngFrames(win, name);
  throw new PcapFormatError(name, 0, `not a pcap or pcapng file (magic 0x${magic.toString(16).padStart(8, '0')})`);
}
