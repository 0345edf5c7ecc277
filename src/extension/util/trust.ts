import * as vscode from 'vscode';

/**
 * Commands that run anything on a host need a trusted workspace. The manifest disables them
 * in an untrusted one; this check also covers calls that do not go through the palette
 * (quick fixes, other extensions). Says why and returns false when not trusted.
 */
export function trustedFor(what: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showErrorMessage(`${what} runs commands on your hosts over SSH: trust this workspace first.`);
  return false;
}
