// The editor's cross-file comparison of keepalived configs (src/extension/language/peerLint.ts,
// no vscode): which workspace files are compared, how open documents (unsaved edits) and files
// on disk are read, the bounds (number of files, size), caching, includes, suppressions, and
// what is published for each file.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeText, type ConfigDiagnostic } from '../../../src/core/config';
import {
  choosePeerFiles,
  groupByFile,
  keepalivedPatterns,
  type OpenConfig,
  PeerLinter,
  type PeerSource,
  publishPlan,
  searchGlobs,
  sharedDepth,
  topLevelDocuments,
} from '../../../src/extension/language/peerLint';
import { repoRoot } from '../../helpers/env';

const director = (id: string, vrid: number, o: { state?: string; prio?: number; extra?: string[] } = {}): string =>
  [
    'global_defs {',
    `    router_id ${id}`,
    '}',
    'vrrp_instance VI_WEB {',
    `    state ${o.state ?? 'BACKUP'}`,
    '    interface eth0',
    `    virtual_router_id ${vrid}`,
    `    priority ${o.prio ?? 100}`,
    '    advert_int 1',
    ...(o.extra ?? []),
    '    virtual_ipaddress {',
    '        192.0.2.100/24',
    '    }',
    '}',
    '',
  ].join('\n');

const VRID_LINE = 6; // 0-based line of virtual_router_id in director()

/** An in-memory workspace: files on "disk", open documents, and counts of what was read. */
class FakeWorkspace implements PeerSource {
  disk = new Map<string, { text: string; mtime: number }>();
  open: OpenConfig[] = [];
  reads: string[] = [];
  finds = 0;
  write(file: string, text: string): void {
    this.disk.set(file, { text, mtime: (this.disk.get(file)?.mtime ?? 0) + 1 });
  }
  openDoc(file: string, text: string, keepalived = true): void {
    this.open.push({ file, keepalived, version: 1, text: () => text });
  }
  async findFiles(): Promise<string[]> {
    this.finds++;
    return [...this.disk.keys()];
  }
  openDocuments(): OpenConfig[] {
    return this.open;
  }
  async stat(file: string): Promise<{ size: number; mtime: number } | undefined> {
    const e = this.disk.get(file);
    return e && { size: Buffer.byteLength(e.text), mtime: e.mtime };
  }
  async read(file: string): Promise<string | undefined> {
    this.reads.push(file);
    return this.disk.get(file)?.text;
  }
}

const rows = (byFile: Map<string, ConfigDiagnostic[]>): string[] =>
  [...byFile.values()].flat().map((d) => `${d.file}:${d.range.start.line} ${d.code} -> ${(d.related ?? []).map((r) => `${r.file}:${r.range.start.line}`).join(',')}`);

