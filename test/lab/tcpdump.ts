// tcpdump run directly inside a lab namespace (no SSH): for the samples and for
// tests that need to see the wire. Start waits until tcpdump is listening; stop
// ends it with SIGINT so it flushes the file, both with deadlines. --immediate-mode:
// without it packets wait in the kernel ring for up to a second and a prompt SIGINT loses them.
import * as fs from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { run, sleep } from './shell';

export interface RunningCapture {
  file: string;
  /** Stops tcpdump; returns its packet counters. */
  stop(): Promise<{ captured?: number; dropped?: number }>;
}

export async function startCapture(
  netns: string,
  iface: string,
  file: string,
  opts: { filter?: string; snaplen?: number; timeoutMs?: number } = {},
): Promise<RunningCapture> {
  const args = ['netns', 'exec', netns, 'tcpdump', '-i', iface, '-n', '-U', '--immediate-mode', '-s', String(opts.snaplen ?? 262144), '-w', file];
  if (opts.filter) args.push(opts.filter);
  const child: ChildProcess = spawn('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('close', () => ((exited = true), resolve())));
  child.stderr!.on('data', (d: Buffer) => {
    if (stderr.length < 65536) stderr += d.toString();
  });
  const deadline = Date.now() + (opts.timeoutMs ?? 5000);
  while (!/listening on/.test(stderr)) {
    if (exited) throw new Error(`tcpdump on ${netns}/${iface} exited: ${stderr.trim()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`tcpdump on ${netns}/${iface} not listening after ${opts.timeoutMs ?? 5000} ms: ${stderr.trim()}`);
    }
    await sleep(20);
  }
  return {
    file,
    async stop() {
      if (!exited) child.kill('SIGINT');
      const done = await Promise.race([exit.then(() => true), sleep(5000).then(() => false)]);
      if (!done) {
        child.kill('SIGKILL');
        await exit;
      }
      const num = (re: RegExp) => {
        const m = re.exec(stderr);
        return m ? Number(m[1]) : undefined;
      };
      return { captured: num(/(\d+) packets? captured/), dropped: num(/(\d+) packets? dropped by kernel/) };
    },
  };
}

/** `tcpdump -nn -e -r file` lines (for assertions and README decodes). */
export async function readCapture(file: string, filter?: string): Promise<string[]> {
  if (!fs.existsSync(file)) throw new Error(`no capture file ${file}`);
  const r = await run(['tcpdump', '-nn', '-e', '-r', file, ...(filter ? [filter] : [])], { timeoutMs: 20_000 });
  return r.stdout.split('\n').filter(Boolean);
}
