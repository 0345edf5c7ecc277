// Pure view-model helpers of the flow view: lane order, where each hop's arrow
// starts and ends, filters, and which packets findings cite. No DOM here, so the
// rules are unit-tested in Node (test/browser/flowModel.test.ts).
import type { AnalysisResult, Connection, Hop, Lane } from '../../src/core/analysis/result';
import type { Evidence, Finding } from '../../src/core/findings/finding';

/** A column of the diagram: a capture point, or the client when nobody captured there. */
export interface Column {
  /** Capture point index, or -1 for the stand-in client column. */
  point: number;
  host: string;
  role: Lane['role'];
  interface: string;
  /** The point's file, when another point of this host has the same interface (two `any`
   *  captures): names the lane apart from the other. */
  file?: string;
}

/** Adjacent columns of one host (its capture points): drawn as one box with a sub-lane each. */
export interface HostGroup {
  host: string;
  role: Lane['role'];
  /** Index of its first column, and how many columns it has. */
  first: number;
  count: number;
  /** The stand-in client column (nobody captured there). */
  virtual: boolean;
}

const roleOrder: Record<Lane['role'], number> = { client: 0, router: 1, director: 2, 'real-server': 3, other: 4 };

/** What the header writes on a lane for its role. */
export const roleLabel: Record<Lane['role'], string> = {
  client: 'client',
  router: 'router',
  director: 'director',
  'real-server': 'real server',
  other: 'other',
};

type HopsOnly = Pick<Connection, 'hops'>;

/** True when the two points are captures on one host of which one (or both) is `any`: the
 *  same frame can be recorded at both. */
function sameHostAny(a: Pick<Column, 'host' | 'interface'> | undefined, b: Pick<Column, 'host' | 'interface'> | undefined): boolean {
  return !!a && !!b && a.host === b.host && (a.interface === 'any' || b.interface === 'any');
}

/** A rewrite that changes what the packet is addressed to (not only the frame's MACs). */
function addressRewrite(hop: Hop): boolean {
  return hop.rewrite === 'dnat' || hop.rewrite === 'snat' || hop.rewrite === 'ipip' || hop.rewrite === 'gre';
}

/**
 * True when hop `i` is only another capture of the packet its `sameAs` points at, on the same
 * host (an `any` capture beside the interface's own, or two `any` captures): no move, no
 * rewrite. A cooked (`-i any`) capture records no destination MAC, so the analysis may call
 * the second copy of a forwarded frame a MAC rewrite; the frame's own source MAC tells: a
 * copy has the sender's, the host's forwarded copy its own.
 */
function isCopyOf(hop: Hop, prev: Hop | undefined, laneOf: (point: number) => Pick<Column, 'host' | 'interface'> | undefined): boolean {
  if (!prev || prev.ref.point === hop.ref.point) return false;
  if (!sameHostAny(laneOf(prev.ref.point), laneOf(hop.ref.point))) return false;
  if (addressRewrite(hop) || hop.src !== prev.src || hop.dst !== prev.dst || hop.sport !== prev.sport || hop.dport !== prev.dport) return false;
  if (hop.rewriteText && (!hop.rewrite || hop.rewrite === 'none')) return false; // a tunnel's decapsulation
  if (hop.srcMac && prev.srcMac) return hop.srcMac === prev.srcMac && (!hop.dstMac || !prev.dstMac || hop.dstMac === prev.dstMac);
  return !hop.rewrite || hop.rewrite === 'none';
}

/** True when hop `i` is the copy a host sent out, recorded at another of its points than the one
 *  it came in at where one is `any` (DR through a cooked capture): it leaves the host from there. */
function isOutCopy(hop: Hop, prev: Hop | undefined, laneOf: (point: number) => Pick<Column, 'host' | 'interface'> | undefined): boolean {
  return !!prev && prev.ref.point !== hop.ref.point && sameHostAny(laneOf(prev.ref.point), laneOf(hop.ref.point)) && !isCopyOf(hop, prev, laneOf);
}

/**
 * Orders items along the path packets take: `votes` counts, for a pair `a\0b`, how often a
 * packet went from a (nearer the client) to b. The majority decides each pair; ties, pairs
 * never seen together and loops fall back to `priority` (lower first).
 */
