// `ipvsadm -Ln` and its variants (`--stats`, `--rate`, `--thresholds`,
// `--persistent-conn`, `--exact`), and `/proc/net/ip_vs` (same layout, hex
// addresses). The column headers (lines 2 and 3) say which variant it is, so one
// parser reads them all: the service and destination columns are taken from the
// headers rather than assumed.

import type { ForwardingMethod } from '../model/cluster';
import { type Endpoint, parseEndpoint, parseHexEndpoint } from './endpoint';
import { outputLines, StateParseError } from './parseError';
import { ipvsUnavailableReason } from './ipvsUnavailable';

/** Forward column of ipvsadm (`Local` = the real server address is on the director itself). */
export type IpvsForward = 'Route' | 'Masq' | 'Tunnel' | 'Local';

export const forwardToMethod: Record<IpvsForward, ForwardingMethod | undefined> = {
  Route: 'dr',
  Masq: 'nat',
  Tunnel: 'tun',
  Local: undefined,
};

export interface IpvsDestination {
  address: string;
  port: number;
  forward?: IpvsForward;
  weight?: number;
  activeConns?: number;
  inactiveConns?: number;
  persistConns?: number;
  upperThreshold?: number;
  lowerThreshold?: number;
  /** `--stats` / `--rate` counters by column name (Conns, InPkts, CPS...). */
  counters?: Record<string, number>;
  /** 1-based line in the output. */
  line: number;
}

export interface IpvsService {
  protocol: 'tcp' | 'udp' | 'sctp' | 'fwm';
  vip?: string;
  port?: number;
  fwmark?: number;
  ipv6?: boolean;
  scheduler?: string;
  schedulerFlags?: string[];
  persistenceSeconds?: number;
  /**
   * `/proc/net/ip_vs` prints the persistence timeout as the kernel keeps it, in
   * jiffies (seconds × CONFIG_HZ); `persistenceSeconds` is left out until HZ is known
   * (see `setPersistenceHz`).
   */
  persistenceTicks?: number;
  persistenceNetmask?: string;
  persistenceEngine?: string;
  onePacket?: boolean;
  counters?: Record<string, number>;
  destinations: IpvsDestination[];
  line: number;
}

export interface IpvsTable {
  /** `1.2.1` */
  version?: string;
  /** Connection hash table size from the header `(size=4096)`. */
  connTableSize?: number;
  /** Which columns the listing has: `scheduler` (plain -Ln) or the counter names. */
  serviceColumns: string[];
  destinationColumns: string[];
  services: IpvsService[];
}

export interface IpvsListOptions {
  /** Name of the command, for error messages. */
  command?: string;
  /** `/proc/net/ip_vs` prints addresses as hex. */
  hexAddresses?: boolean;
}

const protocolNames: Record<string, IpvsService['protocol']> = { TCP: 'tcp', UDP: 'udp', SCTP: 'sctp', FWM: 'fwm' };
const forwardNames = new Set<string>(['Route', 'Masq', 'Tunnel', 'Local']);

/** ipvsadm's print_largenum: plain, or scaled with K/M/G/T (decimal) without --exact. */
function largeNumber(text: string): number | undefined {
  const m = /^(\d+)([KMGT]?)$/.exec(text);
  if (!m) return undefined;
  const scale = { '': 1, K: 1e3, M: 1e6, G: 1e9, T: 1e12 }[m[2] as '' | 'K' | 'M' | 'G' | 'T'];
  return Number(m[1]) * scale;
}

