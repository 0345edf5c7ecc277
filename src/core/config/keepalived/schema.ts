// The keepalived.conf keyword table: for every block, the keywords allowed in it,
// their value types, defaults and a one-line description. Parsing (which keyword
// opens which block), value validation, hovers, completion and "did you mean" are
// all driven from here, so a new keyword is one line. Facts are taken from
// keepalived.conf(5) of keepalived 2.2.x (written here in our own words).

import { SCHEDULERS, didYouMean, checkBool, checkHex, checkInt, checkIP, checkIPPrefix, checkNetmask, checkPort, checkTimer } from '../values';

export type ArgKind =
  | 'ip' // IPv4 or IPv6 address
  | 'ip-prefix' // IP[/prefix]
  | 'port'
  | 'int'
  | 'timer' // seconds, fractions allowed
  | 'bool' // on/off, true/false, yes/no
  | 'enum'
  | 'hex'
  | 'netmask'
  | 'string'; // anything (names, paths, scripts)

export interface ArgSpec {
  name: string;
  kind: ArgKind;
  min?: number;
  max?: number;
  values?: readonly string[];
  optional?: boolean;
  /** Matches all the remaining words (e.g. a script with arguments). */
  rest?: boolean;
  /** Enumerations are case-sensitive in keepalived (`lb_kind dr` is refused) except where set. */
  ignoreCase?: boolean;
}

/** A problem found by a custom argument check: the index of the offending argument (-1 = the keyword). */
export interface ArgProblem {
  index: number;
  message: string;
  /** A replacement for the offending value, offered as a quick fix. */
  suggestion?: string;
}

export interface KeywordSpec {
  doc: string;
  /** Positional values; undefined = free form, not checked. */
  args?: ArgSpec[];
  /** A custom check replacing `args` for keywords with a small grammar of their own. */
  check?: (args: string[]) => ArgProblem[];
  /** The block this keyword opens (`keyword ... {`). */
  block?: string;
  /** Default value, shown in hovers. */
  default?: string;
  /** Canonical name when this is a synonym (`lb_algo` → `lvs_sched`). */
  synonymOf?: string;
  /** Replacement keyword when deprecated. */
  deprecated?: string;
}

/** How the lines of a list block (`virtual_ipaddress { ... }`) are checked. */
export interface EntrySpec {
  doc: string;
  check: (words: string[]) => ArgProblem[];
}

export interface BlockSpec {
  /** What the block is, for hovers and symbols. */
  title: string;
  keywords: Record<string, KeywordSpec>;
  /** Set for list blocks whose lines are data, not keywords. */
  entries?: EntrySpec;
}

// --- argument helpers -------------------------------------------------------

const str = (name: string, optional = false): ArgSpec => ({ name, kind: 'string', optional });
const rest = (name: string, optional = false): ArgSpec => ({ name, kind: 'string', rest: true, optional });
const int = (name: string, min: number, max: number, optional = false): ArgSpec => ({ name, kind: 'int', min, max, optional });
const timer = (name = 'seconds', optional = false, min?: number, max?: number): ArgSpec => ({ name, kind: 'timer', optional, min, max });
const ip = (name = 'address', optional = false): ArgSpec => ({ name, kind: 'ip', optional });
const port = (name = 'port', optional = false): ArgSpec => ({ name, kind: 'port', optional });
const bool = (): ArgSpec => ({ name: 'on|off', kind: 'bool', optional: true });
const oneOf = (name: string, values: readonly string[], optional = false): ArgSpec => ({ name, kind: 'enum', values, optional });

const flag = (doc: string, extra: Partial<KeywordSpec> = {}): KeywordSpec => ({ doc, args: [], ...extra });
const onOff = (doc: string, extra: Partial<KeywordSpec> = {}): KeywordSpec => ({ doc, args: [bool()], ...extra });
const free = (doc: string, extra: Partial<KeywordSpec> = {}): KeywordSpec => ({ doc, ...extra });
const secs = (doc: string, def?: string): KeywordSpec => ({ doc, args: [timer()], default: def });
/** A duration keepalived requires to be above zero. */
const positiveSecs = (doc: string, def?: string): KeywordSpec => ({ doc, args: [timer('seconds', false, 0.000001)], default: def });
const num = (doc: string, min: number, max: number, def?: string): KeywordSpec => ({ doc, args: [int('n', min, max)], default: def });
const script = (doc: string): KeywordSpec => ({ doc, args: [rest('script')] });
const block = (doc: string, id: string, extra: Partial<KeywordSpec> = {}): KeywordSpec => ({ doc, block: id, args: [], ...extra });
const namedBlock = (doc: string, id: string): KeywordSpec => ({ doc, block: id, args: [str('name')] });

/** Checks positional words against specs; extra words are reported. Shared with validate.ts. */
export function checkArgList(words: string[], specs: ArgSpec[]): ArgProblem[] {
  const problems: ArgProblem[] = [];
  let i = 0;
  for (const spec of specs) {
    if (spec.rest) {
      if (words.length <= i && !spec.optional) problems.push({ index: -1, message: `missing value <${spec.name}>` });
      return problems;
    }
    if (i >= words.length) {
      if (!spec.optional) problems.push({ index: -1, message: `missing value <${spec.name}>` });
      continue;
    }
    const why = checkArg(words[i], spec);
    if (why) problems.push({ index: i, message: why, suggestion: spec.kind === 'enum' ? suggestValue(words[i], spec.values ?? []) : undefined });
    i++;
  }
  if (i < words.length) problems.push({ index: i, message: `unexpected extra value '${words[i]}'` });
  return problems;
}

/** The value meant: same letters in another case, else the closest spelling. */
export function suggestValue(word: string, values: readonly string[]): string | undefined {
  return values.find((v) => v.toLowerCase() === word.toLowerCase()) ?? didYouMean(word, values);
}

