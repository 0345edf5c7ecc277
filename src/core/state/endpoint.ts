// Address:port as printed by ipvsadm, ss and /proc/net/ip_vs: `192.0.2.1:80`,
// `[2001:db8::1]:53`, `0.0.0.0%lo:53` (ss scope suffix), `*:80`, or the kernel's
// hex form `C0000201:0050`.

export interface Endpoint {
  address: string;
  /** Undefined for `*` ports (ss peer columns). */
  port?: number;
  /** ss prints `addr%iface` when a socket is bound to a device. */
  device?: string;
}

/** Parse `addr:port`; returns undefined when the text is not of that shape. */
export function parseEndpoint(text: string): Endpoint | undefined {
  let addr: string;
  let portText: string;
  if (text.startsWith('[')) {
    const close = text.lastIndexOf(']');
    if (close < 0 || text[close + 1] !== ':') return undefined;
    addr = text.slice(1, close);
    portText = text.slice(close + 2);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon <= 0) return undefined;
    addr = text.slice(0, colon);
    portText = text.slice(colon + 1);
  }
  let device: string | undefined;
  const pct = addr.indexOf('%');
  if (pct >= 0) {
    device = addr.slice(pct + 1);
    addr = addr.slice(0, pct);
  }
  if (addr === '') return undefined;
  if (portText === '*') return { address: addr, device };
  if (!/^\d{1,5}$/.test(portText)) return undefined;
  const port = Number(portText);
  if (port > 65535) return undefined;
  return device === undefined ? { address: addr, port } : { address: addr, port, device };
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
  if (v6) return { address: v6[1], port: parseInt(v6[2], 16) };
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
