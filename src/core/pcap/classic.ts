// Classic libpcap files: 24-byte header, then 16-byte record headers each followed by
// caplen bytes. Microsecond (0xa1b2c3d4) and nanosecond (0xa1b23c4d) magics, either byte
// order (the writer's). Layout: draft-gharris-opsawg-pcap.
import { PcapFormatError } from './errors';
import type { FrameCallback, FrameSource, RawFrame, ReadSummary } from './frame';
import { addWarning, RepeatedWarning } from './warnings';
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

/** Why read() returned: batch done, end of input (header or frame cut off, or clean), caller stopped. */
const MORE = 0;
const NO_HEADER = 1;
const NO_FRAME = 2;
const STOPPED = 3;

/** A classic pcap file read a batch of frames at a time (see FrameSource). */
export class ClassicFrames implements FrameSource {
  readonly summary: ReadSummary;
  private readonly le: boolean;
  private readonly fracScale: number;
  private readonly fracMax: number;
  /** Timestamp fraction units to nanoseconds: 1000 (µs files) or 1 (ns files). */
  private readonly nsPerUnit: number;
  private readonly snaplen: number;
  /** The largest caplen that agrees with the header: its snaplen (0: no limit given). */
  private readonly caplenLimit: number;
  private readonly overSnaplen = new RepeatedWarning(
    (n, at, caplen, snaplen) => `packet ${n} (record at byte ${at}): captured length ${caplen} is bigger than the file's snapshot length ${snaplen}; all ${caplen} captured bytes are used`,
  );
  private readonly overWirelen = new RepeatedWarning(
    (n, at, caplen, wirelen) => `packet ${n} (record at byte ${at}): original length ${wirelen} is smaller than the captured length ${caplen}; taken as ${caplen}`,
  );
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
    if (h < 0) throw new PcapFormatError(name, win.size, `file ends inside its pcap file header (${win.size} of 24 bytes)`);
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
    this.nsPerUnit = nano ? 1 : 1000;
    this.caplenLimit = this.snaplen === 0 ? MAX_CAPLEN : this.snaplen;
    this.summary = { format: 'pcap', frames: 0, linkTypes: [linkType], warnings: [] };
    if (this.snaplen > MAX_CAPLEN) addWarning(this.summary, `snapshot length ${this.snaplen} is larger than ${MAX_CAPLEN}`);
    this.shared = new WindowFrame(linkType, win, le, this.nsPerUnit);
  }

  read(onFrame: FrameCallback, max: number): boolean {
    if (this.done) return false;
    const { win, fracScale, fracMax, nsPerUnit, caplenLimit, summary, shared } = this;
    // Booleans for the JIT (one compare each), whatever the fields' representation.
    const le = this.le === true;
    const reuse = this.reuseFrame === true;
    let pos = this.pos;
    let why = MORE;
    let caplen = 0;
    for (let k = 0; k < max; k++) {
      let i = win.ensure(pos, 16);
      if (i < 0) {
        why = NO_HEADER;
        break;
      }
      const view = win.view;
      const sec = view.getUint32(i, le);
      const frac = view.getUint32(i + 4, le);
      caplen = view.getUint32(i + 8, le);
      const wirelen = view.getUint32(i + 12, le);
      // Real files have caplen <= snaplen; some writers put a small or zero snaplen, so the
      // hard bound is what we enforce (it is what keeps memory bounded).
      if (caplen > MAX_CAPLEN) {
        // A corrupt file stays corrupt: no further read() tries again.
        this.done = true;
        this.updateWarnings();
        throw new PcapFormatError(this.name, pos, `impossible captured length ${caplen} (limit ${MAX_CAPLEN}, snaplen ${this.snaplen})`);
      }
      if (frac >= fracMax) {
        addWarning(summary, `record at byte ${pos}: fractional timestamp ${frac} out of range`);
      }
      // The whole record: usually in the window already (the same index back), else
      // loaded now, header included.
      i = win.ensure(pos, 16 + caplen);
      if (i < 0) {
        why = NO_FRAME;
        break;
      }
      // Two compares per record; what they catch is counted out of the loop.
      if (caplen > wirelen || caplen > caplenLimit) this.oddLengths(summary.frames + 1, pos, caplen, wirelen);
      let f: RawFrame;
      if (reuse) {
        // Internal callers that copy what they need (the decoder) share one object, and
        // callers that read the bytes in place never pay for a view per frame. What few
        // of them read (wirelen, offset, tsNanos) is worked out when asked.
        shared.n = ++summary.frames;
        shared.ts = sec + frac * fracScale;
        shared.caplen = caplen;
        shared.at = i + 16;
        if (shared.buf !== win.buf) shared.buf = win.buf;
        f = shared;
      } else {
        // A fresh object per frame: callers may keep the frame (not its data) after the callback.
        const data = new Uint8Array(win.buf.buffer, win.buf.byteOffset + i + 16, caplen);
        f = { n: ++summary.frames, ts: sec + frac * fracScale, tsNanos: frac * nsPerUnit, caplen, wirelen: wirelen < caplen ? caplen : wirelen, linkType: shared.linkType, ifIndex: 0, data, offset: pos };
      }
      pos += 16 + caplen;
      if (onFrame(f) === false) {
        why = STOPPED;
        break;
      }
    }
    return this.stop(pos, why, caplen);
  }

  /**
   * Where every batch ends, the file's end included: the end of input comes once per file,
   * and code that the JIT optimised read() without ever seeing run would throw that
   * optimisation away there (re-optimised for the other files: ~4 ms of compiling).
   * So the end is a value here, and what runs for it at a clean end was run by every batch.
   */
  private stop(pos: number, why: number, caplen: number): boolean {
    this.pos = pos;
    this.updateWarnings();
    const cut = pos < this.win.size;
    if (why === NO_FRAME || (why === NO_HEADER && cut)) truncated(this.summary, pos, this.win.size, why === NO_FRAME ? `${caplen}-byte frame` : 'record header');
    this.done = why !== MORE;
    return why === MORE;
  }

  /**
   * A record whose captured length is bigger than the file's snapshot length or than its
   * own original length: one warning per kind and file, with a count. The bytes are all
   * used: they are in the file, the next record starts after them, and tshark shows them
   * too (tcpdump cuts a classic record at the snapshot length, and prints "[Invalid
   * header: len(60) < caplen(74)]" instead of a record longer than its original length).
   */
  private oddLengths(n: number, pos: number, caplen: number, wirelen: number): void {
    if (caplen > this.caplenLimit) this.overSnaplen.add(this.summary, n, pos, caplen, this.snaplen);
    if (caplen > wirelen) this.overWirelen.add(this.summary, n, pos, caplen, wirelen);
  }

  private updateWarnings(): void {
    this.overSnaplen.update(this.summary);
    this.overWirelen.update(this.summary);
  }
}

