// The editor's per-document config diagnostics (src/extension/language/documentLint.ts,
// no vscode): what is published for a document, and which open documents are linted
// again when a file they include changes on disk.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type ConfigDiagnostic, fixesAt } from '../../../src/core/config';
import { DocumentCache, DocumentLinter, editTarget, type LintDocument } from '../../../src/extension/language/documentLint';

interface FakeDoc extends LintDocument {
  text: string;
  version: number;
}

function doc(file: string, languageId: string, text: string, scheme = 'file'): FakeDoc {
  const d = {
    uri: { scheme, fsPath: file, toString: () => `${scheme}:${file}` },
    languageId,
    version: 1,
    text,
    getText: () => d.text,
  };
  return d;
}

/** A DiagnosticCollection: what is shown per document (or file, by path). */
function sink(): { shown: Map<string, ConfigDiagnostic[]>; set(d: LintDocument | string, x: ConfigDiagnostic[]): void; delete(d: LintDocument | string): void } {
  const shown = new Map<string, ConfigDiagnostic[]>();
  const key = (d: LintDocument | string): string => (typeof d === 'string' ? `file:${d}` : d.uri.toString());
  return { shown, set: (d, x) => void shown.set(key(d), x), delete: (d) => void shown.delete(key(d)) };
}

const codes = (s: ReturnType<typeof sink>, d: LintDocument): string[] | undefined => s.shown.get(d.uri.toString())?.map((x) => x.code);

/** A linter over the documents of `open` (the editor's open documents). */
function linterOf(s: ReturnType<typeof sink>, open: FakeDoc[]): DocumentLinter<FakeDoc> {
  return new DocumentLinter<FakeDoc>({ documents: () => open }, s);
}

describe('config diagnostics of open documents', function () {
  let dir: string;
  beforeEach(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-doclint-'));
  });
  afterEach(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('clears a shell script\'s diagnostics once its last ipvsadm line is gone', function () {
    const s = sink();
    const sh = doc(path.join(dir, 'lb.sh'), 'shellscript', '#!/bin/sh\nipvsadm -A -t 192.0.2.10:80 -s nosuch\n');
    const linter = linterOf(s, [sh]);
    linter.publish();
    assert.ok(codes(s, sh)?.length, 'the ipvsadm line has a problem');
    sh.text = '#!/bin/sh\necho nothing to see\n';
    sh.version++;
    linter.publish();
    assert.equal(s.shown.has(sh.uri.toString()), false, 'no stale diagnostics left on the script');
  });

  it('lints keepalived.conf again when the conf.d file it includes is created, then deleted', function () {
    const s = sink();
    const main = doc(path.join(dir, 'keepalived.conf'), 'keepalived', 'include conf.d/*.conf\n');
    const other = doc(path.join(dir, 'notes.conf'), 'keepalived', 'global_defs {\n}\n');
    const linter = linterOf(s, [main, other]);
    linter.publish();
    assert.deepEqual(codes(s, main), ['include-not-found']);
    const web = path.join(dir, 'conf.d', 'web.conf');
    fs.mkdirSync(path.dirname(web));
    fs.writeFileSync(web, 'global_defs {\n}\n');
    const again = linter.dependents(web, 'created');
    assert.deepEqual(again, [main], 'only the document with an include');
    linter.publish();
    assert.deepEqual(codes(s, main), [], 'include-not-found gone without editing keepalived.conf');
    fs.rmSync(web);
    assert.deepEqual(linter.dependents(web, 'deleted'), [main]);
    linter.publish();
    assert.deepEqual(codes(s, main), ['include-not-found']);
  });

  it('lints keepalived.conf again when a file it includes is saved, not when an unrelated one is', function () {
    const s = sink();
    const open: FakeDoc[] = [];
    const linter = linterOf(s, open);
    const vrrp = path.join(dir, 'vrrp.conf');
    const instance = (vip: string): string => `vrrp_instance VI_1 {\n  state MASTER\n  interface eth0\n  virtual_router_id 51\n  priority 100\n  virtual_ipaddress {\n    ${vip}\n  }\n}\n`;
    fs.writeFileSync(vrrp, instance('192.0.2.99'));
    const main = doc(path.join(dir, 'keepalived.conf'), 'keepalived', 'include vrrp.conf\nvirtual_server 192.0.2.10 80 {\n  lvs_sched rr\n  lvs_method DR\n  protocol TCP\n  real_server 10.0.0.1 80 {\n    TCP_CHECK {\n    }\n  }\n}\n');
    open.push(main);
    linter.publish();
    assert.ok(codes(s, main)?.includes('vip-not-in-vrrp'));
    fs.writeFileSync(vrrp, instance('192.0.2.10'));
    assert.deepEqual(linter.dependents(path.join(dir, 'unrelated.conf'), 'changed'), []);
    const again = linter.dependents(vrrp, 'changed');
    assert.deepEqual(again, [main]);
    linter.publish();
    assert.ok(!codes(s, main)?.includes('vip-not-in-vrrp'), `fixed in the included file: ${codes(s, main)?.join(', ')}`);
  });

  it('a quick fix on an untitled document edits that document, not a file of its name', function () {
    const cache = new DocumentCache();
    const d = doc('Untitled-1', 'keepalived', 'virtual_server 192.0.2.10 80 {\n  lvs_shed rr\n  protocol TCP\n}\n', 'untitled');
    const fixes = fixesAt(cache.diagnostics(d), { start: { line: 1, character: 2 }, end: { line: 1, character: 2 } });
    assert.ok(fixes.length > 0, 'a fix for the typo');
    const fileUri = (f: string): LintDocument['uri'] => ({ scheme: 'file', fsPath: f, toString: () => `file://${f}` });
    for (const { fix } of fixes) for (const e of fix.edits) assert.equal(editTarget(e.file, d, fileUri), d.uri);
    assert.equal(editTarget('/ws/other.conf', d, fileUri).scheme, 'file');
  });
});
