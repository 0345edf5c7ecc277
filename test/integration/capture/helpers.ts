// Shared by the capture integration tests: the lab, a pool for it, waiting until
// every host captures, reading pulled pcaps with our decoder, and checking over SSH
// that nothing was left behind on the hosts.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readPackets, type Packet } from '../../../src/core/decode';
import { SshPool, loadHostsFile, type HostConfig, type SshPoolOptions } from '../../../src/core/ssh';
import type { HostProgress } from '../../../src/core/capture';
import { labUp, type Lab, type LabOptions } from '../../lab/lab';
import { hasCommand, isRoot, requireOrSkip } from '../../helpers/env';

export function requireLab(ctx: Mocha.Context): void {
  requireOrSkip(ctx, process.platform === 'linux' && isRoot(), 'root on Linux (the lab makes network namespaces)');
  for (const cmd of ['ip', 'nft', 'tcpdump', '/usr/sbin/sshd', 'ssh-keygen', 'timeout'])
    requireOrSkip(ctx, hasCommand(cmd), cmd);
}

export function startLab(opts: LabOptions): Promise<Lab> {
  return labUp(opts);
}

export interface Logged {
  lines: string[];
  log: (level: string, msg: string) => void;
  /** Remote temp folders the capture reported making, by host. */
  tempDirs(): Array<{ host: string; dir: string }>;
}

export function collectLog(): Logged {
  const lines: string[] = [];
  return {
    lines,
    log: (level, msg) => {
      lines.push(`${level}: ${msg}`);
    },
    tempDirs: () =>
      lines.flatMap((l) => {
        const m = /^info: (\S+): temp folder (\/tmp\/lvs-capture\.\w+)$/.exec(l);
        return m ? [{ host: m[1], dir: m[2] }] : [];
      }),
  };
}

export function labHosts(lab: Lab): HostConfig[] {
  return loadHostsFile(lab.hostsJsonPath);
}

export function labPool(lab: Lab, logged: Logged, over: Partial<SshPoolOptions> = {}): SshPool {
  return new SshPool({
    hosts: labHosts(lab),
    knownHostsPath: lab.knownHostsPath,
    onUnknownHostKey: async () => 'reject',
    getSecret: async () => undefined,
    log: logged.log,
    connectTimeoutMs: 15000,
    ...over,
  });
}

export function tmpOut(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `lvs-capture-test-${name}-`));
}

/** Resolves when every host in the progress map is capturing (or none is left starting). */
export function whenAllCapturing(): { onProgress: (h: Record<string, HostProgress>) => void; ready: Promise<Record<string, HostProgress>> } {
  let resolve!: (h: Record<string, HostProgress>) => void;
  const ready = new Promise<Record<string, HostProgress>>((r) => (resolve = r));
  return {
    ready,
    onProgress: (hosts) => {
      const states = Object.values(hosts).map((h) => h.state);
      if (states.includes('capturing') && states.every((s) => s === 'capturing' || s === 'failed')) resolve(hosts);
    },
  };
}

/** Every host's state after each progress report: the latest, and a wait until a test on
 *  it holds (bounded). Chains to `then` (e.g. whenAllCapturing's onProgress). */
export function stateLog(then?: (h: Record<string, HostProgress>) => void): {
  onProgress: (h: Record<string, HostProgress>) => void;
  latest: () => Record<string, string> | undefined;
  until: (test: (s: Record<string, string> | undefined) => boolean, ms: number) => Promise<Record<string, string> | undefined>;
} {
  const seen: Array<Record<string, string>> = [];
  const latest = (): Record<string, string> | undefined => seen.at(-1);
  return {
    onProgress: (h) => {
      then?.(h);
      seen.push(Object.fromEntries(Object.entries(h).map(([k, v]) => [k, v.state])));
    },
    latest,
    until: async (test, ms) => {
      const end = Date.now() + ms;
      while (Date.now() < end && !test(latest())) await new Promise((r) => setTimeout(r, 100));
      return latest();
    },
  };
}

export function packetsOf(file: string): Packet[] {
  const list: Packet[] = [];
  readPackets(file, (p) => {
    const { data: _d, ...rest } = p;
    list.push(rest as Packet);
  });
  return list;
}

/** No tcpdump of ours and no temp folder left, asked over SSH on each host. */
export async function assertNothingLeft(pool: SshPool, dirs: Array<{ host: string; dir: string }>): Promise<void> {
  assert.ok(dirs.length > 0, 'the capture reported its temp folders');
  for (const { host, dir } of dirs) {
    const h = await pool.get(host);
    const ps = await h.exec(['ps', '-eo', 'pid,args'], { timeoutMs: 20000 });
    const mine = ps.stdout.split('\n').filter((l) => l.includes(dir) && !l.includes('ps -eo'));
    assert.deepEqual(mine, [], `${host}: processes still using ${dir}`);
    const ls = await h.exec(['ls', '-d', '--', dir], { timeoutMs: 20000 });
    assert.notEqual(ls.code, 0, `${host}: ${dir} still exists`);
  }
}
