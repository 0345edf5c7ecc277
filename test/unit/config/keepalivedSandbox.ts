// keepalived -t (its config test) in a network namespace of its own, for the tests that hold
// our diagnostics against the installed keepalived. -t checks that the interfaces a config
// names exist, so the namespace has lo and an eth0 (a veth) up, as the corpus run had.
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lintText } from '../../../src/core/config';

export class KeepalivedSandbox {
  readonly ns: string;
  /** Where the configs are written; removed by dispose(). */
  readonly dir: string;

  constructor(label: string) {
    this.ns = `${label}${process.pid}`;
    execFileSync('ip', ['netns', 'add', this.ns]);
    try {
      execFileSync('ip', ['-n', this.ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0p']);
      execFileSync('ip', ['-n', this.ns, 'addr', 'add', '192.0.2.2/24', 'dev', 'eth0']);
      for (const dev of ['lo', 'eth0', 'eth0p']) execFileSync('ip', ['-n', this.ns, 'link', 'set', dev, 'up']);
    } catch (e) {
      spawnSync('ip', ['netns', 'del', this.ns]);
      throw e;
    }
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `${label}-`));
  }

  /** `keepalived -t -f file` in the namespace: its exit status and what it printed. */
  test(file: string): { rc: number; stderr: string } {
    const r = spawnSync('ip', ['netns', 'exec', this.ns, 'keepalived', '-t', '-f', file], { encoding: 'utf8', timeout: 20000, cwd: path.dirname(file) });
    return { rc: r.status ?? -1, stderr: r.stderr };
  }

  dispose(): void {
    spawnSync('ip', ['netns', 'del', this.ns]);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A config and what keepalived -t says of it: `says` (it fails, and we report an error), or
 *  nothing at all (it passes, and we report no error); `not`: a message it must not print. */
export interface KeepalivedCase {
  name: string;
  text: string;
  says?: RegExp;
  not?: RegExp;
}

/** Runs every case through keepalived -t and checks that it and our errors agree. */
export function assertAgreesWithKeepalived(ka: KeepalivedSandbox, cases: KeepalivedCase[]): void {
  for (const [i, c] of cases.entries()) {
    const file = path.join(ka.dir, `${i}.conf`);
    fs.writeFileSync(file, c.text);
    const { rc, stderr } = ka.test(file);
    const ours = lintText(c.text, file, 'keepalived');
    const show = `${c.name} (rc ${rc}):\n${stderr}\n${c.text}\nours:\n${ours.map((d) => `${d.range.start.line + 1}: ${d.severity} ${d.code} ${d.message}`).join('\n')}`;
    if (c.not) assert.doesNotMatch(stderr, c.not, show);
    if (c.says) {
      assert.match(stderr, c.says, show);
      assert.notEqual(rc, 0, show);
      assert.ok(ours.some((d) => d.severity === 'error'), show);
    } else {
      assert.equal(stderr.trim(), '', show);
      assert.equal(rc, 0, show);
      assert.deepEqual(ours.filter((d) => d.severity === 'error'), [], show);
    }
  }
}
