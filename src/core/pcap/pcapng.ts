// pcapng: a sequence of blocks `type(4) totalLength(4) body totalLength(4)`, in the byte
// order of their section (set by each Section Header Block). We read SHB, IDB (link type,
// snaplen, if_tsresol, if_tsoffset), EPB, SPB and the obsolete PB; every other block is
// skipped by its length without being loaded. Layout: draft-tuexen-opsawg-pcapng.
import { PcapFormatError } from './errors';
import type { FrameCallback, FrameSource, ReadSummary } from './frame';
import { addWarning } from './warnings';
import { MAX_BLOCK, MAX_CAPLEN } from './limits';
import type { ByteWindow } from './window';

export const PCAPNG_SHB = 0x0a0d0d0a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const IDB = 1;
const OPB = 2; // obsolete Packet Block
const SPB = 3;
const EPB = 6;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;

interface Iface {
  linkType: number;
  snaplen: number;
  /** Seconds per timestamp unit, split so that 64-bit counts keep precision. */
  unitsPerSec: number;
  tsOffset: number;
}

/** A pcapng file read a batch of frames at a time (see FrameSource). */
export class PcapngFrames implements FrameSource {
  readonly summary: ReadSummary = { format: 'pcapng', frames: 0, linkTypes: [], warnings: [] };
  /** Byte order and interfaces of the current section. */
  private le = true;
  private ifaces: Iface[] = [];
  private pos = 0;
  private done = false;

  constructor(
    private readonly win: ByteWindow,
    private readonly name: string,
  ) {}