export function parseIpvsadmList(text: string, options: IpvsListOptions = {}): IpvsTable {
  const command = options.command ?? (options.hexAddresses ? '/proc/net/ip_vs' : 'ipvsadm -Ln');
  const unavailable = ipvsUnavailableReason(text);
  if (unavailable) throw new StateParseError(command, 0, `IPVS is not available (${unavailable})`);
  const lines = outputLines(text);
  const endpoint = (t: string): Endpoint | undefined => (options.hexAddresses ? parseHexEndpoint(t) : parseEndpoint(t));

  const header = /^IP Virtual Server version (\d+\.\d+\.\d+) \(size=(\d+)\)\s*$/.exec(lines[0] ?? '');
  if (!header) throw new StateParseError(command, 1, 'expected "IP Virtual Server version X.Y.Z (size=N)"', lines[0] ?? '');
  const svcHeader = /^Prot LocalAddress:Port\s*(.*)$/.exec(lines[1] ?? '');
  if (!svcHeader) throw new StateParseError(command, 2, 'expected the "Prot LocalAddress:Port" column header', lines[1] ?? '');
  const dstHeader = /^\s+-> RemoteAddress:Port\s*(.*)$/.exec(lines[2] ?? '');
  if (!dstHeader) throw new StateParseError(command, 3, 'expected the "-> RemoteAddress:Port" column header', lines[2] ?? '');

  const serviceColumns = svcHeader[1].trim().split(/\s+/).filter(Boolean);
  const plain = serviceColumns[0] === 'Scheduler';
  const dstCols = dstHeader[1].trim().split(/\s+/).filter(Boolean);
  // --stats / --rate print the counter names once, on the service header line.
  const destinationColumns = dstCols.length > 0 ? dstCols : serviceColumns;

  const table: IpvsTable = {
    version: header[1],
    connTableSize: Number(header[2]),
    serviceColumns,
    destinationColumns,
    services: [],
  };
  let current: IpvsService | undefined;

  for (let i = 3; i < lines.length; i++) {
    const raw = lines[i];
    const lineNo = i + 1;
    if (raw.trim() === '') continue;
    const tokens = raw.trim().split(/\s+/);
    if (tokens[0] === '->') {
      if (!current) throw new StateParseError(command, lineNo, 'destination before any service', raw);
      current.destinations.push(parseDestination(tokens.slice(1), destinationColumns, raw, lineNo));
      continue;
    }
    const protocol = protocolNames[tokens[0]];
    if (!protocol) throw new StateParseError(command, lineNo, 'unexpected line (not a service or "->" destination)', raw);
    current = { protocol, destinations: [], line: lineNo };
    let rest: string[];
    if (protocol === 'fwm') {
      const mark = options.hexAddresses ? parseInt(tokens[1] ?? '', 16) : Number(tokens[1]);
      if (!Number.isInteger(mark)) throw new StateParseError(command, lineNo, 'bad firewall mark', raw);
      current.fwmark = mark;
      rest = tokens.slice(2);
      if (rest[0] === 'IPv6') {
        current.ipv6 = true;
        rest = rest.slice(1);
      }
    } else {
      const ep = endpoint(tokens[1] ?? '');
      if (!ep || ep.port === undefined) throw new StateParseError(command, lineNo, 'bad service address:port', raw);
      current.vip = ep.address;
      current.port = ep.port;
      if (ep.address.includes(':')) current.ipv6 = true;
      rest = tokens.slice(2);
    }
    if (plain) parseServiceFlags(current, rest, command, raw, lineNo, options.hexAddresses === true);
    else current.counters = counters(rest, serviceColumns, command, raw, lineNo);
    table.services.push(current);
  }
  return table;

  function parseDestination(tokens: string[], columns: string[], raw: string, lineNo: number): IpvsDestination {
    const ep = endpoint(tokens[0] ?? '');
    if (!ep || ep.port === undefined) throw new StateParseError(command, lineNo, 'bad destination address:port', raw);
    const d: IpvsDestination = { address: ep.address, port: ep.port, line: lineNo };
    const values = tokens.slice(1);
    if (values.length !== columns.length) {
      throw new StateParseError(command, lineNo, `expected ${columns.length} columns (${columns.join(' ')})`, raw);
    }
    const numbers: Record<string, number> = {};
    columns.forEach((col, k) => {
      const v = values[k];
      if (col === 'Forward') {
        if (!forwardNames.has(v)) throw new StateParseError(command, lineNo, `unknown forwarding method "${v}"`, raw);
        d.forward = v as IpvsForward;
        return;
      }
      const n = col === 'Weight' ? Number(v) : largeNumber(v);
      if (n === undefined || !Number.isFinite(n)) throw new StateParseError(command, lineNo, `column ${col} is not a number`, raw);
      numbers[col] = n;
    });
    if ('Weight' in numbers) d.weight = numbers.Weight;
    if ('ActiveConn' in numbers) d.activeConns = numbers.ActiveConn;
    if ('InActConn' in numbers) d.inactiveConns = numbers.InActConn;
    if ('PersistConn' in numbers) d.persistConns = numbers.PersistConn;
    if ('Uthreshold' in numbers) d.upperThreshold = numbers.Uthreshold;
    if ('Lthreshold' in numbers) d.lowerThreshold = numbers.Lthreshold;
    const other = Object.entries(numbers).filter(
      ([k]) => !['Weight', 'ActiveConn', 'InActConn', 'PersistConn', 'Uthreshold', 'Lthreshold'].includes(k),
    );
    if (other.length > 0) d.counters = Object.fromEntries(other);
    return d;
  }
}