export function checkArg(word: string, spec: ArgSpec): string | undefined {
  switch (spec.kind) {
    case 'ip':
      return checkIP(word);
    case 'ip-prefix':
      return checkIPPrefix(word);
    case 'port':
      return checkPort(word);
    case 'int':
      return checkInt(word, spec.min ?? -2147483648, spec.max ?? 2147483647);
    case 'timer':
      return checkTimer(word, spec.min, spec.max);
    case 'bool':
      return checkBool(word);
    case 'hex':
      return checkHex(word);
    case 'netmask':
      return checkNetmask(word);
    case 'enum': {
      const values = spec.values ?? [];
      const ok = spec.ignoreCase ? values.some((v) => v.toLowerCase() === word.toLowerCase()) : values.includes(word);
      if (ok) return undefined;
      const other = values.find((v) => v.toLowerCase() === word.toLowerCase());
      return other ? `'${word}' must be written '${other}' (keepalived is case-sensitive here)` : `'${word}' is not one of ${values.join(', ')}`;
    }
    default:
      return undefined;
  }
}

// --- custom value grammars ---------------------------------------------------

const LVS_METHODS = ['NAT', 'DR', 'TUN'] as const;

/** `lvs_method NAT|DR|TUN [type ipip|gue port N|gre] [nocsum|csum|remcsum]`. */
function checkLvsMethod(words: string[]): ArgProblem[] {
  if (words.length === 0) return [{ index: -1, message: 'missing forwarding method: NAT, DR or TUN' }];
  const m = words[0];
  if (!(LVS_METHODS as readonly string[]).includes(m)) {
    return [{ index: 0, message: `unknown forwarding method '${words[0]}': use NAT, DR or TUN (upper case)`, suggestion: suggestValue(m, LVS_METHODS) }];
  }
  if (m !== 'TUN') return words.length > 1 ? [{ index: 1, message: `unexpected extra value '${words[1]}'` }] : [];
  const typeAt = words.findIndex((w) => w.toLowerCase() === 'type');
  if (typeAt > 0 && words[typeAt + 1]?.toLowerCase() === 'gue' && !words.some((w) => w.toLowerCase() === 'port')) {
    return [{ index: typeAt + 1, message: 'gue tunnels require a port: add `port N`' }];
  }
  for (let i = 1; i < words.length; i++) {
    const w = words[i].toLowerCase();
    if (w === 'type') {
      const t = words[i + 1]?.toLowerCase();
      if (t !== 'ipip' && t !== 'gue' && t !== 'gre') return [{ index: i + 1 < words.length ? i + 1 : i, message: 'tunnel type must be ipip, gue or gre' }];
      i++;
    } else if (w === 'port') {
      const why = words[i + 1] === undefined ? 'missing tunnel port' : checkPort(words[i + 1]);
      if (why) return [{ index: i + 1 < words.length ? i + 1 : i, message: why }];
      i++;
    } else if (w !== 'nocsum' && w !== 'csum' && w !== 'remcsum') {
      return [{ index: i, message: `unexpected '${words[i]}' after TUN` }];
    }
  }
  return [];
}

/** `lvs_sync_daemon IFACE INSTANCE [id N] [maxlen N] [port N] [ttl N] [group IP]`. */
function checkSyncDaemon(words: string[]): ArgProblem[] {
  if (words.length < 1) return [{ index: -1, message: 'missing interface' }];
  for (let i = 2; i < words.length; i += 2) {
    const opt = words[i];
    const v = words[i + 1];
    const checks: Record<string, (s: string) => string | undefined> = {
      id: (s) => checkInt(s, 0, 255),
      maxlen: (s) => checkInt(s, 1, 65507),
      port: checkPort,
      ttl: (s) => checkInt(s, 1, 255),
      group: checkIP,
    };
    const c = checks[opt];
    if (!c) return [{ index: i, message: `unknown lvs_sync_daemon option '${opt}' (id, maxlen, port, ttl, group)` }];
    if (v === undefined) return [{ index: i, message: `missing value for ${opt}` }];
    const why = c(v);
    if (why) return [{ index: i + 1, message: why }];
  }
  return [];
}

/**
 * virtual_server `weight`: keepalived 2.2.7 takes 1-2147483647 there (0 too is
 * refused, unlike a real_server's weight) and says so in its own words.
 */
function checkVsWeight(words: string[]): ArgProblem[] {
  const problems = checkArgList(words, [int('weight', 1, 2147483647)]);
  const w = words[0];
  return problems.map((p) => (p.index !== 0 || w === undefined ? p : { ...p, message: `${p.message} (keepalived: "Virtual server weight ${w} is outside range 1-2147483647")${/^0+$/.test(w) ? '; to quiesce real servers, set weight 0 in their real_server blocks' : ''}` }));
}

/** `virtual_ipaddress` line: `IP[/MASK] [brd IP] [dev IF] [scope S] [label L] ...`. */
function checkVipEntry(words: string[]): ArgProblem[] {
  const why = checkIPPrefix(words[0]);
  return why ? [{ index: 0, message: `${why}; keepalived skips this VIP` }] : [];
}

/** `unicast_peer` line: `IP [min_ttl N] [max_ttl N]`. */
function checkPeerEntry(words: string[]): ArgProblem[] {
  const why = checkIP(words[0]);
  return why ? [{ index: 0, message: why }] : [];
}

/** `track_script` / `track_interface` / ... line: `NAME [weight N [reverse]]`. */
function checkTrackEntry(words: string[]): ArgProblem[] {
  const i = words.indexOf('weight');
  if (i < 0) return [];
  const v = words[i + 1];
  if (v === undefined) return [{ index: i, message: 'missing weight value' }];
  const why = checkInt(v, -254, 254);
  return why ? [{ index: i + 1, message: why }] : [];
}

