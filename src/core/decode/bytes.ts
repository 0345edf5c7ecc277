// Big-endian field reads straight from the frame bytes (no DataView per packet).

export function u16(d: Uint8Array, at: number): number {
  return (d[at] << 8) | d[at + 1];
}

export function u32(d: Uint8Array, at: number): number {
  return ((d[at] << 24) | (d[at + 1] << 16) | (d[at + 2] << 8) | d[at + 3]) >>> 0;
}
