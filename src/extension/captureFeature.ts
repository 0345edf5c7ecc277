// The capture side of the VS Code layer: the Capture VIP Traffic command, the flow
// view (panels, serializer, pcap editor), findings in the Problems panel, the LVS
// tree view, export, assembling hand-taken pcaps, and the stored-password command.
import * as vscode from 'vscode';
import { manifestService } from '../core/capture/plan';
import { CaptureLibrary } from './captures/captureLibrary';
import { captureSourceOf } from './captures/commandArgs';
import { workspaceModel } from './capture/workspaceConfig';
import { SecretStore } from './capture/secrets';
import { CAPTURE_COMMAND, captureVipTraffic } from './commands/captureVipTraffic';
import { ASSEMBLE_COMMAND, assembleCaptureCommand } from './commands/assembleCapture';
import { exportPcapng } from './commands/exportPcapng';
import { openCapture } from './commands/openCapture';
import type { Feature } from './feature';
import { FLOW_VIEW_TYPE, FlowPanelSerializer, type FlowDeps } from './flow/flowPanel';
import { PcapEditorProvider } from './flow/pcapEditor';
import { ClusterTreeProvider } from './tree/clusterTree';

export const captureFeature: Feature = {
  name: 'capture and flow view',
  activate({ context, log, checkResults }) {
    // A lone pcap's service is guessed with the help of the workspace config's VIPs.
    const library = new CaptureLibrary(context.extensionUri, log, async () => (await workspaceModel(vscode.workspace.workspaceFolders?.[0])).model.services.map(manifestService));
    const secrets = new SecretStore(context);
    const deps: FlowDeps = { extensionUri: context.extensionUri, library, log };
    const tree = new ClusterTreeProvider(library, checkResults);
    const reg = vscode.commands.registerCommand;
    context.subscriptions.push(
      library,
      tree,
      vscode.window.registerTreeDataProvider('lvs.cluster', tree),
      vscode.window.registerWebviewPanelSerializer(FLOW_VIEW_TYPE, new FlowPanelSerializer(deps)),
      PcapEditorProvider.register(deps),
      reg(CAPTURE_COMMAND, () => captureVipTraffic({ ...deps, secrets })),
      reg('lvs.openCapture', (target?: unknown) => {
        const source = captureSourceOf(target);
        return openCapture(deps, source ? vscode.Uri.file(source) : undefined);
      }),
      // Pcaps taken by hand made into a capture folder: local files only (untrusted workspaces too).
      reg(ASSEMBLE_COMMAND, () => assembleCaptureCommand(deps)),
      // From the tree's inline action the argument is the tree element, not a Uri.
      reg('lvs.exportPcapng', (target?: unknown) => exportPcapng(library, log, target)),
      reg('lvs.forgetPasswords', async () => {
        const n = await secrets.forgetAll();
        void vscode.window.showInformationMessage(n ? `Forgot ${n} stored password${n === 1 ? '' : 's'} and passphrase${n === 1 ? '' : 's'}.` : 'No stored passwords.');
      }),
      reg('lvs.refreshTree', () => tree.refresh()),
      reg('lvs.clearCaptureFindings', () => library.diagnostics.clear()),
      vscode.workspace.onDidSaveTextDocument((d) => {
        if (d.languageId === 'keepalived' || d.languageId === 'ipvsadm' || /keepalived|ipvsadm/i.test(d.fileName)) tree.refresh();
      }),
      // The root shows the sections only with a folder open (else the welcome content).
      vscode.workspace.onDidChangeWorkspaceFolders(() => tree.refresh()),
    );
  },
};