/** `virtual_server_group` line: `IP[-LAST] [PORT]`, `IP/PREFIX [PORT]` or `fwmark N`. */
function checkGroupEntry(words: string[]): ArgProblem[] {
  if (words[0] === 'fwmark') {
    const why = words[1] === undefined ? 'missing fwmark value' : checkInt(words[1], 1, 4294967295);
    return why ? [{ index: words[1] === undefined ? 0 : 1, message: why }] : [];
  }
  const a = words[0];
  const dash = a.lastIndexOf('-');
  const addr = dash > 0 && !a.includes('/') ? a.slice(0, dash) : a;
  const why = a.includes('/') ? checkIPPrefix(a) : checkIP(addr);
  if (why) return [{ index: 0, message: why }];
  if (words[1] !== undefined) {
    const p = checkPort(words[1]);
    if (p) return [{ index: 1, message: p }];
  }
  return [];
}

const anyEntry = (doc: string): EntrySpec => ({ doc, check: () => [] });

// --- checker keywords ------------------------------------------------------------

// Checked against keepalived 2.2.7 (`keepalived -t` on every keyword of this table, see
// test/unit/config/schema.test.ts): MISC_CHECK takes none of the connection options.
const checkerTiming: Record<string, KeywordSpec> = {
  retry: num('How many times a failed check is retried before the real server is declared down.', 0, 2147483647, '1 (DNS_CHECK: 3)'),
  delay_before_retry: secs('Seconds between retries of a failed check.', '1'),
  warmup: secs('Random delay before the first check, up to this many seconds.'),
  delay_loop: positiveSecs('Seconds between checks (overrides the virtual_server value).'),
  alpha: flag('Start with the real server down until the first check succeeds.'),
  log_all_failures: onOff('Log every failed check, not only state changes.'),
};

const checkerCommon: Record<string, KeywordSpec> = {
  connect_ip: { doc: 'Address the health check connects to (default: the real server address).', args: [ip()] },
  connect_port: { doc: 'Port the health check connects to (default: the real server port). Set it when the service port is not the one to probe (e.g. a UDP service checked over TCP).', args: [port()] },
  bindto: { doc: 'Source address of the health check connection.', args: [ip()] },
  bind_if: { doc: 'Interface the check is bound to (IPv6 link-local addresses).', args: [str('interface')] },
  bind_port: { doc: 'Source port of the health check connection.', args: [port()] },
  fwmark: { doc: 'Firewall mark set on health check packets.', args: [int('mark', 0, 4294967295)] },
  connect_timeout: positiveSecs('Seconds to wait for the check connection.', '5'),
  ...checkerTiming,
};

const urlBlock: BlockSpec = {
  title: 'URL to check',
  keywords: {
    path: { doc: 'URL path to request, e.g. /health.', args: [str('path')] },
    digest: { doc: 'Expected MD5 digest of the page (genhash computes it).', args: [{ name: 'md5', kind: 'hex' }] },
    status_code: free('Expected HTTP status codes, e.g. 200 or 200-299 (default 200-299).'),
    virtualhost: { doc: 'Host header to send for this URL.', args: [str('host')] },
    regex: free('Regular expression the page must match.'),
    regex_no_match: flag('Invert the regex: the page must not match.'),
    regex_options: free('PCRE options for the regex.'),
    regex_stack: free('PCRE JIT stack size.'),
    regex_min_offset: num('Start searching for the regex at this offset.', 0, 2147483647),
    regex_max_offset: num('Stop searching for the regex at this offset.', 0, 2147483647),
  },
};

const httpChecker: BlockSpec = {
  title: 'HTTP health check',
  keywords: {
    ...checkerCommon,
    url: block('A URL to request; the check passes when every url block passes.', 'url'),
    http_protocol: { doc: 'HTTP version of the request.', args: [oneOf('version', ['1.0', '1.0C', '1.1'])], default: '1.0' },
    virtualhost: { doc: 'Host header for every url of this check.', args: [str('host')] },
    fast_recovery: onOff('Re-check quickly after a failure.'),
    enable_sni: onOff('Send the SNI extension (SSL_GET).'),
    nb_get_retry: { ...num('Old name of retry.', 0, 2147483647), deprecated: 'retry' },
  },
};

const checkers: Record<string, BlockSpec> = {
  TCP_CHECK: { title: 'TCP connect health check', keywords: { ...checkerCommon } },
  HTTP_GET: httpChecker,
  SSL_GET: { ...httpChecker, title: 'HTTPS health check' },
  MISC_CHECK: {
    title: 'script health check',
    keywords: {
      ...checkerTiming,
      misc_path: { doc: 'Script to run; exit 0 = up.', args: [rest('script')] },
      misc_timeout: secs('Seconds before the script is killed.'),
      misc_dynamic: flag('The exit code (2-255) sets the weight to code-2.'),
      user: { doc: 'User (and group) the script runs as.', args: [str('user'), str('group', true)] },
    },
  },
  SMTP_CHECK: {
    title: 'SMTP health check',
    keywords: {
      ...checkerCommon,
      helo_name: { doc: 'Name sent in HELO.', args: [str('name')] },
      host: block('Legacy: an extra host to check.', 'SMTP_host'),
    },
  },
  DNS_CHECK: {
    title: 'DNS health check',
    keywords: {
      ...checkerCommon,
      type: { doc: 'Query type.', args: [oneOf('type', ['A', 'NS', 'CNAME', 'SOA', 'MX', 'TXT', 'AAAA'])], default: 'SOA' },
      name: { doc: 'Name to query.', args: [str('name')], default: '.' },
    },
  },
  UDP_CHECK: {
    title: 'UDP health check',
    keywords: {
      ...checkerCommon,
      payload: { doc: 'Hex payload to send.', args: [{ name: 'hex', kind: 'hex' }] },
      require_reply: { doc: 'A reply is required (optionally matching this hex).', args: [{ name: 'hex', kind: 'hex', optional: true }] },
      min_reply_length: num('Minimum reply length.', 0, 65535),
      max_reply_length: num('Maximum reply length.', 0, 65535),
    },
  },
  PING_CHECK: { title: 'ICMP echo health check', keywords: { ...checkerCommon } },
  FILE_CHECK: {
    title: 'file health check',
    keywords: {
      track_file: { doc: 'Name of a track_file block.', args: [str('name')] },
      weight: { doc: 'Multiplier for the value read from the file.', args: [int('weight', -254, 254), str('reverse', true)] },
    },
  },
  BFD_CHECK: {
    title: 'BFD health check',
    keywords: { name: { doc: 'Name of the bfd_instance to follow.', args: [str('bfd_instance')] }, alpha: flag('Start down until BFD is up.') },
  },
};

