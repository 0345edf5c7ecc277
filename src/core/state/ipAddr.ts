// `ip addr` (multi-line), `ip -o addr` (one address per line) and `ip -o link` /
// `ip link`: interfaces, their flags, MAC address and IP addresses.
//   15: eth0@if16: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP ...
//       link/ether 02:00:c0:00:02:02 brd ff:ff:ff:ff:ff:ff link-netnsid 0
//       inet 192.0.2.100/32 scope global eth0
//   4: eth0    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\       valid_lft ...

import { normalizeAddress } from './endpoint';
import { outputLines, StateParseError } from './parseError';

export interface InterfaceAddress {
  family: 'inet' | 'inet6';
  address: string;
  prefix: number;
  scope?: string;
  /** The label (`eth0:1`) when ip prints one. */
  label?: string;
  secondary?: boolean;
}

export interface NetInterface {
  index: number;
  name: string;
  /** Text after `@` (`if16`, `NONE`): the peer / parent link. */
  link?: string;
  flags: string[];
  mtu?: number;
  state?: string;
  linkType?: string;
  mac?: string;
  addresses: InterfaceAddress[];
}

const headerRe = /^(\d+):\s+([^\s:@]+)(?:@([^\s:]+))?:\s+<([^>]*)>(.*)$/;
const oneLineAddrRe = /^(\d+):\s+([^\s:@]+)\s+(inet6?)\s+(.*)$/;

export function parseIpAddr(text: string, command = 'ip addr'): NetInterface[] {
  const byIndex = new Map<number, NetInterface>();
  const order: NetInterface[] = [];
  let current: NetInterface | undefined;
  const get = (index: number, name: string): NetInterface => {
    let itf = byIndex.get(index);
    if (!itf) {
      itf = { index, name, flags: [], addresses: [] };
      byIndex.set(index, itf);
      order.push(itf);
    }
    return itf;
  };

  outputLines(text).forEach((rawLine, i) => {
    const lineNo = i + 1;
    // `-o` output joins an entry's lines with a backslash.
    rawLine.split('\\').forEach((raw, part) => {
      if (raw.trim() === '') return;
      const header = headerRe.exec(raw);
      if (header) {
        current = get(Number(header[1]), header[2]);
        if (header[3]) current.link = header[3];
        current.flags = header[4].split(',').filter(Boolean);
        const rest = header[5].trim().split(/\s+/);
        for (let k = 0; k < rest.length - 1; k++) {
          if (rest[k] === 'mtu') current.mtu = Number(rest[k + 1]);
          if (rest[k] === 'state') current.state = rest[k + 1];
        }
        return;
      }
      const one = part === 0 ? oneLineAddrRe.exec(raw) : null;
      if (one) {
        current = get(Number(one[1]), one[2]);
        current.addresses.push(parseAddress(one[3] as 'inet' | 'inet6', one[4], raw, lineNo));
        return;
      }
      if (!/^\s/.test(raw) && part === 0) throw new StateParseError(command, lineNo, 'unexpected line', raw);
      const t = raw.trim().split(/\s+/);
      if (!current) throw new StateParseError(command, lineNo, 'detail line before any interface', raw);
      if (t[0].startsWith('link/')) {
        current.linkType = t[0].slice(5);
        if (t[1] && /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(t[1])) current.mac = t[1].toLowerCase();
      } else if (t[0] === 'inet' || t[0] === 'inet6') {
        current.addresses.push(parseAddress(t[0], t.slice(1).join(' '), raw, lineNo));
      }
      // valid_lft, altname, and the many `ip -d` detail lines carry nothing we use.
    });
  });
  return order;

  function parseAddress(family: 'inet' | 'inet6', rest: string, raw: string, lineNo: number): InterfaceAddress {
    const t = rest.trim().split(/\s+/);
    // `inet 10.0.0.5 peer 10.0.0.6/32`: the local address has no prefix, the peer does.
    const m = /^([0-9a-fA-F.:]+)(?:\/(\d+))?$/.exec(t[0] ?? '');
    if (!m) throw new StateParseError(command, lineNo, `bad ${family} address`, raw);
    const peer = t.indexOf('peer');
    let prefix = m[2] !== undefined ? Number(m[2]) : family === 'inet' ? 32 : 128;
    if (m[2] === undefined && peer >= 0) {
      const pm = /\/(\d+)$/.exec(t[peer + 1] ?? '');
      if (pm) prefix = Number(pm[1]);
    }
    // IPv6 in its canonical spelling, so it compares with the other commands' addresses.
    const a: InterfaceAddress = { family, address: family === 'inet6' ? normalizeAddress(m[1]) : m[1], prefix };
    const scope = t.indexOf('scope');
    if (scope >= 0) a.scope = t[scope + 1];
    if (t.includes('secondary')) a.secondary = true;
    // IPv4 lines end with the label (interface name or `eth0:1`).
    if (family === 'inet' && scope >= 0) {
      const last = t[t.length - 1];
      if (last && scope + 1 < t.length - 1 && /^[\w.:@-]+$/.test(last) && !['secondary', 'dynamic', 'noprefixroute', 'permanent', 'deprecated', 'tentative'].includes(last)) {
        a.label = last;
      }
    }
    return a;
  }
}

/** `ip -o link` / `ip link` have the same header lines as `ip addr`, without addresses. */
export function parseIpLink(text: string, command = 'ip -o link'): NetInterface[] {
  return parseIpAddr(text, command);
}

/** Interfaces that hold `address` (any prefix). */
export function interfacesHolding(interfaces: NetInterface[], address: string): NetInterface[] {
  return interfaces.filter((itf) => itf.addresses.some((a) => a.address === address));
}