describe('cross-file keepalived diagnostics in the editor (peerLint)', function () {
  describe('which files are compared', function () {
    it('globs from the manifest language and files.associations', function () {
      const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { contributes: { languages: Parameters<typeof keepalivedPatterns>[0] } };
      const patterns = keepalivedPatterns(manifest.contributes.languages, { '*.vrrp': 'keepalived', 'conf/lb-*.cfg': 'keepalived', '*.rules': 'ipvsadm' });
      for (const p of ['**/keepalived.conf', '**/*.keepalived.conf', '**/*.keepalived', '**/keepalived/**/*.conf', '**/keepalived.d/*.conf', '**/*.vrrp', 'conf/lb-*.cfg']) assert.ok(patterns.includes(p), `${p} in ${patterns.join(' ')}`);
      assert.ok(!patterns.some((p) => p.includes('rules') || p.includes('ipvsadm')), patterns.join(' '));
      assert.equal(new Set(patterns).size, patterns.length);
      assert.deepEqual(searchGlobs(['**/a.conf', '**/*.k']), ['{**/a.conf,**/*.k}']);
      assert.deepEqual(searchGlobs(['**/a.conf', '**/*.{x,y}', '**/*.k']), ['{**/a.conf,**/*.k}', '**/*.{x,y}']);
      assert.deepEqual(searchGlobs(['**/a.conf']), ['**/a.conf']);
      assert.deepEqual(searchGlobs([]), []);
    });

    it('open keepalived documents first, then the files nearest to them; capped; node_modules and files open as another language left out', function () {
      const open: OpenConfig[] = [
        { file: '/ws/prod/lb1/keepalived.conf', keepalived: true, version: 1, text: () => '' },
        { file: '/ws/misc/keepalived.conf', keepalived: false, version: 1, text: () => '' },
      ];
      const found = ['/ws/staging/lb2/keepalived.conf', '/ws/prod/lb2/keepalived.conf', '/ws/prod/lb1/keepalived.conf', '/ws/misc/keepalived.conf', '/ws/node_modules/x/keepalived.conf', '/ws/a.keepalived', '/ws/prod/lb2/keepalived.conf'];
      assert.equal(sharedDepth('/ws/prod/lb1/keepalived.conf', '/ws/prod/lb2/keepalived.conf'), 2);
      const all = choosePeerFiles(open, found, 50);
      assert.deepEqual(all.files, ['/ws/prod/lb1/keepalived.conf', '/ws/prod/lb2/keepalived.conf', '/ws/a.keepalived', '/ws/staging/lb2/keepalived.conf']);
      assert.equal(all.overCap, 0);
      const capped = choosePeerFiles(open, found, 2);
      assert.deepEqual(capped.files, ['/ws/prod/lb1/keepalived.conf', '/ws/prod/lb2/keepalived.conf']);
      assert.equal(capped.overCap, 2);
    });

    it('a file that another includes is part of that director, not another one (include cycles keep one)', function () {
      const doc = (file: string, files: string[]) => ({ doc: { file, keepalived: { file, files, statements: [] } } }) as unknown as Parameters<typeof topLevelDocuments>[0][number];
      const main = doc('/d1/keepalived.conf', ['/d1/keepalived.conf', '/d1/keepalived.d/vrrp.conf']);
      const inc = doc('/d1/keepalived.d/vrrp.conf', ['/d1/keepalived.d/vrrp.conf']);
      const other = doc('/d2/keepalived.conf', ['/d2/keepalived.conf']);
      assert.deepEqual(topLevelDocuments([inc, main, other]), [main, other]);
      const a = doc('/a.conf', ['/a.conf', '/b.conf']);
      const b = doc('/b.conf', ['/b.conf', '/a.conf']);
      assert.deepEqual(topLevelDocuments([a, b]), [a]);
    });
  });

  describe('what is published', function () {
    it('groups by file and clears the files that no longer have any', function () {
      const d = (file: string, line: number): ConfigDiagnostic => ({ code: 'x', severity: 'error', file, message: '', range: { start: { line, character: 0 }, end: { line, character: 1 } } });
      const next = groupByFile([d('/a', 1), d('/b', 2), d('/a', 3)]);
      assert.deepEqual([...next.keys()], ['/a', '/b']);
      assert.equal(next.get('/a')?.length, 2);
      const plan = publishPlan(['/a', '/c'], next);
      assert.deepEqual(plan.set.map(([f]) => f), ['/a', '/b']);
      assert.deepEqual(plan.clear, ['/c']);
      assert.deepEqual(publishPlan(['/a'], new Map()), { set: [], clear: ['/a'] });
    });
  });

  describe('PeerLinter', function () {
    it('an open document with unsaved edits against a file on disk: the VRID mismatch in each, related to the other line', async function () {
      const ws = new FakeWorkspace();
      ws.write('/ws/lb1/keepalived.conf', director('LB1', 51));
      ws.write('/ws/lb2/keepalived.conf', director('LB2', 51));
      // The buffer of lb1 says 52; its file on disk (51) does not count.
      ws.openDoc('/ws/lb1/keepalived.conf', director('LB1', 52));
      const linter = new PeerLinter(ws);
      const r = await linter.run();
      assert.ok(r);
      assert.deepEqual(rows(r.byFile), [`/ws/lb1/keepalived.conf:${VRID_LINE} vrrp-peer-mismatch -> /ws/lb2/keepalived.conf:${VRID_LINE}`, `/ws/lb2/keepalived.conf:${VRID_LINE} vrrp-peer-mismatch -> /ws/lb1/keepalived.conf:${VRID_LINE}`]);
      assert.match(r.byFile.get('/ws/lb1/keepalived.conf')?.[0].message ?? '', /virtual_router_id 52 here and 51 there/);
      assert.deepEqual(ws.reads, ['/ws/lb2/keepalived.conf'], 'the open one is not read from disk');
      assert.deepEqual(r.compared.sort(), ['/ws/lb1/keepalived.conf', '/ws/lb2/keepalived.conf']);
      // Fixed in the buffer: nothing left; the disk file is not read again.
      ws.open = [];
      ws.openDoc('/ws/lb1/keepalived.conf', director('LB1', 51));
      const fixed = await linter.run();
      assert.equal(fixed?.byFile.size, 0);
      assert.deepEqual(ws.reads, ['/ws/lb2/keepalived.conf']);
    });

    it('uses the per-file linter\'s parse of an open document when it has one', async function () {
      const ws = new FakeWorkspace();
      ws.write('/ws/lb2/keepalived.conf', director('LB2', 51));
      let parsed = 0;
      const text = director('LB1', 52);
      ws.open.push({
        file: '/ws/lb1/keepalived.conf',
        keepalived: true,
        version: 3,
        text: () => text,
        analyzed: () => {
          parsed++;
          return analyzeText(text, '/ws/lb1/keepalived.conf', 'keepalived');
        },
      });
      const r = await new PeerLinter(ws).run();
      assert.equal(parsed, 1);
      assert.equal(r?.byFile.size, 2);
    });

    it('nothing open: nothing compared, nothing listed', async function () {
      const ws = new FakeWorkspace();
      ws.write('/ws/lb1/keepalived.conf', director('LB1', 51));
      ws.write('/ws/lb2/keepalived.conf', director('LB2', 52));
      ws.openDoc('/ws/notes.txt', 'hello', false);
      const r = await new PeerLinter(ws).run();
      assert.equal(r?.byFile.size, 0);
      assert.equal(ws.finds, 0);
      assert.deepEqual(ws.reads, []);
    });

    it('copies of one director (same router_id) are not compared', async function () {
      const ws = new FakeWorkspace();
      ws.write('/ws/backup/keepalived.conf', director('LB1', 51));
      ws.openDoc('/ws/lb1/keepalived.conf', director('LB1', 52));
      const r = await new PeerLinter(ws).run();
      assert.equal(r?.byFile.size, 0);
    });

    it('a suppression comment silences the finding in its own file only', async function () {
      const ws = new FakeWorkspace();
      ws.write('/ws/lb2/keepalived.conf', director('LB2', 51).replace('virtual_router_id 51', 'virtual_router_id 51  # lvs-lint-disable vrrp-peer-mismatch'));
      ws.openDoc('/ws/lb1/keepalived.conf', director('LB1', 52));
      const r = await new PeerLinter(ws).run();
      assert.deepEqual(rows(r!.byFile), [`/ws/lb1/keepalived.conf:${VRID_LINE} vrrp-peer-mismatch -> /ws/lb2/keepalived.conf:${VRID_LINE}`]);
      // And in an open buffer: a directive on its own line applies to the next line.
      ws.open = [];
      ws.openDoc('/ws/lb1/keepalived.conf', director('LB1', 52).replace('    virtual_router_id 52', '    # lvs-lint-disable\n    virtual_router_id 52'));
      const both = await new PeerLinter(ws).run();
      assert.equal(both?.byFile.size, 0);
    });

    it('bounds: files over the size limit are not read, at most maxFiles are compared', async function () {
      const ws = new FakeWorkspace();
      ws.openDoc('/ws/lb1/keepalived.conf', director('LB1', 52));
      ws.write('/ws/lb2/keepalived.conf', director('LB2', 51));
      ws.write('/ws/big/keepalived.conf', director('BIG', 53) + '#'.repeat(5000));
      ws.write('/ws/zz/keepalived.conf', director('ZZ', 54));
      const r = await new PeerLinter(ws, { maxFiles: 3, maxBytes: 4096 }).run();
      assert.ok(r);
      assert.deepEqual(r.skipped.tooBig, ['/ws/big/keepalived.conf']);
      assert.equal(r.skipped.overCap, 1);
      assert.deepEqual(ws.reads, ['/ws/lb2/keepalived.conf']);
      assert.deepEqual([...r.byFile.keys()].sort(), ['/ws/lb1/keepalived.conf', '/ws/lb2/keepalived.conf']);
    });

    it('files on disk are read again only when they change (size, mtime) or are invalidated; deleted ones drop out', async function () {
      const ws = new FakeWorkspace();
      ws.openDoc('/ws/lb1/keepalived.conf', director('LB1', 52));
      ws.write('/ws/lb2/keepalived.conf', director('LB2', 51));
      const linter = new PeerLinter(ws);
      await linter.run();
      await linter.run();
      assert.equal(ws.reads.length, 1);
      ws.write('/ws/lb2/keepalived.conf', director('LB2', 52));
      const same = await linter.run();
      assert.equal(ws.reads.length, 2);
      assert.equal(same?.byFile.size, 0);
      assert.equal(linter.invalidate('/ws/lb2/keepalived.conf'), true);
      assert.equal(linter.invalidate('/ws/elsewhere.conf'), false);
      await linter.run();
      assert.equal(ws.reads.length, 3);
      ws.disk.delete('/ws/lb2/keepalived.conf');
      const gone = await linter.run();
      assert.deepEqual(gone?.compared, ['/ws/lb1/keepalived.conf']);
      assert.equal(linter.dependsOn('/ws/lb2/keepalived.conf'), false);
    });

    it('a cancelled run publishes nothing', async function () {
      const ws = new FakeWorkspace();
      ws.openDoc('/ws/lb1/keepalived.conf', director('LB1', 52));
      ws.write('/ws/lb2/keepalived.conf', director('LB2', 51));
      assert.equal(await new PeerLinter(ws).run(() => true), undefined);
    });

    describe('with includes (read from disk by the parser)', function () {
      let dir: string;
      before(function () {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-peerlint-'));
      });
      after(function () {
        fs.rmSync(dir, { recursive: true, force: true });
      });

      it('a finding in an included file is published on it; the included file is not taken for another director', async function () {
        const lb1 = path.join(dir, 'lb1');
        fs.mkdirSync(path.join(lb1, 'keepalived.d'), { recursive: true });
        const main = path.join(lb1, 'keepalived.conf');
        const inc = path.join(lb1, 'keepalived.d', 'vrrp.conf');
        const lb2 = path.join(dir, 'lb2', 'keepalived.conf');
        const mainText = 'global_defs {\n    router_id LB1\n}\ninclude keepalived.d/*.conf\n';
        const incText = director('LB1', 51, { state: 'MASTER' }).split('\n').slice(3).join('\n');
        fs.writeFileSync(main, mainText);
        fs.writeFileSync(inc, incText);
        const ws = new FakeWorkspace();
        ws.write(main, mainText);
        ws.write(inc, incText);
        ws.write(lb2, director('LB2', 52, { state: 'MASTER' }));
        ws.openDoc(main, mainText);
        const linter = new PeerLinter(ws);
        const r = await linter.run();
        assert.ok(r);
        assert.deepEqual(r.compared.sort(), [main, lb2].sort());
        const got = rows(r.byFile).sort();
        // Only LB1 (main + include) against LB2: the VRID mismatch and the two MASTERs of one priority.
        assert.deepEqual(got, [
          `${inc}:1 vrrp-peer-same-priority -> ${lb2}:4`,
          `${inc}:3 vrrp-peer-mismatch -> ${lb2}:${VRID_LINE}`,
          `${lb2}:4 vrrp-peer-same-priority -> ${inc}:1`,
          `${lb2}:${VRID_LINE} vrrp-peer-mismatch -> ${inc}:3`,
        ].sort());
        assert.equal(r.byFile.has(main), false);
        // The include read from disk is a dependency: saving it must refresh the comparison.
        ws.open = [];
        ws.openDoc(lb2, director('LB2', 52, { state: 'MASTER' }));
        await linter.run();
        assert.equal(linter.dependsOn(inc), true);
        assert.equal(linter.invalidate(inc), true);
      });
    });
  });
});
