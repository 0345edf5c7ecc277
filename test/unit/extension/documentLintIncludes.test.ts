// The editor's config diagnostics across included files (src/extension/language/documentLint.ts,
// no vscode): problems of an included file shown on that file (open or not), cleared when the
// include goes away or the including file closes; an included file opened on its own linted in
// the context it is included from (by an open config or one on disk), or leniently when nothing
// includes it; unsaved edits of an included file seen by the including one; quick fixes only of
// the document's own file; and the token being typed spared until the user moves on or pauses.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ConfigDiagnostic, Position } from '../../../src/core/config';
import { DocumentLinter, type LintDocument, SETTLE_MS } from '../../../src/extension/language/documentLint';
import { IncluderIndex } from '../../../src/extension/language/includers';

interface FakeDoc extends LintDocument {
  text: string;
  version: number;
}

function doc(file: string, text: string, languageId = 'keepalived'): FakeDoc {
  const d = {
    uri: { scheme: 'file', fsPath: file, toString: () => `file://${file}` },
    languageId,
    version: 1,
    text,
    getText: () => d.text,
  };
  return d;
}

function edit(d: FakeDoc, text: string): void {
  d.text = text;
  d.version++;
}

/** A DiagnosticCollection: what is shown per file, and how many times each was set. */
function sink(): { shown: Map<string, ConfigDiagnostic[]>; sets: Map<string, number>; set(t: LintDocument | string, x: ConfigDiagnostic[]): void; delete(t: LintDocument | string): void } {
  const shown = new Map<string, ConfigDiagnostic[]>();
  const sets = new Map<string, number>();
  const key = (t: LintDocument | string): string => (typeof t === 'string' ? t : t.uri.fsPath);
  return {
    shown,
    sets,
    set: (t, x) => {
      shown.set(key(t), x);
      sets.set(key(t), (sets.get(key(t)) ?? 0) + 1);
    },
    delete: (t) => void shown.delete(key(t)),
  };
}

const MAIN = `global_defs {
    router_id LVS1
}
include conf.d/*.conf
virtual_server 192.0.2.10 80 {
    delay_loop 6
    lb_algo rr
    lb_kind DR
    protocol TCP
    include rs/web-*.conf
}
`;
const VRRP = `vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 100
    advert_int 1
    virtual_ipaddress {
        192.0.2.10/24
    }
}
virtual_server 192.0.2.10 443 {
    delay_loop 6
    lb_algo rr
    lb_kind DR
    protocol TCP
    real_server 10.0.0.11 8443 {
        TCP_CHECK {
            connect_timeout 3
        }
    }
}
`;
const WEB = `virtual_server 192.0.2.10 8000 {
    delay_loop 6
    lb_algo rr
    lb_kind DR
    protocol TCP
    real_server 10.0.0.11 8000 {
        TCP_CHECK {
            connect_timeout 3
        }
    }
}
`;
const RS = `real_server 10.0.0.11 80 {
    TCP_CHECK {
        connect_timeout 3
    }
}
`;

