// `npm run bench -- check`: (1) parsing a busy director's `ipvsadm -Lnc` against the
// bare minimum any parser does (split lines and fields); (2) the cluster check over
// 12 hosts whose every command takes 40 ms, all at once, against the same reads done
// one host after another — what reading hosts in parallel buys.
import { performance } from 'node:perf_hooks';
import { checkCluster, collectHostState, type CheckHost } from '../../src/core/check';
import { parseIpvsadmConnections } from '../../src/core/state';
import type { ExecResult, RemoteHost } from '../../src/core/ssh/remote';

function connectionTable(n: number): string {
  const lines = ['IPVS connection entries', 'pro expire state       source             virtual            destination'];
  for (let i = 0; i < n; i++) {
    const c = `198.51.${(i >> 8) & 255}.${i & 255}:${1024 + (i % 60000)}`;
    lines.push(`TCP 14:${String(i % 60).padStart(2, '0')}  ESTABLISHED ${c.padEnd(18)} 192.0.2.100:80     192.0.2.${11 + (i % 4)}:80`);
  }
  return `${lines.join('\n')}\n`;
}

function best(fn: () => void, rounds = 5): number {
  let min = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    fn();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

/** A host whose every command answers after `delayMs` with a small valid output. */
function slowHost(name: string, delayMs: number): RemoteHost {
  const outputs: Record<string, string> = {
    ip: '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 state UNKNOWN\n    inet 127.0.0.1/8 scope host lo\n',
    sysctl: 'net.ipv4.ip_forward = 0\n',
    ss: 'Netid State Recv-Q Send-Q Local Address:Port Peer Address:Port\n',
  };
  return {
    name,
    exec: (argv: string[]) =>
      new Promise<ExecResult>((res) => setTimeout(() => res({ stdout: outputs[argv[0]] ?? '', stderr: '', code: outputs[argv[0]] ? 0 : 127 }), delayMs)),
    download: async () => {},
    close: async () => {},
  };
}

export async function run(): Promise<void> {
  const n = 50_000;
  const text = connectionTable(n);
  const baseline = best(() => {
    let k = 0;
    for (const l of text.split('\n')) k += l.trim().split(/\s+/).length;
    if (k === 0) throw new Error('unreachable');
  });
  const parsed = best(() => {
    if (parseIpvsadmConnections(text).length !== n) throw new Error('wrong count');
  });
  process.stdout.write(`| ipvsadm -Lnc, ${n} entries | ${parsed.toFixed(1)} ms | baseline split ${baseline.toFixed(1)} ms | ratio ${(parsed / baseline).toFixed(2)} | ${((n / parsed) * 1000 / 1e6).toFixed(2)} M entries/s |\n`);

  const delay = 40;
  const names = Array.from({ length: 12 }, (_, i) => (i < 2 ? `dir${i}` : `rs${i}`));
  const hosts = new Map<string, CheckHost>(names.map((h) => [h, { role: h.startsWith('dir') ? 'director' : 'real-server', host: slowHost(h, delay) }]));
  let t = performance.now();
  await checkCluster({ hosts });
  const parallel = performance.now() - t;
  t = performance.now();
  for (const [name, h] of hosts) await collectHostState(name, h.host, h.role);
  const sequential = performance.now() - t;
  process.stdout.write(`| check, 12 hosts, ${delay} ms per command | parallel ${parallel.toFixed(0)} ms | one host after another ${sequential.toFixed(0)} ms | speed-up ${(sequential / parallel).toFixed(1)}x |\n`);
}
