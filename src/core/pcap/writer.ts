// Writers for classic pcap and pcapng. The pcapng writer is also how the product exports
// a merged capture for Wireshark (per-packet comments carry our findings).
import * as fs from 'node:fs';

export interface PcapWriterOptions {
  linkType: number;
  /** Nanosecond timestamps (magic 0xa1b23c4d) instead of microseconds. */
  nanosecond?: boolean;
  /** Write big-endian (as a big-endian host would) instead of little-endian. */
  bigEndian?: boolean;
  snaplen?: number;
}

function splitTs(ts: number, unitsPerSec: number): [number, number] {
  let sec = Math.floor(ts);
  let frac = Math.round((ts - sec) * unitsPerSec);
  if (frac >= unitsPerSec) {
    sec += 1;
    frac -= unitsPerSec;
  }
  return [sec, frac];
}

/** Output chunks of a PcapngWriter. */
const CHUNK = 1 << 20;

/**
 * `sec * units + frac` (a pcapng timestamp in its interface's units) as high and low
 * 32-bit words, exactly, in doubles: `sec` split in 16-bit halves keeps every product
 * below 2^53. BigInt for what does not fit (a second count or unit past 32 bits).
 */
export function timestampWords(sec: number, frac: number, units: number): [number, number] {
  if (sec >= 0 && sec < 2 ** 32 && units <= 2 ** 32 && frac >= 0 && frac < units && Number.isInteger(sec) && Number.isInteger(frac) && Number.isInteger(units)) {
    const p0 = (sec % 65536) * units + frac;
    const p1 = Math.floor(sec / 65536) * units;
    const mid = (p1 % 65536) * 65536 + p0;
    return [Math.floor(p1 / 65536) + Math.floor(mid / 2 ** 32), mid % 2 ** 32];
  }
  const count = BigInt(Math.trunc(sec)) * BigInt(units) + BigInt(Math.trunc(frac));
  return [Number((count >> 32n) & 0xffffffffn), Number(count & 0xffffffffn)];
}

function pcapHeader(o: PcapWriterOptions): Buffer {
  const b = Buffer.alloc(24);
  const le = !o.bigEndian;
  const w32 = (v: number, at: number) => (le ? b.writeUInt32LE(v >>> 0, at) : b.writeUInt32BE(v >>> 0, at));
  const w16 = (v: number, at: number) => (le ? b.writeUInt16LE(v, at) : b.writeUInt16BE(v, at));
  w32(o.nanosecond ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  w16(2, 4);
  w16(4, 6);
  w32(o.snaplen ?? 262144, 16);
  w32(o.linkType, 20);
  return b;
}

function pcapRecord(o: PcapWriterOptions, ts: number, data: Uint8Array, wirelen?: number): Buffer {
  const b = Buffer.allocUnsafe(16 + data.length);
  const [sec, frac] = splitTs(ts, o.nanosecond ? 1e9 : 1e6);
  const le = !o.bigEndian;
  const vals = [sec, frac, data.length, wirelen ?? data.length];
  for (let k = 0; k < 4; k++) {
    if (le) b.writeUInt32LE(vals[k] >>> 0, k * 4);
    else b.writeUInt32BE(vals[k] >>> 0, k * 4);
  }
  b.set(data, 16);
  return b;
}

/** Builds a classic pcap file in memory. */
export class PcapWriter {
  private readonly parts: Buffer[];

  constructor(private readonly opts: PcapWriterOptions) {
    this.parts = [pcapHeader(opts)];
  }

  add(ts: number, data: Uint8Array, wirelen?: number): void {
    this.parts.push(pcapRecord(this.opts, ts, data, wirelen));
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }

  writeFile(path: string): void {
    fs.writeFileSync(path, this.toBuffer());
  }

}

/** Streams a classic pcap file to disk through a 1 MiB buffer (for very large files). */
export class PcapFileWriter {
  private readonly fd: number;
  private readonly buf = Buffer.allocUnsafe(1024 * 1024);
  private used = 0;
  private readonly le: boolean;
  private readonly units: number;

  constructor(path: string, private readonly opts: PcapWriterOptions) {
    this.fd = fs.openSync(path, 'w');
    this.le = !opts.bigEndian;
    this.units = opts.nanosecond ? 1e9 : 1e6;
    fs.writeSync(this.fd, pcapHeader(opts));
  }

  add(ts: number, data: Uint8Array, wirelen?: number): void {
    if (this.used + 16 + data.length > this.buf.length) this.flush();
    if (16 + data.length > this.buf.length) {
      fs.writeSync(this.fd, pcapRecord(this.opts, ts, data, wirelen));
      return;
    }
    const [sec, frac] = splitTs(ts, this.units);
    const b = this.buf;
    const at = this.used;
    const wl = wirelen ?? data.length;
    if (this.le) {
      b.writeUInt32LE(sec >>> 0, at);
      b.writeUInt32LE(frac, at + 4);
      b.writeUInt32LE(data.length, at + 8);
      b.writeUInt32LE(wl, at + 12);
    } else {
      b.writeUInt32BE(sec >>> 0, at);
      b.writeUInt32BE(frac, at + 4);
      b.writeUInt32BE(data.length, at + 8);
      b.writeUInt32BE(wl, at + 12);
    }
    b.set(data, at + 16);
    this.used = at + 16 + data.length;
  }

  private flush(): void {
    if (this.used > 0) fs.writeSync(this.fd, this.buf, 0, this.used);
    this.used = 0;
  }

  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }
}