const checkerKeywords: Record<string, KeywordSpec> = Object.fromEntries(
  Object.entries(checkers).map(([k, b]) => [k, block(`${b.title[0].toUpperCase()}${b.title.slice(1)} of this real server.`, k)]),
);

// --- the blocks ------------------------------------------------------------------

const notify = {
  notify_up: script('Script run when the real server comes up.'),
  notify_down: script('Script run when the real server goes down.'),
};

const vsAndRsTiming = {
  delay_loop: positiveSecs('Seconds between health checks.', '60'),
  connect_timeout: positiveSecs('Default connect timeout of the checkers.', '5'),
  retry: num('Default retry count of the checkers.', 0, 2147483647),
  delay_before_retry: secs('Default delay between retries.'),
  warmup: secs('Random delay before the first check.'),
  alpha: flag('Real servers start down until their first successful check.'),
  inhibit_on_failure: flag('On failure set the weight to 0 (quiescent) instead of removing the real server: existing connections and persistence templates keep going to it.'),
  smtp_alert: onOff('Send email alerts for state changes.'),
  virtualhost: { doc: 'Default Host header of HTTP checks.', args: [str('host')] },
};

const realServer: BlockSpec = {
  title: 'real server',
  keywords: {
    weight: { doc: 'Scheduling weight; 0 = quiescent (no new connections).', args: [int('weight', 0, 2147483647)], default: '1' },
    lvs_method: { doc: 'Forwarding method for this real server (overrides the virtual_server).', check: checkLvsMethod },
    uthreshold: num('Upper connection threshold: no new connections above it.', 0, 2147483647),
    lthreshold: num('Lower connection threshold.', 0, 2147483647),
    snmp_name: { doc: 'Name of this real server in the SNMP MIB.', args: [str('name')] },
    ...notify,
    ...vsAndRsTiming,
    ...checkerKeywords,
  },
};

const virtualServer: BlockSpec = {
  title: 'virtual server',
  keywords: {
    lvs_sched: { doc: 'IPVS scheduler.', args: [oneOf('scheduler', SCHEDULERS)], default: 'wlc' },
    lb_algo: { doc: 'Old name of lvs_sched: the IPVS scheduler.', args: [oneOf('scheduler', SCHEDULERS)], default: 'wlc', synonymOf: 'lvs_sched' },
    lvs_method: { doc: 'Forwarding method: NAT (masquerading), DR (direct routing) or TUN (IP-in-IP).', check: checkLvsMethod, default: 'NAT' },
    lb_kind: { doc: 'Old name of lvs_method: NAT, DR or TUN.', check: checkLvsMethod, default: 'NAT', synonymOf: 'lvs_method' },
    protocol: { doc: 'Protocol of the service. Always set it: without it keepalived 2.2.7 makes the service UDP.', args: [{ ...oneOf('protocol', ['TCP', 'UDP', 'SCTP']), ignoreCase: true }] },
    persistence_timeout: { doc: 'Persistence: a client keeps going to the same real server for this many seconds (1-2678400; no value = 360).', args: [int('seconds', 1, 2678400, true)] },
    persistence_granularity: { doc: 'Netmask grouping clients for persistence.', args: [{ name: 'netmask', kind: 'netmask' }] },
    persistence_engine: { doc: 'Persistence engine, e.g. sip.', args: [str('engine')] },
    ip_family: { doc: 'Address family of a fwmark service.', args: [oneOf('family', ['inet', 'inet6'])] },
    'flag-1': flag('Scheduler flag 1.'),
    'flag-2': flag('Scheduler flag 2.'),
    'flag-3': flag('Scheduler flag 3.'),
    'sh-port': flag('sh scheduler: include the source port in the hash.'),
    'sh-fallback': flag('sh scheduler: fall back to another real server when the chosen one is unavailable.'),
    'mh-port': flag('mh scheduler: include the source port in the hash.'),
    'mh-fallback': flag('mh scheduler: fall back when the chosen real server is unavailable.'),
    ops: flag('One-packet scheduling (UDP only): every datagram is scheduled on its own.'),
    hashed: flag('Hashed virtual server (legacy).'),
    ha_suspend: flag('Suspend health checks while the VIP is not on this director.'),
    quorum: num('Minimum total weight of live real servers; below it the sorry server is used.', 1, 2147483647, '1'),
    hysteresis: num('Hysteresis around the quorum.', 0, 2147483647, '0'),
    quorum_up: script('Script run when quorum is gained.'),
    quorum_down: script('Script run when quorum is lost.'),
    omega: flag('On shutdown, run the quorum_down and the real servers\' notify_down scripts where they apply (off by default; alpha is the start-up counterpart).'),
    sorry_server: { doc: 'Server used when no real server is alive.', args: [ip(), port('port', true)] },
    sorry_server_inhibit: flag('Keep the sorry server with weight 0 instead of removing it.'),
    sorry_server_lvs_method: { doc: 'Forwarding method of the sorry server.', check: checkLvsMethod },
    snmp_name: { doc: 'Name in the SNMP MIB.', args: [str('name')] },
    weight: { doc: 'Weight of the real servers that set none (undocumented; 1-2147483647, keepalived refuses 0): to quiesce a real server, set weight 0 in its real_server.', args: [int('weight', 1, 2147483647)], check: checkVsWeight, default: '1' },
    real_server: { doc: 'A real server of this service: `real_server IP [PORT] { ... }`.', block: 'real_server', args: [ip(), port('port', true)] },
    ...vsAndRsTiming,
  },
};

