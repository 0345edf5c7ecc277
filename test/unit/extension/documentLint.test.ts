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

/** A DiagnosticCollection: what is shown per document. */
function sink(): { shown: Map<string, ConfigDiagnostic[]>; set(d: LintDocument, x: ConfigDiagnostic[]): void; delete(d: LintDocument): void } {
  const shown = new Map<string, ConfigDiagnostic[]>();
  return { shown, set: (d, x) => void shown.set(d.uri.toString(), x), delete: (d) => void shown.delete(d.uri.toString()) };
}

const codes = (s: ReturnType<typeof sink>, d: LintDocument): string[] | undefined => s.shown.get(d.uri.toString())?.map((x) => x.code);

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
    const linter = new DocumentLinter(new DocumentCache(), s);
    const sh = doc(path.join(dir, 'lb.sh'), 'shellscript', '#!/bin/sh\nipvsadm -A -t 192.0.2.10:80 -s nosuch\n');
    linter.publish(sh);
    assert.ok(codes(s, sh)?.length, 'the ipvsadm line has a problem');
    sh.text = '#!/bin/sh\necho nothing to see\n';
    sh.version++;
    linter.publish(sh);
    assert.equal(s.shown.has(sh.uri.toString()), false, 'no stale diagnostics left on the script');
  });

  it('lints keepalived.conf again when the conf.d file it includes is created, then deleted', function () {
    const s = sink();
    const linter = new DocumentLinter(new DocumentCache(), s);
    const main = doc(path.join(dir, 'keepalived.conf'), 'keepalived', 'include conf.d/*.conf\n');
    const other = doc(path.join(dir, 'notes.conf'), 'keepalived', 'global_defs {\n}\n');
    linter.publish(main);
    linter.publish(other);
    assert.deepEqual(codes(s, main), ['include-not-found']);
    const web = path.join(dir, 'conf.d', 'web.conf');
    fs.mkdirSync(path.dirname(web));
    fs.writeFileSync(web, 'global_defs {\n}\n');
    const again = linter.dependents(web, 'created', [main, other]);
    assert.deepEqual(again, [main], 'only the document with an include');
    again.forEach((d) => linter.publish(d));
    assert.deepEqual(codes(s, main), [], 'include-not-found gone without editing keepalived.conf');
    fs.rmSync(web);
    linter.dependents(web, 'deleted', [main, other]).forEach((d) => linter.publish(d));
    assert.deepEqual(codes(s, main), ['include-not-found']);
  });

  it('lints keepalived.conf again when a file it includes is saved, not when an unrelated one is', function () {
    const s = sink();
    const linter = new DocumentLinter(new DocumentCache(), s);
    const vrrp = path.join(dir, 'vrrp.conf');
    const instance = (vip: string): string => `vrrp_instance VI_1 {\n  state MASTER\n  interface eth0\n  virtual_router_id 51\n  priority 100\n  virtual_ipaddress {\n    ${vip}\n  }\n}\n`;
    fs.writeFileSync(vrrp, instance('192.0.2.99'));
    const main = doc(path.join(dir, 'keepalived.conf'), 'keepalived', 'include vrrp.conf\nvirtual_server 192.0.2.10 80 {\n  lvs_sched rr\n  lvs_method DR\n  protocol TCP\n  real_server 10.0.0.1 80 {\n    TCP_CHECK {\n    }\n  }\n}\n');
    linter.publish(main);
    assert.ok(codes(s, main)?.includes('vip-not-in-vrrp'));
    fs.writeFileSync(vrrp, instance('192.0.2.10'));
    assert.deepEqual(linter.dependents(path.join(dir, 'unrelated.conf'), 'changed', [main]), []);
    const again = linter.dependents(vrrp, 'changed', [main]);
    assert.deepEqual(again, [main]);
    again.forEach((d) => linter.publish(d));
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
