// Entry point of the flow webview: receives the analysis from the extension,
// draws the findings, the connection list (virtualised) and the diagram of the
// selected connection, asks the extension for a packet's details on click, and
// keeps its view state with setState so a reload restores it.
import type { AnalysisResult, Connection, Hop, Lane, PacketRef } from '../../src/core/analysis/result';
import type { Finding } from '../../src/core/findings/finding';
import type { FlowViewState, FromWebviewMessage, ToWebviewMessage } from '../../src/extension/flow/protocol';
import { el, clear } from './dom';
import { type DiagramView, MAX_HOPS, renderDiagram } from './diagram';
import { renderDetails, renderDetailsMessage } from './details';
import { VirtualList } from './list';
import {
  type CitedPackets,
  citedPackets,
  clockTime,
  connectionFindings,
  endpoint,
  evidencePoints,
  filterConnections,
  findingMatcher,
  markUtc,
  NO_REAL_SERVER,
  orderColumns,
  pointNames,
} from './model';
import { type Dropdown, type TextField, button, dropdown, registerControls, textField } from './toolkit';

interface VsCodeApi {
  postMessage(msg: FromWebviewMessage): void;
  getState(): FlowViewState | undefined;
  setState(state: FlowViewState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const ROW_HEIGHT = 26;
/** Packet numbers listed per line of evidence (the rest are counted). */
const EVIDENCE_PACKETS = 24;
/** Selections closer together than this (a held arrow key) ask for the hops of the last one only. */
const HOPS_DEBOUNCE_MS = 150;

/** What the State filter says for each state. */
const STATE_LABELS: Record<string, string> = {
  unknown: 'unknown (not captured further)',
};

/** The saved state, plus the finding clicked in the findings list (by its index: two findings
 *  may share a code). The extension keeps the state as it is given. */
type ViewState = FlowViewState & { findingIndex?: number };

/** `addr` and `:port` apart, so a narrow cell can shorten the address and keep the port. */
function endpointParts(addr: string, port?: number): [string, string] {
  const a = addr.includes(':') ? `[${addr}]` : addr;
  return [a, port === undefined ? '' : `:${port}`];
}

class FlowApp {
  private state: ViewState = (vscode.getState() as ViewState | undefined) ?? {};
  private result?: AnalysisResult;
  private codesOf: string[][] = [];
  private cited: CitedPackets = new Map();
  private matchers: Array<ReturnType<typeof findingMatcher>> = [];
  private visible: number[] = [];
  /** The client address, and the virtual IP, every connection shares (said once above the list). */
  private commonClient?: string;
  private commonVip?: string;
  private selectedHop = -1;
  /** The drawn diagram (of the selected connection), once its hops are in. */
  private view?: DiagramView;
  private drawn?: Connection;
  private nextRequest = 1;
  private pendingRequest = 0;
  private received = 0;
  /** Hops arrive per connection on request (the first message carries none). */
  private hopsCache = new Map<string, Hop[]>();
  /** Connections whose hops were asked for and have not arrived yet. */
  private readonly hopsPending = new Set<string>();
  /** Why the hops of a connection could not be had (the last answer; not kept past a retry). */
  private readonly hopsFailed = new Map<string, string>();
  private nextHopsRequest = 1;
  /** When the last hops request went out, and the one a quick succession of selections holds back. */
  private lastHopsRequest = -Infinity;
  private hopsTimer = 0;
  /** Each capture point's name as the view writes it (`director any (director-any-sll1.pcap)`). */
  private names = new Map<number, string>();
  /** The capture points of each real server, by name. */
  private rsPoints = new Map<string, number[]>();
  /** Timing of the first screen, posted once the first diagram is painted. */
  private firstScreen?: Record<string, number>;
  /** Enter in the list: move focus to the first packet once the diagram is drawn. */
  private focusDiagram = false;

  private readonly root = document.getElementById('app')!;
  private readonly header = el('header', { class: 'top' });
  private readonly findingsBox = el('section', { class: 'findings', 'aria-label': 'Findings' });
  private readonly countLabel = el('span', { class: 'count', 'aria-live': 'polite' });
  /** The selected connection: its line, and where and why it stopped (HTML, so it wraps). */
  private readonly connHead = el('div', { class: 'conn-head' });
  /** Scrolls the diagram both ways; its lane header stays pinned at the top. */
  private readonly diagramBox = el('div', { class: 'diagram-box', id: 'diagram' });
  private readonly detailsBox = el('section', { class: 'details', id: 'details', 'aria-label': 'Packet details', tabindex: '-1' });
  private readonly search: TextField;
  private readonly rsFilter: Dropdown;
  private readonly findingFilter: Dropdown;
  private readonly stateFilter: Dropdown;
  private readonly list: VirtualList;

  constructor() {
    registerControls();
    this.search = textField('search', 'Search connections (address, port, server, state, finding)', (v) => this.setFilter({ search: v }));
    this.rsFilter = dropdown('filter-rs', 'Real server', (v) => this.setFilter({ filterRealServer: v }));
    this.findingFilter = dropdown('filter-finding', 'Finding', (v) => this.setFilter({ filterFinding: v }));
    this.stateFilter = dropdown('filter-state', 'State', (v) => this.setFilter({ filterState: v }));
    this.list = new VirtualList({
      rowHeight: ROW_HEIGHT,
      label: 'Connections',
      renderRow: (row, i) => this.renderRow(row, i),
      onSelect: (i) => this.selectConnection(i),
      onOpen: (i) => {
        this.focusDiagram = true;
        this.selectConnection(i);
      },
    });
    // Keep the scroll position with the rest of the state (saved debounced).
    this.list.element.addEventListener('scroll', () => this.save());
    // The lanes share the box's width: draw again when it changes (a pane resized, a split).
    new ResizeObserver(() => this.onDiagramResize()).observe(this.diagramBox);
    window.addEventListener('message', (e: MessageEvent<ToWebviewMessage>) => this.onMessage(e.data));
    vscode.postMessage({ type: 'ready' });
  }

  private onMessage(msg: ToWebviewMessage): void {
    switch (msg.type) {
      case 'show':
        this.received = performance.now();
        this.show(JSON.parse(msg.resultJson) as AnalysisResult, msg.title, msg.source);
        break;
      case 'loading':
        clear(this.root);
        this.root.appendChild(el('p', { class: 'loading' }, msg.text));
        break;
      case 'hops': {
        this.hopsPending.delete(msg.connectionId);
        // Already drawn with its hops: drawing again would take the keyboard focus away.
        if (this.hopsCache.has(msg.connectionId)) break;
        // A failure is shown with a Retry, never kept as "no packets".
        if (msg.error !== undefined) this.hopsFailed.set(msg.connectionId, msg.error || 'no reason given');
        else {
          this.hopsFailed.delete(msg.connectionId);
          this.hopsCache.set(msg.connectionId, msg.hops);
        }
        const conn = this.result && this.state.selectedId === msg.connectionId ? this.result.connections.find((c) => c.id === msg.connectionId) : undefined;
        if (conn) this.drawConnection(conn);
        break;
      }
      case 'packetDetails':
        if (msg.inReplyTo !== this.pendingRequest) return; // an older click
        if (msg.details) renderDetails(this.detailsBox, msg.details);
        else renderDetailsMessage(this.detailsBox, msg.error ?? 'No details for this packet.', 'error');
        // The details pane grew and the diagram box shrank: keep the packet in view.
        this.revealSelected();
        break;
    }
  }

  private show(result: AnalysisResult, title: string, source: string): void {
    const received = this.received;
    const parsed = performance.now();
    this.result = result;
    this.hopsCache.clear();
    this.hopsPending.clear();
    this.hopsFailed.clear();
    clearTimeout(this.hopsTimer);
    this.names = pointNames(result.lanes, result.manifest.points.map((p) => p.file));
    this.rsPoints = new Map();
    result.manifest.points.forEach((p, i) => {
      // capture.json's real server, else the one the analysis identified from the capture.
      const name = p.realServer ?? result.lanes.find((l) => l.point === i)?.realServer ?? (p.role === 'real-server' ? p.host : undefined);
      if (name) this.rsPoints.set(name, [...(this.rsPoints.get(name) ?? []), i]);
    });
    this.codesOf = result.connections.map((c) => connectionFindings(c, result.findings));
    this.cited = citedPackets(result);
    this.matchers = result.findings.map(findingMatcher);
    const only = (values: string[]): string | undefined => (values.length > 1 && values.every((v) => v === values[0]) ? values[0] : undefined);
    this.commonClient = only(result.connections.map((c) => c.client));
    this.commonVip = only(result.connections.map((c) => c.vip));
    if (this.state.findingIndex !== undefined && !result.findings[this.state.findingIndex]) this.state.findingIndex = undefined;
    this.state.source = source;
    const indexed = performance.now();
    this.layout(result, title);
    const laidOut = performance.now();
    this.fillFilters(result);
    const filters = performance.now();
    this.applyFilter(false);
    // Restore the selection, or pick the first connection a finding cites.
    let index = this.state.selectedId ? this.visible.findIndex((i) => result.connections[i].id === this.state.selectedId) : -1;
    if (index < 0) index = Math.max(0, this.visible.findIndex((i) => this.codesOf[i].length > 0));
    if (this.state.listScrollTop) this.list.scrollTop = this.state.listScrollTop;
    if (this.visible.length) this.list.select(index, !this.state.listScrollTop);
    else this.renderEmptyDiagram();
    this.firstScreen = { received, parsed, indexed, laidOut, filters, rendered: performance.now() };
    if (!this.visible.length) this.reportFirstScreen();
  }

  /** Posts the first-screen timing after the browser painted it (two frames later). */
  private reportFirstScreen(): void {
    const marks = this.firstScreen;
    if (!marks) return;
    this.firstScreen = undefined;
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        vscode.postMessage({ type: 'perf', marks: { ...marks, painted: performance.now() } });
      }),
    );
  }

  private layout(result: AnalysisResult, title: string): void {
    clear(this.root);
    clear(this.header);
    const s = result.stats;
    this.header.appendChild(el('h1', {}, title));
    this.header.appendChild(
      el('span', { class: 'stats' }, `${s.packets.toLocaleString('en')} packets · ${s.connections.toLocaleString('en')} connections · ${s.durationSec.toFixed(1)} s`),
    );
    this.header.appendChild(this.pointsInfo(result));
    const laneErrors = result.lanes.filter((l) => l.error || l.warning);
    for (const l of laneErrors) this.header.appendChild(el('div', { class: 'lane-warning' }, `${this.laneName(l)}: ${l.error ?? l.warning}`));
    for (const e of result.manifest.errors ?? []) this.header.appendChild(el('div', { class: 'lane-warning' }, `${e.host}: ${e.message}`));
    this.renderFindings(result);

    const toolbar = el('div', { class: 'toolbar' }, this.search.element, this.rsFilter.element, this.findingFilter.element, this.stateFilter.element, this.countLabel);
    const listHead = el(
      'div',
      { class: 'list-head', 'aria-hidden': 'true' },
      el('span', {}, '#'),
      el('span', {}, this.commonClient ? 'client port' : 'client:port'),
      el('span', {}, 'service'),
      el('span', {}, 'real server'),
      el('span', {}, 'state'),
      el('span', { class: 'num' }, 'pkts'),
      el('span', {}, 'findings'),
    );
    // Said once when every connection shares it: the cells then keep room for the ports.
    const shared = [this.commonClient ? `from ${this.commonClient}` : '', this.commonVip ? `to ${this.commonVip}` : ''].filter(Boolean);
    const caption = shared.length ? el('div', { class: 'list-caption' }, `All connections ${shared.join(' ')}`) : null;
    const left = el(
      'div',
      { class: `left${this.commonClient ? ' common-client' : ''}${this.commonVip ? ' common-vip' : ''}` },
      toolbar,
      caption,
      listHead,
      this.list.element,
    );
    const right = el('div', { class: 'right' }, el('div', { class: 'diagram-pane' }, this.connHead, this.diagramBox), this.detailsBox);
    renderDetailsMessage(this.detailsBox, 'Click a packet (or focus it and press Enter) to see its decoded fields and bytes.');
    this.root.appendChild(this.header);
    this.root.appendChild(this.findingsBox);
    this.root.appendChild(el('div', { class: 'main' }, left, right));
  }

  private laneName(lane: Lane): string {
    return this.names.get(lane.point) ?? `${lane.host} ${lane.interface}`;
  }

  /** The capture points as text (the diagram's lane header is a picture): file, packets, clock
   *  correction and how it was found, what the capture covered, and what could not be read. */
  private pointsInfo(result: AnalysisResult): HTMLElement {
    const list = el('ul', {});
    for (const l of result.lanes) {
      const p = result.manifest.points[l.point];
      const parts: string[] = [`${l.packetCount.toLocaleString('en')} packets`];
      if (p?.file) parts.push(p.file);
      const off = l.clockOffsetMs ?? 0;
      if (Math.abs(off) >= 0.001) parts.push(`clock ${off > 0 ? '+' : '−'}${formatMs(Math.abs(off))} ms (${formatMs(Math.abs(off))} ms ${off > 0 ? 'added to' : 'taken from'} its times)`);
      if (l.clockNote) parts.push(`clock: ${l.clockNote}`);
      if (l.realServerNote) parts.push(l.realServerNote);
      if (l.captureSpan) {
        const s = l.captureSpan;
        parts.push(s.recorded ? `captured ${clockTime(s.start)} – ${clockTime(s.end)}` : `first packet ${clockTime(s.start)}, last ${clockTime(s.end)} (capture window not recorded)`);
      }
      const li = el('li', {}, el('strong', {}, this.laneName(l)), ` — ${parts.join(' · ')}`);
      if (l.error) li.appendChild(el('span', { class: 'point-error' }, ` · unreadable: ${l.error}`));
      else if (l.warning) li.appendChild(el('span', { class: 'point-warning' }, ` · ${l.warning}`));
      list.appendChild(li);
    }
    const n = result.lanes.length;
    return el('details', { class: 'points' }, el('summary', {}, `${n} capture ${n === 1 ? 'point' : 'points'}`), list);
  }

  private renderFindings(result: AnalysisResult): void {
    clear(this.findingsBox);
    if (!result.findings.length) {
      this.findingsBox.appendChild(el('p', { class: 'no-findings' }, '✓ No findings: every connection went where it should.'));
      return;
    }
    result.findings.forEach((f, i) => {
      // The line filters the list to this finding's connections; the button beside it shows
      // the advice and the evidence, whose packet numbers open the packets.
      const line = el(
        'div',
        { class: 'finding-main', tabindex: '0', role: 'button', 'aria-pressed': 'false', title: 'Show only the connections of this finding' },
        el('span', { class: 'sev' }, f.severity),
        el('span', { class: 'code' }, f.code),
        el('span', { class: 'msg' }, markUtc(f.message)),
      );
      const row = el('div', { class: `finding sev-${f.severity}`, 'data-code': f.code, 'data-index': String(i) }, line);
      if (f.location) {
        const open = el('a', { class: 'open-config', href: '#', title: 'Show the config line' }, `${f.location.file.split('/').pop()}:${f.location.line}`);
        open.addEventListener('click', (e) => {
          e.preventDefault();
          e.stopPropagation();
          vscode.postMessage({ type: 'openFinding', index: i });
        });
        row.appendChild(open);
      }
      const panel = this.findingPanel(result, f, i);
      if (panel) {
        const more = el('button', { class: 'more', type: 'button', 'aria-expanded': 'false', 'aria-controls': panel.id }, 'Advice and evidence');
        more.addEventListener('click', (e) => {
          e.stopPropagation();
          const open = panel.hidden;
          panel.hidden = !open;
          more.setAttribute('aria-expanded', String(open));
        });
        row.appendChild(more);
        row.appendChild(panel);
      }
      const activate = (): void => {
        const again = this.state.findingIndex === i;
        this.state.filterFinding = '';
        this.setFilter({ findingIndex: again ? undefined : i }, true);
      };
      line.addEventListener('click', activate);
      line.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          activate();
        }
      });
      this.findingsBox.appendChild(row);
    });
  }

  /** Advice, suggested fix and evidence of a finding, as text; cited packets as buttons. */
  private findingPanel(result: AnalysisResult, f: Finding, index: number): HTMLElement | undefined {
    if (!f.advice && !f.evidence.length && !f.fix) return undefined;
    const panel = el('div', { class: 'finding-more', id: `finding-more-${index}` });
    panel.hidden = true;
    if (f.advice) panel.appendChild(el('p', { class: 'advice' }, el('strong', {}, 'Advice: '), markUtc(f.advice)));
    if (f.fix) panel.appendChild(el('p', { class: 'fix' }, el('strong', {}, 'Suggested fix: '), `${f.fix.description} (on ${f.fix.host}: ${f.fix.argv.join(' ')})`));
    if (f.evidence.length) {
      const list = el('ul', { class: 'evidence', 'aria-label': 'Evidence' });
      for (const ev of f.evidence) {
        const points = evidencePoints(result, ev);
        const lane = points.length === 1 ? result.lanes.find((l) => l.point === points[0]) : undefined;
        const where = lane ? this.laneName(lane) : ev.file ? `${ev.host} ${ev.file}` : ev.host;
        const li = el('li', {}, el('span', { class: 'ev-where' }, where), el('span', { class: 'ev-text' }, markUtc(ev.text)));
        if (ev.packets?.length) {
          const pk = el('span', { class: 'ev-packets' }, ev.packets.length > 1 ? 'packets ' : 'packet ');
          ev.packets.slice(0, EVIDENCE_PACKETS).forEach((n, k) => {
            if (k) pk.appendChild(document.createTextNode(' '));
            if (points.length === 1) {
              const b = el('button', { class: 'pkt', type: 'button', title: `Show packet ${n} of ${where}`, 'data-point': String(points[0]), 'data-n': String(n) }, `#${n}`);
              b.addEventListener('click', (e) => {
                e.stopPropagation();
                this.openPacket({ point: points[0], n });
              });
              pk.appendChild(b);
            } else {
              pk.appendChild(el('span', { class: 'pkt-n' }, `#${n}`));
            }
          });
          if (ev.packets.length > EVIDENCE_PACKETS) pk.appendChild(document.createTextNode(` and ${ev.packets.length - EVIDENCE_PACKETS} more`));
          li.appendChild(pk);
        }
        list.appendChild(li);
      }
      panel.appendChild(list);
    }
    return panel;
  }

  private fillFilters(result: AnalysisResult): void {
    const rs = new Set<string>();
    const states = new Set<string>();
    const codes = new Set<string>();
    result.connections.forEach((c, i) => {
      rs.add(c.realServer ?? NO_REAL_SERVER);
      states.add(c.state);
      this.codesOf[i].forEach((x) => codes.add(x));
    });
    result.findings.forEach((f) => codes.add(f.code));
    const opts = (all: string, values: Set<string>, labels: Record<string, string> = {}) => [
      { value: '', label: all },
      ...[...values].sort().map((v) => ({ value: v, label: labels[v] ?? v })),
    ];
    this.rsFilter.setChoices(opts('All real servers', rs), this.state.filterRealServer ?? '');
    this.findingFilter.setChoices(opts('All findings', codes), this.state.filterFinding ?? '');
    this.stateFilter.setChoices(opts('All states', states, STATE_LABELS), this.state.filterState ?? '');
    this.search.value = this.state.search ?? '';
  }

  private setFilter(change: Partial<ViewState>, syncControls = false): void {
    // Picking a code in the dropdown replaces a finding clicked in the list.
    if ('filterFinding' in change && !('findingIndex' in change) && change.filterFinding) change = { ...change, findingIndex: undefined };
    Object.assign(this.state, change);
    if (syncControls) this.findingFilter.value = this.state.filterFinding ?? '';
    this.applyFilter(true);
  }

  private applyFilter(selectFirst: boolean): void {
    const r = this.result;
    if (!r) return;
    this.visible = filterConnections(r, this.codesOf, {
      search: this.state.search,
      realServer: this.state.filterRealServer || undefined,
      finding: this.state.filterFinding || undefined,
      state: this.state.filterState || undefined,
      only: this.state.findingIndex !== undefined ? this.matchers[this.state.findingIndex] : undefined,
    });
    this.countLabel.textContent = `${this.visible.length.toLocaleString('en')} of ${r.connections.length.toLocaleString('en')}`;
    for (const row of this.findingsBox.querySelectorAll<HTMLElement>('.finding')) {
      const active = row.dataset.index === String(this.state.findingIndex) || (!!this.state.filterFinding && row.dataset.code === this.state.filterFinding);
      row.classList.toggle('active', active);
      row.querySelector('.finding-main')?.setAttribute('aria-pressed', String(row.dataset.index === String(this.state.findingIndex)));
    }
    const keep = this.state.selectedId ? this.visible.findIndex((i) => r.connections[i].id === this.state.selectedId) : -1;
    this.list.setCount(this.visible.length, keep);
    if (selectFirst) {
      if (keep >= 0) this.list.select(keep);
      else if (this.visible.length) this.list.select(0);
      else this.renderEmptyDiagram();
    }
    this.save();
  }

  private renderRow(row: HTMLElement, index: number): void {
    const r = this.result!;
    const ci = this.visible[index];
    const c = r.connections[ci];
    if (row.childElementCount === 0) {
      for (let k = 0; k < 7; k++) row.appendChild(document.createElement('span'));
      // Client and service: the address shortens first, the port always shows.
      row.children[1].className = 'ep';
      row.children[1].append(el('span', { class: 'addr' }), el('span', { class: 'port' }));
      row.children[2].className = 'ep';
      row.children[2].append(el('span', { class: 'proto' }), el('span', { class: 'addr' }), el('span', { class: 'port' }));
      row.children[5].className = 'num';
    }
    const cells = row.children;
    const codes = this.codesOf[ci];
    cells[0].textContent = String(ci + 1);
    const [ca, cp] = endpointParts(c.client, c.clientPort);
    cells[1].children[0].textContent = this.commonClient ? '' : ca;
    cells[1].children[1].textContent = cp;
    const [va, vp] = endpointParts(c.vip, c.vport);
    cells[2].children[0].textContent = `${c.protocol} `;
    cells[2].children[1].textContent = this.commonVip ? '' : va;
    cells[2].children[2].textContent = vp;
    cells[3].textContent = c.realServer ?? '—';
    cells[4].textContent = c.state;
    cells[4].className = `state state-${c.state}`;
    cells[5].textContent = String(c.packets);
    cells[6].textContent = codes.length ? `⚠ ${codes.join(', ')}` : '';
    cells[6].className = codes.length ? 'codes' : '';
    row.classList.toggle('has-finding', codes.length > 0);
    // The full line, for narrow panes where cells are cut.
    row.title = `${c.protocol} ${endpoint(c.client, c.clientPort)} → ${endpoint(c.vip, c.vport)}${c.realServer ? ' via ' + c.realServer : ''}: ${c.state}${
      c.stoppedAt ? ` (${c.state === 'unknown' ? 'not known past' : 'stopped at'} ${this.stopWhere(c)}: ${markUtc(c.stoppedAt.reason)})` : ''
    }${codes.length ? ' · ' + codes.join(', ') : ''}`;
  }

  private selectConnection(index: number): void {
    const r = this.result;
    const ci = this.visible[index];
    if (!r || ci === undefined) return;
    const conn = r.connections[ci];
    if (this.state.selectedId !== conn.id) {
      // A failed lookup is not kept: selected again, the connection asks again.
      this.hopsFailed.delete(conn.id);
      this.selectedHop = -1;
      this.state.details = undefined;
      renderDetailsMessage(this.detailsBox, 'Click a packet (or focus it and press Enter) to see its decoded fields and bytes.');
    }
    this.state.selectedId = conn.id;
    this.drawConnection(conn);
    this.save();
  }

  private stopWhere(conn: Connection): string {
    const lane = conn.stoppedAt ? this.result?.lanes.find((l) => l.point === conn.stoppedAt!.point) : undefined;
    return lane ? this.laneName(lane) : 'the client';
  }

  /** The connection's line, and where and why it stopped, above the diagram (wrapped, never cut). */
  private renderConnHead(conn: Connection): void {
    clear(this.connHead);
    this.connHead.appendChild(
      el(
        'div',
        { class: 'conn-title' },
        el('strong', {}, `${conn.protocol.toUpperCase()} ${endpoint(conn.client, conn.clientPort)} → ${endpoint(conn.vip, conn.vport)}`),
        conn.realServer ? ` via ${conn.realServer}` : '',
        el('span', { class: `state state-${conn.state}` }, conn.state),
      ),
    );
    if (conn.stoppedAt) {
      const where = this.stopWhere(conn);
      const reason = markUtc(conn.stoppedAt.reason);
      // Not known is not lost: said in a neutral tone, with a question, not a cross.
      this.connHead.appendChild(
        conn.state === 'unknown'
          ? el('p', { class: 'stop-reason unknown', role: 'note' }, el('span', { class: 'stop-icon', 'aria-hidden': 'true' }, '?'), el('strong', {}, `Not known past ${where}: `), reason)
          : el('p', { class: 'stop-reason', role: 'note' }, el('span', { class: 'stop-icon', 'aria-hidden': 'true' }, '✕'), el('strong', {}, `Stopped at ${where}: `), reason),
      );
    }
    const note = shownNote(conn);
    if (note) this.connHead.appendChild(el('p', { class: 'capped shown-note', role: 'note' }, note));
  }

  private drawConnection(summary: Connection): void {
    const hops = this.hopsCache.get(summary.id);
    const conn: Connection = { ...summary, hops: hops ?? [] };
    this.renderConnHead(conn);
    clear(this.diagramBox);
    this.view = undefined;
    this.drawn = undefined;
    if (!hops) {
      const failed = this.hopsFailed.get(summary.id);
      if (failed !== undefined) {
        const retry = button('Retry', () => {
          this.hopsFailed.delete(summary.id);
          this.drawConnection(summary);
        });
        retry.classList.add('retry');
        this.diagramBox.appendChild(el('div', { class: 'load-failed', role: 'alert' }, el('p', { class: 'load-error error' }, `Could not load the packets: ${failed}`), retry));
        return;
      }
      this.diagramBox.appendChild(el('p', { class: 'hint' }, `Loading ${summary.packets} packets…`));
      // Opened (Enter, a double click): asked at once; a selection passing by waits its turn.
      this.askHops(summary.id, this.focusDiagram);
      return;
    }
    const canvas = el('div', { class: 'diagram-canvas' });
    this.diagramBox.appendChild(canvas);
    const lanes = this.result?.lanes ?? [];
    const files = this.result?.manifest.points.map((p) => p.file) ?? [];
    const cols = lanes.length ? orderColumns(lanes, 'client', conn, files) : orderColumns([], conn.client);
    this.drawn = conn;
    this.drawnWidth = this.diagramBox.clientWidth;
    this.view = renderDiagram(canvas, this.diagramBox, conn, cols, { lanes, cited: this.cited, rsPoints: this.rsPoints }, this.selectedHop, {
      onPacket: (hop) => this.requestPacket(conn, hop),
      onEscape: () => this.list.element.focus(),
    });
    this.reportFirstScreen();
    if (this.focusDiagram) {
      this.focusDiagram = false;
      this.view.focusHop(this.selectedHop >= 0 ? this.selectedHop : 0);
    } else if (this.selectedHop >= 0) {
      this.view.revealHop(this.selectedHop);
    }
  }

  /**
   * Asks for a connection's hops, once while the answer is on its way. Selections in quick
   * succession (a held arrow key) ask only for the one the selection rests on: the first goes
   * out at once, the rest wait until the keys pause.
   */
  private askHops(id: string, now = false): void {
    if (this.hopsPending.has(id)) return;
    clearTimeout(this.hopsTimer);
    const send = (): void => {
      if (this.hopsPending.has(id) || this.hopsCache.has(id) || this.state.selectedId !== id) return;
      this.hopsPending.add(id);
      this.lastHopsRequest = performance.now();
      vscode.postMessage({ type: 'hopsRequest', requestId: this.nextHopsRequest++, connectionId: id });
    };
    const since = performance.now() - this.lastHopsRequest;
    if (now || since >= HOPS_DEBOUNCE_MS) send();
    else {
      this.lastHopsRequest = performance.now();
      this.hopsTimer = window.setTimeout(send, HOPS_DEBOUNCE_MS);
    }
  }

  private drawnWidth = 0;
  private resizeTimer = 0;
  private onDiagramResize(): void {
    const w = this.diagramBox.clientWidth;
    if (!this.drawn || !w || Math.abs(w - this.drawnWidth) < 16) return;
    clearTimeout(this.resizeTimer);
    this.resizeTimer = window.setTimeout(() => {
      const conn = this.drawn;
      if (!conn || Math.abs(this.diagramBox.clientWidth - this.drawnWidth) < 16) return;
      const active = document.activeElement;
      const focused = active instanceof SVGGElement && active.classList.contains('hop') ? Number(active.dataset.hop) : -1;
      const top = this.diagramBox.scrollTop;
      this.drawConnection(conn);
      this.diagramBox.scrollTop = top;
      if (focused >= 0) this.view?.focusHop(focused);
    }, 120);
  }

  private requestPacket(conn: Connection, hopIndex: number): void {
    const hop = conn.hops[hopIndex];
    this.selectedHop = hopIndex;
    this.view?.select(hopIndex);
    this.askDetails(hop.ref);
  }

  /** A packet named by a finding's evidence: its hop when the diagram shows it, else just its details. */
  private openPacket(ref: PacketRef): void {
    const hop = this.drawn?.hops.findIndex((h) => h.ref.point === ref.point && h.ref.n === ref.n) ?? -1;
    if (this.drawn && hop >= 0 && hop < this.drawn.hops.length) {
      this.requestPacket(this.drawn, hop);
      this.view?.revealHop(hop);
      return;
    }
    this.selectedHop = -1;
    this.view?.select(-1);
    this.askDetails(ref);
  }

  private askDetails(ref: PacketRef): void {
    this.pendingRequest = this.nextRequest++;
    this.state.details = ref;
    renderDetailsMessage(this.detailsBox, `Decoding packet ${ref.n}…`);
    vscode.postMessage({ type: 'packetRequest', requestId: this.pendingRequest, ref });
    this.revealSelected();
    this.save();
  }

  private revealSelected(): void {
    if (this.selectedHop >= 0) this.view?.revealHop(this.selectedHop);
  }

  private renderEmptyDiagram(): void {
    clear(this.connHead);
    clear(this.diagramBox);
    this.view = undefined;
    this.drawn = undefined;
    this.diagramBox.appendChild(el('p', { class: 'hint' }, this.result?.connections.length ? 'No connection matches the filters.' : 'No connection to the virtual service in this capture.'));
  }

  private saveTimer = 0;
  private save(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = window.setTimeout(() => {
      this.state.listScrollTop = this.list.scrollTop;
      vscode.setState(this.state);
    }, 150);
  }
}