describe('config diagnostics across included files', function () {
  let dir: string;
  let open: FakeDoc[];
  let cursor: Map<FakeDoc, Position>;
  let clock: number;
  let index: IncluderIndex;
  const f = (rel: string): string => path.join(dir, 'keepalived', rel);
  const linter = (s: ReturnType<typeof sink>): DocumentLinter<FakeDoc> =>
    new DocumentLinter<FakeDoc>(
      {
        documents: () => open,
        includersOf: (file) => index.includersOf(file),
        cursor: (d) => cursor.get(d),
        now: () => clock,
      },
      s,
    );
  const codes = (s: ReturnType<typeof sink>, file: string): string[] | undefined => s.shown.get(file)?.map((x) => `${x.code}@${x.range.start.line + 1}`);

  beforeEach(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-doclint-inc-'));
    fs.mkdirSync(path.join(dir, 'keepalived', 'conf.d'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'keepalived', 'rs'));
    fs.writeFileSync(f('keepalived.conf'), MAIN);
    fs.writeFileSync(f('conf.d/vrrp.conf'), VRRP);
    fs.writeFileSync(f('conf.d/web.conf'), WEB);
    fs.writeFileSync(f('rs/web-1.conf'), RS.replace('10.0.0.11 80', '10.0.0.11 8080'));
    open = [];
    cursor = new Map();
    clock = 1_000_000;
    index = new IncluderIndex();
  });
  afterEach(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('Ctrl+. on the including file offers no fix of an included file\'s diagnostic on the same line', function () {
    const s = sink();
    const l = linter(s);
    const main = doc(f('keepalived.conf'), MAIN + '\n'.repeat(8));
    open.push(main);
    l.publish();
    const line15 = { start: { line: 15, character: 27 }, end: { line: 15, character: 27 } };
    assert.deepEqual(l.fixes(main, line15).map((x) => x.fix.title), []);
    // The included file's own fix is offered there.
    const vrrp = doc(f('conf.d/vrrp.conf'), VRRP);
    open.push(vrrp);
    l.publish();
    const fixes = l.fixes(vrrp, line15);
    assert.ok(fixes.length > 0, 'the DR port fix on vrrp.conf');
    for (const { fix } of fixes) for (const e of fix.edits) assert.equal(e.file, vrrp.uri.fsPath);
  });

  it('problems of included files are shown on those files, open or not, and cleared with the include or the including file', function () {
    const s = sink();
    const l = linter(s);
    const main = doc(f('keepalived.conf'), MAIN);
    open.push(main);
    l.publish();
    assert.deepEqual(codes(s, f('conf.d/vrrp.conf')), ['dr-port-remap@16']);
    assert.deepEqual(codes(s, f('rs/web-1.conf')), ['dr-port-remap@1']);
    assert.deepEqual(codes(s, main.uri.fsPath), []);
    // The include removed (unsaved): its file's problems go.
    edit(main, MAIN.replace('    include rs/web-*.conf\n', ''));
    l.publish();
    assert.equal(s.shown.has(f('rs/web-1.conf')), false);
    assert.deepEqual(codes(s, f('conf.d/vrrp.conf')), ['dr-port-remap@16']);
    // The including file closed: nothing left of it.
    open = [];
    l.close(main);
    assert.equal(s.shown.has(f('conf.d/vrrp.conf')), false);
    assert.equal(s.shown.has(main.uri.fsPath), false);
  });

  it('an included file open in the editor: its unsaved text is what the including file sees, its problems shown once', function () {
    const s = sink();
    const l = linter(s);
    const main = doc(f('keepalived.conf'), MAIN);
    const vrrp = doc(f('conf.d/vrrp.conf'), VRRP);
    open.push(main, vrrp);
    l.publish();
    assert.deepEqual(codes(s, vrrp.uri.fsPath), ['dr-port-remap@16'], 'once, not from each parse');
    // A second VRRP instance with the same VRID in the other included file, unsaved.
    const web = doc(f('conf.d/web.conf'), WEB);
    open.push(web);
    edit(web, WEB + VRRP.split('virtual_server')[0].replace('VI_1', 'VI_2'));
    l.publish();
    assert.ok(codes(s, web.uri.fsPath)?.some((c) => c.startsWith('vrid-reused')), `unsaved edit seen: ${codes(s, web.uri.fsPath)}`);
    // Fixed in the buffer, not saved: gone.
    edit(vrrp, VRRP.replace('8443', '443'));
    l.publish();
    assert.deepEqual(codes(s, vrrp.uri.fsPath)?.filter((c) => c.startsWith('dr-port')), []);
  });

  it('a snippet included inside virtual_server, opened on its own, is linted in that context (including file open)', function () {
    const s = sink();
    const l = linter(s);
    const main = doc(f('keepalived.conf'), MAIN);
    const rs = doc(f('rs/web-1.conf'), fs.readFileSync(f('rs/web-1.conf'), 'utf8'));
    open.push(main, rs);
    l.publish();
    assert.deepEqual(codes(s, rs.uri.fsPath), ['dr-port-remap@1'], 'no "not allowed in the top level"');
    assert.equal(l.analyzed(rs)?.keepalived?.statements[0].context, 'virtual_server', 'hovers and completion see the block');
    // The include removed from the config: the snippet is linted on its own (leniently), the config's finding gone.
    edit(main, MAIN.replace('    include rs/web-*.conf\n', ''));
    l.publish();
    assert.deepEqual(codes(s, rs.uri.fsPath), []);
    assert.equal(l.analyzed(rs)?.keepalived?.statements[0].context, 'virtual_server', 'guessed from the file');
  });

  it('...and with the including file only on disk (found in the workspace)', async function () {
    const s = sink();
    const l = linter(s);
    await index.scan({
      findFiles: async () => [f('keepalived.conf'), f('conf.d/vrrp.conf'), f('conf.d/web.conf'), f('rs/web-1.conf')],
      read: async (file) => fs.readFileSync(file, 'utf8'),
    });
    assert.deepEqual(index.includersOf(f('rs/web-1.conf')), [f('keepalived.conf')]);
    const rs = doc(f('rs/web-1.conf'), fs.readFileSync(f('rs/web-1.conf'), 'utf8'));
    open.push(rs);
    l.publish();
    assert.deepEqual(codes(s, rs.uri.fsPath), ['dr-port-remap@1']);
    // Only the open file gets the closed including file's findings.
    assert.equal(s.shown.has(f('conf.d/vrrp.conf')), false);
    assert.equal(s.shown.has(f('keepalived.conf')), false);
    // Its unsaved edit counts.
    edit(rs, rs.text.replace('8080', '80'));
    l.publish();
    assert.deepEqual(codes(s, rs.uri.fsPath), []);
    // The closed config changed on disk (NAT may remap ports; the real server's port again differs): linted again.
    edit(rs, rs.text.replace('10.0.0.11 80', '10.0.0.11 8080'));
    l.publish();
    assert.deepEqual(codes(s, rs.uri.fsPath), ['dr-port-remap@1']);
    fs.writeFileSync(f('keepalived.conf'), MAIN.replace('lb_kind DR', 'lb_kind NAT'));
    assert.equal(index.concerns(f('keepalived.conf')), true);
    assert.deepEqual(l.dependents(f('keepalived.conf'), 'changed'), [rs]);
    l.publish();
    assert.ok(!codes(s, rs.uri.fsPath)?.includes('dr-port-remap@1'), `read again: ${codes(s, rs.uri.fsPath)}`);
  });

  it('...and with no including file: leniently, as the block it looks like', function () {
    const s = sink();
    const l = linter(s);
    const lone = path.join(dir, 'lone', 'rs-1.conf');
    fs.mkdirSync(path.dirname(lone));
    const rs = doc(lone, RS);
    open.push(rs);
    l.publish();
    assert.deepEqual(codes(s, lone), []);
  });

  it('the token being typed is spared until the user leaves the line or pauses', function () {
    const s = sink();
    const l = linter(s);
    const base = 'vrrp_instance VI_1 {\n    state MASTER\n    interface eth0\n    virtual_router_id 51\n    virtual_ipaddress {\n        192.0.2.10/24\n    }\n';
    const d = doc(f('typing.conf'), base + '    \n}\n');
    open.push(d);
    l.publish();
    const setsBefore = s.sets.get(d.uri.fsPath) ?? 0;
    const word = 'priority 150';
    for (let i = 1; i <= word.length; i++) {
      edit(d, base + `    ${word.slice(0, i)}\n}\n`);
      clock += 350;
      cursor.set(d, { line: 7, character: 4 + i });
      l.edited(d, { line: 7, character: 4 + i });
      l.publish();
      assert.deepEqual(codes(s, d.uri.fsPath), [], `after "${word.slice(0, i)}"`);
    }
    assert.equal(s.sets.get(d.uri.fsPath) ?? 0, setsBefore, 'nothing published again while typing');
    // An unfinished keyword stays unreported while typing, and is reported after a pause.
    edit(d, base + '    prio\n}\n');
    l.edited(d, { line: 7, character: 8 });
    l.publish();
    assert.deepEqual(codes(s, d.uri.fsPath), []);
    clock += SETTLE_MS;
    l.publish();
    assert.deepEqual(codes(s, d.uri.fsPath), ['unknown-keyword@8']);
    // ...or as soon as the cursor leaves the line.
    edit(d, base + '    priori\n}\n');
    clock += 10;
    l.edited(d, { line: 7, character: 10 });
    l.publish();
    assert.deepEqual(codes(s, d.uri.fsPath), []);
    cursor.set(d, { line: 2, character: 0 });
    assert.equal(l.cursorMoved(d, { line: 2, character: 0 }), true, 'left the line: publish again');
    l.publish();
    assert.deepEqual(codes(s, d.uri.fsPath), ['unknown-keyword@8']);
  });
});
