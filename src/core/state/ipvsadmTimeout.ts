// `ipvsadm -L --timeout`: `Timeout (tcp tcpfin udp): 900 120 300`.

import { outputLines, StateParseError } from './parseError';

export interface IpvsTimeouts {
  tcp: number;
  tcpFin: number;
  udp: number;
}

export function parseIpvsadmTimeout(text: string, command = 'ipvsadm -L --timeout'): IpvsTimeouts {
  const lines = outputLines(text).filter((l) => l.trim() !== '');
  const m = /^Timeout \(tcp tcpfin udp\): (\d+) (\d+) (\d+)\s*$/.exec(lines[0] ?? '');
  if (!m || lines.length !== 1) {
    throw new StateParseError(command, 1, 'expected "Timeout (tcp tcpfin udp): N N N"', lines[0] ?? '');
  }
  return { tcp: Number(m[1]), tcpFin: Number(m[2]), udp: Number(m[3]) };
}
