// An SSH host key that known_hosts does not know: ask the user, showing the
// fingerprint. (A key that changed is refused by the core without asking.)
import * as vscode from 'vscode';
import type { HostKeyDecision, UnknownHostKeyInfo } from '../../core/ssh';

export async function askUnknownHostKey(info: UnknownHostKeyInfo): Promise<HostKeyDecision> {
  const once = 'Accept Once';
  const save = 'Accept and Save';
  const other = info.otherKnownTypes.length ? ` known_hosts has a ${info.otherKnownTypes.join(', ')} key for it, but not this type.` : '';
  const choice = await vscode.window.showWarningMessage(
    `The authenticity of host "${info.host}" (${info.hostname}:${info.port}) can't be established.`,
    {
      modal: true,
      detail: `${info.keyType} key fingerprint is ${info.fingerprint}.${other}\n\n"Accept and Save" adds it to ${info.knownHostsPath}.`,
    },
    once,
    save,
  );
  return choice === save ? 'accept-save' : choice === once ? 'accept-once' : 'reject';
}
