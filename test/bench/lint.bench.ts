// Lint speed on a generated 10,000-line keepalived.conf (many virtual servers,
// real servers and checkers): full lint (parse + schema checks + model + rules)
// vs parse only, median of several runs; `keepalived -t` on the same file as the
// outside baseline where it is installed. Target: full lint well under 50 ms.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lintText } from '../../src/core/config';
import { parseKeepalived } from '../../src/core/config/keepalived/parser';

function generate(targetLines: number): string {
  const out: string[] = ['global_defs {', '    router_id LVS_BENCH', '}'];
  out.push('vrrp_instance VI_1 {', '    state BACKUP', '    interface eth0', '    virtual_router_id 51', '    priority 100', '    advert_int 1', '    virtual_ipaddress {');
  for (let i = 0; i < 50; i++) out.push(`        192.0.2.${i + 1}/24 dev eth0`);
  out.push('    }', '}');
  let vs = 0;
  while (out.length < targetLines) {
    const vip = `192.0.2.${(vs % 50) + 1}`;
    const port = 1000 + vs;
    out.push(`virtual_server ${vip} ${port} {`, '    delay_loop 6', `    lb_algo ${vs % 2 ? 'wlc' : 'rr'}`, `    lb_kind ${vs % 3 ? 'DR' : 'NAT'}`, '    protocol TCP', '    persistence_timeout 300');
    for (let r = 0; r < 8; r++) {
      out.push(`    real_server 10.${vs % 250}.${r}.${(vs % 200) + 1} ${port} {`, '        weight 1', '        inhibit_on_failure');
      if (r % 2) out.push('        HTTP_GET {', '            url {', '                path /health', '                status_code 200', '            }', '            connect_timeout 3', '            retry 2', '            delay_before_retry 1', '        }');
      else out.push('        TCP_CHECK {', '            connect_timeout 3', '            connect_port 80 # probe the web port', '        }');
      out.push('    }');
    }
    out.push('}');
    vs++;
  }
  return out.join('\n') + '\n';
}

/** Median wall time and median CPU time (user+system) of `runs` calls, in ms. CPU time is
 * what the lint costs; wall time also counts waiting for a core on a busy machine. */
function median(runs: number, fn: () => void): { wall: number; cpu: number } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    fn();
    wall.push(Number(process.hrtime.bigint() - t0) / 1e6);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const mid = (a: number[]): number => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
  return { wall: mid(wall), cpu: mid(cpu) };
}

export async function run(): Promise<void> {
  const text = generate(10000);
  const lines = text.split('\n').length - 1;
  const file = path.join(os.tmpdir(), `lvs-bench-${process.pid}.keepalived.conf`);
  fs.writeFileSync(file, text);
  try {
    let diagCount = 0;
    // Warm up the JIT the way an editor session would be warm.
    for (let i = 0; i < 3; i++) diagCount = lintText(text, file).length;
    const lint = median(15, () => lintText(text, file));
    const parse = median(15, () => parseKeepalived(text, file, []));
    const rows: Array<[string, string]> = [
      ['config lines', String(lines)],
      ['diagnostics', String(diagCount)],
      ['parse only (median of 15)', `${parse.wall.toFixed(2)} ms wall, ${parse.cpu.toFixed(2)} ms CPU`],
      ['full lint (median of 15)', `${lint.wall.toFixed(2)} ms wall, ${lint.cpu.toFixed(2)} ms CPU (target < 50 ms: ${lint.wall < 50 ? 'met' : lint.cpu < 50 ? 'met in CPU time; wall time inflated by a busy machine' : 'MISSED'})`],
      ['full lint / parse (CPU)', `${(lint.cpu / parse.cpu).toFixed(2)}x`],
    ];
    const ka = spawnSync('keepalived', ['--version'], { encoding: 'utf8' });
    if (ka.status === 0 || ka.stderr?.includes('Keepalived')) {
      const t0 = process.hrtime.bigint();
      const r = spawnSync('keepalived', ['-t', '-f', file], { encoding: 'utf8', timeout: 60000 });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      rows.push([`keepalived -t (one run, exit ${r.status})`, `${ms.toFixed(1)} ms wall (${(ms / lint.wall).toFixed(1)}x our full lint)`]);
    }
    for (const [k, v] of rows) process.stdout.write(`${k.padEnd(36)} ${v}\n`);
  } finally {
    fs.rmSync(file, { force: true });
  }
}