function pathOrder<T>(items: T[], key: (t: T) => string, priority: (t: T) => number, votes: Map<string, number>): T[] {
  const before = (a: T, b: T): boolean => {
    const ab = votes.get(`${key(a)}\0${key(b)}`) ?? 0;
    const ba = votes.get(`${key(b)}\0${key(a)}`) ?? 0;
    return ab > ba;
  };
  const left = [...items].sort((a, b) => priority(a) - priority(b));
  const out: T[] = [];
  while (left.length) {
    // The best-placed item that nothing left must precede; in a loop, the one fewest must precede.
    let pick = 0;
    let fewest = Infinity;
    left.forEach((t, i) => {
      const n = left.filter((o) => o !== t && before(o, t)).length;
      if (n < fewest) {
        fewest = n;
        pick = i;
      }
    });
    out.push(left.splice(pick, 1)[0]);
  }
  return out;
}

/**
 * The columns of the diagram, one per capture point, the points of one host side by side.
 * Without hops: client first, then routers, directors, real servers (capture order within a
 * role). With a connection's hops: hosts (and a host's interfaces) in the order its packets
 * pass them, so a router that carries the director's output comes after the director; hosts
 * the packets never reach keep their place by role.
 */
export function orderColumns(lanes: Lane[], clientLabel = 'client', conn?: HopsOnly, files?: ReadonlyArray<string | undefined>): Column[] {
  const hosts: Array<{ host: string; role: Lane['role']; first: number; lanes: Lane[] }> = [];
  lanes.forEach((l, i) => {
    let h = hosts.find((x) => x.host === l.host);
    if (!h) hosts.push((h = { host: l.host, role: l.role, first: i, lanes: [] }));
    else if (roleOrder[l.role] < roleOrder[h.role]) h.role = l.role;
    h.lanes.push(l);
  });
  const byPoint = new Map(lanes.map((l) => [l.point, l]));
  const hostVotes = new Map<string, number>();
  const pointVotes = new Map<string, number>();
  const vote = (m: Map<string, number>, a: string | number, b: string | number): void => {
    const k = `${a}\0${b}`;
    m.set(k, (m.get(k) ?? 0) + 1);
  };
  for (const hop of conn?.hops ?? []) {
    const prev = hop.sameAs !== undefined ? conn!.hops[hop.sameAs] : undefined;
    if (!prev) continue;
    const p = byPoint.get(prev.ref.point);
    const h = byPoint.get(hop.ref.point);
    if (!p || !h || p.point === h.point || sameHostAny(p, h)) continue;
    // Requests move away from the client, replies towards it.
    const [near, far] = hop.direction === 'request' ? [p, h] : [h, p];
    if (near.host !== far.host) vote(hostVotes, near.host, far.host);
    else vote(pointVotes, near.point, far.point);
  }
  const ordered = pathOrder(hosts, (h) => h.host, (h) => roleOrder[h.role] * 10_000 + h.first, hostVotes);
  const cols: Column[] = [];
  for (const h of ordered) {
    const points = pathOrder(h.lanes, (l) => String(l.point), (l) => lanes.indexOf(l), pointVotes);
    for (const l of points) {
      const col: Column = { point: l.point, host: l.host, role: h.role, interface: l.interface };
      const file = files?.[l.point];
      if (file && h.lanes.some((o) => o !== l && o.interface === l.interface)) col.file = file.split('/').pop();
      cols.push(col);
    }
  }
  if (!cols.some((c) => c.role === 'client')) {
    cols.unshift({ point: -1, host: clientLabel, role: 'client', interface: '' });
  } else if (cols[0].role !== 'client') {
    // A captured client stays at the left edge even when the votes say otherwise.
    const i = cols.findIndex((c) => c.role === 'client');
    const host = cols[i].host;
    const mine = cols.filter((c) => c.host === host);
    return [...mine, ...cols.filter((c) => c.host !== host)];
  }
  return cols;
}

/** The host boxes of the header: runs of adjacent columns of one host. */
export function hostGroups(cols: Column[]): HostGroup[] {
  const groups: HostGroup[] = [];
  cols.forEach((c, i) => {
    const last = groups[groups.length - 1];
    if (last && last.host === c.host && !last.virtual && c.point >= 0) last.count++;
    else groups.push({ host: c.host, role: c.role, first: i, count: 1, virtual: c.point < 0 });
  });
  return groups;
}