const vrrpInstance: BlockSpec = {
  title: 'VRRP instance',
  keywords: {
    state: { doc: 'Initial state; the highest priority wins the election anyway.', args: [oneOf('state', ['MASTER', 'BACKUP'])] },
    interface: { doc: 'Interface VRRP runs on.', args: [str('interface')] },
    virtual_router_id: { doc: 'VRID 1-255, unique per interface (and multicast group) on the segment; both directors must use the same.', args: [int('vrid', 1, 255)] },
    priority: { doc: 'Election priority 1-255 (255 = address owner).', args: [int('priority', 1, 255)], default: '100' },
    advert_int: { doc: 'Seconds between adverts (0.01-255); must match on all routers.', args: [timer('seconds', false, 0.01, 255)], default: '1' },
    version: { doc: 'VRRP version.', args: [oneOf('version', ['2', '3'])], default: '2' },
    authentication: block('VRRPv2 authentication (removed from RFC 3768; only the first 8 characters of auth_pass are used).', 'authentication'),
    virtual_ipaddress: block('The VIPs this instance holds: `IP[/MASK] [dev IF] ...` per line.', 'virtual_ipaddress'),
    virtual_ipaddress_excluded: block('Addresses the master adds like the VIPs but does not send in adverts (they do not count as a VIP: keepalived wants at least one in virtual_ipaddress).', 'virtual_ipaddress'),
    virtual_routes: block('Routes added with the VIPs.', 'routes'),
    virtual_rules: block('Rules added with the VIPs.', 'routes'),
    promote_secondaries: flag('Promote secondary addresses when the primary is removed.'),
    unicast_src_ip: { doc: 'Source address of unicast adverts (with unicast_peer; without peers keepalived keeps multicast).', args: [ip()] },
    unicast_peer: block('Peers to send unicast adverts to (instead of multicast).', 'unicast_peer'),
    unicast_ttl: num('TTL of unicast adverts.', 1, 255),
    unicast_fault_no_peer: flag('Enter FAULT when there are no unicast peers.'),
    check_unicast_src: flag('Check the source of unicast adverts.'),
    old_unicast_checksum: free('Compute unicast checksums the old way.'),
    mcast_src_ip: { doc: 'Source address of multicast adverts.', args: [ip()] },
    mcast_dst_ip: { doc: 'Multicast group of adverts.', args: [ip()] },
    track_src_ip: flag('Track the source address.'),
    use_vmac: { doc: 'Use a virtual MAC interface (00:00:5e:00:01:VRID).', args: [str('name', true)] },
    use_vmac_addr: flag('Use the VMAC address on the base interface.'),
    vmac_xmit_base: flag('Send adverts from the base interface.'),
    use_ipvlan: free('Use an ipvlan interface.'),
    track_interface: block('Interfaces whose state changes the priority.', 'track_list'),
    track_script: block('vrrp_script blocks whose result changes the priority: `NAME [weight N]`.', 'track_list'),
    track_file: block('track_file blocks to follow.', 'track_list'),
    track_process: block('vrrp_track_process blocks to follow.', 'track_list'),
    track_bfd: block('bfd_instance blocks to follow.', 'track_list'),
    nopreempt: flag('Do not take over from a lower priority master; needs `state BACKUP` on every router to work.'),
    preempt: flag('Preempt (the default).'),
    preempt_delay: { doc: 'Seconds to wait before preempting after start-up.', args: [{ name: 'seconds', kind: 'timer' }] },
    accept: flag('Accept packets to the VIPs when master without being the address owner (priority 255). Needed with vrrp_strict / strict_mode, but only with `version 3`: with VRRP version 2 strict mode resets it.'),
    no_accept: flag('Drop packets to the VIPs when not the address owner.'),
    strict_mode: onOff('Strict RFC compliance (see vrrp_strict).'),
    skip_check_adv_addr: onOff('Do not check the addresses in adverts.'),
    garp_master_delay: secs('Delay of the second gratuitous ARP burst after becoming master.', '5'),
    garp_master_repeat: num('Gratuitous ARPs per burst.', 1, 2147483647, '5'),
    garp_master_refresh: secs('Repeat gratuitous ARPs this often while master (0 = off).', '0'),
    garp_master_refresh_repeat: num('Gratuitous ARPs per refresh.', 1, 2147483647),
    garp_lower_prio_delay: secs('GARP delay when a lower priority advert is seen.'),
    garp_lower_prio_repeat: num('GARPs sent when a lower priority advert is seen.', 0, 2147483647),
    lower_prio_no_advert: onOff('Do not answer lower priority adverts.'),
    higher_prio_send_advert: onOff('Send an advert on seeing a higher priority one.'),
    down_timer_adverts: num('Adverts missed before going master.', 1, 100),
    kernel_rx_buf_size: num('Receive buffer size.', 0, 2147483647),
    notify_master: script('Script run on becoming MASTER.'),
    notify_backup: script('Script run on becoming BACKUP.'),
    notify_fault: script('Script run on FAULT.'),
    notify_stop: script('Script run when the instance stops.'),
    notify_deleted: script('Script run when the instance is deleted.'),
    notify: script('Script run on every state change.'),
    notify_master_rx_lower_pri: script('Script run when a master sees a lower priority advert.'),
    notify_priority_changes: onOff('Notify priority changes.'),
    smtp_alert: onOff('Send email alerts for state changes.'),
    debug: free('Debug level.'),
    native_ipv6: { ...flag('Old switch for IPv6 instances.'), deprecated: 'a VIP of the IPv6 family' },
    dont_track_primary: flag('Ignore faults of the VRRP interface.'),
    linkbeat_use_polling: flag('Poll the link state.'),
    lvs_sync_daemon_interface: { ...free('Old per-instance sync daemon interface.'), deprecated: 'lvs_sync_daemon in global_defs' },
  },
};

