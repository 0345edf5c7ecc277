// "LVS: Open Capture…": a saved capture folder (or a pcap file) in the flow view.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { CAPTURES_DIR } from '../captures/captureLibrary';
import { OPEN_CAPTURE_DIALOG, captureToOpen } from '../captures/openChoices';
import { FlowPanel, type FlowDeps } from '../flow/flowPanel';

export async function openCapture(deps: FlowDeps, target?: vscode.Uri): Promise<void> {
  let uri = target;
  if (!uri) {
    const folder = vscode.workspace.workspaceFolders?.[0];
    const captures = folder ? vscode.Uri.joinPath(folder.uri, CAPTURES_DIR) : undefined;
    // Files only (a capture folder by its capture.json): see OPEN_CAPTURE_DIALOG.
    const picked = await vscode.window.showOpenDialog({
      ...OPEN_CAPTURE_DIALOG,
      filters: { ...OPEN_CAPTURE_DIALOG.filters },
      defaultUri: captures && fs.existsSync(captures.fsPath) ? captures : folder?.uri,
    });
    uri = picked?.[0];
  }
  if (!uri) return;
  const open = captureToOpen(uri.fsPath);
  if ('problem' in open) {
    void vscode.window.showErrorMessage(open.problem);
    return;
  }
  FlowPanel.show(open.source, deps);
}