/** The one frame object of reuse mode. */
class WindowFrame implements RawFrame {
  n = 0;
  ts = 0;
  caplen = 0;
  readonly ifIndex = 0;
  at = 0;
  buf: Uint8Array;

  constructor(
    readonly linkType: number,
    private readonly win: ByteWindow,
    private readonly le: boolean,
    private readonly nsPerUnit: number,
  ) {
    this.buf = win.buf;
  }

  /** From the record header (its fraction field), when asked: nothing per frame otherwise. */
  get tsNanos(): number {
    return this.win.view.getUint32(this.at - 12, this.le) * this.nsPerUnit;
  }

  /** From the record header, the 16 bytes before the frame in the window. */
  get wirelen(): number {
    const wirelen = this.win.view.getUint32(this.at - 4, this.le);
    return wirelen < this.caplen ? this.caplen : wirelen;
  }

  get offset(): number {
    return this.win.start + this.at - 16;
  }

  /** A plain Uint8Array view (not a Buffer: its slice() must copy, as callers expect). */
  get data(): Uint8Array {
    return new Uint8Array(this.buf.buffer, this.buf.byteOffset + this.at, this.caplen);
  }
}

function truncated(summary: ReadSummary, pos: number, size: number, what: string): void {
  summary.truncatedAt = pos;
  summary.warnings.push(`file truncated: ${what} at byte ${pos} is cut off by the end of file at byte ${size}`);
}
