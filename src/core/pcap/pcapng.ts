// pcapng: a sequence of blocks `type(4) totalLength(4) body totalLength(4)`, in the byte
// order of their section (set by each Section Header Block). We read SHB, IDB (link type,
// snaplen, if_tsresol, if_tsoffset), EPB, SPB and the obsolete PB; every other block is
// skipped by its length without being loaded (its trailing length is checked).
// Layout: draft-tuexen-opsawg-pcapng.
import { PcapFormatError } from './errors';
import type { FrameCallback, FrameSource, ReadSummary } from './frame';
import { addWarning, RepeatedWarning } from './warnings';
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
  /** The largest caplen that agrees with the interface: its snaplen (0: no limit given). */
  caplenLimit: number;
  /** Timestamp units per second (if_tsresol; 10^6 by default). */
  unitsPerSec: number;
  /** if_tsoffset: whole seconds added to every timestamp. */
  tsOffset: number;
  clock: Clock;
}

/**
 * Constants that split a 64-bit timestamp `hi * 2^32 + lo` (in units of 1/u s) into whole
 * seconds and a fraction with double arithmetic, exactly while u <= ~10^11: with
 * 2^32 = q*u + r and 2^16*r = q2*u + r2, hi = hh*2^16 + hl gives
 * count = (hi*q + hh*q2)*u + (hh*r2 + hl*r + lo), the last term below 2^53.
 */
interface Clock {
  u: number;
  q: number;
  r: number;
  q2: number;
  r2: number;
  /** Fraction to nanoseconds: floor(frac * nsMul / nsDiv), exact for 10^k and 2^k units up to 2^32. */
  nsMul: number;
  nsDiv: number;
}

function clockFor(u: number): Clock {
  const q = Math.floor(4294967296 / u);
  const r = 4294967296 - q * u;
  const q2 = Math.floor((65536 * r) / u);
  const r2 = 65536 * r - q2 * u;
  // Decimal units finer than 1 ns divide by a whole number; the others multiply by
  // 10^9/u (an integer, or for 2^k units a product that stays exact).
  const decimalFine = u > 1e9 && u % 1e9 === 0;
  return { u, q, r, q2, r2, nsMul: decimalFine ? 1 : 1e9 / u, nsDiv: decimalFine ? u / 1e9 : 1 };
}

const MICROSECONDS = clockFor(1e6);

/** A pcapng file read a batch of frames at a time (see FrameSource). */
export class PcapngFrames implements FrameSource {
  readonly summary: ReadSummary = { format: 'pcapng', frames: 0, linkTypes: [], warnings: [] };
  /** Byte order and interfaces of the current section. */
  private le = true;
  private ifaces: Iface[] = [];
  private pos = 0;
  private done = false;
  private readonly overSnaplen = new RepeatedWarning(
    (n, at, caplen, snaplen) => `packet ${n} (block at byte ${at}): captured length ${caplen} is bigger than its interface's snapshot length ${snaplen}; all ${caplen} captured bytes are used`,
  );
  private readonly overWirelen = new RepeatedWarning(
    (n, at, caplen, wirelen) => `packet ${n} (block at byte ${at}): original length ${wirelen} is smaller than the captured length ${caplen}; taken as ${caplen}`,
  );

