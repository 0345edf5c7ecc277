// Builds an AnalysisResult by hand for the webview tests and the benchmark: a DR
// service seen at the client, the director and two real servers, where rs2 never
// answers (so there is a finding that cites packets and connections that stop).
// `hostile` puts markup in every host- and packet-derived string.
import type { AnalysisResult, Connection, Hop, Lane } from '../../src/core/analysis/result';
import type { Finding } from '../../src/core/findings/finding';

export interface SyntheticOptions {
  connections: number;
  /** Inject `<script>` / `<img onerror>` payloads into names and summaries. */
  hostile?: boolean;
}

export const XSS_SCRIPT = '<script>window.__xss = "script"</script>';
export const XSS_IMG = '<img src=x onerror="window.__xss = \'img\'">';

export function syntheticAnalysis(opts: SyntheticOptions): AnalysisResult {
  const bad = opts.hostile ? ` ${XSS_IMG}` : '';
  const hosts = ['client' + bad, 'director' + bad, 'rs1' + bad, 'rs2' + (opts.hostile ? ` ${XSS_SCRIPT}` : '')];
  const roles = ['client', 'director', 'real-server', 'real-server'] as const;
  const lanes: Lane[] = hosts.map((host, point) => ({ point, host, role: roles[point], interface: 'eth0', packetCount: 0 }));
  const vip = '192.0.2.100';
  const mac = ['02:00:00:00:00:01', '02:00:00:00:00:0a', '02:00:00:00:00:0b', '02:00:00:00:00:0c'];
  const t0 = 1_764_000_000;
  const connections: Connection[] = [];
  const cited: number[] = [];
  let n = [0, 0, 0, 0];
  const next = (point: number): number => (n[point] += 1);
  for (let c = 0; c < opts.connections; c++) {
    const rs = c % 2 === 0 ? 2 : 3;
    const port = 40000 + (c % 20000);
    const start = t0 + c * 0.01;
    const hops: Hop[] = [];
    const push = (point: number, direction: 'request' | 'reply', summary: string, dt: number, extra: Partial<Hop> = {}): number => {
      const fromClient = direction === 'request';
      hops.push({
        ref: { point, n: next(point) },
        ts: start + dt,
        direction,
        summary: summary + (opts.hostile ? ` ${XSS_SCRIPT}` : ''),
        src: fromClient ? '198.51.100.7' : vip,
        dst: fromClient ? vip : '198.51.100.7',
        sport: fromClient ? port : 80,
        dport: fromClient ? 80 : port,
        ...extra,
      });
      return hops.length - 1;
    };
    const request = (summary: string, dt: number): void => {
      push(0, 'request', summary, dt, { srcMac: mac[0], dstMac: mac[1] });
      const d = push(1, 'request', summary, dt + 0.0002, { sameAs: hops.length - 1, latencyMs: 0.2, srcMac: mac[0], dstMac: mac[1] });
      push(rs, 'request', summary, dt + 0.0004, {
        sameAs: d,
        latencyMs: 0.2,
        rewrite: 'mac',
        rewriteText: `MAC rewrite → ${mac[rs]}`,
        srcMac: mac[1],
        dstMac: mac[rs],
      });
    };
    const reply = (summary: string, dt: number): void => {
      const r = push(rs, 'reply', summary, dt);
      push(0, 'reply', summary, dt + 0.0003, { sameAs: r, latencyMs: 0.3 });
    };
    request('S', 0);
    if (rs === 2) {
      reply('S.', 0.001);
      request('.', 0.002);
      request('P. 73', 0.003);
      reply('P. 1460', 0.004);
      request('F.', 0.005);
      reply('F.', 0.006);
      request('.', 0.007);
    } else {
      request('S', 1.0);
      request('S', 3.0);
      cited.push(...hops.filter((h) => h.ref.point === 3).map((h) => h.ref.n));
    }
    connections.push({
      id: `tcp-${c + 1}`,
      protocol: 'tcp',
      client: '198.51.100.7' + (opts.hostile ? XSS_IMG : ''),
      clientPort: port,
      vip,
      vport: 80,
      realServer: rs === 2 ? 'rs1' : 'rs2' + (opts.hostile ? XSS_SCRIPT : ''),
      state: rs === 2 ? 'complete' : 'no-reply',
      stoppedAt: rs === 2 ? undefined : { point: 3, reason: 'rs2 never answered the SYN' + (opts.hostile ? XSS_IMG : '') },
      start,
      end: hops[hops.length - 1].ts,
      packets: hops.length,
      hops,
      findings: rs === 2 ? undefined : ['rs-no-reply'],
    });
  }
  lanes.forEach((l, i) => (l.packetCount = n[i]));
  const findings: Finding[] =
    opts.connections > 1
      ? [
          {
            code: 'rs-no-reply',
            severity: 'error',
            message: 'rs2 receives the SYNs for 192.0.2.100:80 and never answers.' + (opts.hostile ? XSS_SCRIPT + XSS_IMG : ''),
            advice: 'Check that the VIP is configured on lo of rs2 (DR).' + (opts.hostile ? XSS_IMG : ''),
            evidence: [{ host: hosts[3], file: 'pcap/rs2-eth0.pcap', packets: cited.slice(0, 50), text: 'SYNs without answer' + (opts.hostile ? XSS_SCRIPT : '') }],
            realServer: 'rs2',
          },
        ]
      : [];
  n = n.map(() => 0);
  const packets = lanes.reduce((s, l) => s + l.packetCount, 0);
  return {
    folder: '/synthetic',
    manifest: {
      format: 1,
      target: { vip, protocol: 'tcp', port: 80 },
      services: [],
      points: lanes.map((l) => ({ host: l.host, role: l.role, interface: l.interface, file: `pcap/${l.host.split(' ')[0]}-eth0.pcap` })),
    },
    lanes,
    connections,
    findings,
    stats: { packets, connections: connections.length, durationSec: opts.connections * 0.01 + 3 },
  };
}
