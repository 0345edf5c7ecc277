// The language service as the editor uses it, for the defects an audit in a real
// code-server found: quick fixes of another file, a snippet included inside a block,
// Enter taking a completion equal to the word typed, hovers on shell options that are
// not ipvsadm's, noise while a token is being typed, and hovers missing on values.
import * as assert from 'node:assert/strict';
import { analyzeText, completeAt, type ConfigDiagnostic, fixesAt, hoverAt, lintText, type Position, spareWhileTyping } from '../../../src/core/config';

const K = '/tmp/lvs-lang-editor/keepalived.conf';

const labels = (text: string, pos: Position, file = K, languageId?: string): string[] => completeAt(analyzeText(text, file, languageId)!, text, pos).map((c) => c.label);

describe('quick fixes are those of the document\'s own file', function () {
  it('a diagnostic of an included file on the same line number gives no fix in the including file', function () {
    const at = { start: { line: 15, character: 27 }, end: { line: 15, character: 27 } };
    const edit = (file: string): ConfigDiagnostic => ({
      code: 'dr-port-remap',
      severity: 'error',
      file,
      range: { start: { line: 15, character: 26 }, end: { line: 15, character: 30 } },
      message: 'DR cannot remap ports',
      fixes: [{ title: 'Set the real server port to 443', edits: [{ file, range: { start: { line: 15, character: 26 }, end: { line: 15, character: 30 } }, newText: '443' }] }],
    });
    const diags = [edit('/etc/keepalived/conf.d/vrrp.conf')];
    assert.deepEqual(fixesAt(diags, at, '/etc/keepalived/keepalived.conf'), []);
    assert.equal(fixesAt(diags, at, '/etc/keepalived/conf.d/vrrp.conf').length, 1);
  });
});

describe('a file included inside a block, linted on its own', function () {
  const snippet = 'real_server 10.0.0.11 80 {\n    weight 1\n    TCP_CHECK {\n        connect_timeout 3\n    }\n}\n';

  it('is checked as the block it looks like (real_server lines: a virtual_server\'s body), not as a top level', function () {
    const doc = analyzeText(snippet, '/tmp/ka/rs/web-1.conf', 'keepalived', undefined, { rootContext: 'auto' })!;
    const diags = [...doc.syntax];
    assert.deepEqual(diags.map((d) => d.code), []);
    assert.equal(doc.keepalived!.statements[0].context, 'virtual_server');
    // ...so what is wrong inside it is still found.
    const bad = snippet.replace('weight 1', 'weight 1\n    wieght 2');
    const badDoc = analyzeText(bad, '/tmp/ka/rs/web-1.conf', 'keepalived', undefined, { rootContext: 'auto' })!;
    assert.deepEqual(badDoc.syntax.map((d) => d.code), ['unknown-keyword']);
  });

  it('a given context (the include directive\'s block) is used as is', function () {
    const doc = analyzeText(snippet, '/tmp/ka/rs/web-1.conf', 'keepalived', undefined, { rootContext: 'virtual_server' })!;
    assert.deepEqual(doc.syntax.map((d) => d.code), []);
  });

  it('a full config and a config with a misplaced block keyword keep their errors', function () {
    const full = 'global_defs {\n  router_id A\n}\nreal_server 10.0.0.1 80 {\n}\n';
    const doc = analyzeText(full, K, 'keepalived', undefined, { rootContext: 'auto' })!;
    assert.deepEqual(doc.syntax.map((d) => d.code), ['keyword-not-allowed']);
    // Without the option (the CLI): as before.
    assert.deepEqual(analyzeText(snippet, '/tmp/ka/rs/web-1.conf', 'keepalived')!.syntax.map((d) => d.code), ['keyword-not-allowed']);
  });

  it('keywords of no one block: no block-context error at the top level (lenient), other errors stay', function () {
    // state (vrrp_instance) and lvs_sched (virtual_server) never share a block.
    const mixed = 'state MASTER\nlvs_sched rr\nnot_a_keyword 1\n';
    const doc = analyzeText(mixed, '/tmp/ka/frag.conf', 'keepalived', undefined, { rootContext: 'auto' })!;
    assert.deepEqual(doc.syntax.map((d) => `${d.code}@${d.range.start.line + 1}`), ['unknown-keyword@3']);
  });
});

