// Passwords and key passphrases for SSH and sudo: kept in VS Code's SecretStorage
// (the OS keychain), asked for with a password box when missing or refused. Never
// logged. The keys stored are indexed in globalState so they can all be forgotten.
import * as vscode from 'vscode';
import type { GetSecret, SecretRequest } from '../../core/ssh';

const INDEX_KEY = 'lvs.secretKeys';

/** SSH passwords are keyed by user, address and port (what the password is sent to), so
 *  another workspace whose hosts file gives the alias another address never gets it.
 *  (Passwords stored by earlier versions under `user@alias` are not read any more;
 *  "Forget Stored Passwords" still removes them.) */
export function secretKey(req: SecretRequest): string {
  if (req.kind === 'password' && req.address) return `lvs.password:${req.user ?? ''}@${req.address}:${req.port ?? 22}`;
  return `lvs.${req.kind}:${req.user ?? ''}@${req.host}${req.keyFile ? ':' + req.keyFile : ''}`;
}

function prompt(req: SecretRequest): string {
  const addr = req.address && req.address !== req.host ? ` (${req.address}${req.port && req.port !== 22 ? ':' + req.port : ''})` : '';
  const who = `${req.user ? req.user + '@' : ''}${req.host}${addr}`;
  const again = req.retry ? ' (the last one was refused)' : '';
  switch (req.kind) {
    case 'passphrase':
      return `Passphrase for the SSH key ${req.keyFile ?? ''} (for ${who})${again}`;
    case 'sudo':
      return `sudo password on ${who}, to run tcpdump${again}`;
    default:
      return `SSH password for ${who}${again}`;
  }
}

export class SecretStore {
  /** The box being shown (or the last one): VS Code shows one input box at a time and a
   *  new one cancels the one on screen, so hosts connecting in parallel ask in turn. */
  private turn: Promise<unknown> = Promise.resolve();
  /** Asks in progress by key: a second caller for the same secret waits for that answer. */
  private readonly asking = new Map<string, Promise<string | undefined>>();

  constructor(private readonly context: vscode.ExtensionContext) {}

  /** The GetSecret callback the SSH core calls. */
  readonly getSecret: GetSecret = Object.assign((req: SecretRequest) => this.get(req), {
    outcome: (req: SecretRequest, value: string, accepted: boolean) => this.outcome(req, value, accepted),
  });

  /** An SSH password was accepted (stored now) or refused (forgotten if it was the stored one). */
  private async outcome(req: SecretRequest, value: string, accepted: boolean): Promise<void> {
    const key = secretKey(req);
    const stored = await this.context.secrets.get(key);
    if (accepted) {
      if (stored !== value) await this.remember(key, value);
    } else if (stored === value) {
      await this.context.secrets.delete(key);
      const index = new Set(this.context.globalState.get<string[]>(INDEX_KEY, []));
      index.delete(key);
      await this.context.globalState.update(INDEX_KEY, [...index]);
    }
  }

  private async remember(key: string, value: string): Promise<void> {
    await this.context.secrets.store(key, value);
    const index = new Set(this.context.globalState.get<string[]>(INDEX_KEY, []));
    index.add(key);
    await this.context.globalState.update(INDEX_KEY, [...index]);
  }

  private get(req: SecretRequest): Promise<string | undefined> {
    const key = secretKey(req);
    if (!req.retry) {
      const same = this.asking.get(key);
      if (same) return same;
    }
    const answer = this.turn.then(() => this.askOne(req, key));
    this.turn = answer.catch(() => undefined);
    if (!req.retry) {
      this.asking.set(key, answer);
      const done = (): void => {
        if (this.asking.get(key) === answer) this.asking.delete(key);
      };
      answer.then(done, done);
    }
    return answer;
  }

  private async askOne(req: SecretRequest, key: string): Promise<string | undefined> {
    if (!req.retry) {
      // Stored already, or by the box answered just before this one.
      const stored = await this.context.secrets.get(key);
      if (stored !== undefined) return stored;
    }
    const value = await vscode.window.showInputBox({ prompt: prompt(req), password: true, ignoreFocusOut: true, title: 'LVS: SSH credentials' });
    if (value === undefined) return undefined;
    // An SSH password is stored only once the server accepted it (see outcome()).
    if (req.kind !== 'password') await this.remember(key, value);
    return value;
  }

  /** Removes every password and passphrase this extension stored; returns how many. */
  async forgetAll(): Promise<number> {
    const keys = this.context.globalState.get<string[]>(INDEX_KEY, []);
    for (const k of keys) await this.context.secrets.delete(k);
    await this.context.globalState.update(INDEX_KEY, []);
    return keys.length;
  }
}