/**
 * How one hop is drawn. A hop is one packet as seen at one point (`here`):
 * - `arrive`: from where the same packet was seen before (`sameAs`) to here. Its latency and
 *   rewrite are measured against that copy, so they label this very arrow (DNAT on the
 *   director's eth0 → eth1 step, SNAT on its eth1 → eth0 step).
 * - `depart`: the packet leaves here towards the next place it is seen (following `sameAs`
 *   forward): the first sighting at its sender (the client's request, a real server's reply),
 *   or the copy a host sent out after changing it where it was captured coming in (a DR
 *   director's MAC rewrite, a TUN director's IP-in-IP). A reply seen nowhere further goes
 *   to the client when nobody captured there.
 * - `copy`: the same packet captured again on the same host (an `any` capture beside eth0):
 *   no move between hosts.
 * - `stub-out` / `stub-in`: leaves here, or arrives here, from nowhere captured (`towards`
 *   says which way it moves: 1 away from the client, -1 towards it).
 * `tail`: a reply last seen away from an uncaptured client continues towards it.
 */
export interface HopPath {
  kind: 'arrive' | 'depart' | 'copy' | 'stub-out' | 'stub-in';
  /** Columns the arrow joins (equal for stubs). */
  from: number;
  to: number;
  /** The column of the point where this copy was captured. */
  here: number;
  towards?: 1 | -1;
  tail?: number;
  /** The rewrite as a later copy of this very frame names it, when this capture cannot (a
   *  cooked `any` capture has no destination MAC; the host's eth0 capture of it has). */
  rewriteText?: string;
  /** A request seen nowhere further on, at a director (no later sighting but copies on this
   *  host): where it went next may lie where nobody was capturing. */
  last?: boolean;
  /** Set by the diagram: the request went on towards this column, which shows nothing of it
   *  because it was not capturing then (`unseen` says why). */
  unseenTo?: number;
  unseen?: string;
}

