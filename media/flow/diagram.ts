// The sequence diagram of one connection: a lane per capture point, one arrow per
// hop (a packet seen at a point), rewrites and latencies written on the arrows,
// findings marked on the packets they cite, and a mark where the flow stopped.
// Only the selected connection is drawn, and at most MAX_HOPS of its packets.
import type { Connection } from '../../src/core/analysis/result';
import { svg, el, clear } from './dom';
import { type CitedPackets, type Column, describeHop, formatLatency, formatOffset, hopEnds, refKey } from './model';

export const MAX_HOPS = 400;
const LANE_MIN = 100;
const GUTTER = 76;
/** Room on the right for the finding codes marked on cited packets (when there are any). */
const MARKS = 112;
const HEADER = 54;
const ROW = 40;

export interface DiagramHandlers {
  onPacket(hopIndex: number): void;
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

export function renderDiagram(
  host: HTMLElement,
  conn: Connection,
  cols: Column[],
  cited: CitedPackets,
  selectedHop: number,
  handlers: DiagramHandlers,
): void {
  clear(host);
  const shown = conn.hops.slice(0, MAX_HOPS);
  // Room on the right for the longest finding mark (about 6.5 px per character of 11 px bold type).
  let longest = 0;
  for (const h of shown) longest = Math.max(longest, (cited.get(refKey(h.ref.point, h.ref.n)) ?? []).join(', ').length);
  const marks = longest ? Math.max(MARKS, Math.ceil(longest * 6.5) + 28) : 8;
  const laneW = Math.max(LANE_MIN, Math.floor((host.clientWidth - GUTTER - marks - 16) / cols.length) || LANE_MIN);
  const width = GUTTER + laneW * cols.length + marks;
  const stopRows = conn.stoppedAt ? 1 : 0;
  const height = HEADER + (shown.length + stopRows) * ROW + 24;
  const x = (c: number): number => GUTTER + laneW * c + laneW / 2;

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

  // Lanes.
  cols.forEach((c, i) => {
    const g = svg('g', { class: `lane role-${c.role}${c.point < 0 ? ' virtual' : ''}` });
    g.appendChild(svg('rect', { class: 'lane-head', x: x(i) - laneW / 2 + 6, y: 6, width: laneW - 12, height: 38, rx: 4 }));
    g.appendChild(svg('title', {}, `${c.host} (${c.role}) ${c.interface}`));
    g.appendChild(svg('text', { class: 'lane-host', x: x(i), y: 22, 'text-anchor': 'middle' }, fit(c.host, laneW - 20)));
    // The role shows in the lane's colour (and its tooltip); the interface tells same-host lanes apart.
    const sub = c.point < 0 ? 'not captured' : c.interface || c.role;
    g.appendChild(svg('text', { class: 'lane-sub', x: x(i), y: 37, 'text-anchor': 'middle' }, fit(sub, laneW - 20)));
    g.appendChild(svg('line', { class: 'lane-line', x1: x(i), x2: x(i), y1: HEADER - 6, y2: height - 8 }));
    root.appendChild(g);
  });

  // Hops.
  shown.forEach((hop, i) => {
    const { from, to } = hopEnds(conn, i, cols);
    const y = HEADER + i * ROW + ROW / 2 + 4;
    const here = cols.findIndex((c) => c.point === hop.ref.point);
    const codes = cited.get(refKey(hop.ref.point, hop.ref.n));
    const g = svg('g', {
      class: `hop ${hop.direction}${codes ? ' cited' : ''}${i === selectedHop ? ' selected' : ''}`,
      tabindex: 0,
      role: 'button',
      'data-hop': i,
      'aria-label': describeHop(hop, cols[here >= 0 ? here : 0]) + (codes ? `, cited by ${codes.join(', ')}` : ''),
    });
    g.appendChild(svg('rect', { class: 'hop-bg', x: 2, y: y - ROW / 2 - 2, width: width - 4, height: ROW - 2, rx: 3 }));
    g.appendChild(svg('text', { class: 'hop-time', x: 8, y: y + 4 }, formatOffset(hop.ts, conn.start)));
    const x1 = x(from);
    const x2 = from === to ? x(to) + 40 : x(to);
    const pad = from === to ? 0 : 6;
    const dir = x2 >= x1 ? 1 : -1;
    g.appendChild(svg('line', { class: 'hop-line', x1: x1 + pad * dir, x2: x2 - pad * dir, y1: y, y2: y, 'marker-end': 'url(#arrow)' }));
    // The point where this copy was captured.
    if (here >= 0) g.appendChild(svg('circle', { class: 'seen', cx: x(here), cy: y, r: 3.5 }));
    const mid = (x1 + x2) / 2;
    g.appendChild(svg('text', { class: 'hop-label', x: mid, y: y - 6, 'text-anchor': 'middle' }, hop.summary));
    const below: string[] = [];
    if (hop.rewrite && hop.rewrite !== 'none') below.push(hop.rewriteText ?? rewriteLabel[hop.rewrite] ?? hop.rewrite);
    if (hop.latencyMs !== undefined) below.push(`+${formatLatency(hop.latencyMs)}`);
    if (below.length) {
      g.appendChild(svg('text', { class: `hop-note${hop.rewrite && hop.rewrite !== 'none' ? ' rewrite' : ''}`, x: mid, y: y + 13, 'text-anchor': 'middle' }, below.join('  ·  ')));
    }
    if (codes) {
      g.appendChild(svg('text', { class: 'finding-mark', x: width - 8, y: y + 4, 'text-anchor': 'end' }, `⚠ ${codes.join(', ')}`));
    }
    g.appendChild(svg('title', {}, describeHop(hop, cols[here >= 0 ? here : 0])));
    g.addEventListener('click', () => handlers.onPacket(i));
    g.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        handlers.onPacket(i);
      } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const next = root.querySelector<SVGGElement>(`g.hop[data-hop="${i + (e.key === 'ArrowDown' ? 1 : -1)}"]`);
        next?.focus();
      }
    });
    root.appendChild(g);
  });

  // Where it stopped.
  if (conn.stoppedAt) {
    const col = Math.max(0, cols.findIndex((c) => c.point === conn.stoppedAt!.point));
    const y = HEADER + shown.length * ROW + ROW / 2 + 4;
    const g = svg('g', { class: 'stopped', role: 'note', 'aria-label': `Stopped at ${cols[col].host}: ${conn.stoppedAt.reason}` });
    g.appendChild(svg('circle', { class: 'stop-mark', cx: x(col), cy: y, r: 9 }));
    g.appendChild(svg('path', { class: 'stop-x', d: `M${x(col) - 4},${y - 4} L${x(col) + 4},${y + 4} M${x(col) + 4},${y - 4} L${x(col) - 4},${y + 4}` }));
    const right = col < cols.length / 2;
    g.appendChild(svg('text', { class: 'stop-text', x: x(col) + (right ? 16 : -16), y: y + 4, 'text-anchor': right ? 'start' : 'end' }, `stopped: ${conn.stoppedAt.reason}`));
    root.appendChild(g);
  }

  host.appendChild(root);
  if (conn.hops.length > shown.length) {
    host.appendChild(el('p', { class: 'capped' }, `Showing the first ${shown.length} of ${conn.hops.length} packets of this connection.`));
  }
}
