// Classic libpcap files: 24-byte header, then 16-byte record headers each followed by
// caplen bytes. Microsecond (0xa1b2c3d4) and nanosecond (0xa1b23c4d) magics, either byte
// order (the writer's). Layout: draft-gharris-opsawg-pcap.
import { PcapFormatError } from './errors';
import type { FrameCallback, FrameSource, RawFrame, ReadSummary } from './frame';
import { addWarning } from './warnings';
import { MAX_CAPLEN } from './limits';
import type { ByteWindow } from './window';

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;

export function isClassicMagic(magicBE: number): boolean {
  return (
    magicBE === PCAP_MAGIC_US ||
    magicBE === PCAP_MAGIC_NS ||
    magicBE === 0xd4c3b2a1 ||
    magicBE === 0x4d3cb2a1
  );
}

/** A classic pcap file read a batch of frames at a time (see FrameSource). */
export class ClassicFrames implements FrameSource {
  readonly summary: ReadSummary;
  private readonly le: boolean;
  private readonly fracScale: number;
  private readonly fracMax: number;
  private readonly snaplen: number;
  private readonly shared: WindowFrame;
  private pos = 24;
  private done = false;

  /** Reads the file header; throws PcapFormatError when it is not one we can read. */
  constructor(
    private readonly win: ByteWindow,
    private readonly name: string,
    private readonly reuseFrame: boolean,
  ) {
    const h = win.ensure(0, 24);
    if (h < 0) throw new PcapFormatError(name, win.size, 'file too short for a pcap header (24 bytes)');
    const magicBE = win.view.getUint32(h, false);
    const le = magicBE === 0xd4c3b2a1 || magicBE === 0x4d3cb2a1;
    const nano = magicBE === PCAP_MAGIC_NS || magicBE === 0x4d3cb2a1;
    const major = win.view.getUint16(h + 4, le);
    if (major !== 2) throw new PcapFormatError(name, 4, `unsupported pcap major version ${major}`);
    this.le = le;
    this.snaplen = win.view.getUint32(h + 16, le);
    const linkType = win.view.getUint32(h + 20, le) & 0xffff;
    this.fracScale = nano ? 1e-9 : 1e-6;
    this.fracMax = nano ? 1e9 : 1e6;
    this.summary = { format: 'pcap', frames: 0, linkTypes: [linkType], warnings: [] };
    if (this.snaplen > MAX_CAPLEN) addWarning(this.summary, `snapshot length ${this.snaplen} is larger than ${MAX_CAPLEN}`);
    this.shared = new WindowFrame(linkType, win.buf);
  }

  read(onFrame: FrameCallback, max: number): boolean {
    if (this.done) return false;
    const { win, name, le, fracScale, fracMax, summary, shared, reuseFrame } = this;
    const linkType = shared.linkType;
    // Real files have caplen <= snaplen; some writers put a small or zero snaplen, so the
    // hard bound is what we enforce (it is what keeps memory bounded).
    const maxCaplen = MAX_CAPLEN;
    let pos = this.pos;
    for (let k = 0; ; k++) {
      if (k === max) {
        this.pos = pos;
        return true;
      }
      let i = win.ensure(pos, 16);
      if (i < 0) {
        if (pos < win.size) truncated(summary, pos, win.size, 'record header');
        break;
      }
      const view = win.view;
      const sec = view.getUint32(i, le);
      const frac = view.getUint32(i + 4, le);
      const caplen = view.getUint32(i + 8, le);
      const wirelen = view.getUint32(i + 12, le);
      if (caplen > maxCaplen) {
        // A corrupt file stays corrupt: no further read() tries again.
        this.done = true;
        throw new PcapFormatError(name, pos, `impossible captured length ${caplen} (limit ${maxCaplen}, snaplen ${this.snaplen})`);
      }
      if (frac >= fracMax) {
        addWarning(summary, `record at byte ${pos}: fractional timestamp ${frac} out of range`);
      }
      i = win.ensure(pos + 16, caplen);
      if (i < 0) {
        truncated(summary, pos, win.size, `${caplen}-byte frame`);
        break;
      }
      let f: RawFrame;
      if (reuseFrame) {
        // Internal callers that copy what they need (the decoder) share one object, and
        // callers that read the bytes in place never pay for a view per frame.
        shared.n = ++summary.frames;
        shared.ts = sec + frac * fracScale;
        shared.caplen = caplen;
        shared.wirelen = wirelen < caplen ? caplen : wirelen;
        shared.buf = win.buf;
        shared.at = i;
        shared.offset = pos;
        f = shared;
      } else {
        // A fresh object per frame: callers may keep the frame (not its data) after the callback.
        const data = new Uint8Array(win.buf.buffer, win.buf.byteOffset + i, caplen);
        f = { n: ++summary.frames, ts: sec + frac * fracScale, caplen, wirelen: wirelen < caplen ? caplen : wirelen, linkType, ifIndex: 0, data, offset: pos };
      }
      pos += 16 + caplen;
      if (onFrame(f) === false) break;
    }
    this.pos = pos;
    this.done = true;
    return false;
  }
}

/** The one frame object of reuse mode. */
class WindowFrame implements RawFrame {
  n = 0;
  ts = 0;
  caplen = 0;
  wirelen = 0;
  readonly ifIndex = 0;
  offset = 0;
  at = 0;

  constructor(
    readonly linkType: number,
    public buf: Uint8Array,
  ) {}

  /** A plain Uint8Array view (not a Buffer: its slice() must copy, as callers expect). */
  get data(): Uint8Array {
    return new Uint8Array(this.buf.buffer, this.buf.byteOffset + this.at, this.caplen);
  }
}

function truncated(summary: ReadSummary, pos: number, size: number, what: string): void {
  summary.truncatedAt = pos;
  summary.warnings.push(`file truncated: ${what} at byte ${pos} is cut off by the end of file at byte ${size}`);
}
