// A RemoteHost that answers the cluster check's commands with the real command
// outputs saved for one host of a fixture scenario (fixtures/lab/<scenario>/<host>/).
// A command the fixture did not record fails like an unrunnable command would (with
// NOT_RECORDED in its message, so tests can tell that from a failure they set up);
// `extra` supplies outputs for the few commands the fixtures lack, or replaces some.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ExecOptions, ExecResult, RemoteHost } from '../../../src/core/ssh/remote';

export interface FixtureOutput {
  stdout?: string;
  stderr?: string;
  code?: number;
}

/** Fixture file base name for each command the check runs. */
const files: [RegExp, string][] = [
  [/^ip addr/, 'ip-addr'],
  [/^ip route/, 'ip-route'],
  // The check reads /proc/sys with a script that prints `sysctl`'s format (older versions ran sysctl).
  [/^(sysctl |sh -c cd \/proc\/sys )/, 'sysctl'],
  [/^ipvsadm -Ln --stats/, 'ipvsadm-Ln-stats'],
  [/^ipvsadm -Ln --rate/, 'ipvsadm-Ln-rate'],
  [/^ipvsadm -Lnc/, 'ipvsadm-Lnc'],
  [/^ipvsadm -Ln$/, 'ipvsadm-Ln'],
];

export const NOT_RECORDED = 'not recorded in the fixture';

export class FixtureHost implements RemoteHost {
  readonly commands: string[] = [];
  constructor(
    readonly name: string,
    private readonly dir: string,
    private readonly suffix = '',
    private readonly extra: Record<string, FixtureOutput> = {},
  ) {}

  async exec(argv: string[], _opts?: ExecOptions): Promise<ExecResult> {
    const line = argv.join(' ');
    this.commands.push(line);
    // `extra` keys: the exact command line, or a prefix ending in `*`.
    for (const [key, out] of Object.entries(this.extra)) {
      const hit = key.endsWith('*') ? line.startsWith(key.slice(0, -1)) : line === key;
      if (hit) return { stdout: out.stdout ?? '', stderr: out.stderr ?? '', code: out.code ?? 0 };
    }
    const hit = files.find(([re]) => re.test(line));
    const file = hit && path.join(this.dir, `${hit[1]}${this.suffix}.txt`);
    if (!file || !fs.existsSync(file)) throw new Error(`${line}: ${NOT_RECORDED} ${path.basename(this.dir)}`);
    return { stdout: fs.readFileSync(file, 'utf8'), stderr: '', code: 0 };
  }

  async download(): Promise<void> {
    throw new Error('not supported by the fixture host');
  }

  async close(): Promise<void> {}
}
