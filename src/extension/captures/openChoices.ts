// What "LVS: Open Capture…" asks and accepts, without the `vscode` API: the file dialog's
// options, and the capture a picked path (or the command's argument) names.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isPcapFile } from './singleFile';

/** The dialog's options but its start folder (vscode.OpenDialogOptions without defaultUri). */
export interface CaptureDialogOptions {
  title: string;
  canSelectFiles: boolean;
  canSelectFolders: boolean;
  canSelectMany: boolean;
  filters: Record<string, string[]>;
  openLabel: string;
}

/**
 * Files only. On Windows and Linux a native dialog cannot pick both files and folders: one
 * allowed to pick folders showed folders only, and a lone pcap could not be opened. A capture
 * folder is opened by its capture.json instead, which every dialog (native or VS Code's simple
 * one of a browser or remote window) picks as a file.
 */
export const OPEN_CAPTURE_DIALOG: Readonly<CaptureDialogOptions> = Object.freeze({
  title: "Open Capture: pick a capture folder's capture.json or a pcap file",
  canSelectFiles: true,
  canSelectFolders: false,
  canSelectMany: false,
  filters: { 'Captures (capture.json, pcap)': ['json', 'pcap', 'pcapng', 'cap'] },
  openLabel: 'Open Capture',
});

/**
 * The capture a path names: a capture.json stands for its folder (as `lvs-trace analyze` takes
 * it); a folder holding capture.json and a .pcap/.pcapng/.cap file are taken as they are.
 */
export function captureToOpen(picked: string): { source: string } | { problem: string } {
  const source = path.basename(picked) === 'capture.json' ? path.dirname(picked) : picked;
  if (fs.existsSync(path.join(source, 'capture.json')) || isPcapFile(source)) return { source };
  if (/\.json$/i.test(source)) return { problem: `${source} is not a capture.json: open a capture folder's capture.json, or a .pcap/.pcapng/.cap file.` };
  return { problem: `${source} is neither a capture folder (no capture.json in it) nor a .pcap/.pcapng file.` };
}