/** The drawing of the first `limit` hops of a connection (one pass; hops may number 100,000). */
export function hopPaths(conn: HopsOnly, cols: Column[], limit = conn.hops.length): HopPath[] {
  const hops = conn.hops;
  const colByPoint = new Map(cols.map((c, i) => [c.point, i]));
  const colOf = (point: number): number => colByPoint.get(point) ?? 0;
  const laneOf = (point: number): Column | undefined => cols[colByPoint.get(point) ?? -1];
  const clientCol = Math.max(0, cols.findIndex((c) => c.role === 'client'));
  const clientVirtual = (cols[clientCol]?.point ?? -1) < 0;
  // Later sightings of each hop (hops whose sameAs points at it).
  const later = new Map<number, number[]>();
  hops.forEach((h, j) => {
    if (h.sameAs === undefined || h.sameAs >= j || h.sameAs < 0) return;
    const list = later.get(h.sameAs);
    if (list) list.push(j);
    else later.set(h.sameAs, [j]);
  });
  const copy = (j: number): boolean => isCopyOf(hops[j], hops[hops[j].sameAs ?? -1], laneOf);
  /** The next column the packet of hop i is seen at, through copies and same-point sightings. */
  const nextCol = (i: number, here: number): number => {
    const queue = [...(later.get(i) ?? [])];
    for (let k = 0; k < queue.length && k < 64; k++) {
      const j = queue[k];
      const c = colOf(hops[j].ref.point);
      if (c === here || copy(j)) queue.push(...(later.get(j) ?? []));
      else return c;
    }
    return -1;
  };
  /** True when the packet of hop i is seen again, other than as a copy on this host (its copy
   *  sent out at the same point counts: it goes on from there). */
  const seenAgain = (i: number): boolean => {
    const queue = [...(later.get(i) ?? [])];
    for (let k = 0; k < queue.length && k < 64; k++) {
      if (!copy(queue[k])) return true;
      queue.push(...(later.get(queue[k]) ?? []));
    }
    return false;
  };
  /** A later copy's rewrite text that names the destination MAC this copy of the frame lacks. */
  const betterRewriteText = (i: number): string | undefined => {
    if (hops[i].dstMac) return undefined;
    const queue = [...(later.get(i) ?? [])];
    for (let k = 0; k < queue.length && k < 64; k++) {
      const j = queue[k];
      if (!copy(j)) continue;
      if (hops[j].dstMac && hops[j].rewrite === 'mac' && hops[j].rewriteText) return hops[j].rewriteText;
      queue.push(...(later.get(j) ?? []));
    }
    return undefined;
  };
  const out: HopPath[] = [];
  const n = Math.min(limit, hops.length);
  for (let i = 0; i < n; i++) {
    const hop = hops[i];
    const here = colOf(hop.ref.point);
    const prev = hop.sameAs !== undefined && hop.sameAs < i ? hops[hop.sameAs] : undefined;
    const prevCol = prev ? colOf(prev.ref.point) : -1;
    const reply = hop.direction === 'reply';
    if (prev && copy(i)) {
      out.push({ kind: 'copy', from: prevCol, to: here, here });
      continue;
    }
    // The copy a host sent out, recorded on `any` (or on eth0 after `any` saw it come in):
    // it leaves the host from here, like a rewrite seen where the packet came in.
    const out1 = prev !== undefined && isOutCopy(hop, prev, laneOf);
    if (prev && prevCol !== here && !out1) {
      // From where it really left: past `any` copies, the interface's own capture of it.
      let src = hop.sameAs!;
      while (copy(src) && laneOf(hops[src].ref.point)?.interface === 'any' && hops[src].sameAs !== undefined) src = hops[src].sameAs!;
      const from = colOf(hops[src].ref.point) !== here ? colOf(hops[src].ref.point) : prevCol;
      const p: HopPath = { kind: 'arrive', from, to: here, here };
      const next = nextCol(i, here);
      if (reply && clientVirtual && here !== clientCol && next < 0) p.tail = clientCol;
      if (!reply && next < 0 && cols[here]?.role === 'director' && !seenAgain(i)) p.last = true;
      out.push(p);
      continue;
    }
    if (!prev && !reply && here !== clientCol) {
      // A request first seen past the client: it came from the client.
      out.push(clientVirtual ? { kind: 'arrive', from: clientCol, to: here, here } : { kind: 'stub-in', from: here, to: here, here, towards: 1 });
      continue;
    }
    const next = nextCol(i, here);
    let p: HopPath;
    if (next >= 0) p = { kind: 'depart', from: here, to: next, here };
    else if (reply && here !== clientCol && clientVirtual) p = { kind: 'depart', from: here, to: clientCol, here };
    else if (reply && here === clientCol) p = { kind: 'stub-in', from: here, to: here, here, towards: -1 };
    else p = { kind: 'stub-out', from: here, to: here, here, towards: reply ? -1 : 1 };
    const text = out1 ? betterRewriteText(i) : undefined;
    if (text) p.rewriteText = text;
    if (!reply && next < 0 && cols[here]?.role === 'director' && !seenAgain(i)) p.last = true;
    out.push(p);
  }
  return out;
}

/** The drawing of one hop (see hopPaths). */
export function hopEnds(conn: HopsOnly, index: number, cols: Column[]): HopPath {
  return hopPaths(conn, cols, index + 1)[index];
}

/** How a rewrite reads: made by LVS (at a director), plain routing (a router's MAC change) or
 *  an interface's own note (a tunnel's decapsulation). */
export function rewriteKind(conn: HopsOnly, index: number, roleOf: (point: number) => Lane['role'] | undefined): 'lvs' | 'routing' | 'note' | undefined {
  const hop = conn.hops[index];
  const rw = hop.rewrite && hop.rewrite !== 'none' ? hop.rewrite : undefined;
  if (!rw) return hop.rewriteText ? 'note' : undefined;
  if (roleOf(hop.ref.point) === 'director' || rw !== 'mac') return 'lvs';
  // A MAC change on the way from a director: LVS/DR's when the director's copy is the one it
  // received; a router's when that copy was already the director's output (rewritten there).
  const prev = hop.sameAs !== undefined ? conn.hops[hop.sameAs] : undefined;
  if (prev && roleOf(prev.ref.point) === 'director' && (!prev.rewrite || prev.rewrite === 'none')) return 'lvs';
  return 'routing';
}

/** `point:n` → finding codes citing that packet. */
export type CitedPackets = Map<string, string[]>;

export function refKey(point: number, n: number): string {
  return `${point}:${n}`;
}