describe('completion never offers the token already typed in full', function () {
  it('state MASTER at the end of the line: nothing (Enter must insert a newline)', function () {
    const text = 'vrrp_instance VI_1 {\n    state MASTER\n}\n';
    assert.deepEqual(labels(text, { line: 1, character: 16 }), []);
    assert.deepEqual(labels(text, { line: 1, character: 13 }), ['MASTER', 'BACKUP'], 'a prefix still completes');
    const sched = 'virtual_server 192.0.2.1 80 {\n    lb_algo wlc\n    lb_kind DR\n    protocol TCP\n}\n';
    assert.deepEqual(labels(sched, { line: 1, character: 15 }), []);
    assert.deepEqual(labels(sched, { line: 2, character: 14 }), []);
    assert.deepEqual(labels(sched, { line: 3, character: 16 }), []);
  });

  it('a keyword typed in full: nothing', function () {
    const text = 'vrrp_instance VI_1 {\n    virtual_router_id\n}\n';
    assert.deepEqual(labels(text, { line: 1, character: 21 }), []);
    assert.ok(labels(text, { line: 1, character: 12 }).includes('virtual_router_id'));
  });

  it('ipvsadm: a scheduler or an option typed in full: nothing', function () {
    const r = '-A -t 192.0.2.10:80 -s rr\n-a -t 192.0.2.10:80 -r 10.0.0.11:80 -g -w 1\n';
    assert.deepEqual(labels(r, { line: 0, character: 25 }, '/tmp/r.ipvsadm'), []);
    assert.deepEqual(labels(r, { line: 1, character: 2 }, '/tmp/r.ipvsadm'), []);
    assert.deepEqual(labels(r, { line: 1, character: 38 }, '/tmp/r.ipvsadm'), []);
    assert.ok(labels(r, { line: 0, character: 24 }, '/tmp/r.ipvsadm').includes('rr'), 'r completes to rr');
    const sh = '#!/bin/sh\nipvsadm -A -t 192.0.2.10:80 -s wrr\n';
    assert.deepEqual(labels(sh, { line: 1, character: 35 }, '/tmp/lb.sh'), []);
  });
});

describe('ipvsadm hovers only on the ipvsadm command', function () {
  const sh = [
    '#!/bin/sh',
    'set -e',
    'if [ -f /etc/lvs.env ]; then . /etc/lvs.env; fi',
    'ipvsadm -A -t 192.0.2.10:80 -s rr; echo -e done',
    'sysctl -w net.ipv4.ip_forward=1',
    'ipvsadm -a -t 192.0.2.10:80 -r 10.0.0.11:80 -g -w 1 # -p is not used',
    'ipvsadm -L -n | grep -c -e TCP && echo -p',
    'ipvsadm -C 2>/dev/null || echo -w',
    '',
  ].join('\n');
  const doc = analyzeText(sh, '/tmp/lvs-setup.sh', 'shellscript')!;
  const at = (line: number, word: string, nth = 0): string | undefined => {
    const l = sh.split('\n')[line];
    let i = -1;
    for (let k = 0; k <= nth; k++) i = l.indexOf(word, i + 1);
    assert.ok(i >= 0, `${word} on line ${line}`);
    return hoverAt(doc, sh, { line, character: i + 1 })?.contents;
  };

  it('not on other commands\' options', function () {
    assert.equal(at(1, '-e'), undefined, 'set -e');
    assert.equal(at(2, '-f'), undefined, '[ -f');
    assert.equal(at(4, '-w'), undefined, 'sysctl -w');
  });

  it('not past the end of the command: ; && || | redirections, comments', function () {
    assert.equal(at(3, '-e'), undefined, '; echo -e');
    assert.equal(at(5, '-p'), undefined, '# -p');
    assert.equal(at(6, '-c'), undefined, '| grep -c');
    assert.equal(at(6, '-e'), undefined, 'grep -e');
    assert.equal(at(6, '-p'), undefined, '&& echo -p');
    assert.equal(at(7, '-w'), undefined, '|| echo -w');
  });

  it('still on the ipvsadm options', function () {
    assert.match(at(3, '-A') ?? '', /add-service/);
    assert.match(at(5, '-g') ?? '', /gatewaying|direct routing/i);
    assert.match(at(5, '-w') ?? '', /weight/);
    assert.match(at(6, '-n') ?? '', /numeric/);
    assert.match(at(7, '-C') ?? '', /clear/);
  });
});

