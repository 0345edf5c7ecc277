// Opens .pcap/.pcapng files in the flow view (a read-only custom editor). Priority
// "option" in package.json: users with another pcap viewer keep it as default and
// pick ours with "Reopen Editor With…".
import * as vscode from 'vscode';
import { type FlowDeps, FlowSession, flowHtml, flowWebviewOptions } from './flowPanel';

export const PCAP_VIEW_TYPE = 'lvs.pcapViewer';

export class PcapEditorProvider implements vscode.CustomReadonlyEditorProvider {
  static register(deps: FlowDeps): vscode.Disposable {
    return vscode.window.registerCustomEditorProvider(PCAP_VIEW_TYPE, new PcapEditorProvider(deps), {
      supportsMultipleEditorsPerDocument: true,
    });
  }

  private constructor(private readonly deps: FlowDeps) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    panel.webview.options = flowWebviewOptions(this.deps.extensionUri);
    const session = new FlowSession(panel.webview, document.uri.fsPath, this.deps.library, this.deps.log);
    panel.webview.html = flowHtml(panel.webview, this.deps.extensionUri, session.title);
    panel.onDidDispose(() => session.dispose());
    void session.load();
  }
}
