// `ipvsadm-save -n` / `ipvsadm -S -n`: the rules as ipvsadm command lines.
//   -A -t 192.0.2.100:80 -s rr [-p 300] [-M mask] [--pe sip] [-o] [-b flag-1]
//   -a -t 192.0.2.100:80 -r 192.0.2.11:80 -g -w 1 [--tun-type ipip ...]
// Read into the same shape as `ipvsadm -Ln` so the check can use either.

import { parseEndpoint } from './endpoint';
import type { IpvsDestination, IpvsForward, IpvsService, IpvsTable } from './ipvsadmList';
import { outputLines, StateParseError } from './parseError';

const serviceOptions: Record<string, IpvsService['protocol']> = {
  '-t': 'tcp',
  '--tcp-service': 'tcp',
  '-u': 'udp',
  '--udp-service': 'udp',
  '--sctp-service': 'sctp',
  '-f': 'fwm',
  '--fwmark-service': 'fwm',
};
const methodOptions: Record<string, IpvsForward> = {
  '-g': 'Route',
  '--gatewaying': 'Route',
  '-m': 'Masq',
  '--masquerading': 'Masq',
  '-i': 'Tunnel',
  '--ipip': 'Tunnel',
};
const valueOptions = new Set(['-s', '--scheduler', '-p', '--persistent', '-M', '--netmask', '--pe', '-b', '--sched-flags',
  '-r', '--real-server', '-w', '--weight', '-x', '--u-threshold', '-y', '--l-threshold', '--tun-type', '--tun-port']);

export function parseIpvsadmSave(text: string, command = 'ipvsadm-save -n'): IpvsTable {
  const services: IpvsService[] = [];
  const byKey = new Map<string, IpvsService>();
  const lines = outputLines(text);
  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    const number = (v: string, what: string): number => {
      if (!/^\d+$/.test(v)) throw new StateParseError(command, lineNo, `bad ${what} "${v}"`, raw);
      return Number(v);
    };
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const t = line.split(/\s+/);
    const cmd = t[0];
    if (cmd !== '-A' && cmd !== '-a') throw new StateParseError(command, lineNo, 'expected a line starting with -A or -a', raw);
    let protocol: IpvsService['protocol'] | undefined;
    let spec: string | undefined;
    const opts = new Map<string, string>();
    const flags = new Set<string>();
    for (let k = 1; k < t.length; k++) {
      const o = t[k];
      if (serviceOptions[o]) {
        protocol = serviceOptions[o];
        spec = t[++k];
      } else if (methodOptions[o]) {
        opts.set('method', methodOptions[o]);
      } else if (valueOptions.has(o)) {
        const v = t[k + 1];
        if (v === undefined) throw new StateParseError(command, lineNo, `option ${o} needs a value`, raw);
        opts.set(o.replace(/^--?/, ''), v);
        k++;
      } else if (['-o', '--ops', '-6', '--ipv6', '--tun-nocsum', '--tun-csum', '--tun-remcsum'].includes(o)) {
        flags.add(o);
      } else {
        throw new StateParseError(command, lineNo, `unknown option "${o}"`, raw);
      }
    }
    if (!protocol || spec === undefined) throw new StateParseError(command, lineNo, 'no service (-t/-u/--sctp-service/-f)', raw);
    const svcBase: Pick<IpvsService, 'protocol' | 'vip' | 'port' | 'fwmark'> = { protocol };
    if (protocol === 'fwm') {
      if (!/^\d+$/.test(spec)) throw new StateParseError(command, lineNo, 'bad firewall mark', raw);
      svcBase.fwmark = Number(spec);
    } else {
      const ep = parseEndpoint(spec);
      if (!ep || ep.port === undefined) throw new StateParseError(command, lineNo, 'bad service address:port', raw);
      svcBase.vip = ep.address;
      svcBase.port = ep.port;
    }
    const key = `${protocol}|${svcBase.vip ?? ''}|${svcBase.port ?? ''}|${svcBase.fwmark ?? ''}`;
    if (cmd === '-A') {
      const svc: IpvsService = { ...svcBase, destinations: [], line: lineNo };
      svc.scheduler = opts.get('s') ?? opts.get('scheduler') ?? 'wlc';
      const p = opts.get('p') ?? opts.get('persistent');
      if (p !== undefined) svc.persistenceSeconds = number(p, 'persistence timeout');
      const mask = opts.get('M') ?? opts.get('netmask');
      if (mask !== undefined) svc.persistenceNetmask = mask;
      const pe = opts.get('pe');
      if (pe !== undefined) svc.persistenceEngine = pe;
      const b = opts.get('b') ?? opts.get('sched-flags');
      if (b !== undefined) svc.schedulerFlags = b.split(',').filter(Boolean);
      if (flags.has('-o') || flags.has('--ops')) svc.onePacket = true;
      if (flags.has('-6') || flags.has('--ipv6') || (svc.vip ?? '').includes(':')) svc.ipv6 = true;
      services.push(svc);
      byKey.set(key, svc);
      return;
    }
    const svc = byKey.get(key);
    if (!svc) throw new StateParseError(command, lineNo, 'real server for a service not defined above', raw);
    const rs = opts.get('r') ?? opts.get('real-server');
    // The port may be left out (it then defaults to the service port).
    const ep = rs === undefined ? undefined : /^[\d.]+$/.test(rs) ? { address: rs, port: undefined } : parseEndpoint(rs);
    if (!ep) throw new StateParseError(command, lineNo, 'bad or missing -r real server', raw);
    const d: IpvsDestination = {
      address: ep.address,
      port: ep.port ?? svc.port ?? 0,
      forward: (opts.get('method') as IpvsForward | undefined) ?? 'Route',
      weight: number(opts.get('w') ?? opts.get('weight') ?? '1', 'weight'),
      line: lineNo,
    };
    const x = opts.get('x') ?? opts.get('u-threshold');
    const y = opts.get('y') ?? opts.get('l-threshold');
    if (x !== undefined) d.upperThreshold = number(x, 'upper threshold');
    if (y !== undefined) d.lowerThreshold = number(y, 'lower threshold');
    svc.destinations.push(d);
  });
  return { serviceColumns: ['Scheduler', 'Flags'], destinationColumns: ['Forward', 'Weight'], services };
}
