// `ip route` / `ip -4 route show`: one route per line, multipath next hops on
// indented `nexthop` lines.
//   default via 192.0.2.1 dev eth0
//   10.0.0.0/24 dev eth1 proto kernel scope link src 10.0.0.1
//   blackhole 198.51.100.0/24

import { outputLines, StateParseError } from './parseError';

export interface Route {
  /** `default` or a prefix like `10.0.0.0/24` (a host route may have no `/`). */
  destination: string;
  /** unicast (when absent), local, broadcast, blackhole, unreachable, prohibit, throw, multicast, anycast, nat. */
  type?: string;
  via?: string;
  dev?: string;
  src?: string;
  proto?: string;
  scope?: string;
  metric?: number;
  table?: string;
  nexthops?: { via?: string; dev?: string; weight?: number }[];
  line: number;
}

const routeTypes = new Set(['unicast', 'local', 'broadcast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'multicast', 'anycast', 'nat']);
const keyed = new Set(['via', 'dev', 'src', 'proto', 'scope', 'metric', 'table', 'mtu', 'advmss', 'pref', 'weight', 'realm', 'realms',
  'expires', 'hoplimit', 'initcwnd', 'initrwnd', 'quickack', 'rto_min', 'tos', 'dsfield', 'from', 'error', 'congctl', 'features',
  'window', 'rtt', 'rttvar', 'ssthresh', 'cwnd', 'reordering', 'fastopen_no_cookie', 'nhid', 'encap', 'ttl-propagate', 'cache']);

export function parseIpRoute(text: string, command = 'ip route'): Route[] {
  const routes: Route[] = [];
  outputLines(text).forEach((raw, i) => {
    const lineNo = i + 1;
    if (raw.trim() === '') return;
    const t = raw.trim().split(/\s+/);
    if (/^\s/.test(raw)) {
      const last = routes[routes.length - 1];
      if (t[0] !== 'nexthop' || !last) throw new StateParseError(command, lineNo, 'unexpected indented line', raw);
      const kv = pairs(t.slice(1));
      (last.nexthops ??= []).push({ via: kv.get('via'), dev: kv.get('dev'), weight: kv.has('weight') ? Number(kv.get('weight')) : undefined });
      return;
    }
    let k = 0;
    let type: string | undefined;
    if (routeTypes.has(t[0])) type = t[k++];
    const destination = t[k++];
    if (destination === undefined || !(destination === 'default' || /^[0-9a-fA-F.:]+(\/\d+)?$/.test(destination))) {
      throw new StateParseError(command, lineNo, 'expected a route destination (default or a prefix)', raw);
    }
    const kv = pairs(t.slice(k));
    const r: Route = { destination, line: lineNo };
    if (type && type !== 'unicast') r.type = type;
    for (const key of ['via', 'dev', 'src', 'proto', 'scope', 'table'] as const) {
      const v = kv.get(key);
      if (v !== undefined) r[key] = v;
    }
    if (kv.has('metric')) r.metric = Number(kv.get('metric'));
    routes.push(r);
  });
  return routes;
}

function pairs(t: string[]): Map<string, string> {
  const kv = new Map<string, string>();
  for (let k = 0; k < t.length; k++) {
    // `via inet6 fe80::1` (cross-family next hop) names the family first.
    if (t[k] === 'via' && (t[k + 1] === 'inet' || t[k + 1] === 'inet6')) {
      kv.set('via', t[k + 2] ?? '');
      k += 2;
    } else if (keyed.has(t[k])) {
      kv.set(t[k], t[k + 1] ?? '');
      k++;
    }
    // Lone flags (onlink, linkdown, dead, pervasive, offload...) are not needed.
  }
  return kv;
}

/** The default route(s) of the main table (no `table` given, or `main`). */
export function defaultRoutes(routes: Route[]): Route[] {
  return routes.filter((r) => r.destination === 'default' && !r.type && (r.table === undefined || r.table === 'main'));
}
