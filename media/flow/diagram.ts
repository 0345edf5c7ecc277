// The sequence diagram of one connection: a box per host with a lane per capture point, one
// arrow per hop (a packet seen at a point), rewrites and latencies written on the arrows,
// findings marked on the packets they cite, and a mark where the flow stopped. The lane
// header is a separate SVG pinned to the top of the scrolling box, so host names stay in
// view however far the packets go. Only the selected connection is drawn, and at most
// MAX_HOPS of its packets. What the captures did not cover is drawn too: a lane's time
// outside its capture (hatched), an unreadable lane, packets the analysis did not keep
// (a gap mark), and where the connection's fate is not known (a neutral mark, not a cross).
import type { Connection, Lane } from '../../src/core/analysis/result';
import { svg, clear } from './dom';
import {
  type Blind,
  type CitedPackets,
  type Column,
  type HopPath,
  blindText,
  bypassOf,
  clockShift,
  clockTime,
  columnName,
  columnSub,
  describeHop,
  formatLatency,
  formatOffset,
  gapMarks,
  gapText,
  hopPaths,
  hostGroups,
  laneBlindAt,
  markUtc,
  realServerMacs,
  refKey,
  rewriteKind,
  roleLabel,
} from './model';

export const MAX_HOPS = 400;
const LANE_MIN = 92;
const LANE_MAX = 260;
/** The time column on the left ("+99.999999 s" in 11 px monospace). */
const GUTTER = 92;
/** Room on the right for the finding codes marked on cited packets (when there are any). */
const MARKS = 112;
/** Height of the pinned lane header (and of its row of lane status: clock, unreadable). */
export const HEAD = 64;
const STATUS_ROW = 14;
/** Height of the mark where packets were not kept. */
const GAP = 22;
const TOP = 6;
const ROW = 40;
/** A stub: how far an arrow goes that starts or ends where nobody captured. */
const STUB = 44;
const STOP_LINE = 15;

/** What the diagram needs besides the connection and its columns. */
export interface DiagramContext {
  /** The capture points (by `point`): clock, errors, what each capture covered. */
  lanes: Lane[];
  cited: CitedPackets;
  /** The capture points of each real server, by name (capture.json's `realServer`, else host). */
  rsPoints?: Map<string, number[]>;
}

export interface DiagramHandlers {
  onPacket(hopIndex: number): void;
  /** Escape on a packet: back to the connection list. */
  onEscape(): void;
}

export interface DiagramView {
  /** Moves the keyboard focus to a packet (and scrolls it into view). */
  focusHop(index: number): void;
  /** Scrolls a packet into view below the pinned header. */
  revealHop(index: number): void;
  /** Marks a packet selected (or none with -1). */
  select(index: number): void;
}

const rewriteLabel: Record<string, string> = {
  dnat: 'DNAT',
  snat: 'SNAT',
  mac: 'MAC rewrite',
  ipip: 'IP-in-IP',
  gre: 'GRE',
};

/** Shortens text to about `px` pixels of 12 px type (the full text is in the lane's title). */
function fit(text: string, px: number): string {
  const max = Math.max(4, Math.floor(px / 7));
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}

