// The workspace's LVS configuration: keepalived.conf / ipvsadm rules files found by
// name, merged into one cluster model by the core.
import * as vscode from 'vscode';
import { loadClusterModel } from '../../core/config/lint';
import type { ClusterModel } from '../../core/model/cluster';

export const CONFIG_GLOB = '{**/keepalived.conf,**/*.keepalived.conf,**/keepalived/**/*.conf,**/*.ipvsadm,**/ipvsadm.rules,**/ipvsadm-save*}';
const EXCLUDE = '{**/node_modules/**,**/.lvs/**,**/.git/**}';

export async function findConfigFiles(folder?: vscode.WorkspaceFolder): Promise<vscode.Uri[]> {
  const include = folder ? new vscode.RelativePattern(folder, CONFIG_GLOB) : CONFIG_GLOB;
  return vscode.workspace.findFiles(include, EXCLUDE, 50);
}

/** The model of every config file that parses; the others are reported in `errors`. */
export async function workspaceModel(folder?: vscode.WorkspaceFolder): Promise<{ model: ClusterModel; errors: string[] }> {
  const model: ClusterModel = { services: [], vrrpInstances: [], sources: [] };
  const errors: string[] = [];
  for (const uri of await findConfigFiles(folder)) {
    try {
      const m = loadClusterModel([uri.fsPath]);
      model.services.push(...m.services);
      model.vrrpInstances.push(...m.vrrpInstances);
      model.sources.push(...m.sources.filter((s) => !model.sources.includes(s)));
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  return { model, errors };
}
