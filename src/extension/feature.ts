// A feature of the VS Code layer: one concern (config language support, capture
// command, flow view, cluster check...) that registers its commands and providers.
// Features are listed in ./features.ts; extension.ts activates them in order.
import type * as vscode from 'vscode';
import type { CheckResults } from './tree/clusterTree';

export interface ExtensionServices {
  context: vscode.ExtensionContext;
  /** The extension's log (Output panel, "LVS Troubleshooter"). Never log secrets. */
  log: vscode.LogOutputChannel;
  /** The cluster check publishes its findings here (`setCheckFindings`); the LVS tree shows them. */
  checkResults: CheckResults;
}

export interface Feature {
  /** For log messages only. */
  name: string;
  activate(services: ExtensionServices): void | Promise<void>;
}