export interface PcapngInterfaceOptions {
  linkType: number;
  name?: string;
  /** The if_tsresol byte: n (MSB clear) = 10^-n s per unit, 0x80|n = 2^-n. Default 6 (µs). */
  tsresol?: number;
  snaplen?: number;
}

export interface PcapngPacketOptions {
  comment?: string;
  wirelen?: number;
}

/** Builds a pcapng file in memory: one section, any number of interfaces. */
export class PcapngWriter {
  /** Output made and not yet written out: sealed pieces of chunks, in order. */
  private parts: Buffer[] = [];
  /** Where blocks are written; its first `used` bytes are output not yet in `parts`. */
  private chunk = Buffer.allocUnsafe(0);
  private used = 0;
  /** Bytes made and not yet written out (see flushTo()). */
  pending = 0;
  private readonly le: boolean;
  private readonly units: number[] = [];

  constructor(opts: { bigEndian?: boolean; application?: string } = {}) {
    this.le = !opts.bigEndian;
    const shbOpts = opts.application ? [this.option(4, Buffer.from(opts.application, 'utf8'))] : [];
    const body = Buffer.alloc(16);
    this.u32(body, 0x1a2b3c4d, 0);
    this.u16(body, 1, 4);
    this.u16(body, 0, 6);
    body.writeInt32LE(-1, 8); // section length -1 (unknown): same bytes in both orders
    body.writeInt32LE(-1, 12);
    this.block(0x0a0d0d0a, body, shbOpts);
  }

  addInterface(opts: PcapngInterfaceOptions): number {
    const body = Buffer.alloc(8);
    this.u16(body, opts.linkType, 0);
    this.u32(body, opts.snaplen ?? 262144, 4);
    const options: Buffer[] = [];
    if (opts.name) options.push(this.option(2, Buffer.from(opts.name, 'utf8')));
    const res = opts.tsresol ?? 6;
    if (opts.tsresol !== undefined) options.push(this.option(9, Buffer.from([res])));
    this.block(1, body, options);
    this.units.push(res & 0x80 ? Math.pow(2, res & 0x7f) : Math.pow(10, res));
    return this.units.length - 1;
  }

