// The one place where remote command lines are built. Every value that reaches a
// remote shell (interface, BPF filter, path, host name, user) goes through
// `shellQuote`, and values that cannot be valid are refused here, before anything
// runs, so `eth0;reboot` never reaches a host even quoted.

/** Error for a value refused before any command runs; names the field and the value. */
export class InvalidValueError extends Error {
  constructor(
    readonly field: string,
    readonly value: string,
    reason: string,
  ) {
    super(`invalid ${field} ${JSON.stringify(value)}: ${reason}`);
    this.name = 'InvalidValueError';
  }
}

/**
 * POSIX single-quote quoting: inside '…' nothing is special, so the only thing
 * to handle is the single quote itself, written as '\'' (close, escaped quote, reopen).
 * Plain words made only of safe characters stay bare for readable logs.
 */
export function shellQuote(arg: string): string {
  if (arg.includes('\0')) throw new InvalidValueError('argument', arg, 'contains a NUL byte');
  if (arg !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Builds the command line for an argument vector: each element quoted, joined by spaces. */
export function commandLine(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('empty command');
  return argv.map(shellQuote).join(' ');
}

// Linux: IFNAMSIZ is 16 including the NUL, and dev_valid_name() refuses "", ".",
// "..", '/', ':' and whitespace. We also refuse shell metacharacters outright:
// an interface name that needs quoting is a mistake, not a name.
export function validateInterface(name: string): string {
  const fail = (why: string): never => {
    throw new InvalidValueError('interface name', name, why);
  };
  if (name.length < 1 || name.length > 15) fail('must be 1 to 15 characters (Linux IFNAMSIZ)');
  if (name === '.' || name === '..') fail('"." and ".." are not interface names');
  if (!/^[A-Za-z0-9_.@-]+$/.test(name))
    fail('only letters, digits and . _ - @ are allowed (no spaces, "/", ":" or shell characters)');
  if (name.startsWith('-')) fail('must not start with "-"');
  return name;
}

export const MAX_FILTER_LENGTH = 4096;

/** A BPF filter expression: printable text of bounded length, one line, no NUL. */
export function validateBpfFilter(filter: string): string {
  const fail = (why: string): never => {
    throw new InvalidValueError('capture filter', filter, why);
  };
  if (filter.length > MAX_FILTER_LENGTH) fail(`longer than ${MAX_FILTER_LENGTH} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(filter)) fail('contains a control character (newline, NUL, ...)');
  if (filter.trim().startsWith('-')) fail('must not start with "-" (tcpdump would read it as an option)');
  if (/[`$;|&<>\\]/.test(filter)) fail('contains a character that has no place in a BPF filter (` $ ; | & < > \\)');
  return filter;
}

/** An absolute remote path made of ordinary characters. */
export function validateRemotePath(p: string): string {
  const fail = (why: string): never => {
    throw new InvalidValueError('remote path', p, why);
  };
  if (!p.startsWith('/')) fail('must be absolute');
  if (p.length > 1024) fail('longer than 1024 characters');
  if (!/^[A-Za-z0-9_./@+-]+$/.test(p)) fail('only letters, digits and / . _ - + @ are allowed');
  if (p.split('/').includes('..')) fail('must not contain ".."');
  return p;
}

/** A host name or IPv4/IPv6 address (RFC 1123 labels; no shell characters). */
export function validateHostName(h: string): string {
  const fail = (why: string): never => {
    throw new InvalidValueError('host name', h, why);
  };
  if (h.length < 1 || h.length > 253) fail('must be 1 to 253 characters');
  if (h.includes(':')) {
    if (!/^[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]{1,15})?$/.test(h)) fail('not a valid IPv6 address');
    return h;
  }
  if (h.startsWith('-')) fail('must not start with "-"');
  for (const label of h.split('.')) {
    if (!/^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/.test(label))
      fail('each dot-separated part must be letters, digits, "-" or "_" (1 to 63 characters)');
  }
  return h;
}

/** A Unix user name as useradd accepts it. */
export function validateUserName(u: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?$/.test(u))
    throw new InvalidValueError('user name', u, 'must start with a letter or "_" and hold only letters, digits, . _ -');
  return u;
}

/** An IPv4 or IPv6 address literal (used inside BPF filters we build). */
export function validateAddress(a: string): string {
  const v4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
  const v6 = /^[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*$/;
  if (!v4.test(a) && !(v6.test(a) && a.length <= 45))
    throw new InvalidValueError('IP address', a, 'not an IPv4 or IPv6 address');
  return a;
}