  read(onFrame: FrameCallback, max: number): boolean {
    if (this.done) return false;
    const { win, name, summary } = this;
    let { le, ifaces, pos } = this;
    let k = 0;
    try {
      for (;;) {
        if (k === max) return true;
        let i = win.ensure(pos, 12);
        if (i < 0) {
          if (pos < win.size) truncated(summary, pos, win.size, 'block header');
          break;
        }
        let view = win.view;
        const typeBE = view.getUint32(i, false);
        if (typeBE === PCAPNG_SHB) {
          const bom = view.getUint32(i + 8, false);
          if (bom === BYTE_ORDER_MAGIC) le = false;
          else if (bom === 0x4d3c2b1a) le = true;
          else throw new PcapFormatError(name, pos + 8, `bad pcapng byte-order magic 0x${bom.toString(16)}`);
          ifaces = [];
        } else if (pos === 0) {
          throw new PcapFormatError(name, 0, 'pcapng file does not start with a section header block');
        }
        const type = view.getUint32(i, le);
        const total = view.getUint32(i + 4, le);
        if (total < 12 || total % 4 !== 0) {
          throw new PcapFormatError(name, pos + 4, `corrupt block: total length ${total} is not a multiple of 4 of at least 12`);
        }
        const isPacket = type === EPB || type === SPB || type === OPB;
        if (type !== PCAPNG_SHB && type !== IDB && !isPacket) {
          // Unknown or uninteresting block: skip without loading it.
          if (pos + total > win.size) {
            truncated(summary, pos, win.size, `${total}-byte block`);
            break;
          }
          pos += total;
          continue;
        }
        if (total > MAX_BLOCK) throw new PcapFormatError(name, pos + 4, `impossible block length ${total} (limit ${MAX_BLOCK})`);
        i = win.ensure(pos, total);
        if (i < 0) {
          truncated(summary, pos, win.size, `${total}-byte block`);
          break;
        }
        view = win.view;
        if (view.getUint32(i + total - 4, le) !== total) {
          throw new PcapFormatError(name, pos + total - 4, `corrupt block: trailing length differs from leading length ${total}`);
        }
        const body = i + 8;
        const bodyEnd = i + total - 4;
        if (type === PCAPNG_SHB) {
          if (total < 28) throw new PcapFormatError(name, pos + 4, `section header block too short (${total} bytes)`);
          const major = view.getUint16(body + 4, le);
          if (major !== 1) throw new PcapFormatError(name, pos + 12, `unsupported pcapng major version ${major}`);
        } else if (type === IDB) {
          if (total < 20) throw new PcapFormatError(name, pos + 4, `interface description block too short (${total} bytes)`);
          const iface: Iface = { linkType: view.getUint16(body, le), snaplen: view.getUint32(body + 4, le), unitsPerSec: 1e6, tsOffset: 0 };
          readIfaceOptions(view, body + 8, bodyEnd, le, iface, summary, pos);
          ifaces.push(iface);
          if (!summary.linkTypes.includes(iface.linkType)) summary.linkTypes.push(iface.linkType);
        } else {
          // Packet blocks.
          let ifId = 0;
          let ts = 0;
          let caplen: number;
          let wirelen: number;
          let dataAt: number;
          if (type === SPB) {
            if (total < 16) throw new PcapFormatError(name, pos + 4, `simple packet block too short (${total} bytes)`);
            wirelen = view.getUint32(body, le);
            dataAt = body + 4;
            caplen = Math.min(wirelen, bodyEnd - dataAt);
            const snap = ifaces[0]?.snaplen ?? 0;
            if (snap > 0 && caplen > snap) caplen = snap;
          } else {
            if (total < 32) throw new PcapFormatError(name, pos + 4, `packet block too short (${total} bytes)`);
            ifId = type === EPB ? view.getUint32(body, le) : view.getUint16(body, le);
            const hi = view.getUint32(body + 4, le);
            const lo = view.getUint32(body + 8, le);
            caplen = view.getUint32(body + 12, le);
            wirelen = view.getUint32(body + 16, le);
            dataAt = body + 20;
            const iface = ifaces[ifId];
            if (iface) ts = hi * (4294967296 / iface.unitsPerSec) + lo / iface.unitsPerSec + iface.tsOffset;
          }
          const iface = ifaces[ifId];
          if (!iface) throw new PcapFormatError(name, pos + 8, `packet refers to interface ${ifId}, which the section has not described`);
          if (caplen > MAX_CAPLEN || dataAt + caplen > bodyEnd) {
            throw new PcapFormatError(name, pos + 20, `impossible captured length ${caplen} in a ${total}-byte block`);
          }
          k++;
          const keepGoing = onFrame({
            n: ++summary.frames,
            ts,
            caplen,
            wirelen: wirelen < caplen ? caplen : wirelen,
            linkType: iface.linkType,
            ifIndex: ifId,
            data: new Uint8Array(win.buf.buffer, win.buf.byteOffset + dataAt, caplen),
            offset: pos,
          });
          if (keepGoing === false) break;
        }
        pos += total;
      }
    } catch (e) {
      // A corrupt file stays corrupt: no further read() tries again.
      this.done = true;
      throw e;
    } finally {
      // Where the next read() goes on from.
      this.le = le;
      this.ifaces = ifaces;
      this.pos = pos;
    }
    this.done = true;
    return false;
  }
}

function readIfaceOptions(view: DataView, at: number, end: number, le: boolean, iface: Iface, summary: ReadSummary, blockPos: number): void {
  while (at + 4 <= end) {
    const code = view.getUint16(at, le);
    const len = view.getUint16(at + 2, le);
    const value = at + 4;
    if (code === 0) break;
    if (value + len > end) {
      addWarning(summary, `interface block at byte ${blockPos}: option ${code} overruns the block`);
      break;
    }
    if (code === OPT_IF_TSRESOL && len >= 1) {
      const r = view.getUint8(value);
      const exp = r & 0x7f;
      // MSB clear: 10^-exp seconds per unit; set: 2^-exp.
      iface.unitsPerSec = r & 0x80 ? Math.pow(2, exp) : Math.pow(10, exp);
    } else if (code === OPT_IF_TSOFFSET && len >= 8) {
      const hi = view.getInt32(value + (le ? 4 : 0), le);
      const lo = view.getUint32(value + (le ? 0 : 4), le);
      iface.tsOffset = hi * 4294967296 + lo;
    }
    at = value + ((len + 3) & ~3);
  }
}

function truncated(summary: ReadSummary, pos: number, size: number, what: string): void {
  summary.truncatedAt = pos;
  summary.warnings.push(`file truncated: ${what} at byte ${pos} is cut off by the end of file at byte ${size}`);
}
