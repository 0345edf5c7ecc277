// A RemoteHost over one ssh2 connection: exec with a quoted argv (never a pty:
// it would merge stderr and corrupt binary output), bounded output, SFTP reads.

import type { Client, ClientChannel, SFTPWrapper } from 'ssh2';
import { BoundedBuffer, CommandHost, DEFAULT_MAX_OUTPUT } from './commandHost';
import { SshError, seconds } from './errors';
import { CLOCK_LOOP, clockReading, parseClockLine } from './clock';
import { commandLine } from './quote';
import type { ClockReading, ExecOptions, ExecResult } from './remote';
import type { GetSecret, LogFn } from './secrets';

/** How long a command that timed out (or was cancelled) gets to close its channel before we stop waiting. */
export const CLOSE_GRACE_MS = 2000;

export class SshHost extends CommandHost {
  private sftpP?: Promise<SFTPWrapper>;
  private lost = false;

  constructor(
    name: string,
    user: string,
    /** `rs2 (192.0.2.12:22)`, for messages. */
    readonly label: string,
    private readonly client: Client,
    getSecret: GetSecret,
    log: LogFn,
  ) {
    super(name, user, getSecret, log);
    client.on('close', () => {
      this.lost = true;
      this.sftpP = undefined;
    });
  }

  /** False once the connection has closed; the pool then makes a new one. */
  get connected(): boolean {
    return !this.lost;
  }