describe('hovers on forwarding methods and VRRP states', function () {
  const text = [
    'vrrp_instance VI_1 {',
    '    state MASTER',
    '}',
    'vrrp_instance VI_2 {',
    '    state BACKUP',
    '}',
    'virtual_server 192.0.2.10 80 {',
    '    lb_kind NAT',
    '    lvs_method DR',
    '    real_server 10.0.0.1 80 {',
    '        lvs_method TUN',
    '    }',
    '}',
    '',
  ].join('\n');
  const doc = analyzeText(text, K)!;
  const hover = (line: number, character: number): string => hoverAt(doc, text, { line, character })?.contents ?? '';

  it('NAT, DR and TUN say what is rewritten and what the real servers need', function () {
    const nat = hover(7, 13);
    assert.match(nat, /\*\*NAT\*\*/);
    assert.match(nat, /destination address/i);
    assert.match(nat, /default gateway|default route/i);
    const dr = hover(8, 16);
    assert.match(dr, /\*\*DR\*\*/);
    assert.match(dr, /MAC/);
    assert.match(dr, /\blo\b/);
    assert.match(dr, /arp_ignore/);
    assert.match(dr, /arp_announce/);
    assert.match(dr, /same port|port.*must (be )?equal|cannot remap/i);
    const tun = hover(10, 20);
    assert.match(tun, /\*\*TUN\*\*/);
    assert.match(tun, /ipip/);
    assert.match(tun, /tunl0/);
    assert.match(tun, /rp_filter/);
  });

  it('MASTER and BACKUP say how the election really goes', function () {
    assert.match(hover(1, 11), /\*\*MASTER\*\*/);
    assert.match(hover(1, 11), /priority/);
    assert.match(hover(4, 11), /\*\*BACKUP\*\*/);
  });

  it('lb_kind and lvs_method show their values in the signature', function () {
    assert.match(hover(7, 6), /\*\*lb_kind\*\* <NAT\|DR\|TUN>/);
    assert.match(hover(8, 6), /\*\*lvs_method\*\* <NAT\|DR\|TUN>/);
    assert.doesNotMatch(hover(8, 6), /\*\*lvs_method\*\* …/);
  });
});

describe('diagnostics spared while a token is being typed', function () {
  const spared = (text: string, cursor: Position, file = K): { shown: string[]; all: string[] } => {
    const doc = analyzeText(text, file)!;
    const all = lintText(text, file);
    return { shown: spareWhileTyping(all, doc, text, cursor).map((d) => `${d.code}@${d.range.start.line + 1}`), all: all.map((d) => `${d.code}@${d.range.start.line + 1}`) };
  };
  const vrrp = (line: string): string => `vrrp_instance VI_1 {\n    state MASTER\n    interface eth0\n    virtual_router_id 51\n    virtual_ipaddress {\n        192.0.2.10/24\n    }\n${line}\n}\n`;

  it('the keyword under the cursor (unknown while incomplete) is not reported; the same elsewhere is', function () {
    const text = vrrp('    priorit');
    const r = spared(text, { line: 7, character: 11 });
    assert.ok(r.all.includes('unknown-keyword@8'));
    assert.ok(!r.shown.includes('unknown-keyword@8'));
    // The cursor elsewhere: reported.
    assert.ok(spared(text, { line: 2, character: 4 }).shown.includes('unknown-keyword@8'));
  });

  it('a keyword with its value still to come (cursor after the space)', function () {
    const text = vrrp('    priority ');
    const r = spared(text, { line: 7, character: 13 });
    assert.ok(r.all.includes('missing-value@8'));
    assert.deepEqual(r.shown, []);
  });

  it('a block just opened and still empty at the cursor: none of its "missing" members', function () {
    const text = 'virtual_server 192.0.2.10 80 {\n    \n}\n';
    const r = spared(text, { line: 1, character: 4 });
    assert.ok(r.all.length >= 4, r.all.join());
    assert.deepEqual(r.shown, []);
    // On the header line, between the braces auto-closed: the same.
    const inline = 'virtual_server 192.0.2.10 80 {}\n';
    assert.deepEqual(spared(inline, { line: 0, character: 30 }).shown, []);
    // Once something is in it, or the cursor is out of it, they are reported.
    const filled = 'virtual_server 192.0.2.10 80 {\n    delay_loop 6\n}\n';
    assert.ok(spared(filled, { line: 1, character: 16 }).shown.includes('protocol-missing@1'));
    assert.ok(spared(text, { line: 3, character: 0 }).shown.includes('protocol-missing@1'));
  });

  it('another block\'s problems are kept', function () {
    const text = 'virtual_server 192.0.2.10 80 {\n    lb_algo nosuch\n}\nvirtual_server 192.0.2.10 443 {\n    \n}\n';
    const r = spared(text, { line: 4, character: 4 });
    assert.ok(r.shown.includes('invalid-value@2'), r.shown.join());
    assert.ok(r.shown.includes('protocol-missing@1'), r.shown.join());
    assert.ok(!r.shown.some((s) => s.endsWith('@4')), r.shown.join());
  });
});
