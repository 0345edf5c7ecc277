// What share of new connections each real server should get from one client,
// given the scheduler, the weights and persistence (ipvsadm(8) scheduler
// descriptions; reference §3.2; the kernel's ip_vs_*.c for lblc, lblcr, sed and
// nq, whose choice for a sequential probe is one server). Weight 0 = quiescent:
// no new connections.

export interface WeightedServer {
  name: string;
  weight: number;
}

export type Expectation =
  /** Each new connection lands on a server with these long-run shares. */
  | { kind: 'shares'; shares: Map<string, number>; why: string }
  /**
   * Every connection from this one client lands on the same server, unknown which.
   * `whileIdle`: only as long as the service has no other traffic (the choice
   * depends on active connections), so a spread is not judged.
   */
  | { kind: 'single'; candidates: string[]; why: string; whileIdle?: boolean }
  /** Nothing can be said (no server with weight > 0, or an unknown scheduler). */
  | { kind: 'none'; why: string };

const weighted = new Set(['wrr', 'wlc', 'twos']);
const unweighted = new Set(['rr', 'lc']);
const hashed = new Set(['sh', 'dh', 'mh']);

export function expectedDistribution(
  scheduler: string,
  servers: WeightedServer[],
  opts: { persistenceSeconds?: number; schedulerFlags?: string[] } = {},
): Expectation {
  if (servers.length === 0) return { kind: 'none', why: 'no real servers known for this service (give the config, or the real servers in the hosts file)' };
  const live = servers.filter((s) => s.weight > 0);
  if (live.length === 0) return { kind: 'none', why: 'every real server has weight 0: no new connection should be accepted' };
  const names = live.map((s) => s.name);
  if ((opts.persistenceSeconds ?? 0) > 0) {
    return { kind: 'single', candidates: names, why: `persistence (${opts.persistenceSeconds} s): one client sticks to one real server` };
  }
  const flags = opts.schedulerFlags ?? [];
  if (scheduler === 'fo' || scheduler === 'ovf') {
    const top = Math.max(...live.map((s) => s.weight));
    return { kind: 'single', candidates: live.filter((s) => s.weight === top).map((s) => s.name), why: `${scheduler}: the available server with the highest weight takes the connections` };
  }
  if (hashed.has(scheduler) && !(flags.includes(`${scheduler}-port`))) {
    const why =
      scheduler === 'dh'
        ? 'dh hashes the destination (the VIP): every connection goes to one server'
        : `${scheduler} hashes the client address: one client lands on one server (unless the ${scheduler}-port flag adds the port)`;
    return { kind: 'single', candidates: names, why };
  }
  // Schedulers whose choice for a sequential probe (one connection at a time, closed
  // before the next) does not follow the weights (net/netfilter/ipvs/ip_vs_*.c):
  if (scheduler === 'lblc' || scheduler === 'lblcr') {
    return {
      kind: 'single',
      candidates: names,
      whileIdle: true,
      why: `${scheduler} picks by destination address: one VIP goes to one server (the server set for lblcr) while it is not overloaded`,
    };
  }
  if (scheduler === 'sed') {
    // Least (active + 1) / weight: with no active connection, the highest weight (first of equals).
    const top = Math.max(...live.map((s) => s.weight));
    return {
      kind: 'single',
      candidates: live.filter((s) => s.weight === top).map((s) => s.name),
      whileIdle: true,
      why: 'sed picks the least (active connections + 1) / weight: with no active connection, the server with the highest weight',
    };
  }
  if (scheduler === 'nq') {
    return { kind: 'single', candidates: names, whileIdle: true, why: 'nq sends a connection to an idle server first (the first idle one in the table)' };
  }
  const byWeight = weighted.has(scheduler) || hashed.has(scheduler);
  if (!byWeight && !unweighted.has(scheduler)) return { kind: 'none', why: `unknown scheduler "${scheduler}"` };
  const total = live.reduce((a, s) => a + (byWeight ? s.weight : 1), 0);
  const shares = new Map(live.map((s) => [s.name, (byWeight ? s.weight : 1) / total]));
  const why = byWeight
    ? `${scheduler}${hashed.has(scheduler) ? ` with ${scheduler}-port` : ''}: shares proportional to the weights (${live.map((s) => `${s.name} ${s.weight}`).join(', ')})`
    : `${scheduler}: equal shares among servers with weight > 0`;
  return { kind: 'shares', shares, why };
}
