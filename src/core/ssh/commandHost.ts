// What the SSH host and the local host share: running a command through sudo.
// Subclasses only know how to run an argv; sudo is decided here once per program
// and host (root / NOPASSWD / password), using `sudo -l` so nothing runs twice.

import type { ExecOptions, ExecResult, RemoteHost } from './remote';
import type { GetSecret, LogFn } from './secrets';
import { classifySudoFailure, sudoError, sudoPrefix, type SudoMode } from './sudo';

export const DEFAULT_MAX_OUTPUT = 1024 * 1024;

export abstract class CommandHost implements RemoteHost {
  private uid?: Promise<number>;
  private readonly sudoModes = new Map<string, Promise<SudoMode>>();
  private sudoPassword?: string;

  constructor(
    readonly name: string,
    readonly user: string,
    protected readonly getSecret: GetSecret,
    protected readonly log: LogFn,
  ) {}

  /** Runs an argv as the login user; no sudo. */
  protected abstract run(argv: string[], opts: ExecOptions): Promise<ExecResult>;
  abstract download(remotePath: string, localPath: string): Promise<void>;
  abstract readRange(remotePath: string, offset: number, maxBytes: number): Promise<Buffer>;
  abstract close(): Promise<void>;

  /** The caller already knows the login uid (saves a round trip when deciding on sudo). */
  rememberUid(uid: number): void {
    if (Number.isInteger(uid)) this.uid ??= Promise.resolve(uid);
  }

  async exec(argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    if (!opts.sudo) return this.run(argv, opts);
    const w = await this.sudoWrap(argv, argv[0]);
    const withPassword = (extra: string | Buffer | undefined): string | Buffer | undefined =>
      w.stdin === undefined ? extra : Buffer.concat([Buffer.from(w.stdin), Buffer.from(extra ?? '')]);
    const stdin = opts.stdin instanceof Promise ? opts.stdin.then((x) => withPassword(x) ?? '') : withPassword(opts.stdin);
    return this.run(w.argv, { ...opts, sudo: false, stdin });
  }

  async sudoWrap(argv: string[], program: string): Promise<{ argv: string[]; stdin?: string }> {
    let p = this.sudoModes.get(program);
    if (!p) {
      p = this.settleSudo(program);
      this.sudoModes.set(program, p);
      p.catch(() => this.sudoModes.delete(program));
    }
    const mode = await p;
    return {
      argv: [...sudoPrefix(mode), ...argv],
      stdin: mode === 'password' ? `${this.sudoPassword}\n` : undefined,
    };
  }

  private async settleSudo(program: string): Promise<SudoMode> {
    this.uid ??= this.run(['id', '-u'], { timeoutMs: 15000 }).then((r) => Number(r.stdout.trim()));
    if ((await this.uid) === 0) return 'root';
    const probe = await this.run(['sudo', '-n', '-l', '--', program], { timeoutMs: 15000 });
    if (probe.code === 0) return 'nopasswd';
    let problem = classifySudoFailure(probe);
    if (problem === undefined) problem = 'not-allowed';
    const hint = this.getSecret.hint?.({ kind: 'sudo', host: this.name, user: this.user });
    if (problem !== 'needs-password') throw sudoError(problem, this.name, this.user, program, hint);
    for (let attempt = 0; attempt < 2; attempt++) {
      const password =
        this.sudoPassword ??
        (await this.getSecret({ kind: 'sudo', host: this.name, user: this.user, retry: attempt > 0 }));
      // None the second time (no terminal to ask on): the one given was wrong, not missing.
      if (password === undefined || password === '') throw sudoError(attempt > 0 ? 'wrong-password' : 'needs-password', this.name, this.user, program, hint);
      if (attempt > 0) this.log('info', `sudo on ${this.name} refused the first password for ${this.user}; trying the one given again`);
      const r = await this.run(['sudo', '-S', '-p', '', '-l', '--', program], {
        stdin: `${password}\n`,
        timeoutMs: 15000,
      });
      if (r.code === 0) {
        this.sudoPassword = password;
        return 'password';
      }
      this.sudoPassword = undefined;
      const why = classifySudoFailure(r) ?? 'not-allowed';
      if (why !== 'wrong-password') throw sudoError(why, this.name, this.user, program, hint);
    }
    throw sudoError('wrong-password', this.name, this.user, program, hint);
  }
}

/** Collects a stream's bytes up to a cap, noting what was dropped. */
export class BoundedBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  private dropped = 0;
  constructor(private readonly cap: number) {}
  push(b: Buffer): void {
    const room = this.cap - this.size;
    if (room <= 0) {
      this.dropped += b.length;
      return;
    }
    const part = b.length > room ? b.subarray(0, room) : b;
    this.chunks.push(part);
    this.size += part.length;
    this.dropped += b.length - part.length;
  }
  text(): string {
    const s = Buffer.concat(this.chunks).toString('utf8');
    return this.dropped ? `${s}\n[output truncated: ${this.dropped} more bytes dropped]` : s;
  }
}
