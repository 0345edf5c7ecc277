// What the rest of the core needs from a remote host: run a command given as an
// argument vector (quoted by one helper, never concatenated), and fetch files.
// The ssh2 implementation lives beside this file; tests and the local host
// ("this machine") implement the same interface.

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** Exit status; null when killed by a signal. */
  code: number | null;
  signal?: string;
}

export interface ExecOptions {
  /** Run through sudo (tries `sudo -n`, then the stored password on stdin). */
  sudo?: boolean;
  /** Data written to the command's stdin (then closed). A promise: stdin is written and
   *  closed when it settles (a rejection closes it empty), while the command runs. */
  stdin?: string | Buffer | Promise<string | Buffer>;
  timeoutMs?: number;
  /** Cap on captured stdout/stderr bytes each; the rest is dropped and noted. */
  maxOutputBytes?: number;
  signal?: AbortSignal;
  /** Called with stdout as it arrives (the result still holds it, bounded). */
  onStdout?(chunk: Buffer): void;
}

export interface RemoteHost {
  /** Name used in messages and capture points (hosts file key or ssh alias). */
  readonly name: string;
  exec(argv: string[], opts?: ExecOptions): Promise<ExecResult>;
  /** Copy a remote file to a local path. */
  download(remotePath: string, localPath: string): Promise<void>;
  close(): Promise<void>;
  /** Login user on the host (optional). */
  readonly user?: string;
  /** Reads up to `maxBytes` of a remote file from `offset` (optional; used to pull a growing capture file). */
  readRange?(remotePath: string, offset: number, maxBytes: number): Promise<Buffer>;
  /**
   * Prefixes `argv` with what it takes to run `program` as root here (nothing when
   * already root, `sudo -n`, or `sudo -S` plus the password to write first on stdin).
   * Optional; throws an error that says what is missing.
   */
  sudoWrap?(argv: string[], program: string): Promise<{ argv: string[]; stdin?: string }>;
  /**
   * Host clock minus local clock, from timed round trips over an already open channel
   * (optional; the capture falls back to timing whole `date` commands).
   */
  clock?(samples?: number): Promise<ClockReading>;
}

/** A clock comparison: host clock minus local clock, and how far off that may be (half
 *  the round trip it was read in: the host read its clock somewhere within it). */
export interface ClockReading {
  offsetMs: number;
  uncertaintyMs: number;
}