/** Splits text into lines of at most `max` characters at spaces (long words are cut). */
export function wrapText(text: string, max: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (let word of text.split(/\s+/).filter(Boolean)) {
    while (word.length > max) {
      if (line) lines.push(line);
      line = '';
      lines.push(word.slice(0, max));
      word = word.slice(max);
    }
    if (!line) line = word;
    else if (line.length + 1 + word.length <= max) line += ' ' + word;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  return lines.length ? lines : [''];
}

export function renderDiagram(
  host: HTMLElement,
  scroller: HTMLElement,
  conn: Connection,
  cols: Column[],
  ctx: DiagramContext,
  selectedHop: number,
  handlers: DiagramHandlers,
): DiagramView {
  clear(host);
  const cited = ctx.cited;
  const shown = conn.hops.slice(0, MAX_HOPS);
  const paths = hopPaths(conn, cols, shown.length);
  const roleOfPoint = new Map(cols.map((c) => [c.point, c.role]));
  const roleOf = (point: number): Column['role'] | undefined => roleOfPoint.get(point);
  const laneOfPoint = new Map(ctx.lanes.map((l) => [l.point, l]));
  const colLane = (c: number): Lane | undefined => (cols[c] && cols[c].point >= 0 ? laneOfPoint.get(cols[c].point) : undefined);
  const nameOfPoint = (point: number): string => {
    const c = cols.find((k) => k.point === point);
    return c ? columnName(c) : `point ${point}`;
  };
  const rsMacs = realServerMacs(conn, (point) => cols.find((c) => c.point === point));
  const unknown = conn.state === 'unknown';
  const gaps = gapMarks(shown);
  const gapAt = new Map(gaps.map((g) => [g.before, g]));

  // A request seen nowhere further on, at a director, heading for the connection's real server
  // whose capture shows nothing then: drawn on to that lane as not seen there, not as lost.
  if (conn.realServer) {
    const rsPoints = new Set(ctx.rsPoints?.get(conn.realServer) ?? ctx.lanes.filter((l) => l.host === conn.realServer).map((l) => l.point));
    const targets = cols.map((c, i) => (rsPoints.has(c.point) ? i : -1)).filter((i) => i >= 0);
    paths.forEach((p, i) => {
      if (!p.last || p.kind === 'copy' || roleOf(shown[i].ref.point) !== 'director' || !targets.length) return;
      let why: Blind | undefined;
      const to = targets.find((c) => c !== p.here && (why = laneBlindAt(colLane(c), shown[i].ts)) !== undefined);
      if (to === undefined || !why) return;
      p.unseenTo = to;
      p.unseen = blindText(why);
    });
  }

  // Room on the right for the longest finding mark (about 6.5 px per character of 11 px bold
  // type); where that would push the lanes out of the box, the mark is a ⚠ alone (the codes
  // are in its title and the packet's label, and the findings list names them).
  let longest = 0;
  for (const h of shown) longest = Math.max(longest, (cited.get(refKey(h.ref.point, h.ref.n)) ?? []).join(', ').length);
  // Lane status under the interface: unreadable, truncated, clock correction.
  const status = cols.map((c, i) => laneStatus(c, colLane(i)));
  const headH = HEAD + (status.some(Boolean) ? STATUS_ROW : 0);
  // Rows: each hop, after the mark of the packets not kept before it, if any.
  const rowTop: number[] = [];
  const gapTop = new Map<number, number>();
  let yCursor = TOP;
  for (let i = 0; i < shown.length; i++) {
    if (gapAt.has(i)) {
      gapTop.set(i, yCursor);
      yCursor += GAP;
    }
    rowTop.push(yCursor);
    yCursor += ROW;
  }
  const rowsBottom = yCursor;
  // The box's width, less its vertical scrollbar when the packets will need one and it has none yet.
  let avail = host.clientWidth || scroller.clientWidth;
  const tall = headH + rowsBottom + ROW > scroller.clientHeight;
  if (tall && scroller.offsetWidth - scroller.clientWidth < 4) avail -= 16;
  const fullMarks = longest ? Math.max(MARKS, Math.ceil(longest * 6.5) + 28) : 8;
  const compact = longest > 0 && GUTTER + LANE_MIN * cols.length + fullMarks + 8 > avail;
  const marks = compact ? 26 : fullMarks;
  const laneW = Math.min(LANE_MAX, Math.max(LANE_MIN, Math.floor((avail - GUTTER - marks - 8) / cols.length) || LANE_MIN));
  const width = GUTTER + laneW * cols.length + marks;
  const x = (c: number): number => GUTTER + laneW * c + laneW / 2;

  // Where it stopped (or past where it is not known): the sentence wraps on the side of the
  // mark with more room.
  let stop: { col: number; right: boolean; lines: string[]; where: string } | undefined;
  if (conn.stoppedAt) {
    const found = cols.findIndex((c) => c.point === conn.stoppedAt!.point);
    const col = found >= 0 ? found : Math.max(0, cols.findIndex((c) => c.role === 'client'));
    const roomRight = width - 8 - (x(col) + 16);
    const roomLeft = x(col) - 16 - 8;
    const right = roomRight >= Math.min(roomLeft, 320);
    const chars = Math.max(16, Math.floor((right ? roomRight : roomLeft) / 7));
    const reason = markUtc(conn.stoppedAt.reason);
    stop = { col, right, where: found >= 0 ? columnName(cols[col]) : 'the client', lines: wrapText(`${unknown ? 'not known past here' : 'stopped'}: ${reason}`, chars) };
  }
  const stopH = stop ? Math.max(ROW, stop.lines.length * STOP_LINE + 16) : 0;
  const height = rowsBottom + stopH + 12;

  // The pinned header: a box per host (its role written above its name), a label per lane.
  const head = svg('svg', { class: 'diagram-head', width, height: headH, viewBox: `0 0 ${width} ${headH}`, 'aria-hidden': 'true' });
  head.appendChild(svg('rect', { class: 'head-bg', x: 0, y: 0, width, height: headH }));
  head.appendChild(svg('text', { class: 'head-time', x: 8, y: headH - 14 }, 'time'));
  for (const g of hostGroups(cols)) {
    const left = x(g.first) - laneW / 2 + 4;
    const w = g.count * laneW - 8;
    const mid = left + w / 2;
    const box = svg('g', { class: `host role-${g.role}${g.virtual ? ' virtual' : ''}` });
    box.appendChild(svg('rect', { class: 'lane-head', x: left, y: 4, width: w, height: headH - 8, rx: 4 }));
    box.appendChild(svg('text', { class: 'lane-role', x: mid, y: 17, 'text-anchor': 'middle' }, fit(roleLabel[g.role], ((w - 8) * 7) / 5.6)));
    box.appendChild(svg('text', { class: 'lane-host', x: mid, y: 33, 'text-anchor': 'middle' }, fit(g.host, w - 12)));
    box.appendChild(svg('title', {}, `${g.host} (${roleLabel[g.role]})${g.virtual ? ', not captured' : ': ' + cols.slice(g.first, g.first + g.count).map((c) => columnSub(c)).join(', ')}`));
    for (let c = g.first; c < g.first + g.count; c++) {
      // Each lane's label, status and a title that says it all (the header is a picture; the
      // page's "capture points" list says the same as text).
      const info = svg('g', { class: 'lane-info', 'data-point': cols[c].point });
      const sub = g.virtual ? 'not captured' : columnSub(cols[c]) || '·';
      info.appendChild(svg('text', { class: 'lane-sub', x: x(c), y: 50, 'text-anchor': 'middle' }, fit(sub, laneW - 12)));
      const st = status[c];
      if (st) info.appendChild(svg('text', { class: `lane-status ${st.cls}`, x: x(c), y: 50 + STATUS_ROW, 'text-anchor': 'middle' }, fit(st.text, ((laneW - 12) * 7) / 5.8)));
      info.appendChild(svg('title', {}, g.virtual ? `${g.host}: not captured` : [columnName(cols[c]), ...(st ? [st.title] : [])].join(': ')));
      box.appendChild(info);
      if (c > g.first) box.appendChild(svg('line', { class: 'lane-divider', x1: x(c) - laneW / 2, x2: x(c) - laneW / 2, y1: 40, y2: headH - 8 }));
    }
    head.appendChild(box);
  }

  const root = svg('svg', {
    class: 'diagram',
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    role: 'group',
    'aria-label': `Packets of connection ${conn.id}`,
  });
  root.appendChild(
    svg(
      'defs',
      {},
      svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' })),
      svg('pattern', { id: 'hatch', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' }, svg('line', { class: 'hatch-line', x1: 0, y1: 0, x2: 0, y2: 6 })),
    ),
  );

  // Lanes (the header names them; the title is there for pointers and tests), with the time
  // each capture did not cover hatched.
  const lastTs = shown.length ? shown[shown.length - 1].ts : conn.end;
  cols.forEach((c, i) => {
    const lane = colLane(i);
    const cls = `lane role-${c.role}${c.point < 0 ? ' virtual' : ''}${lane?.error ? ' unreadable' : lane?.warning ? ' truncated' : ''}`;
    const g = svg('g', { class: cls, 'data-point': c.point });
    g.appendChild(svg('title', {}, `${c.host} (${c.role}) ${c.interface}${c.file ? ` (${c.file})` : ''}`));
    // A recorded capture window is a fact: drawn on every lane. Only a first and last packet
    // (unrecorded) says little of a lane that saw packets of this connection, or of another
    // real server's: drawn where it matters, on the lanes this connection was headed for.
    const seen = lane !== undefined && shown.some((h) => h.ref.point === lane.point);
    const headedFor = !!conn.realServer && (ctx.rsPoints?.get(conn.realServer)?.includes(c.point) ?? c.host === conn.realServer);
    if (lane && (lane.error || lane.captureSpan?.recorded || (!seen && headedFor))) drawBlind(g, lane, i);
    g.appendChild(svg('line', { class: 'lane-line', x1: x(i), x2: x(i), y1: 0, y2: height - 6 }));
    root.appendChild(g);
  });

  /** Hatches the runs of rows at which `lane` was not capturing, and writes why at their edge. */
  function drawBlind(g: SVGGElement, lane: Lane, col: number): void {
    const left = x(col) - laneW / 2 + 6;
    const w = laneW - 12;
    const rows = shown.map((h) => laneBlindAt(lane, h.ts));
    if (stop) rows.push(laneBlindAt(lane, lastTs));
    const top = (k: number): number => (k < shown.length ? (gapTop.get(k) ?? rowTop[k]) : rowsBottom);
    const bottom = (k: number): number => (k < shown.length ? rowTop[k] + ROW : rowsBottom + stopH);
    let k = 0;
    while (k < rows.length) {
      const b = rows[k];
      if (!b) {
        k++;
        continue;
      }
      let end = k;
      while (end + 1 < rows.length && rows[end + 1]?.why === b.why) end++;
      const y1 = k === 0 ? 0 : top(k);
      const y2 = end === rows.length - 1 ? height - 6 : bottom(end);
      const what = b.why === 'unreadable' ? `${lane.host}: ${lane.error}` : `${columnName(cols[col])}: ${blindText(b)}`;
      const rect = svg('rect', { class: `span-out${b.recorded === false ? ' unrecorded' : ''}`, x: left, y: y1, width: w, height: Math.max(0, y2 - y1), fill: 'url(#hatch)' });
      rect.appendChild(svg('title', {}, what));
      g.appendChild(rect);
      // The edge: where the capture began (below a run before it) or ended (above a run after it).
      const edgeY = b.why === 'before' ? (end < rows.length - 1 ? y2 : undefined) : b.why === 'after' ? (k > 0 ? y1 : undefined) : undefined;
      if (edgeY !== undefined) g.appendChild(svg('line', { class: 'span-edge', x1: left, x2: left + w, y1: edgeY, y2: edgeY }));
      const words = b.why === 'unreadable' ? 'unreadable' : b.why === 'before' ? (b.recorded ? 'capture began' : 'first packet') : b.recorded ? 'capture ended' : 'last packet';
      const when = b.at !== undefined ? clockTime(b.at) : '';
      // Near the edge when it is in view, else at the top of the run.
      const ty = b.why === 'before' && edgeY !== undefined ? Math.max(y1 + 12, edgeY - 18) : y1 + 14;
      const label = svg('text', { class: 'span-label', x: x(col), y: ty, 'text-anchor': 'middle' });
      label.appendChild(svg('tspan', { x: x(col), dy: 0 }, when ? words + ' ' : words));
      if (when) label.appendChild(svg('tspan', { x: x(col), dy: 12 }, when));
      label.appendChild(svg('title', {}, what));
      g.appendChild(label);
      k = end + 1;
    }
  }

  // Text is centred on its arrow but kept clear of the time column and the finding marks.
  const place = (mid: number, chars: number, charW: number): number => {
    const half = (chars * charW) / 2;
    const lo = GUTTER + half + 2;
    const hi = width - marks - half - 2;
    return lo > hi ? mid : Math.min(hi, Math.max(lo, mid));
  };

  // Where packets were not kept: a band across the diagram, a break on each lane concerned.
  for (const gm of gaps) {
    const y = gapTop.get(gm.before)!;
    const text = gapText(gm, nameOfPoint);
    const g = svg('g', { class: 'gap', role: 'note', 'aria-label': text });
    g.appendChild(svg('rect', { class: 'gap-bg', x: 2, y: y + 2, width: width - 4, height: GAP - 4, rx: 3 }));
    for (const p of gm.points) {
      const c = cols.findIndex((k) => k.point === p.point);
      if (c < 0) continue;
      const cx = x(c);
      g.appendChild(svg('path', { class: 'gap-break', d: `M${cx - 7},${y + 8} l4,-3 l6,6 l4,-3 M${cx - 7},${y + 14} l4,-3 l6,6 l4,-3` }));
    }
    // Where they were, when it fits beside the time column; else how many (the title says where).
    const short = text.length + 4 <= (width - 16) / 6 ? `⋯ ${text} ⋯` : `⋯ ${gm.total.toLocaleString('en')} packets not shown ⋯`;
    g.appendChild(svg('text', { class: 'gap-text', x: 8, y: y + GAP / 2 + 4 }, short));
    g.appendChild(svg('title', {}, text));
    root.appendChild(g);
  }

  let roving = selectedHop >= 0 && selectedHop < shown.length ? selectedHop : 0;
  const hopEls: SVGGElement[] = [];
  shown.forEach((hop, i) => {
    const p: HopPath = paths[i];
    const y = rowTop[i] + ROW / 2 + 4;
    const codes = cited.get(refKey(hop.ref.point, hop.ref.n));
    const rw = rewriteKind(conn, i, roleOf);
    const bypass = p.kind === 'copy' ? undefined : bypassOf(conn, i, roleOf, rsMacs);
    const label = describeHop(hop, cols[p.here], p, cols) + (bypass ? `, the VIP sent to ${bypass}'s MAC, not the director's: bypasses LVS` : '') + (codes ? `, cited by ${codes.join(', ')}` : '');
    const g = svg('g', {
      class: `hop ${hop.direction} kind-${p.kind}${p.unseenTo !== undefined ? ' unseen' : ''}${codes ? ' cited' : ''}${i === selectedHop ? ' selected' : ''}`,
      tabindex: i === roving ? 0 : -1,
      role: 'button',
      'data-hop': i,
      'data-from': cols[p.from].point,
      'data-to': cols[p.unseenTo ?? p.to].point,
      'aria-label': label,
    });
    g.appendChild(svg('rect', { class: 'hop-bg', x: 2, y: y - ROW / 2 - 2, width: width - 4, height: ROW - 2, rx: 3 }));
    g.appendChild(svg('text', { class: 'hop-time', x: 8, y: y + 4 }, formatOffset(hop.ts, conn.start)));
    let x1: number;
    let x2: number;
    if (p.kind === 'stub-out' && p.unseenTo !== undefined) {
      // On towards a lane that was not capturing: drawn there, dashed (see below), no stub.
      const dir = x(p.unseenTo) >= x(p.here) ? 1 : -1;
      [x1, x2] = [x(p.here) + 6 * dir, x(p.here) + 6 * dir];
    } else if (p.kind === 'stub-out' || p.kind === 'stub-in' || p.from === p.to) {
      const t = p.towards ?? 1;
      const at = x(p.here);
      [x1, x2] = p.kind === 'stub-in' ? [at - STUB * t, at - 6 * t] : [at + 6 * t, at + STUB * t];
    } else {
      const dir = x(p.to) >= x(p.from) ? 1 : -1;
      x1 = x(p.from) + 6 * dir;
      x2 = x(p.to) - 6 * dir;
    }
    if (p.kind === 'copy') {
      g.appendChild(svg('line', { class: 'hop-line copy-line', x1, x2, y1: y, y2: y }));
      g.appendChild(svg('circle', { class: 'seen also', cx: x(p.from), cy: y, r: 3.5 }));
    } else if (x1 !== x2) {
      g.appendChild(svg('line', { class: 'hop-line', x1, x2, y1: y, y2: y, 'marker-end': 'url(#arrow)' }));
    }
    if (p.tail !== undefined && p.tail !== p.to) {
      const dir = x(p.tail) >= x(p.to) ? 1 : -1;
      g.appendChild(svg('line', { class: 'hop-tail', x1: x(p.to) + 6 * dir, x2: x(p.tail) - 6 * dir, y1: y, y2: y, 'marker-end': 'url(#arrow)' }));
    }
    if (p.unseenTo !== undefined) {
      // Where it went next, as far as the lane that saw nothing then: dashed, ending in a ring.
      const from = x(p.here);
      const dir = x(p.unseenTo) >= from ? 1 : -1;
      if (p.kind === 'stub-out') {
        x1 = from + 6 * dir;
        x2 = x(p.unseenTo) - 6 * dir;
      }
      g.appendChild(svg('line', { class: 'hop-unseen', x1: from + 6 * dir, x2: x(p.unseenTo) - 6 * dir, y1: y, y2: y, 'marker-end': 'url(#arrow)' }));
      g.appendChild(svg('circle', { class: 'unseen-ring', cx: x(p.unseenTo), cy: y, r: 4.5 }));
    }
    // The point where this copy was captured.
    g.appendChild(svg('circle', { class: 'seen', cx: x(p.here), cy: y, r: 3.5 }));
    const mid = (x1 + x2) / 2;
    g.appendChild(svg('text', { class: 'hop-label', x: place(mid, hop.summary.length, 7.2), y: y - 6, 'text-anchor': 'middle' }, hop.summary));
    const note: string[] = [];
    let cls = '';
    if (p.kind === 'copy') {
      note.push(`same packet, also captured on ${columnSub(cols[p.here]) || cols[p.here].host}`);
      cls = ' copy';
    } else {
      const text = p.rewriteText ?? hop.rewriteText;
      if (bypass) {
        note.push(`VIP sent to ${bypass}'s MAC, not the director's — bypasses LVS`);
        cls = ' bypass';
      } else if (rw === 'lvs') {
        note.push(text ?? rewriteLabel[hop.rewrite ?? ''] ?? hop.rewrite ?? '');
        cls = ' rewrite';
      } else if (rw === 'routing') {
        note.push(`routed: ${text ?? 'MAC changed'}`);
        cls = ' routing';
      } else if (rw === 'note' && text) {
        note.push(text);
        cls = ' tunnel';
      }
      if (hop.latencyMs !== undefined) note.push(`+${formatLatency(hop.latencyMs)}`);
      if (p.unseenTo !== undefined && !note.length) {
        note.push(`not seen at ${columnSub(cols[p.unseenTo]) ? cols[p.unseenTo].host : 'it'}: ${p.unseen}`);
        cls = ' unseen';
      }
    }
    if (note.length) {
      const text = note.join('  ·  ');
      g.appendChild(svg('text', { class: `hop-note${cls}`, x: place(mid, text.length, 6), y: y + 13, 'text-anchor': 'middle' }, text));
    }
    if (codes) {
      const mark = svg('text', { class: 'finding-mark', x: width - 8, y: y + 4, 'text-anchor': 'end' }, compact ? '⚠' : `⚠ ${codes.join(', ')}`);
      if (compact) mark.appendChild(svg('title', {}, codes.join(', ')));
      g.appendChild(mark);
    }
    g.appendChild(svg('title', {}, label));
    g.addEventListener('click', () => handlers.onPacket(i));
    g.addEventListener('focus', () => setRoving(i));
    g.addEventListener('keydown', (e) => {
      const page = Math.max(1, Math.floor((scroller.clientHeight - headH) / ROW) - 1);
      const moves: Record<string, number | undefined> = {
        ArrowDown: i + 1,
        ArrowUp: i - 1,
        PageDown: i + page,
        PageUp: i - page,
        Home: 0,
        End: shown.length - 1,
      };
      const target = moves[e.key];
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        handlers.onPacket(i);
      } else if (target !== undefined) {
        e.preventDefault();
        view.focusHop(Math.max(0, Math.min(shown.length - 1, target)));
      } else if (e.key === 'Escape') {
        e.preventDefault();
        handlers.onEscape();
      }
    });
    hopEls.push(g);
    root.appendChild(g);
  });

  function setRoving(i: number): void {
    if (i === roving || !hopEls[i]) return;
    hopEls[roving]?.setAttribute('tabindex', '-1');
    hopEls[i].setAttribute('tabindex', '0');
    roving = i;
  }

  if (stop) {
    const y = rowsBottom + ROW / 2 + 4;
    const cx = x(stop.col);
    const reason = markUtc(conn.stoppedAt!.reason);
    // Not known is not lost: a question in a neutral colour, not a red cross.
    const g = svg('g', { class: `stopped${unknown ? ' unknown' : ''}`, role: 'note', 'aria-label': `${unknown ? 'Not known past' : 'Stopped at'} ${stop.where}: ${reason}` });
    if (unknown) {
      g.appendChild(svg('circle', { class: 'unknown-mark', cx, cy: y, r: 9 }));
      g.appendChild(svg('text', { class: 'unknown-q', x: cx, y: y + 4, 'text-anchor': 'middle' }, '?'));
    } else {
      g.appendChild(svg('circle', { class: 'stop-mark', cx, cy: y, r: 9 }));
      g.appendChild(svg('path', { class: 'stop-x', d: `M${cx - 4},${y - 4} L${cx + 4},${y + 4} M${cx + 4},${y - 4} L${cx - 4},${y + 4}` }));
    }
    const tx = cx + (stop.right ? 16 : -16);
    const text = svg('text', { class: `stop-text${unknown ? ' unknown' : ''}`, x: tx, y: y + 4, 'text-anchor': stop.right ? 'start' : 'end' });
    // One tspan a line; a line's trailing space keeps the words apart in the text content.
    stop.lines.forEach((line, k) => text.appendChild(svg('tspan', { x: tx, dy: k ? STOP_LINE : 0 }, k < stop!.lines.length - 1 ? line + ' ' : line)));
    g.appendChild(text);
    root.appendChild(g);
  }

  host.appendChild(head);
  host.appendChild(root);

  const view: DiagramView = {
    focusHop(i) {
      const g = hopEls[i];
      if (!g) return;
      setRoving(i);
      g.focus({ preventScroll: true });
      view.revealHop(i);
    },
    revealHop(i) {
      const g = hopEls[i];
      if (!g) return;
      const r = g.querySelector('.hop-bg')!.getBoundingClientRect();
      const b = scroller.getBoundingClientRect();
      const top = b.top + scroller.clientTop + headH;
      const bottom = b.top + scroller.clientTop + scroller.clientHeight;
      if (r.top < top) scroller.scrollTop -= top - r.top + 2;
      else if (r.bottom > bottom) scroller.scrollTop += Math.min(r.bottom - bottom + 2, r.top - top);
    },
    select(i) {
      hopEls.forEach((g, k) => g.classList.toggle('selected', k === i));
      if (i >= 0) setRoving(i);
    },
  };
  return view;
}

/** What the lane header says under a lane's interface: unreadable, truncated, or its clock. */
function laneStatus(col: Column, lane: Lane | undefined): { text: string; cls: string; title: string } | undefined {
  if (!lane) return undefined;
  if (lane.error) return { text: 'unreadable', cls: 'status-error', title: `unreadable: ${lane.error}` };
  if (lane.warning) return { text: /middle of a packet|truncat/i.test(lane.warning) ? 'truncated' : 'incomplete', cls: 'status-warning', title: lane.warning };
  const off = lane.clockOffsetMs ?? 0;
  if (Math.abs(off) >= 0.001) {
    const shift = clockShift(off).replace(/^[+−]/, '');
    const how = `${shift} ${off > 0 ? 'added to' : 'taken from'} ${col.host}'s times (its clock was ${off > 0 ? 'behind' : 'ahead'})`;
    return { text: `clock ${clockShift(off)}`, cls: 'status-clock', title: `${how}${lane.clockNote ? '; ' + lane.clockNote : ''}` };
  }
  // Not shifted: said only when the note leaves a millisecond or more open (a bound from
  // packets one way only); the note itself is in the title and the capture points list.
  const bound = lane.clockNote ? /clock\s*([≈≤≥])\s*(-?\d+(?:\.\d+)?)\s*ms/.exec(lane.clockNote) : null;
  if (bound && Math.abs(Number(bound[2])) >= 1) {
    const v = Math.abs(Number(bound[2]));
    return { text: `clock ${bound[1]}${bound[2].startsWith('-') ? '−' : ''}${Number(v.toFixed(v >= 10 ? 0 : 1))} ms?`, cls: 'status-clock muted', title: `times not shifted; ${lane.clockNote}` };
  }
  return undefined;
}
