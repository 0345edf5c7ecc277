// Address formatting. Formatting dominates decode cost, and a capture has few distinct
// addresses, so formatted strings are cached in small bounded maps keyed by number.

const HEX2: string[] = [];
const DEC: string[] = [];
for (let i = 0; i < 256; i++) {
  HEX2.push(i.toString(16).padStart(2, '0'));
  DEC.push(String(i));
}

// Direct-mapped caches (one slot per hash value, overwritten on collision): bounded
// memory, no Map hashing of non-small-integer keys, and a hit costs two array reads.
const SLOTS = 4096;
const MASK = SLOTS - 1;
const macHi = new Int32Array(SLOTS);
const macLo = new Int32Array(SLOTS);
const macStr: Array<string | undefined> = new Array(SLOTS).fill(undefined);
const ipv4Key = new Int32Array(SLOTS);
const ipv4Str: Array<string | undefined> = new Array(SLOTS).fill(undefined);

/** aa:bb:cc:dd:ee:ff, lower case. */
export function formatMac(d: Uint8Array, at: number): string {
  const hi = (d[at] << 8) | d[at + 1];
  const lo = (d[at + 2] << 24) | (d[at + 3] << 16) | (d[at + 4] << 8) | d[at + 5];
  const slot = (lo ^ (lo >>> 12) ^ (hi << 4)) & MASK;
  const cached = macStr[slot];
  if (cached !== undefined && macLo[slot] === lo && macHi[slot] === hi) return cached;
  const s = `${HEX2[d[at]]}:${HEX2[d[at + 1]]}:${HEX2[d[at + 2]]}:${HEX2[d[at + 3]]}:${HEX2[d[at + 4]]}:${HEX2[d[at + 5]]}`;
  macHi[slot] = hi;
  macLo[slot] = lo;
  macStr[slot] = s;
  return s;
}

/** Dotted quad. */
export function formatIpv4(d: Uint8Array, at: number): string {
  const key = (d[at] << 24) | (d[at + 1] << 16) | (d[at + 2] << 8) | d[at + 3];
  const slot = (key ^ (key >>> 12) ^ (key >>> 24)) & MASK;
  const cached = ipv4Str[slot];
  if (cached !== undefined && ipv4Key[slot] === key) return cached;
  const s = `${DEC[d[at]]}.${DEC[d[at + 1]]}.${DEC[d[at + 2]]}.${DEC[d[at + 3]]}`;
  ipv4Key[slot] = key;
  ipv4Str[slot] = s;
  return s;
}

/** RFC 5952 text form, as inet_ntop and tcpdump print it. */
export function formatIpv6(d: Uint8Array, at: number): string {
  const w: number[] = new Array(8);
  for (let k = 0; k < 8; k++) w[k] = (d[at + 2 * k] << 8) | d[at + 2 * k + 1];
  // IPv4-mapped (::ffff:a.b.c.d) and the old IPv4-compatible form are printed with a dotted tail.
  if (w[0] === 0 && w[1] === 0 && w[2] === 0 && w[3] === 0 && w[4] === 0 && (w[5] === 0xffff || (w[5] === 0 && w[6] !== 0))) {
    if (w[5] === 0xffff) return `::ffff:${formatIpv4(d, at + 12)}`;
    if (w[6] !== 0) return `::${formatIpv4(d, at + 12)}`;
  }
  // Longest run of two or more zero groups (first one wins on ties) becomes "::".
  let bestAt = -1;
  let bestLen = 1;
  for (let k = 0; k < 8; ) {
    if (w[k] !== 0) {
      k++;
      continue;
    }
    let e = k;
    while (e < 8 && w[e] === 0) e++;
    if (e - k > bestLen) {
      bestAt = k;
      bestLen = e - k;
    }
    k = e;
  }
  const hex = (k: number) => w[k].toString(16);
  if (bestAt < 0) return w.map((_, k) => hex(k)).join(':');
  const head = w.slice(0, bestAt).map((_, k) => hex(k)).join(':');
  const tail = w.slice(bestAt + bestLen).map((_, k) => hex(bestAt + bestLen + k)).join(':');
  return `${head}::${tail}`;
}
