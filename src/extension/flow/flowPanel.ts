// The flow view as a webview panel: one per capture (folder or pcap file). The
// webview asks for data with `ready` and for single packets with `packetRequest`;
// panels come back after a reload through FlowPanelSerializer (the webview keeps
// its source in setState).
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AnalysisResult } from '../../core/analysis/result';
import type { CaptureLibrary } from '../captures/captureLibrary';
import { Disposable } from '../util/dispose';
import { renderFlowHtml } from './html';
import type { FlowViewState, FromWebviewMessage, ToWebviewMessage } from './protocol';

export const FLOW_VIEW_TYPE = 'lvs.flow';

/** Webview options shared by panels and the custom editor: scripts on, resources from dist/media only. */
export function flowWebviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'media')] };
}

/** The flow page for a webview (the HTML builder is shared with the browser test). */
export function flowHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string): string {
  const media = vscode.Uri.joinPath(extensionUri, 'dist', 'media');
  return renderFlowHtml({
    cspSource: webview.cspSource,
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'flow.js')).toString(),
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'flow.css')).toString(),
    title,
  });
}

/**
 * Connects one webview to one capture: answers its messages and sends the analysis.
 * Used by FlowPanel and by the pcap custom editor.
 */
export class FlowSession extends Disposable {
  private result?: AnalysisResult;
  private ready = false;

  constructor(
    private readonly webview: vscode.Webview,
    readonly source: string,
    private readonly library: CaptureLibrary,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this._register(webview.onDidReceiveMessage((m: FromWebviewMessage) => this.onMessage(m)));
  }

  get title(): string {
    return path.basename(this.source);
  }

  /** Analyse (or take a fresh result) and show it. */
  async load(result?: AnalysisResult): Promise<void> {
    try {
      if (!result) void this.post({ type: 'loading', text: `Analysing ${this.title}…` });
      this.result = result ?? (await this.library.analyze(this.source));
      if (this.ready) await this.sendResult();
    } catch (e) {
      const msg = `Could not analyse ${this.source}: ${(e as Error).message}`;
      this.log.error(msg);
      void this.post({ type: 'loading', text: msg });
    }
  }

  private async sendResult(): Promise<void> {
    if (this.result) {
      // Results come from the library without hops; the webview asks for them per connection.
      await this.post({ type: 'show', resultJson: JSON.stringify(this.result), title: this.title, source: this.source });
    }
  }

  private post(m: ToWebviewMessage): Thenable<boolean> {
    return this.webview.postMessage(m);
  }

  private async onMessage(m: FromWebviewMessage): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        await this.sendResult();
        break;
      case 'packetRequest': {
        const r = this.result;
        if (!r) return;
        try {
          const details = await this.library.packetDetails(r, m.ref);
          await this.post({ type: 'packetDetails', inReplyTo: m.requestId, details });
        } catch (e) {
          await this.post({ type: 'packetDetails', inReplyTo: m.requestId, error: (e as Error).message });
        }
        break;
      }
      case 'hopsRequest': {
        // Built on demand by the analysis worker, one connection at a time. A failure is
        // said as such: an empty list would draw as a connection without packets.
        try {
          const hops = await this.library.hops(this.source, m.connectionId);
          if (hops) await this.post({ type: 'hops', inReplyTo: m.requestId, connectionId: m.connectionId, hops });
          else await this.post({ type: 'hops', inReplyTo: m.requestId, connectionId: m.connectionId, hops: [], error: `connection ${m.connectionId} is not in the analysis of ${this.title}` });
        } catch (e) {
          const message = (e as Error).message || String(e);
          this.log.error(`hops of ${m.connectionId} in ${this.source}: ${message}`);
          await this.post({ type: 'hops', inReplyTo: m.requestId, connectionId: m.connectionId, hops: [], error: message });
        }
        break;
      }
      case 'perf':
        this.log.debug(`flow view ${this.title}: ${JSON.stringify(m.marks)}`);
        break;
      case 'openFinding': {
        const f = this.result?.findings[m.index];
        const target = f && this.library.locationOf(this.source, f);
        if (target) await vscode.window.showTextDocument(target.uri, { selection: target.range, preview: true });
        break;
      }
    }
  }
}

/** A flow view in an editor tab, one per capture. */
export class FlowPanel extends Disposable {
  private static readonly panels = new Map<string, FlowPanel>();
  readonly session: FlowSession;

  /** Shows the capture (reusing its panel), with a result when the caller has one. */
  static show(source: string, deps: FlowDeps, result?: AnalysisResult): FlowPanel {
    const existing = FlowPanel.panels.get(source);
    if (existing) {
      existing.panel.reveal();
      void existing.session.load(result);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(FLOW_VIEW_TYPE, `LVS flow: ${path.basename(source)}`, vscode.ViewColumn.Active, flowWebviewOptions(deps.extensionUri));
    const p = new FlowPanel(panel, source, deps);
    void p.session.load(result);
    return p;
  }

  /** Brings back a panel after a window reload. */
  static revive(panel: vscode.WebviewPanel, source: string, deps: FlowDeps): FlowPanel {
    // Reset the options so localResourceRoots points at this install of the extension.
    panel.webview.options = flowWebviewOptions(deps.extensionUri);
    const p = new FlowPanel(panel, source, deps);
    void p.session.load();
    return p;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    source: string,
    deps: FlowDeps,
  ) {
    super();
    FlowPanel.panels.set(source, this);
    this.session = this._register(new FlowSession(panel.webview, source, deps.library, deps.log));
    panel.webview.html = flowHtml(panel.webview, deps.extensionUri, this.session.title);
    this._register(panel.onDidDispose(() => this.dispose()));
  }

  override dispose(): void {
    FlowPanel.panels.delete(this.session.source);
    this.panel.dispose();
    super.dispose();
  }
}

export interface FlowDeps {
  extensionUri: vscode.Uri;
  library: CaptureLibrary;
  log: vscode.LogOutputChannel;
}

/** Restores flow panels after a reload from the state the webview saved. */
export class FlowPanelSerializer implements vscode.WebviewPanelSerializer<FlowViewState> {
  constructor(private readonly deps: FlowDeps) {}

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: FlowViewState | undefined): Promise<void> {
    if (!state?.source) {
      panel.dispose();
      return;
    }
    FlowPanel.revive(panel, state.source, this.deps);
  }
}
