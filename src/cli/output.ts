// Buffered synchronous stdout for commands whose output can be large (a pcap's packets, an
// analysis as JSON): text goes out in 64 KiB writes as it is made, never as one string, and
// a closed pipe (`| head`) sets `closed` so the producer can stop.
import * as fs from 'node:fs';

const FLUSH_AT = 1 << 16;

export class StdoutWriter {
  private chunks: string[] = [];
  private size = 0;
  closed = false;

  constructor(private readonly fd = 1) {}

  /** Text as it is. */
  write(text: string): void {
    this.chunks.push(text);
    this.size += text.length;
    if (this.size >= FLUSH_AT) this.flush();
  }

  /** Text and a newline. */
  line(text: string): void {
    this.write(text);
    this.write('\n');
  }

  flush(): void {
    if (this.chunks.length === 0 || this.closed) return;
    let buf = Buffer.from(this.chunks.join(''));
    this.chunks = [];
    this.size = 0;
    while (buf.length > 0) {
      try {
        const n = fs.writeSync(this.fd, buf);
        buf = buf.subarray(n);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') continue; // non-blocking pipe is full: retry
        if (code === 'EPIPE') {
          this.closed = true;
          return;
        }
        throw e;
      }
    }
  }
}
