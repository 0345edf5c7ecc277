// This machine as a RemoteHost: the same argv, run without a shell, for the
// "probe from here" case and as a capture point beside the SSH hosts.

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { BoundedBuffer, CommandHost, DEFAULT_MAX_OUTPUT } from './commandHost';
import { SshError, seconds } from './errors';
import type { ClockReading, ExecOptions, ExecResult } from './remote';
import type { GetSecret, LogFn } from './secrets';

export class LocalHost extends CommandHost {
  constructor(name = 'localhost', getSecret: GetSecret = async () => undefined, log: LogFn = () => {}) {
    super(name, os.userInfo().username, getSecret, log);
  }

  protected run(argv: string[], opts: ExecOptions): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      if (opts.signal?.aborted) return reject(new SshError('other', this.name, `${this.name}: cancelled`));
      const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
      const out = new BoundedBuffer(opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT);
      const err = new BoundedBuffer(opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT);
      let timedOut = false;
      let aborted = false;
      const timer = opts.timeoutMs
        ? setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, opts.timeoutMs)
        : undefined;
      const onAbort = (): void => {
        aborted = true;
        child.kill('SIGTERM');
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      child.stdout.on('data', (b: Buffer) => {
        out.push(b);
        opts.onStdout?.(b);
      });
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.stdin.on('error', () => {}); // command exited before reading its input
      child.on('error', (e) => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        const code = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 127 : 126;
        resolve({ stdout: '', stderr: `${argv[0]}: ${e.message}`, code });
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        if (timedOut)
          return reject(
            new SshError('command-timeout', this.name, `${this.name}: ${argv[0]} did not finish within ${seconds(opts.timeoutMs!)}`),
          );
        if (aborted) return reject(new SshError('other', this.name, `${this.name}: ${argv[0]} cancelled`));
        resolve({ stdout: out.text(), stderr: err.text(), code, signal: signal ?? undefined });
      });
      const input = opts.stdin;
      if (input instanceof Promise) input.then((data) => child.stdin.end(data), () => child.stdin.end());
      else if (input !== undefined) child.stdin.end(input);
      else child.stdin.end();
    });
  }

  async download(remotePath: string, localPath: string): Promise<void> {
    await fs.promises.copyFile(remotePath, localPath);
  }

  async readRange(remotePath: string, offset: number, maxBytes: number): Promise<Buffer> {
    const fh = await fs.promises.open(remotePath, 'r');
    try {
      const buf = Buffer.alloc(maxBytes);
      const { bytesRead } = await fh.read(buf, 0, maxBytes, offset);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  }

  /** Same machine, same clock. */
  async clock(): Promise<ClockReading> {
    return { offsetMs: 0, uncertaintyMs: 0 };
  }

  async close(): Promise<void> {}
}
