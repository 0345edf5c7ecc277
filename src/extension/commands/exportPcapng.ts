// "LVS: Export Capture as pcapng": the merged capture for Wireshark, with our
// annotations as packet comments.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CaptureLibrary } from '../captures/captureLibrary';
import { captureSourceOf } from '../captures/commandArgs';

/** `target`: a Uri, or the LVS tree's capture element (its inline action passes the element). */
export async function exportPcapng(library: CaptureLibrary, log: vscode.LogOutputChannel, target?: unknown): Promise<void> {
  let source = captureSourceOf(target);
  if (!source) {
    const picked = await vscode.window.showOpenDialog({ title: 'Capture folder to export', canSelectFolders: true, canSelectFiles: false, openLabel: 'Export' });
    source = picked?.[0]?.fsPath;
  }
  if (!source) return;
  const out = await vscode.window.showSaveDialog({
    title: 'Save the merged capture',
    defaultUri: vscode.Uri.file(path.join(source, `${path.basename(source)}-merged.pcapng`)),
    filters: { pcapng: ['pcapng'] },
  });
  if (!out) return;
  try {
    // In the analysis worker, written as it is merged: the capture may be gigabytes.
    const { packets, comments, problems } = await library.exportPcapng(source, out.fsPath);
    log.info(`exported ${source} to ${out.fsPath}: ${packets} packets, ${comments} with comments`);
    for (const p of problems) log.warn(`export of ${source}: ${p}`);
    const text = `Exported ${packets} packets (${comments} annotated) to ${path.basename(out.fsPath)}.`;
    if (problems.length) void vscode.window.showWarningMessage(`${text} ${problems.join('; ')}.`);
    else void vscode.window.showInformationMessage(text);
  } catch (e) {
    log.error(`export of ${source} failed: ${(e as Error).message}`);
    void vscode.window.showErrorMessage(`Export failed: ${(e as Error).message}`);
  }
}
