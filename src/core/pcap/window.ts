// A forward-only window over a file (read in chunks) or over an in-memory buffer.
// Readers ask `ensure(pos, n)` for bytes [pos, pos+n) and get an index into `buf`,
// or -1 when the input ends first. Nothing is allocated for bytes the input does not
// have, so a length field that lies cannot make us buffer towards it.
import * as fs from 'node:fs';
import { CHUNK, MAX_BLOCK } from './limits';

/** Bytes of the window's first read (see fill()). */
const FIRST_READ = 64 * 1024;

export class ByteWindow {
  buf: Uint8Array;
  view: DataView;
  /** Input offset of buf[0]. */
  start = 0;
  /** Valid bytes in buf. */
  private len: number;
  readonly size: number;

  private constructor(
    buf: Uint8Array,
    len: number,
    size: number,
    private readonly fd: number | undefined,
  ) {
    this.buf = buf;
    this.len = len;
    this.size = size;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  static fromBuffer(buf: Uint8Array): ByteWindow {
    return new ByteWindow(buf, buf.length, buf.length, undefined);
  }

  static fromFd(fd: number): ByteWindow {
    const size = fs.fstatSync(fd).size;
    const buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(size, 64)));
    return new ByteWindow(buf, 0, size, fd);
  }

  /** Index in `buf` of input byte `pos` with n bytes available after it, or -1 at end of input. */
  ensure(pos: number, n: number): number {
    const rel = pos - this.start;
    if (rel >= 0 && rel + n <= this.len) return rel;
    return this.fill(pos, n, rel);
  }

  /** ensure()'s slow path, apart so that the JIT inlines the check above into the readers. */
  private fill(pos: number, n: number, rel: number): number {
    if (pos + n > this.size || this.fd === undefined) return -1;
    if (n > MAX_BLOCK) throw new RangeError(`read of ${n} bytes exceeds the ${MAX_BLOCK}-byte bound`);
    // Keep what we already have from pos onwards, then fill the rest of the buffer.
    const keep = rel >= 0 && rel < this.len ? this.len - rel : 0;
    if (n > this.buf.length) {
      let size = this.buf.length;
      while (size < n) size *= 2;
      const next = Buffer.allocUnsafe(Math.min(size, MAX_BLOCK));
      if (keep > 0) next.set(this.buf.subarray(rel, this.len), 0);
      this.buf = next;
      this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
    } else if (keep > 0) {
      this.buf.copyWithin(0, rel, this.len);
    }
    let have = keep;
    this.start = pos;
    // The first read is short (the header and first records): the next refill then comes
    // while the reader is still warming up, and the JIT optimises the reader with the refill
    // seen instead of deoptimising it at the first full window's end (~20 M instructions).
    const want = Math.min(pos === 0 ? Math.max(n, FIRST_READ) : this.buf.length, this.size - pos);
    while (have < want) {
      const got = fs.readSync(this.fd, this.buf, have, want - have, pos + have);
      if (got <= 0) break;
      have += got;
    }
    this.len = have;
    return have >= n ? 0 : -1;
  }
}
