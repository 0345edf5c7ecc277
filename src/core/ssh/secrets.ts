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
}

export type GetSecret = (req: SecretRequest) => Promise<string | undefined>;

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';
export type LogFn = (level: LogLevel, msg: string) => void;
