// "LVS: Open Capture…": a saved capture folder (or a pcap file) in the flow view.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CAPTURES_DIR, isPcapFile } from '../captures/captureLibrary';
import { FlowPanel, type FlowDeps } from '../flow/flowPanel';

export async function openCapture(deps: FlowDeps, target?: vscode.Uri): Promise<void> {
  let uri = target;
  if (!uri) {
    const folder = vscode.workspace.workspaceFolders?.[0];
    const captures = folder ? vscode.Uri.joinPath(folder.uri, CAPTURES_DIR) : undefined;
    const picked = await vscode.window.showOpenDialog({
      title: 'Open a capture folder (with capture.json) or a pcap file',
      canSelectFolders: true,
      canSelectFiles: true,
      filters: { Captures: ['pcap', 'pcapng', 'cap', 'json'] },
      defaultUri: captures && fs.existsSync(captures.fsPath) ? captures : folder?.uri,
      openLabel: 'Open Capture',
    });
    uri = picked?.[0];
  }
  if (!uri) return;
  let source = uri.fsPath;
  if (path.basename(source) === 'capture.json') source = path.dirname(source);
  const isFolder = fs.existsSync(path.join(source, 'capture.json'));
  if (!isFolder && !isPcapFile(source)) {
    void vscode.window.showErrorMessage(`${source} is neither a capture folder (no capture.json in it) nor a .pcap/.pcapng file.`);
    return;
  }
  FlowPanel.show(source, deps);
}