/** The capture points a piece of evidence is about: the point of its file, else the host's. */
export function evidencePoints(result: AnalysisResult, ev: Evidence): number[] {
  const points = result.manifest.points;
  const out: number[] = [];
  points.forEach((p, i) => {
    if (ev.file ? p.file === ev.file : p.host === ev.host) out.push(i);
  });
  return out;
}

/** Which packets each finding cites (evidence is by host and file; lanes by point). */
export function citedPackets(result: AnalysisResult): CitedPackets {
  const cited: CitedPackets = new Map();
  for (const f of result.findings) {
    for (const ev of f.evidence) {
      if (!ev.packets?.length) continue;
      for (const i of evidencePoints(result, ev)) {
        for (const n of ev.packets) {
          const k = refKey(i, n);
          const codes = cited.get(k) ?? [];
          if (!codes.includes(f.code)) codes.push(f.code);
          cited.set(k, codes);
        }
      }
    }
  }
  return cited;
}

/**
 * The connections one finding is about: those it names, else those carrying its code (for the
 * service and real server it names, if any). Two findings with one code (the same problem on
 * a TCP and a UDP service) so select their own connections.
 */
export function findingMatcher(f: Finding): (conn: Connection, codes: string[]) => boolean {
  if (f.connections?.length) {
    const ids = new Set(f.connections);
    return (conn) => ids.has(conn.id);
  }
  return (conn, codes) =>
    codes.includes(f.code) &&
    (!f.service || f.service === `${conn.protocol}:${conn.vip}:${conn.vport ?? ''}`) &&
    (!f.realServer || conn.realServer === f.realServer);
}

/** Finding codes of a connection: its own list plus findings that name it. */
export function connectionFindings(conn: Connection, findings: Finding[]): string[] {
  const codes = new Set(conn.findings ?? []);
  for (const f of findings) if (f.connections?.includes(conn.id)) codes.add(f.code);
  return [...codes];
}

export interface ConnectionFilter {
  search?: string;
  realServer?: string;
  /** A finding code (the dropdown). */
  finding?: string;
  state?: string;
  /** One finding (clicked in the findings list). */
  only?: (conn: Connection, codes: string[]) => boolean;
}

/** The value the real-server filter uses for connections that reached none. */
export const NO_REAL_SERVER = '(none)';

export function connectionMatches(conn: Connection, codes: string[], f: ConnectionFilter): boolean {
  if (f.realServer && (conn.realServer ?? NO_REAL_SERVER) !== f.realServer) return false;
  if (f.state && conn.state !== f.state) return false;
  if (f.finding && !codes.includes(f.finding)) return false;
  if (f.only && !f.only(conn, codes)) return false;
  const q = f.search?.trim().toLowerCase();
  if (q) {
    const text = [
      conn.id,
      conn.protocol,
      `${conn.client}:${conn.clientPort ?? ''}`,
      `${conn.vip}:${conn.vport ?? ''}`,
      conn.realServer ?? '',
      conn.state,
      conn.stoppedAt?.reason ?? '',
      ...codes,
    ]
      .join(' ')
      .toLowerCase();
    if (!q.split(/\s+/).every((word) => text.includes(word))) return false;
  }
  return true;
}

/** Indices of the connections that pass the filter, in capture order. */
export function filterConnections(result: AnalysisResult, codesOf: string[][], f: ConnectionFilter): number[] {
  const out: number[] = [];
  result.connections.forEach((c, i) => {
    if (connectionMatches(c, codesOf[i], f)) out.push(i);
  });
  return out;
}

/** `+12.692 ms` / `+1.028534 s` relative to a start time in seconds: to the microsecond,
 *  which is what tells the copies of one packet apart. */
export function formatOffset(ts: number, start: number): string {
  const us = Math.round((ts - start) * 1e6);
  const sign = us < 0 ? '-' : '+';
  const a = Math.abs(us);
  if (a < 1_000_000) return `${sign}${(a / 1000).toFixed(3)} ms`;
  if (a < 100_000_000) return `${sign}${(a / 1e6).toFixed(6)} s`;
  return `${sign}${(a / 1e6).toFixed(3)} s`;
}

export function formatLatency(ms: number): string {
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 2 : 0)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

