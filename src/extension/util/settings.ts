// The extension's settings (package.json `contributes.configuration`), read in one
// place. Paths may use ${workspaceFolder} and ~, as users write them.
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';

export interface LvsSettings {
  hostsFile?: string;
  defaultDurationSeconds: number;
  defaultPacketCount: number;
  snaplen: number;
  maxMegabytesPerHost: number;
  connectTimeoutSeconds: number;
  sshConfigFile?: string;
  knownHostsFile?: string;
  gitignoreCaptures: boolean;
}

export function expandPath(p: string | undefined, folder?: vscode.Uri): string | undefined {
  if (!p) return undefined;
  let s = p.trim();
  if (!s) return undefined;
  if (folder) s = s.replace(/\$\{workspaceFolder\}/g, folder.fsPath);
  if (s === '~' || s.startsWith('~/')) s = path.join(os.homedir(), s.slice(1));
  if (!path.isAbsolute(s) && folder) s = path.join(folder.fsPath, s);
  return s;
}

export function readSettings(folder?: vscode.WorkspaceFolder): LvsSettings {
  const c = vscode.workspace.getConfiguration('lvs', folder?.uri);
  return {
    hostsFile: expandPath(c.get<string>('hostsFile'), folder?.uri),
    defaultDurationSeconds: c.get<number>('capture.defaultDurationSeconds', 10),
    defaultPacketCount: c.get<number>('capture.defaultPacketCount', 0),
    snaplen: c.get<number>('capture.snaplen', 262144),
    maxMegabytesPerHost: c.get<number>('capture.maxMegabytesPerHost', 1024),
    connectTimeoutSeconds: c.get<number>('ssh.connectTimeoutSeconds', 10),
    sshConfigFile: expandPath(c.get<string>('ssh.configFile'), folder?.uri),
    knownHostsFile: expandPath(c.get<string>('ssh.knownHostsFile'), folder?.uri),
    gitignoreCaptures: c.get<boolean>('capture.gitignore', true),
  };
}
