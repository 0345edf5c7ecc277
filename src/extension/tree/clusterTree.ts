// The LVS view in the activity bar: the cluster from the workspace's config
// (services → real servers, directors from VRRP instances and the hosts file),
// past captures (click to open), and the findings of the last cluster check (fed
// by the check command through CheckResults).
import * as vscode from 'vscode';
import type { Finding } from '../../core/findings/finding';
import type { ClusterModel } from '../../core/model/cluster';
import { serviceKey } from '../../core/model/cluster';
import type { CaptureLibrary } from '../captures/captureLibrary';
import { loadHostChoices } from '../capture/hosts';
import { workspaceModel } from '../capture/workspaceConfig';
import { readSettings } from '../util/settings';
import { clusterNodes, type Node, rootNodes } from './treeNodes';

/** Where the cluster check publishes its findings; the tree shows them. */
export class CheckResults implements vscode.Disposable {
  private findings: Finding[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  setCheckFindings(findings: Finding[]): void {
    this.findings = [...findings];
    this.changed.fire();
  }

  get current(): readonly Finding[] {
    return this.findings;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

const toLocationCommand = (loc: { file: string; line: number; column: number } | undefined): vscode.Command | undefined =>
  loc
    ? {
        command: 'vscode.open',
        title: 'Show in config',
        arguments: [vscode.Uri.file(loc.file), { selection: new vscode.Range(loc.line - 1, loc.column - 1, loc.line - 1, loc.column - 1) }],
      }
    : undefined;

export class ClusterTreeProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private model?: ClusterModel;
  private readonly subs: vscode.Disposable[] = [];

  constructor(
    private readonly library: CaptureLibrary,
    private readonly check: CheckResults,
  ) {
    this.subs.push(library.onDidChange(() => this.changed.fire(undefined)), check.onDidChange(() => this.changed.fire(undefined)));
  }

  refresh(): void {
    this.model = undefined;
    this.changed.fire(undefined);
  }

  private async cluster(): Promise<ClusterModel> {
    this.model ??= (await workspaceModel(vscode.workspace.workspaceFolders?.[0])).model;
    return this.model;
  }

  async getChildren(node?: Node): Promise<Node[]> {
    // No folder: nothing, so the view's welcome content shows.
    if (!node) return rootNodes(vscode.workspace.workspaceFolders?.length ?? 0);
    const folder = vscode.workspace.workspaceFolders?.[0];
    switch (node.kind) {
      case 'section':
        if (node.id === 'cluster') {
          return clusterNodes(await this.cluster());
        }
        if (node.id === 'captures') {
          const caps = folder ? this.library.listCaptures(folder) : [];
          return caps.length ? caps.map((c) => ({ kind: 'capture', ...c })) : [{ kind: 'message', text: 'No captures yet: run "LVS: Capture VIP Traffic"' }];
        }
        return this.check.current.length ? this.check.current.map((finding) => ({ kind: 'finding', finding })) : [{ kind: 'message', text: 'No cluster check run yet' }];
      case 'service':
        return node.service.realServers.map((rs) => ({ kind: 'realServer', rs }));
      case 'directors': {
        const m = await this.cluster();
        const out: Node[] = m.vrrpInstances.map((v) => ({
          kind: 'director',
          name: v.name,
          detail: `VRRP ${v.state ?? ''} vrid ${v.virtualRouterId ?? '?'} prio ${v.priority ?? '?'}`,
          location: v.location,
        }));
        try {
          const s = readSettings(folder);
          if (s.hostsFile) for (const h of loadHostChoices(m, s.hostsFile).hosts) if (h.role === 'director') out.push({ kind: 'director', name: h.name, detail: 'hosts file' });
        } catch {
          // a broken hosts file is reported by the capture command
        }
        return out.length ? out : [{ kind: 'message', text: 'No VRRP instance or director host' }];
      }
      default:
        return [];
    }
  }

  getTreeItem(node: Node): vscode.TreeItem {
    const C = vscode.TreeItemCollapsibleState;
    switch (node.kind) {
      case 'section': {
        const label = { cluster: 'Cluster', captures: 'Captures', check: 'Check Results' }[node.id];
        const item = new vscode.TreeItem(label, C.Expanded);
        item.id = `section:${node.id}`;
        item.contextValue = `lvs.section.${node.id}`;
        return item;
      }
      case 'service': {
        const s = node.service;
        const item = new vscode.TreeItem(serviceKey(s), s.realServers.length ? C.Expanded : C.None);
        item.description = `${s.method.toUpperCase()} · ${s.scheduler}`;
        item.iconPath = new vscode.ThemeIcon('server-process');
        item.tooltip = s.location ? `${s.location.file}:${s.location.line}` : undefined;
        item.command = toLocationCommand(s.location);
        item.contextValue = 'lvs.service';
        return item;
      }
      case 'realServer': {
        const r = node.rs;
        const item = new vscode.TreeItem(r.name, C.None);
        item.description = `${r.address}:${r.port} · weight ${r.weight}${r.checkers?.length ? ' · ' + r.checkers.join(', ') : ''}`;
        item.iconPath = new vscode.ThemeIcon(r.weight === 0 ? 'debug-pause' : 'server');
        item.command = toLocationCommand(r.location);
        return item;
      }
      case 'directors': {
        const item = new vscode.TreeItem('Directors', C.Collapsed);
        item.iconPath = new vscode.ThemeIcon('router');
        return item;
      }
      case 'director': {
        const item = new vscode.TreeItem(node.name, C.None);
        item.description = node.detail;
        item.iconPath = new vscode.ThemeIcon('radio-tower');
        item.command = toLocationCommand(node.location);
        return item;
      }
      case 'capture': {
        const item = new vscode.TreeItem(node.name, C.None);
        item.iconPath = new vscode.ThemeIcon('pulse');
        item.tooltip = node.path;
        item.resourceUri = vscode.Uri.file(node.path);
        item.command = { command: 'lvs.openCapture', title: 'Open Capture', arguments: [vscode.Uri.file(node.path)] };
        item.contextValue = 'lvs.capture';
        return item;
      }
      case 'finding': {
        const f = node.finding;
        const item = new vscode.TreeItem(f.code, C.None);
        item.description = f.message;
        item.tooltip = [f.message, f.advice].filter(Boolean).join('\n\n');
        item.iconPath = new vscode.ThemeIcon(f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'info');
        item.command = toLocationCommand(f.location);
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.text, C.None);
        item.iconPath = new vscode.ThemeIcon('info');
        return item;
      }
    }
  }

  dispose(): void {
    this.changed.dispose();
    this.subs.forEach((s) => s.dispose());
  }
}