function counters(values: string[], columns: string[], command: string, raw: string, lineNo: number): Record<string, number> {
  if (values.length !== columns.length) {
    throw new StateParseError(command, lineNo, `expected ${columns.length} counters (${columns.join(' ')})`, raw);
  }
  const out: Record<string, number> = {};
  columns.forEach((col, k) => {
    const n = largeNumber(values[k]);
    if (n === undefined) throw new StateParseError(command, lineNo, `counter ${col} is not a number`, raw);
    out[col] = n;
  });
  return out;
}

/** `rr`, `wlc (flag-1,sh-port)`, `persistent 300 mask 255.255.255.0`, `pe sip`, `ops`. */
function parseServiceFlags(
  svc: IpvsService,
  tokens: string[],
  command: string,
  raw: string,
  lineNo: number,
  hex: boolean,
): void {
  if (tokens.length === 0) throw new StateParseError(command, lineNo, 'service without a scheduler', raw);
  svc.scheduler = tokens[0];
  for (let k = 1; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.startsWith('(') && t.endsWith(')')) {
      svc.schedulerFlags = t.slice(1, -1).split(',').filter(Boolean);
    } else if (t === 'persistent') {
      const secs = Number(tokens[++k]);
      if (!Number.isInteger(secs)) throw new StateParseError(command, lineNo, 'bad persistence timeout', raw);
      // /proc/net/ip_vs prints the timeout as the kernel stores it, svc->timeout =
      // seconds * HZ (ip_vs_ctl.c), and the netmask right after it, as hex.
      if (hex) svc.persistenceTicks = secs;
      else svc.persistenceSeconds = secs;
      if (hex && /^[0-9A-Fa-f]{8}$/.test(tokens[k + 1] ?? '')) {
        const n = parseInt(tokens[++k], 16);
        svc.persistenceNetmask = [24, 16, 8, 0].map((s) => (n >>> s) & 0xff).join('.');
      }
    } else if (t === 'mask') {
      const mask = tokens[++k];
      if (mask === undefined) throw new StateParseError(command, lineNo, 'mask without a value', raw);
      svc.persistenceNetmask = mask;
    } else if (t === 'pe') {
      const pe = tokens[++k];
      if (pe === undefined) throw new StateParseError(command, lineNo, 'pe without a name', raw);
      svc.persistenceEngine = pe;
    } else if (t === 'ops') {
      svc.onePacket = true;
    } else {
      throw new StateParseError(command, lineNo, `unknown service flag "${t}"`, raw);
    }
  }
}

/** Converts the `/proc/net/ip_vs` persistence timeouts (jiffies) to seconds, given the kernel's CONFIG_HZ. */
export function setPersistenceHz(table: IpvsTable, hz: number): void {
  if (!Number.isInteger(hz) || hz <= 0) return;
  for (const s of table.services) if (s.persistenceTicks !== undefined) s.persistenceSeconds = Math.round(s.persistenceTicks / hz);
}

/** Whether a live service is persistent, and its timeout in words (`300 s`, or in kernel ticks when HZ is unknown). */
export function livePersistence(s: IpvsService): { persistent: boolean; text: string } {
  if (s.persistenceSeconds !== undefined) return { persistent: s.persistenceSeconds > 0, text: `${s.persistenceSeconds} s` };
  if (s.persistenceTicks !== undefined) return { persistent: s.persistenceTicks > 0, text: `${s.persistenceTicks} kernel ticks, HZ unknown` };
  return { persistent: false, text: 'none' };
}
