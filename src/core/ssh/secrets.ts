// Secrets come from the caller (VS Code SecretStorage, the CLI's env var or prompt);
// the core asks for one when it needs it and never writes one to a log or a message.

export interface SecretRequest {
  kind: 'password' | 'passphrase' | 'sudo';
  /** Host name (alias) the secret is for. */
  host: string;
  user?: string;
  /** For passphrases: the key file. */
  keyFile?: string;
  /** Set when a previous value for the same request was refused. */
  retry?: boolean;
  /** For SSH passwords: the address and port the password is sent to (what a stored password is keyed by). */
  address?: string;
  port?: number;
}

/** Asks for a secret. `outcome`, when given, hears whether an SSH password it gave was
 *  accepted (so a store can keep only passwords that worked) or refused (so it can
 *  forget a stored one instead of replaying it). */
export type GetSecret = ((req: SecretRequest) => Promise<string | undefined>) & {
  outcome?: (req: SecretRequest, value: string, accepted: boolean) => void | Promise<void>;
  /** How the user gives this secret, for a message that says one is missing or wrong
   *  (e.g. `set LVS_TRACE_PASSWORD_RS2`). */
  hint?: (req: SecretRequest) => string | undefined;
};

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';
export type LogFn = (level: LogLevel, msg: string) => void;