export function endpoint(addr: string, port?: number): string {
  if (port === undefined) return addr;
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

function where(col: Column | undefined): string {
  if (!col) return '?';
  if (col.point < 0) return `${col.host} (not captured)`;
  return columnName(col);
}

/** `client eth0`; `director any (director-any-sll1.pcap)` when the host has another `any` lane. */
export function columnName(col: Pick<Column, 'host' | 'interface' | 'file'>): string {
  return `${col.host}${col.interface ? ' ' + col.interface : ''}${col.file ? ` (${col.file})` : ''}`;
}

/** What the lane header writes under the host: the interface, or where two lanes of the host
 *  share it, their file (less the host's name it starts with). */
export function columnSub(col: Pick<Column, 'host' | 'interface' | 'file'>): string {
  if (!col.file) return col.interface;
  const name = col.file.startsWith(`${col.host}-`) ? col.file.slice(col.host.length + 1) : col.file;
  // Short: without the extension, unless that reads as the bare interface (`any.pcap`).
  const stem = name.replace(/\.(pcap|pcapng|cap)$/i, '');
  return stem && stem !== col.interface ? stem : name;
}

/** The name of each capture point as the view writes it (see columnName), by point index. */
export function pointNames(lanes: Lane[], files: ReadonlyArray<string | undefined>): Map<number, string> {
  const out = new Map<number, string>();
  for (const c of orderColumns(lanes, 'client', undefined, files)) if (c.point >= 0) out.set(c.point, columnName(c));
  return out;
}

/** One-line description of a hop for screen readers and tooltips. */
export function describeHop(hop: Hop, col: Column, path?: HopPath, cols?: Column[]): string {
  const parts = [`${hop.direction} seen at ${where(col)}`, hop.summary];
  parts.push(`${endpoint(hop.src, hop.sport)} to ${endpoint(hop.dst, hop.dport)}`);
  if (path && cols) {
    if (path.kind === 'arrive') parts.push(`came from ${where(cols[path.from])}`);
    else if (path.kind === 'depart') parts.push(`leaving towards ${where(cols[path.to])}`);
    else if (path.kind === 'copy') parts.push(`the same packet as captured on ${where(cols[path.from])}`);
    else if (path.kind === 'stub-out') parts.push(path.unseenTo !== undefined ? 'leaving' : 'leaving, not captured further on');
    else parts.push('arriving from where nobody captured');
    if (path.tail !== undefined) parts.push(`then on towards ${where(cols[path.tail])}`);
    if (path.unseenTo !== undefined) parts.push(`then on towards ${where(cols[path.unseenTo])}, not seen there: ${path.unseen ?? 'it was not capturing'}`);
  }
  const rewrite = path?.kind === 'copy' ? undefined : (path?.rewriteText ?? hop.rewriteText);
  if (rewrite) parts.push(rewrite);
  if (hop.latencyMs !== undefined) parts.push(`after ${formatLatency(hop.latencyMs)}`);
  return parts.join(', ');
}

/** A lane's clock correction: `+50 ms`, `−0.25 ms` (ms added to its times). */
export function clockShift(ms: number): string {
  const a = Math.abs(ms);
  return `${ms < 0 ? '−' : '+'}${Number(a.toFixed(a >= 10 ? 1 : 3))} ms`;
}

/** A clock time on the common clock (UTC), to the millisecond: `16:00:02.000 UTC`. */
export function clockTime(ts: number): string {
  return `${new Date(ts * 1000).toISOString().slice(11, 23)} UTC`;
}

/** Marks the clock times in the analysis' sentences (`15:54:23.000`, written in UTC) as UTC,
 *  unless they say so already. MAC and IPv6 addresses are left alone. */
export function markUtc(text: string): string {
  return text.replace(/(?<![\w:.])(\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)(?![\w:]|\.\d|\s*(?:UTC|Z)\b)/g, '$1 UTC');
}

/** Why a lane shows nothing of a packet at a time: its file is unreadable, or its capture had not
 *  begun or had ended (`recorded`: its capture window; else only its first or last packet). */
export interface Blind {
  why: 'unreadable' | 'before' | 'after';
  recorded?: boolean;
  /** The edge of its capture, common clock. */
  at?: number;
}

/** A microsecond: pcap's usual resolution (a lane's first packet is at its span's start). */
const EDGE_S = 1e-6;

export function laneBlindAt(lane: Pick<Lane, 'error' | 'captureSpan'> | undefined, ts: number): Blind | undefined {
  if (!lane) return undefined;
  if (lane.error) return { why: 'unreadable' };
  const s = lane.captureSpan;
  if (!s) return undefined;
  if (ts < s.start - EDGE_S) return { why: 'before', recorded: s.recorded, at: s.start };
  if (ts > s.end + EDGE_S) return { why: 'after', recorded: s.recorded, at: s.end };
  return undefined;
}

/** `its capture is unreadable`, `its capture began at 16:00:02.000 UTC`, `before its first packet (…)`. */
export function blindText(b: Blind): string {
  if (b.why === 'unreadable') return 'its capture is unreadable';
  const at = b.at !== undefined ? clockTime(b.at) : '';
  if (b.why === 'before') return b.recorded ? `its capture began at ${at}` : `before its first packet (${at})`;
  return b.recorded ? `its capture ended at ${at}` : `after its last packet (${at})`;
}

/** Real servers' MACs as this connection's own frames show them: the destination of the
 *  requests and the source of the replies captured at a real server (MAC → its host). */
export function realServerMacs(conn: HopsOnly, laneOf: (point: number) => Pick<Column, 'host' | 'role'> | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const h of conn.hops) {
    const lane = laneOf(h.ref.point);
    if (lane?.role !== 'real-server') continue;
    const mac = h.direction === 'request' ? h.dstMac : h.srcMac;
    if (mac && !out.has(mac.toLowerCase())) out.set(mac.toLowerCase(), lane.host);
  }
  return out;
}