  add(ifId: number, ts: number, data: Uint8Array, opts: PcapngPacketOptions = {}): void {
    const units = this.units[ifId];
    if (units === undefined) throw new RangeError(`pcapng interface ${ifId} has not been added`);
    const [sec, frac] = splitTs(ts, units);
    const [high, low] = timestampWords(sec, frac, Math.round(units));
    const pad = (4 - (data.length % 4)) % 4;
    let comment: Buffer | undefined;
    if (opts.comment !== undefined) {
      comment = Buffer.from(opts.comment, 'utf8');
      // An option's length is 16 bits: a longer comment is cut, at a character boundary.
      if (comment.length > 0xffff) {
        let end = 0xffff;
        while (end > 0 && (comment[end] & 0xc0) === 0x80) end--;
        comment = comment.subarray(0, end);
      }
    }
    const optLen = comment ? 4 + comment.length + ((4 - (comment.length % 4)) % 4) + 4 : 0;
    const total = 12 + 20 + data.length + pad + optLen;
    // Straight into the output chunk: no buffer per field (a million packets are exported).
    const at = this.room(total);
    const b = this.chunk;
    b.fill(0, at, at + total);
    this.u32(b, 6, at);
    this.u32(b, total, at + 4);
    this.u32(b, ifId, at + 8);
    this.u32(b, high, at + 12);
    this.u32(b, low, at + 16);
    this.u32(b, data.length, at + 20);
    this.u32(b, opts.wirelen ?? data.length, at + 24);
    b.set(data, at + 28);
    if (comment) {
      const o = at + 28 + data.length + pad;
      this.u16(b, 1, o);
      this.u16(b, comment.length, o + 2);
      comment.copy(b, o + 4);
      // opt_endofopt: the four zero bytes the fill left.
    }
    this.u32(b, total, at + total - 4);
  }

  /** Any other block (readers must skip what they do not know); body is padded to 4 bytes. */
  addRawBlock(type: number, body: Uint8Array): void {
    const pad = (4 - (body.length % 4)) % 4;
    const b = Buffer.alloc(body.length + pad);
    b.set(body, 0);
    this.block(type, b, []);
  }

  toBuffer(): Buffer {
    this.seal();
    return Buffer.concat(this.parts);
  }

  writeFile(path: string): void {
    fs.writeFileSync(path, this.toBuffer());
  }

  /** Writes the blocks made so far to `fd` and lets go of them: a big file is written a
   *  piece at a time instead of held whole. */
  flushTo(fd: number): void {
    this.seal();
    for (const part of this.parts) {
      let done = 0;
      while (done < part.length) done += fs.writeSync(fd, part, done);
    }
    this.parts = [];
    this.pending = 0;
  }

  /** Reserves `n` bytes at the end of the output; returns where they start in `chunk`. */
  private room(n: number): number {
    if (this.used + n > this.chunk.length) {
      this.seal();
      this.chunk = Buffer.allocUnsafe(Math.max(CHUNK, n));
    }
    const at = this.used;
    this.used += n;
    this.pending += n;
    return at;
  }

  /** The filled part of the current chunk joins `parts` (the rest stays for later blocks). */
  private seal(): void {
    if (this.used === 0) return;
    this.parts.push(this.chunk.subarray(0, this.used));
    this.chunk = this.chunk.subarray(this.used);
    this.used = 0;
  }

  private block(type: number, body: Buffer, options: Buffer[]): void {
    const opts = options.length > 0 ? Buffer.concat([...options, Buffer.alloc(4)]) : Buffer.alloc(0); // + opt_endofopt
    const total = 12 + body.length + opts.length;
    const at = this.room(total);
    const b = this.chunk;
    this.u32(b, type, at);
    this.u32(b, total, at + 4);
    body.copy(b, at + 8);
    opts.copy(b, at + 8 + body.length);
    this.u32(b, total, at + total - 4);
  }

  private option(code: number, value: Buffer): Buffer {
    const pad = (4 - (value.length % 4)) % 4;
    const b = Buffer.alloc(4 + value.length + pad);
    this.u16(b, code, 0);
    this.u16(b, value.length, 2);
    value.copy(b, 4);
    return b;
  }

  private u32(b: Buffer, v: number, at: number): void {
    if (this.le) b.writeUInt32LE(v >>> 0, at);
    else b.writeUInt32BE(v >>> 0, at);
  }

  private u16(b: Buffer, v: number, at: number): void {
    if (this.le) b.writeUInt16LE(v, at);
    else b.writeUInt16BE(v, at);
  }
}
