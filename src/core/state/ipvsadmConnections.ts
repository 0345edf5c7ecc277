// `ipvsadm -Lnc` (optionally `--persistent-conn`, which adds `pe name` / `pe_data`):
//   pro expire state       source             virtual            destination
//   TCP 01:49  FIN_WAIT    198.51.100.10:48844 192.0.2.100:80     192.0.2.12:80
// Persistence templates have client port 0 and the state NONE / ASSURED.

import { type Endpoint, parseEndpoint } from './endpoint';
import { outputLines, StateParseError } from './parseError';
import { ipvsUnavailableReason } from './ipvsUnavailable';

export interface IpvsConnection {
  protocol: string;
  /** Seconds left before the entry expires. */
  expiresInSec: number;
  state: string;
  client: Endpoint;
  virtual: Endpoint;
  destination: Endpoint;
  /** A persistence template (client port 0), not a real connection. */
  template: boolean;
  peName?: string;
  peData?: string;
  line: number;
}

export function parseIpvsadmConnections(text: string, command = 'ipvsadm -Lnc'): IpvsConnection[] {
  const unavailable = ipvsUnavailableReason(text);
  if (unavailable) throw new StateParseError(command, 0, `IPVS is not available (${unavailable})`);
  const lines = outputLines(text);
  if ((lines[0] ?? '').trim() !== 'IPVS connection entries') {
    throw new StateParseError(command, 1, 'expected "IPVS connection entries"', lines[0] ?? '');
  }
  if (!/^pro\s+expire\s+state\s+source\s+virtual\s+destination/.test(lines[1] ?? '')) {
    throw new StateParseError(command, 2, 'expected the "pro expire state source virtual destination" header', lines[1] ?? '');
  }
  const out: IpvsConnection[] = [];
  for (let i = 2; i < lines.length; i++) {
    const raw = lines[i];
    if (raw.trim() === '') continue;
    const t = raw.trim().split(/\s+/);
    const expire = /^(\d+):(\d\d)$/.exec(t[1] ?? '');
    const client = parseEndpoint(t[3] ?? '');
    const virtual = parseEndpoint(t[4] ?? '');
    const destination = parseEndpoint(t[5] ?? '');
    if (t.length < 6 || !expire || !client || !virtual || !destination) {
      throw new StateParseError(command, i + 1, 'unexpected connection entry', raw);
    }
    const c: IpvsConnection = {
      protocol: t[0].toLowerCase(),
      expiresInSec: Number(expire[1]) * 60 + Number(expire[2]),
      state: t[2],
      client,
      virtual,
      destination,
      template: client.port === 0,
      line: i + 1,
    };
    if (t[6] !== undefined) c.peName = t[6];
    if (t.length > 7) c.peData = t.slice(7).join(' ');
    out.push(c);
  }
  return out;
}
