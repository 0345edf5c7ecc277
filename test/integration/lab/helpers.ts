// Shared bits of the lab's integration tests: the prerequisite check, ssh with the
// real OpenSSH client, ssh2 password logins, and tallies of client results.
import * as fs from 'node:fs';
import { Client } from 'ssh2';
import { hasCommand, isRoot, requireOrSkip } from '../../helpers/env';
import { run, type RunResult } from '../../lab/shell';
import type { ClientResult, Lab } from '../../lab/lab';

export function requireLabTools(ctx: Mocha.Context): void {
  const missing = ['ip', 'nft', 'tcpdump', 'ssh', 'ssh-keygen', '/usr/sbin/sshd', 'sudo'].filter((c) => !hasCommand(c));
  requireOrSkip(ctx, process.platform === 'linux', 'Linux');
  requireOrSkip(ctx, isRoot(), 'root (the lab creates network namespaces)');
  requireOrSkip(ctx, missing.length === 0, missing.join(', '));
}

/** `ssh -F <lab ssh_config> -o BatchMode=yes host cmd`, strict host key checking from the config. */
export function ssh(lab: Lab, target: string, command: string, extra: string[] = []): Promise<RunResult> {
  return run(['ssh', '-F', lab.sshConfigPath, '-o', 'BatchMode=yes', ...extra, target, command], { check: false, timeoutMs: 20_000 });
}

export function tally(results: ClientResult[]): Record<string, number> {
  const t: Record<string, number> = {};
  for (const r of results) {
    const key = r.ok ? r.answeredBy! : `error:${r.error}`;
    t[key] = (t[key] ?? 0) + 1;
  }
  return t;
}

/**
 * Logs in with a password over ssh2 (host key checked against the lab's known_hosts)
 * and runs one command with `stdin`; resolves with its output and exit code.
 */
export function sshPassword(
  lab: Lab,
  host: string,
  user: string,
  password: string,
  command: string,
  stdin = '',
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  const h = lab.hosts.find((x) => x.name === host)!;
  if (!h.mgmtAddress) throw new Error(`${host} has no management address`);
  const known = fs.readFileSync(lab.knownHostsPath, 'utf8').split('\n').find((l) => l.startsWith(`${h.mgmtAddress} `));
  const expected = known?.split(' ')[2];
  return new Promise((resolve, reject) => {
    const c = new Client();
    const timer = setTimeout(() => {
      c.end();
      reject(new Error(`ssh2 to ${host} timed out`));
    }, 15_000);
    c.on('ready', () => {
      c.exec(command, (err, stream) => {
        if (err) return reject(err);
        let stdout = '';
        let stderr = '';
        stream.on('data', (d: Buffer) => (stdout += d.toString()));
        stream.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        stream.on('close', (code: number | null) => {
          clearTimeout(timer);
          c.end();
          resolve({ stdout, stderr, code });
        });
        stream.end(stdin);
      });
    });
    c.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    c.connect({
      host: h.mgmtAddress,
      port: 22,
      username: user,
      password,
      readyTimeout: 10_000,
      hostVerifier: (key: Buffer) => key.toString('base64') === expected,
    });
  });
}
