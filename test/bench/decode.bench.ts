// `npm run bench -- decode`: our reader + full decoder against pcap-parser framing and
// tshark -T fields on the same generated capture, side by side, plus peak memory for a
// 1M- and a 2M-packet file. The core is bundled with esbuild exactly as the CLI and the
// extension ship it (running through tsx's per-module wrappers would measure tsx). Each
// measurement runs in its own Node process so that peak RSS belongs to that reader alone.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { hasCommand, repoRoot } from '../helpers/env';
import { framePool, writeBenchCapture } from './decodeCapture';

interface Measured {
  packets: number;
  /** Best of the repeats. */
  wallSec: number;
  cpuSec: number;
  maxRssMiB: number;
}

// Runs inside the child: argv = bundle, pcap-parser path, kind, file, repeats.
const WORKER = `
const [bundle, pcapParserPath, kind, file, repeats] = process.argv.slice(2);
const core = require(bundle);
async function once() {
  const c0 = process.cpuUsage(); const t0 = process.hrtime.bigint();
  let packets = 0;
  if (kind === 'decode') {
    core.readPackets(file, () => { packets++; });
  } else if (kind === 'framing') {
    core.readFrames(file, () => { packets++; });
  } else {
    await new Promise((resolve, reject) => {
      const parser = require(pcapParserPath).parse(file);
      parser.on('packet', () => { packets++; });
      parser.on('end', resolve);
      parser.on('error', reject);
    });
  }
  const c = process.cpuUsage(c0);
  return { packets, wallSec: Number(process.hrtime.bigint() - t0) / 1e9, cpuSec: (c.user + c.system) / 1e6 };
}
(async () => {
  let best;
  for (let r = 0; r < Number(repeats); r++) {
    const m = await once();
    if (!best || m.wallSec < best.wallSec) best = m;
  }
  best.maxRssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify(best));
})().catch((e) => { console.error(e); process.exit(1); });
`;

function measure(dir: string, kind: 'decode' | 'framing' | 'pcap-parser', file: string, repeats: number): Promise<Measured> {
  const worker = path.join(dir, 'worker.js');
  const bundle = path.join(dir, 'core.js');
  const pcapParser = require.resolve('pcap-parser', { paths: [repoRoot] });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [worker, bundle, pcapParser, kind, file, String(repeats)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as Measured) : reject(new Error(`${kind} worker exited ${code}`))));
  });
}

/** Wall and CPU seconds of tshark -T fields (CPU from bash's `times` for its children). */
function tsharkFields(file: string): { wallSec: number; cpuSec: number } {
  const fields = ['frame.number', 'eth.src', 'eth.dst', 'ip.src', 'ip.dst', 'ip.id', 'tcp.srcport', 'tcp.dstport', 'tcp.flags', 'tcp.seq_raw', 'tcp.ack_raw', 'udp.srcport', 'udp.dstport', 'arp.opcode', 'vrrp.virt_rtr_id', 'vrrp.prio'];
  const script = `tshark -n -r "$1" -T fields ${fields.map((f) => `-e ${f}`).join(' ')} >/dev/null 2>&1; times`;
  const t0 = process.hrtime.bigint();
  const out = execFileSync('bash', ['-c', script, 'bash', file], { encoding: 'utf8' });
  const wallSec = Number(process.hrtime.bigint() - t0) / 1e9;
  // `times` prints the shell's then its children's user and system time: "0m1.234s 0m0.056s".
  const children = out.trim().split('\n').pop() ?? '';
  const secs = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  return { wallSec, cpuSec: secs.reduce((a, b) => a + b, 0) };
}

const rate = (packets: number, sec: number) => {
  const r = packets / sec;
  return r >= 1e6 ? `${(r / 1e6).toFixed(2)} M pkt/s` : `${(r / 1e3).toFixed(1)} k pkt/s`;
};

