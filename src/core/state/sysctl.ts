// `sysctl -a` / `sysctl net.ipv4.conf net.ipv4.vs ...` output: `key = value`.
// Values may hold tabs (`net.ipv4.vs.sync_threshold = 3\t50`). A key printed twice
// (procps does that for some keys) keeps the last value.

import { outputLines, StateParseError } from './parseError';

export type SysctlMap = Map<string, string>;

export function parseSysctl(text: string, command = 'sysctl'): SysctlMap {
  const out: SysctlMap = new Map();
  outputLines(text).forEach((raw, i) => {
    if (raw.trim() === '') return;
    // sysctl reports unreadable or absent keys on stderr; tolerate them if merged in.
    if (/^sysctl: /.test(raw)) return;
    const m = /^([A-Za-z0-9_.\-/:@]+)\s*=\s?(.*)$/.exec(raw);
    if (!m) throw new StateParseError(command, i + 1, 'expected "key = value"', raw);
    out.set(m[1], m[2].trim());
  });
  return out;
}

/** Integer value of a key, or undefined when absent / not an integer. */
export function sysctlInt(map: SysctlMap, key: string): number | undefined {
  const v = map.get(key);
  if (v === undefined || !/^-?\d+$/.test(v)) return undefined;
  return Number(v);
}

/**
 * The value the kernel actually applies for per-interface IPv4 settings where
 * the larger of `conf/all` and `conf/<iface>` wins (arp_ignore, arp_announce,
 * rp_filter — see Documentation/networking/ip-sysctl). Undefined if neither is known.
 */
export function effectiveConf(map: SysctlMap, iface: string, name: 'arp_ignore' | 'arp_announce' | 'rp_filter'): number | undefined {
  const all = sysctlInt(map, `net.ipv4.conf.all.${name}`);
  const dev = sysctlInt(map, `net.ipv4.conf.${iface.replace(/\./g, '/')}.${name}`);
  if (all === undefined) return dev;
  if (dev === undefined) return all;
  return Math.max(all, dev);
}
