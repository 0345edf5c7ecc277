// `ss -lntu` (listening TCP and UDP sockets, numeric), with or without the header:
//   Netid State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess
//   tcp   LISTEN 0      128          0.0.0.0:80        0.0.0.0:*
//   udp   UNCONN 0      0       192.0.2.100%lo:9000    0.0.0.0:*
// (the header's last two columns run together on current iproute2.)

import { type Endpoint, isWildcardAddress, parseEndpoint } from './endpoint';
import { outputLines, StateParseError } from './parseError';

export interface ListeningSocket {
  protocol: 'tcp' | 'udp' | 'sctp' | string;
  state: string;
  local: Endpoint;
  line: number;
}

const netids = new Set(['tcp', 'udp', 'sctp', 'raw', 'u_str', 'u_dgr', 'u_seq', 'p_raw', 'p_dgr', 'nl', 'v_str', 'v_dgr', 'mptcp', 'tipc', 'xdp']);

export interface SsListenOutput {
  sockets: ListeningSocket[];
  /** Lines not understood, skipped (one odd line must not hide every listener). */
  skipped: { line: number; text: string }[];
}

/** Every socket line; a line of an unknown shape is skipped and reported in `skipped`. */
export function parseSsListenOutput(text: string): SsListenOutput {
  const out: SsListenOutput = { sockets: [], skipped: [] };
  outputLines(text).forEach((raw, i) => {
    const lineNo = i + 1;
    const t = raw.trim().split(/\s+/);
    if (raw.trim() === '' || t[0] === 'Netid' || t[0] === 'State') return;
    let k = 0;
    let protocol = 'tcp';
    if (netids.has(t[0])) protocol = t[k++];
    const state = t[k++];
    const local = parseEndpoint(t[k + 2] ?? '');
    if (!state || !/^\d+$/.test(t[k] ?? '') || !local) {
      out.skipped.push({ line: lineNo, text: raw });
      return;
    }
    out.sockets.push({ protocol, state, local, line: lineNo });
  });
  return out;
}

/** Strict form: throws on the first line it does not understand. */
export function parseSsListen(text: string, command = 'ss -lntu'): ListeningSocket[] {
  const r = parseSsListenOutput(text);
  const bad = r.skipped[0];
  if (bad) throw new StateParseError(command, bad.line, 'expected "Netid State Recv-Q Send-Q Local:Port Peer:Port"', bad.text);
  return r.sockets;
}

/**
 * Sockets that accept `protocol` traffic to `address:port`: bound to that address
 * or to a wildcard (a device-bound wildcard only counts for that device's traffic,
 * which we cannot know here, so it counts).
 */
export function listenersFor(sockets: ListeningSocket[], protocol: string, address: string, port: number): ListeningSocket[] {
  return sockets.filter(
    (s) =>
      s.protocol === protocol &&
      s.local.port === port &&
      (isWildcardAddress(s.local.address) || s.local.address === address || s.local.address === `::ffff:${address}`),
  );
}
