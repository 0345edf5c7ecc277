// The workspace's LVS configuration: keepalived.conf / ipvsadm rules files found by
// the same file names the editor's languages use (package.json and files.associations),
// merged into one cluster model (./workspaceFiles.ts, no `vscode`).
import * as vscode from 'vscode';
import manifest from '../../../package.json';
import { CONFIG_EXCLUDE, configFilesOf, configGlobs, type ConfigLanguageId, type WorkspaceConfig, workspaceConfigOf } from './workspaceFiles';

const MAX_FILES = 50;

export async function findConfigFiles(folder?: vscode.WorkspaceFolder): Promise<Array<{ file: string; languageId?: ConfigLanguageId }>> {
  const associations = vscode.workspace.getConfiguration('files', folder?.uri).get<Record<string, unknown>>('associations');
  const found: Array<{ languageId: ConfigLanguageId; files: string[] }> = [];
  for (const { languageId, glob } of configGlobs(manifest.contributes.languages, associations)) {
    const include = folder ? new vscode.RelativePattern(folder, glob) : glob;
    const uris = await vscode.workspace.findFiles(include, CONFIG_EXCLUDE, MAX_FILES);
    found.push({ languageId, files: uris.filter((u) => u.scheme === 'file').map((u) => u.fsPath) });
  }
  return configFilesOf(found);
}

/** The model of every config file that parses (the others are reported in `errors`), included files counted once. */
export async function workspaceModel(folder?: vscode.WorkspaceFolder): Promise<WorkspaceConfig> {
  return workspaceConfigOf(await findConfigFiles(folder));
}
