// Entry point of the flow webview: receives the analysis from the extension,
// draws the findings, the connection list (virtualised) and the diagram of the
// selected connection, asks the extension for a packet's details on click, and
// keeps its view state with setState so a reload restores it.
import type { AnalysisResult, Connection, Hop } from '../../src/core/analysis/result';
import type { FlowViewState, FromWebviewMessage, ToWebviewMessage } from '../../src/extension/flow/protocol';
import { el, clear } from './dom';
import { renderDiagram } from './diagram';
import { renderDetails, renderDetailsMessage } from './details';
import { VirtualList } from './list';
import { type CitedPackets, type Column, citedPackets, connectionFindings, endpoint, filterConnections, NO_REAL_SERVER, orderColumns } from './model';
import { type Dropdown, type TextField, dropdown, registerControls, textField } from './toolkit';

interface VsCodeApi {
  postMessage(msg: FromWebviewMessage): void;
  getState(): FlowViewState | undefined;
  setState(state: FlowViewState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const ROW_HEIGHT = 26;

class FlowApp {
  private state: FlowViewState = vscode.getState() ?? {};
  private result?: AnalysisResult;
  private codesOf: string[][] = [];
  private cited: CitedPackets = new Map();
  private visible: number[] = [];
  private cols: Column[] = [];
  private selectedHop = -1;
  private nextRequest = 1;
  private pendingRequest = 0;
  private received = 0;
  /** Hops arrive per connection on request (the first message carries none). */
  private hopsCache = new Map<string, Hop[]>();
  /** Connections whose hops were asked for and have not arrived yet. */
  private readonly hopsPending = new Set<string>();
  private nextHopsRequest = 1;
  /** Timing of the first screen, posted once the first diagram is painted. */
  private firstScreen?: Record<string, number>;
  /** Enter in the list: move focus to the first packet once the diagram is drawn. */
  private focusDiagram = false;

  private readonly root = document.getElementById('app')!;
  private readonly header = el('header', { class: 'top' });
  private readonly findingsBox = el('section', { class: 'findings', 'aria-label': 'Findings' });
  private readonly countLabel = el('span', { class: 'count', 'aria-live': 'polite' });
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
        this.hopsCache.set(msg.connectionId, msg.hops);
        const conn = this.result && this.state.selectedId === msg.connectionId ? this.result.connections.find((c) => c.id === msg.connectionId) : undefined;
        if (conn) this.drawConnection(conn);
        break;
      }
      case 'packetDetails':
        if (msg.inReplyTo !== this.pendingRequest) return; // an older click
        if (msg.details) renderDetails(this.detailsBox, msg.details);
        else renderDetailsMessage(this.detailsBox, msg.error ?? 'No details for this packet.', 'error');
        break;
    }
  }

  private show(result: AnalysisResult, title: string, source: string): void {
    const received = this.received;
    const parsed = performance.now();
    this.result = result;
    this.hopsCache.clear();
    this.hopsPending.clear();
    this.codesOf = result.connections.map((c) => connectionFindings(c, result.findings));
    this.cited = citedPackets(result);
    this.cols = orderColumns(result.lanes);
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
      el('span', { class: 'stats' }, `${s.packets.toLocaleString('en')} packets · ${s.connections.toLocaleString('en')} connections · ${s.durationSec.toFixed(1)} s · ${result.lanes.length} capture points`),
    );
    const laneErrors = result.lanes.filter((l) => l.error || l.warning);
    for (const l of laneErrors) this.header.appendChild(el('div', { class: 'lane-warning' }, `${l.host} ${l.interface}: ${l.error ?? l.warning}`));
    for (const e of result.manifest.errors ?? []) this.header.appendChild(el('div', { class: 'lane-warning' }, `${e.host}: ${e.message}`));
    this.renderFindings(result);

    const toolbar = el('div', { class: 'toolbar' }, this.search.element, this.rsFilter.element, this.findingFilter.element, this.stateFilter.element, this.countLabel);
    const listHead = el(
      'div',
      { class: 'list-head', 'aria-hidden': 'true' },
      el('span', {}, '#'),
      el('span', {}, 'client'),
      el('span', {}, 'service'),
      el('span', {}, 'real server'),
      el('span', {}, 'state'),
      el('span', { class: 'num' }, 'pkts'),
      el('span', {}, 'findings'),
    );
    const left = el('div', { class: 'left' }, toolbar, listHead, this.list.element);
    const right = el('div', { class: 'right' }, this.diagramBox, this.detailsBox);
    renderDetailsMessage(this.detailsBox, 'Click a packet (or focus it and press Enter) to see its decoded fields and bytes.');
    this.root.appendChild(this.header);
    this.root.appendChild(this.findingsBox);
    this.root.appendChild(el('div', { class: 'main' }, left, right));
  }

  private renderFindings(result: AnalysisResult): void {
    clear(this.findingsBox);
    if (!result.findings.length) {
      this.findingsBox.appendChild(el('p', { class: 'no-findings' }, '✓ No findings: every connection went where it should.'));
      return;
    }
    result.findings.forEach((f, i) => {
      const row = el(
        'div',
        { class: `finding sev-${f.severity}`, tabindex: '0', role: 'button', 'data-code': f.code, title: f.advice ?? f.message },
        el('span', { class: 'sev' }, f.severity),
        el('span', { class: 'code' }, f.code),
        el('span', { class: 'msg' }, f.message),
      );
      if (f.location) {
        const open = el('a', { class: 'open-config', href: '#', title: 'Show the config line' }, `${f.location.file.split('/').pop()}:${f.location.line}`);
        open.addEventListener('click', (e) => {
          e.preventDefault();
          e.stopPropagation();
          vscode.postMessage({ type: 'openFinding', index: i });
        });
        row.appendChild(open);
      }
      const activate = (): void => this.setFilter({ filterFinding: this.state.filterFinding === f.code ? '' : f.code }, true);
      row.addEventListener('click', activate);
      row.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          activate();
        }
      });
      this.findingsBox.appendChild(row);
    });
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
    const opts = (all: string, values: Set<string>) => [{ value: '', label: all }, ...[...values].sort().map((v) => ({ value: v, label: v }))];
    this.rsFilter.setChoices(opts('All real servers', rs), this.state.filterRealServer ?? '');
    this.findingFilter.setChoices(opts('All findings', codes), this.state.filterFinding ?? '');
    this.stateFilter.setChoices(opts('All states', states), this.state.filterState ?? '');
    this.search.value = this.state.search ?? '';
  }

  private setFilter(change: Partial<FlowViewState>, syncControls = false): void {
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
    });
    this.countLabel.textContent = `${this.visible.length.toLocaleString('en')} of ${r.connections.length.toLocaleString('en')}`;
    for (const row of this.findingsBox.querySelectorAll<HTMLElement>('.finding')) {
      row.classList.toggle('active', row.dataset.code === this.state.filterFinding);
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
      row.children[5].className = 'num';
    }
    const cells = row.children;
    const codes = this.codesOf[ci];
    cells[0].textContent = String(ci + 1);
    cells[1].textContent = endpoint(c.client, c.clientPort);
    cells[2].textContent = `${c.protocol} ${endpoint(c.vip, c.vport)}`;
    cells[3].textContent = c.realServer ?? '—';
    cells[4].textContent = c.state;
    cells[4].className = `state state-${c.state}`;
    cells[5].textContent = String(c.packets);
    cells[6].textContent = codes.length ? `⚠ ${codes.join(', ')}` : '';
    cells[6].className = codes.length ? 'codes' : '';
    row.classList.toggle('has-finding', codes.length > 0);
    // The full line, for narrow panes where cells are cut.
    row.title = `${c.protocol} ${endpoint(c.client, c.clientPort)} → ${endpoint(c.vip, c.vport)}${c.realServer ? ' via ' + c.realServer : ''}: ${c.state}${
      c.stoppedAt ? ` (stopped: ${c.stoppedAt.reason})` : ''
    }${codes.length ? ' · ' + codes.join(', ') : ''}`;
  }

  private selectConnection(index: number): void {
    const r = this.result;
    const ci = this.visible[index];
    if (!r || ci === undefined) return;
    const conn = r.connections[ci];
    if (this.state.selectedId !== conn.id) {
      this.selectedHop = -1;
      this.state.details = undefined;
      renderDetailsMessage(this.detailsBox, 'Click a packet (or focus it and press Enter) to see its decoded fields and bytes.');
    }
    this.state.selectedId = conn.id;
    this.drawConnection(conn);
    this.save();
  }

  private drawConnection(summary: Connection): void {
    const hops = this.hopsCache.get(summary.id);
    const conn: Connection = { ...summary, hops: hops ?? [] };
    clear(this.diagramBox);
    const title = el(
      'div',
      { class: 'conn-title' },
      el('strong', {}, `${conn.protocol.toUpperCase()} ${endpoint(conn.client, conn.clientPort)} → ${endpoint(conn.vip, conn.vport)}`),
      conn.realServer ? ` via ${conn.realServer}` : '',
      el('span', { class: `state state-${conn.state}` }, conn.state),
    );
    this.diagramBox.appendChild(title);
    if (!hops) {
      this.diagramBox.appendChild(el('p', { class: 'hint' }, `Loading ${summary.packets} packets…`));
      // One request per connection: selecting it again while the answer is on its way asks nothing.
      if (!this.hopsPending.has(summary.id)) {
        this.hopsPending.add(summary.id);
        vscode.postMessage({ type: 'hopsRequest', requestId: this.nextHopsRequest++, connectionId: summary.id });
      }
      return;
    }
    const canvas = el('div', { class: 'diagram-canvas' });
    this.diagramBox.appendChild(canvas);
    renderDiagram(canvas, conn, this.cols.length ? this.cols : orderColumns([], conn.client), this.cited, this.selectedHop, {
      onPacket: (hop) => this.requestPacket(conn, hop),
    });
    this.reportFirstScreen();
    if (this.focusDiagram) {
      this.focusDiagram = false;
      this.diagramBox.querySelector<SVGGElement>('g.hop')?.focus();
    }
  }

  private requestPacket(conn: Connection, hopIndex: number): void {
    const hop = conn.hops[hopIndex];
    this.selectedHop = hopIndex;
    for (const g of this.diagramBox.querySelectorAll('g.hop')) g.classList.toggle('selected', g.getAttribute('data-hop') === String(hopIndex));
    this.pendingRequest = this.nextRequest++;
    this.state.details = hop.ref;
    renderDetailsMessage(this.detailsBox, `Decoding packet ${hop.ref.n}…`);
    vscode.postMessage({ type: 'packetRequest', requestId: this.pendingRequest, ref: hop.ref });
    this.save();
  }

  private renderEmptyDiagram(): void {
    clear(this.diagramBox);
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

new FlowApp();
