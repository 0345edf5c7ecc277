// Errors in words a person can act on: which host, which address, what happened,
// and what to do. ssh2's own messages can be empty or cryptic, so they are mapped here.

export type SshErrorKind =
  | 'timeout'
  | 'refused'
  | 'unreachable'
  | 'dns'
  | 'auth'
  | 'host-key-changed'
  | 'host-key-rejected'
  | 'host-key-revoked'
  | 'connection-lost'
  | 'jump'
  | 'command-timeout'
  | 'sudo'
  | 'other';

export class SshError extends Error {
  constructor(
    readonly kind: SshErrorKind,
    readonly host: string,
    message: string,
  ) {
    super(message);
    this.name = 'SshError';
  }
}

/** `rs2 (192.0.2.12:22)` */
export function hostLabel(name: string, host: string, port: number): string {
  const addr = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return name === host ? addr : `${name} (${addr})`;
}

export function seconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

/** Maps a socket / ssh2 connection error to an SshError. */
export function describeConnectError(err: Error & { code?: string; level?: string }, name: string, label: string): SshError {
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED')
    return new SshError('refused', name, `${label}: connection refused (is sshd running and listening on that port?)`);
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH')
    return new SshError('unreachable', name, `${label}: no route to host (${code})`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return new SshError('dns', name, `${label}: host name does not resolve (${code})`);
  if (code === 'ECONNRESET' || code === 'EPIPE')
    return new SshError('connection-lost', name, `${label}: connection reset by the remote side`);
  if (code === 'ETIMEDOUT') return new SshError('timeout', name, `${label}: connection timed out (${code})`);
  const msg = err.message || code || err.name || 'unknown error';
  return new SshError('other', name, `${label}: ${msg}`);
}