  protected run(argv: string[], opts: ExecOptions): Promise<ExecResult> {
    const cmd = commandLine(argv);
    this.log('debug', `${this.name}: exec ${cmd}`);
    return new Promise((resolve, reject) => {
      if (this.lost) return reject(this.lostError());
      if (opts.signal?.aborted) return reject(new SshError('other', this.name, `${this.name}: cancelled`));
      this.client.exec(cmd, (err, ch: ClientChannel) => {
        if (err) return reject(this.channelError(`cannot run ${argv[0]}`, err));
        const out = new BoundedBuffer(opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT);
        const errb = new BoundedBuffer(opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT);
        let exit: { code: number | null; signal?: string } | undefined;
        let failure: Error | undefined;
        let settled = false;
        let grace: NodeJS.Timeout | undefined;
        const onAbort = (): void => stop(new SshError('other', this.name, `${this.name}: ${argv[0]} cancelled`));
        // Settles once, and lets go of the channel: no listener of ours stays on it.
        const finish = (): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          clearTimeout(grace);
          opts.signal?.removeEventListener('abort', onAbort);
          ch.removeListener('data', onData);
          ch.stderr.removeListener('data', onErr);
          ch.removeListener('exit', onExit);
          ch.removeListener('close', finish);
          if (failure) return reject(failure);
          // No exit status and a dead connection: the command's fate is unknown.
          if (!exit && this.lost) return reject(this.lostError());
          resolve({ stdout: out.text(), stderr: errb.text(), code: exit ? exit.code : null, signal: exit?.signal });
        };
        const stop = (e: Error): void => {
          if (settled || failure) return;
          failure = e;
          signalChannel(ch, 'KILL');
          ch.close();
          // OpenSSH answers the close only once the remote command has exited, and it may
          // refuse the signal (it does for root logins without privilege separation, and a
          // sudo'd command is not the login user's to kill): wait a little, then give up on it.
          grace = setTimeout(finish, CLOSE_GRACE_MS);
          grace.unref?.();
        };
        const timer = opts.timeoutMs
          ? setTimeout(
              () =>
                stop(
                  new SshError('command-timeout', this.name, `${this.label}: ${argv[0]} did not finish within ${seconds(opts.timeoutMs!)}`),
                ),
              opts.timeoutMs,
            )
          : undefined;
        const onData = (b: Buffer): void => {
          out.push(b);
          opts.onStdout?.(b);
        };
        const onErr = (b: Buffer): void => errb.push(b);
        const onExit = (code: number | null, signal?: string): void => {
          exit = { code: code ?? null, signal: signal ?? undefined };
        };
        opts.signal?.addEventListener('abort', onAbort, { once: true });
        ch.on('data', onData);
        ch.stderr.on('data', onErr);
        ch.on('exit', onExit);
        ch.on('close', finish);
        // Stays: a late error on an abandoned channel must not become an uncaught exception.
        ch.on('error', () => {});
        const input = opts.stdin;
        if (input instanceof Promise) {
          // Written when it settles (e.g. a start signal), unless the command is over by then.
          input.then(
            (data) => {
              if (!settled) ch.end(data);
            },
            () => {
              if (!settled) ch.end();
            },
          );
        } else if (input !== undefined) ch.end(input);
        else ch.end();
      });
    });
  }

  /**
   * NTP-style offset: one channel runs a loop that prints the host's time per line we
   * send, so each sample costs one round trip (no channel setup in it); the sample with
   * the smallest round trip wins, and half of that round trip is how far off it may be.
   * The host reads its clock without forking when it can (CLOCK_LOOP).
   */
  clock(samples = 8): Promise<ClockReading> {
    return new Promise((resolve, reject) => {
      this.client.exec(commandLine(['sh', '-c', CLOCK_LOOP]), (err, ch) => {
        if (err) return reject(new SshError('other', this.name, `${this.label}: cannot read the clock: ${err.message}`));
        let buf = '';
        let t0 = 0;
        let best: { rtt: number; offset: number } | undefined;
        let n = 0;
        let settled = false;
        let grace: NodeJS.Timeout | undefined;
        const done = (): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          clearTimeout(grace);
          ch.removeAllListeners('data');
          ch.removeListener('close', done);
          if (best) resolve(clockReading(best));
          else reject(new SshError('other', this.name, `${this.label}: could not read the clock`));
        };
        const timer = setTimeout(() => {
          ch.close();
          // A server that does not answer the close (the loop still running) must not hold us.
          grace = setTimeout(done, CLOSE_GRACE_MS);
        }, 10000);
        const ask = (): void => {
          t0 = performance.timeOrigin + performance.now();
          ch.write('\n');
        };
        ch.on('data', (b: Buffer) => {
          buf += b.toString();
          let i: number;
          while ((i = buf.indexOf('\n')) >= 0) {
            const t1 = performance.timeOrigin + performance.now();
            const remote = parseClockLine(buf.slice(0, i));
            buf = buf.slice(i + 1);
            if (remote !== undefined) {
              const s = { rtt: t1 - t0, offset: remote - (t0 + t1) / 2 };
              if (!best || s.rtt < best.rtt) best = s;
            }
            if (++n >= samples) ch.end();
            else ask();
          }
        });
        ch.stderr.on('data', () => {});
        ch.on('error', () => {});
        ch.on('close', done);
        ask();
      });
    });
  }

  /** Opens a TCP channel from this host to host:port (for hosts behind this one). */
  forwardOut(host: string, port: number, cb: (err: Error | undefined, stream: ClientChannel) => void): void {
    this.client.forwardOut('127.0.0.1', 0, host, port, (err, stream) => cb(err, stream));
  }

  private lostError(): SshError {
    return new SshError('connection-lost', this.name, `${this.label}: the SSH connection was lost`);
  }

  /** A channel or SFTP failure, or the connection's loss when that is what it really was. */
  private channelError(what: string, err: Error): SshError {
    if (this.lost || /No response from server|Not connected|Channel is closed/i.test(err.message)) return this.lostError();
    return new SshError('other', this.name, `${this.label}: ${what}: ${err.message}`);
  }

  private sftp(): Promise<SFTPWrapper> {
    if (this.lost) return Promise.reject(this.lostError());
    if (!this.sftpP) {
      this.sftpP = new Promise<SFTPWrapper>((resolve, reject) => {
        this.client.sftp((err, s) => {
          if (err) reject(this.channelError('SFTP is not available', err));
          else resolve(s);
        });
      });
      this.sftpP.catch(() => (this.sftpP = undefined));
    }
    return this.sftpP;
  }

  async download(remotePath: string, localPath: string): Promise<void> {
    const s = await this.sftp();
    await new Promise<void>((resolve, reject) =>
      s.fastGet(remotePath, localPath, (err) =>
        err ? reject(this.channelError(`cannot fetch ${remotePath}`, err)) : resolve(),
      ),
    );
  }

  /**
   * Up to `maxBytes` of the file from `offset`, in one read: ssh2 splits it into the
   * server's largest reads and goes on while they come back full; a short one is the end of
   * the file for now. A file that grows while it is read (a running tcpdump) is not chased
   * to its end: what was written after the read is left for the next call.
   */
  async readRange(remotePath: string, offset: number, maxBytes: number): Promise<Buffer> {
    if (maxBytes <= 0) return Buffer.alloc(0);
    const s = await this.sftp();
    const handle = await new Promise<Buffer>((resolve, reject) =>
      s.open(remotePath, 'r', (err, h) =>
        err ? reject(this.channelError(`cannot open ${remotePath}`, err)) : resolve(h),
      ),
    );
    try {
      const buf = Buffer.alloc(maxBytes);
      const n = await new Promise<number>((resolve, reject) =>
        s.read(handle, buf, 0, maxBytes, offset, (err, bytes) => {
          if (err && (err as { code?: number }).code === 1) resolve(0); // SSH_FX_EOF
          else if (err) reject(this.channelError(`cannot read ${remotePath}`, err));
          else resolve(bytes);
        }),
      );
      return buf.subarray(0, Math.max(0, n));
    } finally {
      s.close(handle, () => {});
    }
  }

  async close(): Promise<void> {
    if (this.lost) return;
    await new Promise<void>((resolve) => {
      this.client.once('close', () => resolve());
      this.client.end();
      setTimeout(resolve, 2000).unref();
    });
  }
}

/**
 * Sends a signal request on an exec channel. ssh2's Channel.signal() sends nothing once
 * stdin was ended (it checks `writable`), and run() ends stdin at once; the request is
 * still valid after EOF, so it goes straight to the protocol then.
 */
function signalChannel(ch: ClientChannel, name: string): void {
  const c = ch as unknown as {
    outgoing?: { id: number; state: string };
    _client?: { _protocol?: { signal(id: number, name: string): void } };
  };
  try {
    const state = c.outgoing?.state;
    if ((state === 'open' || state === 'eof') && c._client?._protocol) c._client._protocol.signal(c.outgoing!.id, name);
    else ch.signal(name);
  } catch {
    /* not supported by every server */
  }
}