export async function run(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-decode-bench-'));
  try {
    esbuild.buildSync({
      stdin: { contents: "export * from './src/core/decode'; export * from './src/core/pcap';", resolveDir: repoRoot, loader: 'ts' },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile: path.join(dir, 'core.js'),
      logLevel: 'error',
    });
    fs.writeFileSync(path.join(dir, 'worker.js'), WORKER);
    const pool = framePool();
    const oneM = path.join(dir, '1m.pcap');
    const twoM = path.join(dir, '2m.pcap');
    const slice = path.join(dir, 'tshark-slice.pcap');
    const TSHARK_SLICE = 100_000;
    writeBenchCapture(oneM, 1_000_000, pool);
    writeBenchCapture(twoM, 2_000_000, pool);
    writeBenchCapture(slice, TSHARK_SLICE, pool);
    const mib = (f: string) => (fs.statSync(f).size / 1048576).toFixed(0);
    process.stdout.write(`capture: 1,000,000 mixed frames (TCP/UDP/ARP/VRRP/IP-in-IP), ${mib(oneM)} MiB; 2,000,000 frames, ${mib(twoM)} MiB\n`);
    process.stdout.write(`machine: ${os.cpus().length} CPU(s), load average ${os.loadavg()[0].toFixed(1)} (rates are best of 3; CPU-time rates are per core)\n\n`);

    const decode1 = await measure(dir, 'decode', oneM, 3);
    const framing1 = await measure(dir, 'framing', oneM, 3);
    const parser1 = await measure(dir, 'pcap-parser', oneM, 1);
    const decode2 = await measure(dir, 'decode', twoM, 1);
    const rows: string[][] = [
      ['reader', 'file', 'wall rate', 'CPU rate', 'peak RSS'],
      ['ours: read + full decode', '1M', rate(decode1.packets, decode1.wallSec), rate(decode1.packets, decode1.cpuSec), `${decode1.maxRssMiB.toFixed(0)} MiB`],
      ['ours: read + full decode', '2M', rate(decode2.packets, decode2.wallSec), rate(decode2.packets, decode2.cpuSec), `${decode2.maxRssMiB.toFixed(0)} MiB`],
      ['ours: framing only', '1M', rate(framing1.packets, framing1.wallSec), rate(framing1.packets, framing1.cpuSec), `${framing1.maxRssMiB.toFixed(0)} MiB`],
      ['pcap-parser: framing only', '1M', rate(parser1.packets, parser1.wallSec), rate(parser1.packets, parser1.cpuSec), `${parser1.maxRssMiB.toFixed(0)} MiB`],
    ];
    let tshark: { wallSec: number; cpuSec: number } | undefined;
    if (hasCommand('tshark')) {
      tshark = tsharkFields(slice);
      rows.push(['tshark -T fields (16 fields)', `${TSHARK_SLICE / 1000}k slice`, rate(TSHARK_SLICE, tshark.wallSec), rate(TSHARK_SLICE, tshark.cpuSec), '-']);
    } else {
      rows.push(['tshark -T fields', '-', 'not installed', '', '']);
    }
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    for (const r of rows) process.stdout.write(`${r.map((cell, c) => cell.padEnd(widths[c])).join('  ')}\n`);
    // Ratios on CPU time: the machine may be shared, and wall time then measures the others.
    const cpuRate = (m: { packets: number; cpuSec: number }) => m.packets / m.cpuSec;
    const ours = cpuRate(decode1);
    process.stdout.write('\nratios (CPU-time rates)\n');
    process.stdout.write(`full decode / pcap-parser framing: ${(ours / cpuRate(parser1)).toFixed(1)}x\n`);
    process.stdout.write(`full decode / our framing only:    ${(ours / cpuRate(framing1)).toFixed(2)}x\n`);
    if (tshark) {
      process.stdout.write(`full decode / tshark -T fields:     ${(ours / (TSHARK_SLICE / tshark.cpuSec)).toFixed(0)}x CPU, ${(decode1.packets / decode1.wallSec / (TSHARK_SLICE / tshark.wallSec)).toFixed(0)}x wall (target >= 100x)\n`);
    }
    process.stdout.write(`full decode CPU rate: ${rate(decode1.packets, decode1.cpuSec)} (target >= 3 M pkt/s on one core)\n`);
    process.stdout.write(`peak RSS 1M vs 2M packets: ${decode1.maxRssMiB.toFixed(0)} MiB vs ${decode2.maxRssMiB.toFixed(0)} MiB (memory independent of file size)\n`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
