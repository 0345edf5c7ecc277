// Value checkers for keyword arguments (keepalived) and option values (ipvsadm).
// Each returns undefined when the text is valid, else a short reason that the
// caller turns into a diagnostic message.

export const SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh', 'twos'] as const;

export const SCHEDULER_DOCS: Record<string, string> = {
  rr: 'round robin',
  wrr: 'weighted round robin',
  lc: 'least connections',
  wlc: 'weighted least connections (the default)',
  lblc: 'locality-based least connections',
  lblcr: 'locality-based least connections with replication',
  dh: 'destination hashing',
  sh: 'source hashing',
  sed: 'shortest expected delay',
  nq: 'never queue',
  fo: 'weighted failover',
  ovf: 'weighted overflow',
  mh: 'maglev hashing',
  twos: 'weighted random twos choice (newer kernels)',
};

export function isIPv4(s: string): boolean {
  const parts = s.split('.');
  if (parts.length !== 4) return false;
  for (const p of parts) {
    if (p.length === 0 || p.length > 3) return false;
    for (let i = 0; i < p.length; i++) {
      const c = p.charCodeAt(i);
      if (c < 48 || c > 57) return false;
    }
    if (Number(p) > 255) return false;
  }
  return true;
}

export function isIPv6(s: string): boolean {
  if (s.length < 2 || s.length > 45 || !s.includes(':')) return false;
  let head = s;
  let groupsNeeded = 8;
  // An embedded IPv4 tail (::ffff:192.0.2.1) counts as two groups.
  const lastColon = s.lastIndexOf(':');
  const tail = s.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!isIPv4(tail)) return false;
    // Keep a trailing '::' (::ffff:1.2.3.4 → '::ffff', ::1.2.3.4 → '::').
    head = s.slice(0, lastColon + 1);
    if (!head.endsWith('::')) head = head.slice(0, -1);
    groupsNeeded = 6;
  }
  const dbl = head.indexOf('::');
  if (dbl !== head.lastIndexOf('::')) return false;
  const hex = /^[0-9a-fA-F]{1,4}$/;
  if (dbl >= 0) {
    const left = head.slice(0, dbl);
    const right = head.slice(dbl + 2);
    const groups = [...(left ? left.split(':') : []), ...(right ? right.split(':') : [])];
    return groups.length < groupsNeeded && groups.every((g) => hex.test(g));
  }
  const groups = head.split(':');
  return groups.length === groupsNeeded && groups.every((g) => hex.test(g));
}

export function isIP(s: string): boolean {
  return isIPv4(s) || isIPv6(s);
}

export function checkIP(s: string): string | undefined {
  return isIP(s) ? undefined : `'${s}' is not an IPv4 or IPv6 address`;
}

/** `IP[/prefix]`. */
export function checkIPPrefix(s: string): string | undefined {
  const slash = s.indexOf('/');
  const addr = slash < 0 ? s : s.slice(0, slash);
  if (!isIP(addr)) return `'${addr}' is not an IPv4 or IPv6 address`;
  if (slash >= 0) {
    const max = isIPv4(addr) ? 32 : 128;
    const p = s.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > max) return `prefix length '/${p}' must be 0-${max}`;
  }
  return undefined;
}

export function checkInt(s: string, min: number, max: number): string | undefined {
  if (!/^-?\d+$/.test(s)) return `'${s}' is not an integer`;
  const n = Number(s);
  if (n < min || n > max) return `${s} is outside the range ${min}-${max}`;
  return undefined;
}

export function checkPort(s: string): string | undefined {
  if (!/^\d+$/.test(s)) return `'${s}' is not a port number`;
  return Number(s) > 65535 ? `port ${s} is outside the range 0-65535` : undefined;
}

/** keepalived timers: seconds, fractions allowed. */
export function checkTimer(s: string, min?: number, max?: number): string | undefined {
  if (!(/^\d+(\.\d+)?$/.test(s) || /^\.\d+$/.test(s))) return `'${s}' is not a duration in seconds`;
  const v = Number(s);
  if ((min !== undefined && v < min) || (max !== undefined && v > max)) return `${s} s is outside the range ${min ?? 0}-${max ?? '∞'} s`;
  return undefined;
}

export function checkBool(s: string): string | undefined {
  return /^(on|off|true|false|yes|no)$/i.test(s) ? undefined : `'${s}' is not a boolean (on/off, true/false, yes/no)`;
}

export function checkHex(s: string): string | undefined {
  return /^[0-9a-fA-F]+$/.test(s) ? undefined : `'${s}' is not a hexadecimal string`;
}

/** A dotted netmask (255.255.255.0) or, for IPv6 granularity, a prefix length. keepalived and
 * ipvsadm accept non-contiguous masks, so only the form is checked. */
export function checkNetmask(s: string): string | undefined {
  if (/^\d{1,3}$/.test(s) && Number(s) <= 128) return undefined;
  return isIPv4(s) ? undefined : `'${s}' is not a netmask`;
}

/** Levenshtein distance, bounded: returns max+1 as soon as the distance exceeds max. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (cur[j] < rowMin) rowMin = cur[j];
    }
    if (rowMin > max) return max + 1;
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

/** The closest candidate to `word`, if one is close enough to be a plausible typo. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  const max = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestD = max + 1;
  for (const c of candidates) {
    const cl = c.toLowerCase();
    if (cl === lower) return c;
    // A keyword that the word starts with or extends (lb_algorithm → lb_algo) is a strong hint.
    const d = cl.length >= 4 && (lower.startsWith(cl) || cl.startsWith(lower)) ? 1 : editDistance(lower, cl, max);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}
