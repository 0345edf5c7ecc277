// The pieces of "which virtual service?" that Capture VIP Traffic and Assemble Capture share:
// a config service as a quick-pick row, and a service typed by hand (validated as typed).
import * as vscode from 'vscode';
import { parseServiceSpec } from '../../core/capture';
import type { VirtualService } from '../../core/model/cluster';

/** A config service as a quick-pick row: `tcp 192.0.2.10:80`, where it is configured as detail. */
export function serviceRow(s: VirtualService): { label: string; detail?: string } {
  const vip = s.vip ?? '';
  return {
    label: `${s.protocol} ${vip.includes(':') ? `[${vip}]` : vip}:${s.port ?? '*'}`,
    detail: s.location ? `${vscode.workspace.asRelativePath(s.location.file)}:${s.location.line}` : undefined,
  };
}

/** A service typed as `capture --service` takes it (`tcp 192.0.2.10:80`); undefined if cancelled. */
export async function askServiceSpec(title: string): Promise<string | undefined> {
  return vscode.window.showInputBox({
    title,
    prompt: 'Protocol, VIP and port',
    placeHolder: 'tcp 192.0.2.10:80',
    ignoreFocusOut: true,
    validateInput: (v) => {
      try {
        parseServiceSpec(v);
        return undefined;
      } catch (e) {
        return (e as Error).message;
      }
    },
  });
}
