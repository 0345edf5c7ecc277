// Address:port as printed by ipvsadm, ss and /proc/net/ip_vs: `192.0.2.1:80`,
// `[2001:db8::1]:53`, `0.0.0.0%lo:53` and `[fe80::1]%eth0:546` (ss scope suffix),
// `*:80`, or the kernel's hex form `C0000201:0050`.

export interface Endpoint {
  address: string;
  /** Undefined for `*` ports (ss peer columns). */
  port?: number;
  /** ss prints `addr%iface` when a socket is bound to a device. */
  device?: string;
}

/**
 * Parse `addr:port`; returns undefined when the text is not of that shape. IPv6
 * addresses come back in their canonical form (RFC 5952: `2001:db8::1`), so
 * addresses from different commands compare as strings.
 */
export function parseEndpoint(text: string): Endpoint | undefined {
  let addr: string;
  let portText: string;
  let device: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return undefined;
    addr = text.slice(1, close);
    let rest = text.slice(close + 1);
    // ss puts the scope of a link-local address after the bracket: `[fe80::1]%eth0:546`.
    if (rest.startsWith('%')) {
      const colon = rest.lastIndexOf(':');
      if (colon <= 1) return undefined;
      device = rest.slice(1, colon);
      rest = rest.slice(colon);
    }
    if (rest[0] !== ':') return undefined;
    portText = rest.slice(1);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon <= 0) return undefined;
    addr = text.slice(0, colon);
    portText = text.slice(colon + 1);
  }
  const pct = addr.indexOf('%');
  if (pct >= 0) {
    device = addr.slice(pct + 1);
    addr = addr.slice(0, pct);
  }
  if (addr === '') return undefined;
  addr = normalizeAddress(addr);
  if (portText === '*') return device === undefined ? { address: addr } : { address: addr, device };
  if (!/^\d{1,5}$/.test(portText)) return undefined;
  const port = Number(portText);
  if (port > 65535) return undefined;
  return device === undefined ? { address: addr, port } : { address: addr, port, device };
}

/**
 * One spelling per address: IPv6 in RFC 5952 form (lower case, no leading zeros,
 * the longest run of zero groups as `::`; `::ffff:a.b.c.d` kept dotted); anything
 * else (IPv4, `*`, names) unchanged. Text that is not a valid IPv6 address is
 * returned as it was.
 */
export function normalizeAddress(address: string): string {
  if (!address.includes(':')) return address;
  const groups = ipv6Groups(address);
  if (!groups) return address;
  // IPv4-mapped addresses keep the dotted quad, as the kernel and ss print them.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${groups[6] >> 8}.${groups[6] & 0xff}.${groups[7] >> 8}.${groups[7] & 0xff}`;
  }
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLen < 2) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** The eight 16-bit groups of an IPv6 address, or undefined when it is not one. */
function ipv6Groups(text: string): number[] | undefined {
  let t = text.toLowerCase();
  if (t.startsWith('[') && t.endsWith(']')) t = t.slice(1, -1);
  const tail: number[] = [];
  // A trailing dotted quad stands for the last two groups.
  const dotted = /^(.*:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(t);
  if (dotted) {
    const n = ipv4ToNumber(dotted[2]);
    if (n === undefined) return undefined;
    tail.push(Math.floor(n / 65536), n % 65536);
    t = dotted[1].endsWith('::') ? dotted[1] : dotted[1].slice(0, -1);
  }
  const parse = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (!/^[0-9a-f]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const halves = t.split('::');
  if (halves.length > 2) return undefined;
  const head = parse(halves[0]);
  const rest = halves.length === 2 ? parse(halves[1]) : [];
  if (!head || !rest) return undefined;
  const known = head.length + rest.length + tail.length;
  if (halves.length === 1 ? known !== 8 : known > 7) return undefined;
  return [...head, ...new Array<number>(8 - known).fill(0), ...rest, ...tail];
}

/** `192.0.2.11:80`, `[2001:db8::11]:80`: an address and port the way ipvsadm and ss print them. */
export function formatEndpoint(address: string, port: number | undefined): string {
  const a = address.includes(':') ? `[${address}]` : address;
  return port === undefined ? a : `${a}:${port}`;
}

/** `/proc/net/ip_vs` form: 8 hex digits (IPv4, host order printed big-endian) + `:` + 4 hex digits. */
export function parseHexEndpoint(text: string): Endpoint | undefined {
  const m = /^([0-9A-Fa-f]{8}):([0-9A-Fa-f]{4})$/.exec(text);
  if (m) {
    const n = parseInt(m[1], 16);
    const address = [24, 16, 8, 0].map((s) => (n >>> s) & 0xff).join('.');
    return { address, port: parseInt(m[2], 16) };
  }
  // IPv6 services are printed as `[%pI6]:%04X`.
  const v6 = /^\[([0-9a-fA-F:.]+)\]:([0-9A-Fa-f]{4})$/.exec(text);
  if (v6) return { address: normalizeAddress(v6[1]), port: parseInt(v6[2], 16) };
  return undefined;
}

/** IPv4 dotted quad to a 32-bit unsigned number, or undefined. */
export function ipv4ToNumber(address: string): number | undefined {
  const parts = address.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

/** True when both IPv4 addresses fall in the same /prefix network. */
export function sameIpv4Subnet(a: string, b: string, prefix: number): boolean {
  const x = ipv4ToNumber(a);
  const y = ipv4ToNumber(b);
  if (x === undefined || y === undefined || prefix < 0 || prefix > 32) return false;
  if (prefix === 0) return true;
  const shift = 32 - prefix;
  return Math.floor(x / 2 ** shift) === Math.floor(y / 2 ** shift);
}

/** Wildcard listen addresses (any local address matches). */
export function isWildcardAddress(address: string): boolean {
  return address === '*' || address === '0.0.0.0' || address === '::' || address === '[::]';
}