  /** Checks that the first section header block is whole: a file cut inside it is no
   *  capture (PcapFormatError), as a classic file cut inside its header is not. */
  constructor(
    private readonly win: ByteWindow,
    private readonly name: string,
  ) {
    const i = win.ensure(0, 12);
    if (i < 0) throw new PcapFormatError(name, win.size, `file ends inside its pcapng section header block (${win.size} bytes)`);
    const bom = win.view.getUint32(i + 8, false);
    // A bad byte-order magic or length: read() names it.
    if (bom !== BYTE_ORDER_MAGIC && bom !== 0x4d3c2b1a) return;
    const total = win.view.getUint32(i + 4, bom === 0x4d3c2b1a);
    if (total < 28 || total % 4 !== 0 || total > MAX_BLOCK) return;
    if (total > win.size) throw new PcapFormatError(name, win.size, `file ends inside its pcapng section header block (${win.size} of ${total} bytes)`);
  }

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
          // Unknown or uninteresting block: skip without loading it, after checking that
          // its trailer repeats its length (else the next block cannot be trusted either).
          if (pos + total > win.size) {
            truncated(summary, pos, win.size, `${total}-byte block`);
            break;
          }
          const t = win.ensure(pos + total - 4, 4);
          const trailer = win.view.getUint32(t, le);
          if (trailer !== total) throw badTrailer(name, pos, type, total, trailer);
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
        const trailer = view.getUint32(i + total - 4, le);
        if (trailer !== total) throw badTrailer(name, pos, type, total, trailer);
        const body = i + 8;
        const bodyEnd = i + total - 4;
        if (type === PCAPNG_SHB) {
          if (total < 28) throw new PcapFormatError(name, pos + 4, `section header block too short (${total} bytes)`);
          const major = view.getUint16(body + 4, le);
          if (major !== 1) throw new PcapFormatError(name, pos + 12, `unsupported pcapng major version ${major}`);
        } else if (type === IDB) {
          if (total < 20) throw new PcapFormatError(name, pos + 4, `interface description block too short (${total} bytes)`);
          const snaplen = view.getUint32(body + 4, le);
          const iface: Iface = { linkType: view.getUint16(body, le), snaplen, caplenLimit: snaplen === 0 ? MAX_CAPLEN : snaplen, unitsPerSec: 1e6, tsOffset: 0, clock: MICROSECONDS };
          readIfaceOptions(view, body + 8, bodyEnd, le, iface, summary, pos);
          if (iface.unitsPerSec !== 1e6) iface.clock = clockFor(iface.unitsPerSec);
          ifaces.push(iface);
          if (!summary.linkTypes.includes(iface.linkType)) summary.linkTypes.push(iface.linkType);
        } else {
          // Packet blocks.
          let ifId = 0;
          let ts = 0;
          let tsNanos = 0;
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
            if (iface) {
              // Whole seconds and fraction as integers (see Clock), then the double.
              const c = iface.clock;
              const hh = hi >>> 16;
              const m = hh * c.r2 + (hi & 0xffff) * c.r + lo;
              const carry = Math.floor(m / c.u);
              const frac = m - carry * c.u;
              ts = hi * c.q + hh * c.q2 + carry + iface.tsOffset + frac / c.u;
              tsNanos = Math.floor((frac * c.nsMul) / c.nsDiv);
            }
          }
          const iface = ifaces[ifId];
          if (!iface) throw new PcapFormatError(name, pos + 8, `packet refers to interface ${ifId}, which the section has not described`);
          if (caplen > MAX_CAPLEN || dataAt + caplen > bodyEnd) {
            throw new PcapFormatError(name, pos + 20, `impossible captured length ${caplen} in a ${total}-byte block`);
          }
          // Used as captured, with a warning: see ClassicFrames.oddLengths() (tcpdump
          // refuses a pcapng packet longer than the snapshot length; tshark shows it).
          if (caplen > wirelen || caplen > iface.caplenLimit) {
            if (caplen > iface.caplenLimit) this.overSnaplen.add(summary, summary.frames + 1, pos, caplen, iface.snaplen);
            if (caplen > wirelen) this.overWirelen.add(summary, summary.frames + 1, pos, caplen, wirelen);
          }
          k++;
          const keepGoing = onFrame({
            n: ++summary.frames,
            ts,
            tsNanos,
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
      this.overSnaplen.update(summary);
      this.overWirelen.update(summary);
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

function badTrailer(name: string, pos: number, type: number, total: number, trailer: number): PcapFormatError {
  const hex = `0x${type.toString(16).padStart(8, '0')}`;
  return new PcapFormatError(name, pos + total - 4, `corrupt block: trailing length differs from leading length; the type ${hex} block at byte ${pos} has length ${total} in its header and ${trailer} in its trailer`);
}

function truncated(summary: ReadSummary, pos: number, size: number, what: string): void {
  summary.truncatedAt = pos;
  summary.warnings.push(`file truncated: ${what} at byte ${pos} is cut off by the end of file at byte ${size}`);
}
