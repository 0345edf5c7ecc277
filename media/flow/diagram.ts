// The sequence diagram of one connection: a box per host with a lane per capture point, one
// arrow per hop (a packet seen at a point), rewrites and latencies written on the arrows,
// findings marked on the packets they cite, and a mark where the flow stopped. The lane
// header is a separate SVG pinned to the top of the scrolling box, so host names stay in
// view however far the packets go. Only the selected connection is drawn, and at most
// MAX_HOPS of its packets.
import type { Connection } from '../../src/core/analysis/result';
import { svg, el, clear } from './dom';
import {
  type CitedPackets,
  type Column,
  type HopPath,
  describeHop,
  formatLatency,
  formatOffset,
  hopPaths,
  hostGroups,
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
/** Height of the pinned lane header. */
export const HEAD = 64;
const TOP = 6;
const ROW = 40;
/** A stub: how far an arrow goes that starts or ends where nobody captured. */
const STUB = 44;
const STOP_LINE = 15;

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
  cited: CitedPackets,
  selectedHop: number,
  handlers: DiagramHandlers,
): DiagramView {
  clear(host);
  const shown = conn.hops.slice(0, MAX_HOPS);
  const paths = hopPaths(conn, cols, shown.length);
  const roleOfPoint = new Map(cols.map((c) => [c.point, c.role]));
  const roleOf = (point: number): Column['role'] | undefined => roleOfPoint.get(point);
  // Room on the right for the longest finding mark (about 6.5 px per character of 11 px bold
  // type); where that would push the lanes out of the box, the mark is a ⚠ alone (the codes
  // are in its title and the packet's label, and the findings list names them).
  let longest = 0;
  for (const h of shown) longest = Math.max(longest, (cited.get(refKey(h.ref.point, h.ref.n)) ?? []).join(', ').length);
  // The box's width, less its vertical scrollbar when the packets will need one and it has none yet.
  let avail = host.clientWidth || scroller.clientWidth;
  const tall = HEAD + TOP + (shown.length + 1) * ROW > scroller.clientHeight;
  if (tall && scroller.offsetWidth - scroller.clientWidth < 4) avail -= 16;
  const fullMarks = longest ? Math.max(MARKS, Math.ceil(longest * 6.5) + 28) : 8;
  const compact = longest > 0 && GUTTER + LANE_MIN * cols.length + fullMarks + 8 > avail;
  const marks = compact ? 26 : fullMarks;
  const laneW = Math.min(LANE_MAX, Math.max(LANE_MIN, Math.floor((avail - GUTTER - marks - 8) / cols.length) || LANE_MIN));
  const width = GUTTER + laneW * cols.length + marks;
  const x = (c: number): number => GUTTER + laneW * c + laneW / 2;

  // Where it stopped: the sentence wraps on the side of the stop mark with more room.
  let stop: { col: number; right: boolean; lines: string[] } | undefined;
  if (conn.stoppedAt) {
    const found = cols.findIndex((c) => c.point === conn.stoppedAt!.point);
    const col = found >= 0 ? found : Math.max(0, cols.findIndex((c) => c.role === 'client'));
    const roomRight = width - 8 - (x(col) + 16);
    const roomLeft = x(col) - 16 - 8;
    const right = roomRight >= Math.min(roomLeft, 320);
    const chars = Math.max(16, Math.floor((right ? roomRight : roomLeft) / 7));
    stop = { col, right, lines: wrapText(`stopped: ${conn.stoppedAt.reason}`, chars) };
  }
  const stopH = stop ? Math.max(ROW, stop.lines.length * STOP_LINE + 16) : 0;
  const height = TOP + shown.length * ROW + stopH + 12;

  // The pinned header: a box per host (its role written above its name), a label per lane.
  const head = svg('svg', { class: 'diagram-head', width, height: HEAD, viewBox: `0 0 ${width} ${HEAD}`, 'aria-hidden': 'true' });
  head.appendChild(svg('rect', { class: 'head-bg', x: 0, y: 0, width, height: HEAD }));
  head.appendChild(svg('text', { class: 'head-time', x: 8, y: HEAD - 14 }, 'time'));
  for (const g of hostGroups(cols)) {
    const left = x(g.first) - laneW / 2 + 4;
    const w = g.count * laneW - 8;
    const mid = left + w / 2;
    const box = svg('g', { class: `host role-${g.role}${g.virtual ? ' virtual' : ''}` });
    box.appendChild(svg('rect', { class: 'lane-head', x: left, y: 4, width: w, height: HEAD - 8, rx: 4 }));
    box.appendChild(svg('text', { class: 'lane-role', x: mid, y: 17, 'text-anchor': 'middle' }, fit(roleLabel[g.role], ((w - 8) * 7) / 5.6)));
    box.appendChild(svg('text', { class: 'lane-host', x: mid, y: 33, 'text-anchor': 'middle' }, fit(g.host, w - 12)));
    for (let c = g.first; c < g.first + g.count; c++) {
      const sub = g.virtual ? 'not captured' : cols[c].interface || '·';
      box.appendChild(svg('text', { class: 'lane-sub', x: x(c), y: 50, 'text-anchor': 'middle' }, fit(sub, laneW - 12)));
      if (c > g.first) box.appendChild(svg('line', { class: 'lane-divider', x1: x(c) - laneW / 2, x2: x(c) - laneW / 2, y1: 40, y2: HEAD - 8 }));
    }
    box.appendChild(svg('title', {}, `${g.host} (${roleLabel[g.role]})${g.virtual ? ', not captured' : ': ' + cols.slice(g.first, g.first + g.count).map((c) => c.interface).join(', ')}`));
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
    ),
  );

  // Lanes (the header names them; the title is there for pointers and tests).
  cols.forEach((c, i) => {
    const g = svg('g', { class: `lane role-${c.role}${c.point < 0 ? ' virtual' : ''}`, 'data-point': c.point });
    g.appendChild(svg('title', {}, `${c.host} (${c.role}) ${c.interface}`));
    g.appendChild(svg('line', { class: 'lane-line', x1: x(i), x2: x(i), y1: 0, y2: height - 6 }));
    root.appendChild(g);
  });

  // Text is centred on its arrow but kept clear of the time column and the finding marks.
  const place = (mid: number, chars: number, charW: number): number => {
    const half = (chars * charW) / 2;
    const lo = GUTTER + half + 2;
    const hi = width - marks - half - 2;
    return lo > hi ? mid : Math.min(hi, Math.max(lo, mid));
  };

  let roving = selectedHop >= 0 && selectedHop < shown.length ? selectedHop : 0;
  const hopEls: SVGGElement[] = [];
  shown.forEach((hop, i) => {
    const p: HopPath = paths[i];
    const y = TOP + i * ROW + ROW / 2 + 4;
    const codes = cited.get(refKey(hop.ref.point, hop.ref.n));
    const rw = rewriteKind(conn, i, roleOf);
    const label = describeHop(hop, cols[p.here], p, cols) + (codes ? `, cited by ${codes.join(', ')}` : '');
    const g = svg('g', {
      class: `hop ${hop.direction} kind-${p.kind}${codes ? ' cited' : ''}${i === selectedHop ? ' selected' : ''}`,
      tabindex: i === roving ? 0 : -1,
      role: 'button',
      'data-hop': i,
      'data-from': cols[p.from].point,
      'data-to': cols[p.to].point,
      'aria-label': label,
    });
    g.appendChild(svg('rect', { class: 'hop-bg', x: 2, y: y - ROW / 2 - 2, width: width - 4, height: ROW - 2, rx: 3 }));
    g.appendChild(svg('text', { class: 'hop-time', x: 8, y: y + 4 }, formatOffset(hop.ts, conn.start)));
    let x1: number;
    let x2: number;
    if (p.kind === 'stub-out' || p.kind === 'stub-in' || p.from === p.to) {
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
    } else {
      g.appendChild(svg('line', { class: 'hop-line', x1, x2, y1: y, y2: y, 'marker-end': 'url(#arrow)' }));
    }
    if (p.tail !== undefined && p.tail !== p.to) {
      const dir = x(p.tail) >= x(p.to) ? 1 : -1;
      g.appendChild(svg('line', { class: 'hop-tail', x1: x(p.to) + 6 * dir, x2: x(p.tail) - 6 * dir, y1: y, y2: y, 'marker-end': 'url(#arrow)' }));
    }
    // The point where this copy was captured.
    g.appendChild(svg('circle', { class: 'seen', cx: x(p.here), cy: y, r: 3.5 }));
    const mid = (x1 + x2) / 2;
    g.appendChild(svg('text', { class: 'hop-label', x: place(mid, hop.summary.length, 7.2), y: y - 6, 'text-anchor': 'middle' }, hop.summary));
    const note: string[] = [];
    if (p.kind === 'copy') {
      note.push(`same packet, also captured on ${cols[p.here].interface || cols[p.here].host}`);
    } else {
      if (rw === 'lvs') note.push(hop.rewriteText ?? rewriteLabel[hop.rewrite ?? ''] ?? hop.rewrite ?? '');
      else if (rw === 'routing') note.push(`routed: ${hop.rewriteText ?? 'MAC changed'}`);
      else if (rw === 'note' && hop.rewriteText) note.push(hop.rewriteText);
      if (hop.latencyMs !== undefined) note.push(`+${formatLatency(hop.latencyMs)}`);
    }
    if (note.length) {
      const text = note.join('  ·  ');
      const cls = p.kind === 'copy' ? ' copy' : rw === 'lvs' ? ' rewrite' : rw === 'routing' ? ' routing' : rw === 'note' ? ' tunnel' : '';
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
      const page = Math.max(1, Math.floor((scroller.clientHeight - HEAD) / ROW) - 1);
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
    const y = TOP + shown.length * ROW + ROW / 2 + 4;
    const cx = x(stop.col);
    const g = svg('g', { class: 'stopped', role: 'note', 'aria-label': `Stopped at ${cols[stop.col].host}: ${conn.stoppedAt!.reason}` });
    g.appendChild(svg('circle', { class: 'stop-mark', cx, cy: y, r: 9 }));
    g.appendChild(svg('path', { class: 'stop-x', d: `M${cx - 4},${y - 4} L${cx + 4},${y + 4} M${cx + 4},${y - 4} L${cx - 4},${y + 4}` }));
    const tx = cx + (stop.right ? 16 : -16);
    const text = svg('text', { class: 'stop-text', x: tx, y: y + 4, 'text-anchor': stop.right ? 'start' : 'end' });
    // One tspan a line; a line's trailing space keeps the words apart in the text content.
    stop.lines.forEach((line, k) => text.appendChild(svg('tspan', { x: tx, dy: k ? STOP_LINE : 0 }, k < stop!.lines.length - 1 ? line + ' ' : line)));
    g.appendChild(text);
    root.appendChild(g);
  }

  host.appendChild(head);
  host.appendChild(root);
  if (conn.hops.length > shown.length) {
    host.appendChild(el('p', { class: 'capped' }, `Showing the first ${shown.length} of ${conn.hops.length} packets of this connection.`));
  }

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
      const top = b.top + scroller.clientTop + HEAD;
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
