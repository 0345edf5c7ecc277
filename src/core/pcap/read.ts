// Entry points: sniff the format from the first four bytes and run its reader.
import * as fs from 'node:fs';
import { isClassicMagic, readClassic } from './classic';
import { PcapFormatError } from './errors';
import type { FrameCallback, ReadSummary } from './frame';
import { PCAPNG_SHB, readPcapng } from './pcapng';
import { ByteWindow } from './window';

/** Read a capture file synchronously, in bounded chunks. Returning false from onFrame stops. */
export function readFrames(file: string, onFrame: FrameCallback): ReadSummary {
  const fd = fs.openSync(file, 'r');
  try {
    return readWindow(ByteWindow.fromFd(fd), file, onFrame);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * readFrames for callers that copy what they need during the callback (the decoder):
 * the RawFrame object itself is reused between callbacks, which saves an allocation
 * per frame on the hot path.
 */
export function readFramesReusingFrame(file: string, onFrame: FrameCallback): ReadSummary {
  const fd = fs.openSync(file, 'r');
  try {
    return readWindow(ByteWindow.fromFd(fd), file, onFrame, true);
  } finally {
    fs.closeSync(fd);
  }
}

export function readFramesFromBuffer(buf: Uint8Array, name: string, onFrame: FrameCallback): ReadSummary {
  return readWindow(ByteWindow.fromBuffer(buf), name, onFrame);
}

function readWindow(win: ByteWindow, name: string, onFrame: FrameCallback, reuseFrame = false): ReadSummary {
  const i = win.ensure(0, 4);
  if (i < 0) throw new PcapFormatError(name, 0, `file too short to be a capture (${win.size} bytes)`);
  const magic = win.view.getUint32(i, false);
  if (isClassicMagic(magic)) return readClassic(win, name, onFrame, reuseFrame);
  if (magic === PCAPNG_SHB) return readPcapng(win, name, onFrame);
  throw new PcapFormatError(name, 0, `not a pcap or pcapng file (magic 0x${magic.toString(16).padStart(8, '0')})`);
}
