// Entry point of the VS Code layer: creates the shared services and activates
// every feature. Kept thin: all LVS knowledge lives in src/core.
import * as vscode from 'vscode';
import { features } from './features';
import { CheckResults } from './tree/clusterTree';

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const log = vscode.window.createOutputChannel('LVS Troubleshooter', { log: true });
  context.subscriptions.push(log);
  const checkResults = new CheckResults();
  context.subscriptions.push(checkResults);
  for (const feature of features) {
    try {
      await feature.activate({ context, log, checkResults });
    } catch (e) {
      // One broken feature must not take the others down.
      log.error(`feature ${feature.name} failed to activate: ${(e as Error).message}`);
    }
  }
}

export function deactivate(): void {
  // Disposables are released through context.subscriptions.
}
