// Counts packet records in a classic pcap byte stream as it grows (the file tcpdump
// -U writes, pulled piece by piece). Only headers are read; a record split across
// two pieces is completed by the next one. A length no capture can have stops the
// count instead of skipping into garbage.

const MAX_RECORD = 262144 + 64;

export class PcapRecordCounter {
  packets = 0;
  /** Bytes of complete records (plus the file header) seen so far. */
  completeBytes = 0;
  /** Timestamp of the last complete record, seconds since the epoch (undefined: none yet). */
  lastTs?: number;
  error?: string;
  private header = Buffer.alloc(0);
  private little?: boolean;
  /** Nanosecond timestamps (magic 0xa1b23c4d). */
  private nano = false;
  /** The current record's timestamp, until it is complete. */
  private ts = 0;
  private skip = 0; // bytes of the current record's data still to pass
  private pending = Buffer.alloc(0); // a partial 16-byte record header
  private total = 0;

  push(chunk: Buffer): void {
    if (this.error) return;
    let buf = chunk;
    this.total += chunk.length;
    if (this.little === undefined) {
      this.header = Buffer.concat([this.header, buf]);
      if (this.header.length < 24) return;
      const magic = this.header.readUInt32BE(0);
      if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) this.little = false;
      else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) this.little = true;
      else {
        this.error = `not a classic pcap file (magic 0x${magic.toString(16)})`;
        return;
      }
      this.nano = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
      buf = this.header.subarray(24);
      this.completeBytes = 24;
      this.header = Buffer.alloc(0);
    }
    while (buf.length > 0) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, buf.length);
        this.skip -= n;
        buf = buf.subarray(n);
        if (this.skip === 0) {
          this.packets++;
          this.completeBytes = this.total - buf.length;
          this.lastTs = this.ts;
        }
        continue;
      }
      const need = 16 - this.pending.length;
      if (buf.length < need) {
        this.pending = Buffer.concat([this.pending, buf]);
        return;
      }
      const hdr = this.pending.length ? Buffer.concat([this.pending, buf.subarray(0, need)]) : buf.subarray(0, 16);
      buf = buf.subarray(need);
      this.pending = Buffer.alloc(0);
      const incl = this.little ? hdr.readUInt32LE(8) : hdr.readUInt32BE(8);
      if (incl > MAX_RECORD) {
        this.error = `record length ${incl} at byte ${this.completeBytes} is impossible`;
        return;
      }
      this.skip = incl;
      const sec = this.little ? hdr.readUInt32LE(0) : hdr.readUInt32BE(0);
      const frac = this.little ? hdr.readUInt32LE(4) : hdr.readUInt32BE(4);
      this.ts = sec + frac / (this.nano ? 1e9 : 1e6);
      if (incl === 0) {
        this.packets++;
        this.completeBytes = this.total - buf.length;
        this.lastTs = this.ts;
      }
    }
  }
}

/** tcpdump's closing statistics on stderr. */
export function parseTcpdumpStats(stderr: string): { captured?: number; received?: number; dropped?: number } {
  const num = (re: RegExp): number | undefined => {
    const m = re.exec(stderr);
    return m ? Number(m[1]) : undefined;
  };
  return {
    captured: num(/(\d+) packets? captured/),
    received: num(/(\d+) packets? received by filter/),
    dropped: num(/(\d+) packets? dropped by kernel/),
  };
}

/** `tcpdump version 4.99.3` from `tcpdump --version`. */
export function parseTcpdumpVersion(out: string): string | undefined {
  return /tcpdump version (\S+)/.exec(out)?.[1];
}