/**
 * The real server a request for the VIP was sent to at the link layer by something that is not
 * a director (a router or client whose ARP entry for the VIP is the real server's: the ARP
 * problem), where this hop is the first sighting of that frame; else undefined. A director's
 * own forwarding (DR), frames a director handled before, and tunnelled packets are not.
 */
export function bypassOf(conn: HopsOnly & { vip?: string }, index: number, roleOf: (point: number) => Lane['role'] | undefined, rsMacs: Map<string, string>): string | undefined {
  const hop = conn.hops[index];
  if (hop.direction !== 'request' || !conn.vip || hop.dst !== conn.vip || !hop.dstMac) return undefined;
  const rs = rsMacs.get(hop.dstMac.toLowerCase());
  const role = roleOf(hop.ref.point);
  if (!rs || role === 'director' || role === 'real-server') return undefined;
  let seenMac: string | undefined;
  for (let k = hop.sameAs, guard = 0; k !== undefined && k >= 0 && k < index && guard < 64; k = conn.hops[k].sameAs, guard++) {
    const prev = conn.hops[k];
    if (roleOf(prev.ref.point) === 'director' || prev.rewrite === 'ipip' || prev.rewrite === 'gre') return undefined;
    if (seenMac === undefined && prev.dstMac) seenMac = prev.dstMac;
  }
  return seenMac?.toLowerCase() === hop.dstMac.toLowerCase() ? undefined : rs;
}

/** Packets not kept before a run of adjacent hops (each point's count before its first kept
 *  packet after the middle): one mark, drawn before the run's first hop. */
export interface GapMark {
  /** Index of the hop the mark is drawn before. */
  before: number;
  /** Per point, in the order the run's hops are: how many packets were not kept. */
  points: Array<{ point: number; count: number }>;
  total: number;
}

export function gapMarks(hops: Hop[], limit = hops.length): GapMark[] {
  const out: GapMark[] = [];
  let run: GapMark | undefined;
  for (let i = 0; i < Math.min(limit, hops.length); i++) {
    const n = hops[i].omittedBefore ?? 0;
    if (n <= 0) {
      run = undefined;
      continue;
    }
    if (!run) out.push((run = { before: i, points: [], total: 0 }));
    const p = run.points.find((x) => x.point === hops[i].ref.point);
    if (p) p.count += n;
    else run.points.push({ point: hops[i].ref.point, count: n });
    run.total += n;
  }
  return out;
}

/** `1,200 packets at client eth0 and 1,200 at director eth0 not shown`. */
export function gapText(g: GapMark, nameOf: (point: number) => string): string {
  const parts = g.points.map((p, k) => (k === 0 ? `${p.count.toLocaleString('en')} ${p.count === 1 ? 'packet' : 'packets'} at ${nameOf(p.point)}` : `${p.count.toLocaleString('en')} at ${nameOf(p.point)}`));
  const list = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}` : parts[0];
  return `${list} not shown`;
}