export const BLOCKS: Record<string, BlockSpec> = {
  root: {
    title: 'keepalived.conf',
    keywords: {
      global_defs: block('Global settings (router id, e-mail, VRRP and LVS defaults).', 'global_defs'),
      include: { doc: 'Include other files (globs allowed; relative to the including file).', args: [rest('file')] },
      includer: { doc: 'include, failing if a file is not readable.', args: [rest('file')] },
      includem: { doc: 'include, failing if nothing matches.', args: [rest('file')] },
      includew: { doc: 'include with wildcard match check.', args: [rest('file')] },
      includeb: { doc: 'include with brace-expansion match check.', args: [rest('file')] },
      includea: { doc: 'include with all checks.', args: [rest('file')] },
      vrrp_script: namedBlock('A script whose result tracks VRRP priority.', 'vrrp_script'),
      vrrp_track_process: namedBlock('A process whose presence tracks VRRP priority.', 'vrrp_track_process'),
      vrrp_sync_group: namedBlock('VRRP instances that change state together.', 'vrrp_sync_group'),
      vrrp_instance: namedBlock('A VRRP instance: who holds the VIPs.', 'vrrp_instance'),
      virtual_server: {
        doc: 'An IPVS virtual service: `virtual_server IP PORT`, `virtual_server fwmark N` or `virtual_server group NAME`.',
        block: 'virtual_server',
        check: checkVirtualServerHeader,
      },
      virtual_server_group: namedBlock('Addresses, ranges and fwmarks sharing one virtual_server definition.', 'virtual_server_group'),
      static_ipaddress: block('Addresses keepalived adds at start-up.', 'virtual_ipaddress'),
      static_routes: block('Routes keepalived adds at start-up.', 'routes'),
      static_rules: block('Rules keepalived adds at start-up.', 'routes'),
      track_file: namedBlock('A file whose value tracks priority.', 'opaque'),
      vrrp_track_file: { ...namedBlock('Old name of track_file.', 'opaque'), deprecated: 'track_file' },
      bfd_instance: namedBlock('A BFD session.', 'opaque'),
      SSL: block('SSL context for SSL_GET checks.', 'SSL'),
      garp_group: block('GARP settings per interface group.', 'opaque'),
      linkbeat_interfaces: block('Interfaces to poll for link state.', 'track_list'),
      net_namespace: { doc: 'Run in this network namespace.', args: [str('name')] },
      net_namespace_ipvs: { doc: 'Network namespace of IPVS.', args: [str('name')] },
      namespace_with_ipsets: flag('Use ipsets in the namespace.'),
      use_pid_dir: flag('Put pid files in /run/keepalived.'),
      instance: { doc: 'Instance name.', args: [str('name')] },
      child_wait_time: secs('Seconds to wait for children at stop.'),
      linkbeat_use_polling: flag('Poll link state instead of netlink.'),
      track_group: namedBlock('A group of tracked objects.', 'opaque'),
      interface_up_down_delays: block('Per-interface up/down delays.', 'opaque'),
    },
  },
  global_defs: {
    title: 'global settings',
    keywords: {
      router_id: { doc: 'Name of this director in logs and e-mails.', args: [str('name')] },
      notification_email: block('Addresses that get alert e-mails.', 'email_list'),
      notification_email_from: { doc: 'From address of alert e-mails.', args: [str('address')] },
      smtp_server: { doc: 'SMTP server for alerts.', args: [str('server'), port('port', true)] },
      smtp_helo_name: { doc: 'HELO name for alert e-mails.', args: [str('name')] },
      smtp_connect_timeout: secs('SMTP connect timeout.', '30'),
      smtp_alert: onOff('Send e-mail alerts.'),
      smtp_alert_vrrp: onOff('E-mail alerts for VRRP.'),
      smtp_alert_checker: onOff('E-mail alerts for checkers.'),
      checker_log_all_failures: onOff('Log every failed check.'),
      no_email_faults: flag('No e-mail on FAULT.'),
      default_interface: { doc: 'Default interface for static addresses.', args: [str('interface')] },
      script_user: { doc: 'User (and group) that runs scripts.', args: [str('user'), str('group', true)] },
      enable_script_security: flag('Refuse scripts writable by non-root users.'),
      lvs_sync_daemon: { doc: 'IPVS connection sync daemon: `IFACE VRRP_INSTANCE [id N] [maxlen N] [port N] [ttl N] [group IP]`.', check: checkSyncDaemon },
      lvs_timeouts: free('IPVS timeouts: `[tcp T] [tcpfin T] [udp T]`.'),
      lvs_flush: flag('Flush the IPVS table at start-up.'),
      lvs_flush_on_stop: free('Flush the IPVS table at stop (`VS` = only keepalived services).'),
      vrrp_mcast_group4: { doc: 'IPv4 multicast group of VRRP adverts.', args: [ip()], default: '224.0.0.18' },
      vrrp_mcast_group6: { doc: 'IPv6 multicast group of VRRP adverts.', args: [ip()], default: 'ff02::12' },
      vrrp_garp_master_delay: secs('Delay of the second GARP burst after becoming master.', '5'),
      vrrp_garp_master_repeat: num('GARPs per burst.', 1, 2147483647, '5'),
      vrrp_garp_master_refresh: secs('Repeat GARPs this often while master (0 = off).', '0'),
      vrrp_garp_master_refresh_repeat: num('GARPs per refresh.', 1, 2147483647),
      vrrp_garp_lower_prio_delay: secs('GARP delay on a lower priority advert.'),
      vrrp_garp_lower_prio_repeat: num('GARPs on a lower priority advert.', 0, 2147483647),
      vrrp_garp_interval: secs('Interval between GARPs.'),
      vrrp_gna_interval: secs('Interval between unsolicited neighbour adverts.'),
      vrrp_min_garp: onOff('Send one GARP only.'),
      vrrp_garp_extra_if: free('GARPs on extra interfaces.'),
      vrrp_vmac_garp_intvl: { ...free('Old GARP interval for VMACs.'), deprecated: 'vrrp_garp_extra_if' },
      vrrp_lower_prio_no_advert: onOff('Do not answer lower priority adverts.'),
      vrrp_higher_prio_send_advert: onOff('Send an advert on a higher priority one.'),
      vrrp_version: { doc: 'Default VRRP version.', args: [oneOf('version', ['2', '3'])], default: '2' },
      vrrp_iptables: free('Use iptables chains for VIP filtering.'),
      vrrp_ipsets: free('Use ipsets for VIP filtering.'),
      nftables: free('Use nftables for VIP filtering.'),
      nftables_priority: free('nftables hook priority.'),
      nftables_ifindex: flag('Use ifindex in nftables rules.'),
      nftables_counters: flag('Add counters to nftables rules.'),
      vrrp_check_unicast_src: flag('Check the source of unicast adverts.'),
      vrrp_skip_check_adv_addr: flag('Do not check addresses in adverts.'),
      vrrp_strict: flag('Strict RFC compliance: no unicast, no authentication, no preempt_delay, state MASTER only with priority 255, and VIP traffic is DROPPED unless priority is 255 or `accept` is set (with VRRP version 3 only: version 2 resets `accept`).'),
      vrrp_priority: num('Scheduling priority of the VRRP process.', -20, 19),
      checker_priority: num('Scheduling priority of the checker process.', -20, 19),
      bfd_priority: num('Scheduling priority of the BFD process.', -20, 19),
      vrrp_no_swap: flag('Lock the VRRP process in memory.'),
      checker_no_swap: flag('Lock the checker process in memory.'),
      bfd_no_swap: flag('Lock the BFD process in memory.'),
      vrrp_rt_priority: num('Realtime priority of the VRRP process.', 1, 99),
      checker_rt_priority: num('Realtime priority of the checker process.', 1, 99),
      bfd_rt_priority: num('Realtime priority of the BFD process.', 1, 99),
      vrrp_rlimit_rttime: free('RLIMIT_RTTIME of the VRRP process.'),
      checker_rlimit_rttime: free('RLIMIT_RTTIME of the checker process.'),
      bfd_rlimit_rttime: free('RLIMIT_RTTIME of the BFD process.'),
      vrrp_cpu_affinity: free('CPUs of the VRRP process.'),
      checker_cpu_affinity: free('CPUs of the checker process.'),
      bfd_cpu_affinity: free('CPUs of the BFD process.'),
      snmp_socket: free('SNMP agent socket.'),
      enable_snmp_vrrp: flag('SNMP for VRRP.'),
      enable_snmp_keepalived: flag('SNMP (old keepalived MIB).'),
      enable_snmp_checker: flag('SNMP for the checker.'),
      enable_snmp_rfc: flag('SNMP RFC MIBs.'),
      enable_snmp_rfcv2: flag('SNMP VRRPv2 MIB.'),
      enable_snmp_rfcv3: flag('SNMP VRRPv3 MIB.'),
      enable_traps: flag('SNMP traps.'),
      enable_dbus: flag('D-Bus interface.'),
      dbus_service_name: free('D-Bus service name.'),
      notify_fifo: free('FIFO that receives all notifications.'),
      notify_fifo_script: free('Script reading notify_fifo.'),
      vrrp_notify_fifo: free('FIFO for VRRP notifications.'),
      vrrp_notify_fifo_script: free('Script reading vrrp_notify_fifo.'),
      lvs_notify_fifo: free('FIFO for checker notifications.'),
      lvs_notify_fifo_script: free('Script reading lvs_notify_fifo.'),
      dynamic_interfaces: free('Allow interfaces that appear later.'),
      max_auto_priority: free('Cap for automatic realtime priorities.'),
      min_auto_priority_delay: free('Delay before raising priorities.'),
      reload_check_config: free('Check the config before a reload.'),
      reload_time_file: free('File holding a reload time.'),
      reload_repeat: flag('Repeat timed reloads.'),
      include_check: free('Checks made on include files.'),
      config_save_dir: free('Where to save the config on reload.'),
      tmp_config_directory: free('Directory for temporary config files.'),
      log_unknown_vrids: flag('Log adverts for unknown VRIDs.'),
      vmac_prefix: free('Prefix of VMAC interface names.'),
      vmac_addr_prefix: free('Prefix of VMAC addresses.'),
      random_seed: free('Seed of ${_RANDOM}.'),
      fifo_write_vrrp_states_on_reload: flag('Write states to FIFOs on reload.'),
      startup_script: script('Script run at start-up.'),
      startup_script_timeout: secs('Timeout of the start-up script.'),
      shutdown_script: script('Script run at shut-down.'),
      shutdown_script_timeout: secs('Timeout of the shut-down script.'),
      umask: free('umask for files keepalived creates.'),
      vrrp_process_name: free('Name of the VRRP process.'),
      checker_process_name: free('Name of the checker process.'),
      bfd_process_name: free('Name of the BFD process.'),
      process_names: flag('Name the child processes.'),
      data_use_instance: flag('Add the instance name to data files.'),
      vrrp_startup_delay: secs('Delay VRRP at start-up.'),
      vrrp_rx_bufs_policy: free('Receive buffer sizing policy.'),
      vrrp_rx_bufs_multiplier: free('Receive buffer multiplier.'),
      vrrp_netlink_cmd_rcv_bufs: free('Netlink buffer size.'),
      vrrp_netlink_cmd_rcv_bufs_force: free('Force the netlink buffer size.'),
      vrrp_netlink_monitor_rcv_bufs: free('Netlink buffer size.'),
      vrrp_netlink_monitor_rcv_bufs_force: free('Force the netlink buffer size.'),
      lvs_netlink_cmd_rcv_bufs: free('Netlink buffer size.'),
      lvs_netlink_cmd_rcv_bufs_force: free('Force the netlink buffer size.'),
      lvs_netlink_monitor_rcv_bufs: free('Netlink buffer size.'),
      lvs_netlink_monitor_rcv_bufs_force: free('Force the netlink buffer size.'),
      process_monitor_rcv_bufs: free('Process monitor buffer size.'),
      process_monitor_rcv_bufs_force: free('Force the process monitor buffer size.'),
      vrrp_notify_priority_changes: onOff('Notify priority changes.'),
      vrrp_down_timer_adverts: free('Adverts missed before going master.'),
      lvs_process_name: free('Name of the checker process (old).'),
    },
  },
  vrrp_instance: vrrpInstance,
  vrrp_script: {
    title: 'VRRP tracking script',
    keywords: {
      script: { doc: 'Command to run; exit 0 = OK.', args: [rest('command')] },
      interval: secs('Seconds between runs.', '1'),
      timeout: secs('Seconds before a run counts as failed.'),
      weight: { doc: 'Priority change: negative = subtract on failure, positive = add on success.', args: [int('weight', -253, 253), { name: 'reverse', kind: 'enum', values: ['reverse'], optional: true }], default: '0' },
      rise: num('Successes needed to count as OK.', 1, 2147483647),
      fall: num('Failures needed to count as KO.', 1, 2147483647),
      user: { doc: 'User (and group) that runs the script.', args: [str('user'), str('group', true)] },
      init_fail: flag('Start in the failed state.'),
    },
  },
  vrrp_track_process: {
    title: 'tracked process',
    keywords: {
      process: { doc: 'Process name to look for.', args: [rest('name')] },
      param_match: free('How parameters are matched.'),
      weight: { doc: 'Priority change.', args: [int('weight', -254, 254), { name: 'reverse', kind: 'enum', values: ['reverse'], optional: true }] },
      quorum: num('Minimum number of processes.', 1, 2147483647),
      quorum_max: num('Maximum number of processes.', 1, 2147483647),
      delay: secs('Delay before down.'),
      terminate_delay: secs('Delay after termination.'),
      fork_delay: secs('Delay after fork.'),
      full_command: flag('Match the full command line.'),
    },
  },
  vrrp_sync_group: {
    title: 'VRRP sync group',
    keywords: {
      group: block('The vrrp_instance names in this group.', 'track_list'),
      track_interface: block('Interfaces tracked by the group.', 'track_list'),
      track_script: block('Scripts tracked by the group.', 'track_list'),
      track_file: block('Files tracked by the group.', 'track_list'),
      track_process: block('Processes tracked by the group.', 'track_list'),
      track_bfd: block('BFD instances tracked by the group.', 'track_list'),
      notify_master: script('Script run on becoming MASTER.'),
      notify_backup: script('Script run on becoming BACKUP.'),
      notify_fault: script('Script run on FAULT.'),
      notify_stop: script('Script run on stop.'),
      notify: script('Script run on every state change.'),
      smtp_alert: onOff('E-mail alerts.'),
      global_tracking: { ...flag('Old: all instances share tracking.'), deprecated: 'sync_group_tracking_weight' },
      sync_group_tracking_weight: flag('Tracking weights apply to the group.'),
    },
  },
  authentication: {
    title: 'VRRP authentication',
    keywords: {
      auth_type: { doc: 'PASS (clear text, 8 characters) or AH.', args: [oneOf('type', ['PASS', 'AH'])] },
      auth_pass: { doc: 'Password; only the first 8 characters are used.', args: [str('password')] },
    },
  },
  virtual_server: virtualServer,
  real_server: realServer,
  url: urlBlock,
  SSL: {
    title: 'SSL context',
    keywords: {
      password: { doc: 'Key password.', args: [str('password')] },
      ca: { doc: 'CA file.', args: [str('file')] },
      certificate: { doc: 'Certificate file.', args: [str('file')] },
      key: { doc: 'Key file.', args: [str('file')] },
    },
  },
  SMTP_host: { title: 'SMTP host', keywords: { ...checkerCommon } },
  ...checkers,
  virtual_ipaddress: { title: 'virtual IP addresses', keywords: {}, entries: { doc: '`IP[/MASK] [brd IP] [dev IF] [scope S] [label L] ...`', check: checkVipEntry } },
  unicast_peer: { title: 'unicast peers', keywords: {}, entries: { doc: '`IP [min_ttl N] [max_ttl N]`', check: checkPeerEntry } },
  track_list: { title: 'tracked objects', keywords: {}, entries: { doc: '`NAME [weight N [reverse]]`', check: checkTrackEntry } },
  virtual_server_group: { title: 'virtual server group', keywords: {}, entries: { doc: '`IP[-LAST] [PORT]` or `fwmark N`', check: checkGroupEntry } },
  email_list: { title: 'e-mail addresses', keywords: {}, entries: anyEntry('an e-mail address') },
  routes: { title: 'routes or rules', keywords: {}, entries: anyEntry('`ip route`/`ip rule` style line') },
  opaque: { title: 'block', keywords: {}, entries: anyEntry('not checked') },
};

