// Load measurement in the spirit of lvs-kiss: run a command on each real server
// that prints a number (load average by default; an SNMP get or anything else
// works), and suggest weights inverse to the load, scaled so they add up to the
// current weight sum, as integers.

import type { RemoteHost } from '../ssh/remote';

export const DEFAULT_LOAD_COMMAND = ['cat', '/proc/loadavg'];

export interface LoadSample {
  server: string;
  load?: number;
  error?: string;
}

/** The first number in the output (`0.42 0.30 0.25 1/123 4567` → 0.42). */
export function firstNumber(text: string): number | undefined {
  const m = /-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/.exec(text);
  return m ? Number(m[0]) : undefined;
}

export async function measureLoad(
  servers: { name: string; host: RemoteHost }[],
  argv: string[] = DEFAULT_LOAD_COMMAND,
  timeoutMs = 10_000,
): Promise<LoadSample[]> {
  return Promise.all(
    servers.map(async ({ name, host }) => {
      try {
        const r = await host.exec(argv, { timeoutMs, maxOutputBytes: 64 * 1024 });
        if (r.code !== 0) return { server: name, error: `exit ${r.code}: ${(r.stderr || r.stdout).trim().split('\n')[0]}` };
        const load = firstNumber(r.stdout);
        return load === undefined ? { server: name, error: `no number in the output of ${argv.join(' ')}` } : { server: name, load };
      } catch (e) {
        return { server: name, error: (e as Error).message };
      }
    }),
  );
}

/**
 * Weights inverse to load (a floor keeps an idle server from taking everything),
 * scaled to `total` (the current weight sum), rounded by largest remainder so the
 * sum is kept; every measured server gets at least 1.
 */
export function suggestWeights(loads: { server: string; load: number }[], total: number): Map<string, number> {
  const out = new Map<string, number>();
  if (loads.length === 0) return out;
  const floor = 0.05;
  const inv = loads.map((l) => 1 / Math.max(l.load, floor));
  const sumInv = inv.reduce((a, b) => a + b, 0);
  const target = Math.max(total, loads.length);
  const raw = inv.map((v) => (v / sumInv) * target);
  const base = raw.map((r) => Math.max(1, Math.floor(r)));
  let left = target - base.reduce((a, b) => a + b, 0);
  const order = raw.map((r, i) => ({ i, rem: r - Math.floor(r) })).sort((a, b) => b.rem - a.rem);
  for (let k = 0; left > 0 && k < order.length; k++, left--) base[order[k].i]++;
  // The minimum of 1 may overshoot: take the excess from the largest weights.
  while (left < 0) {
    const i = base.indexOf(Math.max(...base));
    if (base[i] <= 1) break;
    base[i]--;
    left++;
  }
  loads.forEach((l, i) => out.set(l.server, base[i]));
  return out;
}