/** `12`, `0.5`, `50.25`: milliseconds without trailing zeros. */
function formatMs(ms: number): string {
  return String(Number(ms.toFixed(ms >= 10 ? 1 : 3)));
}

/** "Showing 48 of 1,816 packets of this connection: …" when not all of them are drawn: the
 *  middle of a long connection not kept (Hop.omittedBefore), or more kept than MAX_HOPS. */
function shownNote(conn: Connection): string | undefined {
  if (!conn.hops.length) return undefined;
  const kept = conn.hops.length;
  const shown = Math.min(kept, MAX_HOPS);
  let omitted = 0;
  for (const h of conn.hops) omitted += h.omittedBefore ?? 0;
  // Sightings the analysis dropped as not on the path (frames overheard) are not counted.
  const total = kept + omitted;
  if (total <= shown) return undefined;
  const why: string[] = [];
  if (omitted) why.push(`${omitted.toLocaleString('en')} in the middle were not kept by the analysis (⋯ marks where)`);
  if (kept > shown) why.push(`the ${(kept - shown).toLocaleString('en')} after the first ${shown.toLocaleString('en')} kept are not drawn`);
  return `Showing ${shown.toLocaleString('en')} of ${total.toLocaleString('en')} packets of this connection: ${why.join('; ')}.`;
}

new FlowApp();