/** `virtual_server IP PORT`, `virtual_server IP` (port 0, persistent), `fwmark N`, `group NAME`. */
function checkVirtualServerHeader(words: string[]): ArgProblem[] {
  if (words.length === 0) return [{ index: -1, message: 'missing address: `virtual_server IP PORT`, `virtual_server fwmark N` or `virtual_server group NAME`' }];
  if (words[0] === 'fwmark') {
    const why = words[1] === undefined ? 'missing fwmark value' : checkInt(words[1], 1, 4294967295);
    return why ? [{ index: words[1] === undefined ? 0 : 1, message: why }] : words.length > 2 ? [{ index: 2, message: `unexpected extra value '${words[2]}'` }] : [];
  }
  if (words[0] === 'group') return words[1] === undefined ? [{ index: 0, message: 'missing group name' }] : [];
  return checkArgList(words, [ip('address'), port('port', true)]);
}

export function isCheckerKeyword(k: string): boolean {
  return k in checkers;
}

/** Canonical spelling for synonyms (`lb_algo` → `lvs_sched`). */
export function canonicalKeyword(block: string, keyword: string): string {
  return BLOCKS[block]?.keywords[keyword]?.synonymOf ?? keyword;
}

/** Blocks (other than root) in which `keyword` is allowed, for "not allowed here" messages. */
export function blocksAllowing(keyword: string): string[] {
  const out: string[] = [];
  for (const [id, b] of Object.entries(BLOCKS)) if (keyword in b.keywords) out.push(id);
  return out;
}
