// Public surface of the capture-file layer.
export type { RawFrame, ReadSummary, FrameCallback } from './frame';
export { PcapFormatError } from './errors';
export { readFrames, readFramesFromBuffer } from './read';
export { PcapWriter, PcapFileWriter, PcapngWriter } from './writer';
export type { PcapWriterOptions, PcapngInterfaceOptions, PcapngPacketOptions } from './writer';
export * from './linkTypes';
export { readLiveStream } from './liveStream';
