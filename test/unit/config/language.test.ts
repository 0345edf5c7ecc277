// The language-service functions the VS Code layer adapts: hover, completion,
// document symbols, quick fixes.
import * as assert from 'node:assert/strict';
import { analyzeText, applyEdits, completeAt, documentSymbols, fixesAt, hoverAt, lintText } from '../../../src/core/config';
import { drConfig } from './helpers';

const K = '/tmp/lvs-lang/keepalived.conf';

describe('language service', function () {
  const text = drConfig();
  const doc = analyzeText(text, K);
  assert.ok(doc);

  it('hovers a keyword with its description, value type and default', function () {
    const line = text.split('\n').findIndex((l) => l.includes('lb_algo'));
    const h = hoverAt(doc!, text, { line, character: 6 });
    assert.ok(h);
    assert.match(h.contents, /\*\*lb_algo\*\* <rr\|wrr/);
    assert.match(h.contents, /Default: `wlc`/);
    assert.deepEqual(h.range, { start: { line, character: 4 }, end: { line, character: 11 } });
    const sched = hoverAt(doc!, text, { line, character: 13 });
    assert.match(sched?.contents ?? '', /weighted least connections/);
  });

  it('hovers ipvsadm options and schedulers', function () {
    const rules = '-A -t 192.0.2.1:80 -s wrr\n-a -t 192.0.2.1:80 -r 10.0.0.1:80 --masquerading -w 2\n';
    const d = analyzeText(rules, '/tmp/r.ipvsadm');
    assert.match(hoverAt(d!, rules, { line: 1, character: 38 })?.contents ?? '', /NAT/);
    assert.match(hoverAt(d!, rules, { line: 0, character: 23 })?.contents ?? '', /weighted round robin/);
  });

  it('completes the keywords valid in the block at the cursor', function () {
    const withBlank = text.replace('        weight 1\n        TCP_CHECK', '        weight 1\n        \n        TCP_CHECK');
    const d = analyzeText(withBlank, K)!;
    const line = withBlank.split('\n').findIndex((l) => l === '        ');
    const labels = completeAt(d, withBlank, { line, character: 8 }).map((c) => c.label);
    assert.ok(labels.includes('inhibit_on_failure') && labels.includes('HTTP_GET') && labels.includes('weight'));
    assert.ok(!labels.includes('lb_algo') && !labels.includes('virtual_router_id'));
    const top = completeAt(d, withBlank, { line: 3, character: 0 }).map((c) => c.label);
    assert.ok(top.includes('virtual_server') && top.includes('vrrp_instance') && !top.includes('weight'));
  });

  it('completes values of enumerated keywords and ipvsadm schedulers', function () {
    const t = 'virtual_server 192.0.2.1 80 {\n    lb_kind \n    lb_algo \n}\n';
    const d = analyzeText(t, K)!;
    assert.deepEqual(completeAt(d, t, { line: 1, character: 12 }).map((c) => c.label), ['NAT', 'DR', 'TUN']);
    assert.ok(completeAt(d, t, { line: 2, character: 12 }).some((c) => c.label === 'mh'));
    const r = '-A -t 192.0.2.1:80 -s \n';
    assert.ok(completeAt(analyzeText(r, '/tmp/r.ipvsadm')!, r, { line: 0, character: 22 }).some((c) => c.label === 'twos'));
  });

  it('lists VRRP instances, virtual servers, real servers and checkers as symbols', function () {
    const symbols = documentSymbols(doc!);
    assert.deepEqual(symbols.map((s) => s.name), ['global_defs', 'vrrp_instance VI_WEB', 'virtual_server 192.0.2.100 80']);
    const vs = symbols[2];
    assert.equal(vs.detail, 'TCP DR wlc');
    assert.deepEqual(vs.children.map((c) => c.name), ['real_server 192.0.2.11 80', 'real_server 192.0.2.12 80']);
    assert.deepEqual(vs.children[0].children.map((c) => c.name), ['TCP_CHECK']);
    assert.equal(vs.range.end.line, 30);
  });

  it('returns the quick fixes of the diagnostics at a range, and they apply', function () {
    const bad = drConfig({ rsPort: 8080 }).replace('lb_algo wlc', 'lb_algoo wlc');
    const diags = lintText(bad, K);
    const line = bad.split('\n').findIndex((l) => l.includes('lb_algoo'));
    const fixes = fixesAt(diags, { start: { line, character: 5 }, end: { line, character: 5 } });
    assert.deepEqual(fixes.map((f) => f.fix.title), ["Change to 'lb_algo'"]);
    const all = diags.flatMap((d) => (d.fixes?.[0] ? d.fixes[0].edits : []));
    const fixed = applyEdits(bad, all);
    assert.deepEqual(lintText(fixed, K).filter((d) => d.severity !== 'info'), []);
  });
});

describe('suppression comments', function () {
  it('silences the named codes on the next line, or on the line of a trailing comment', function () {
    const text = drConfig({ rsPort: 8080 }).replace('    real_server 192.0.2.11 8080 {', '    # lvs-lint-disable dr-port-remap\n    real_server 192.0.2.11 8080 {');
    assert.deepEqual(lintText(text, K).map((d) => d.code), []);
    const trailing = drConfig({ rsPort: 8080 }).replace('real_server 192.0.2.11 8080 {', 'real_server 192.0.2.11 8080 { ! lvs-lint-disable');
    assert.deepEqual(lintText(trailing, K).map((d) => d.code), []);
    const other = drConfig({ rsPort: 8080 }).replace('    real_server 192.0.2.11 8080 {', '    # lvs-lint-disable vip-not-in-vrrp\n    real_server 192.0.2.11 8080 {');
    assert.deepEqual(lintText(other, K).map((d) => d.code), ['dr-port-remap']);
  });
});

describe('ipvsadm completion in shell scripts', function () {
  it('offers options on ipvsadm lines only', function () {
    const text = '#!/bin/sh\necho hello \nipvsadm -A -t 192.0.2.1:80 \n';
    const doc = analyzeText(text, '/tmp/setup.sh')!;
    assert.deepEqual(completeAt(doc, text, { line: 1, character: 11 }), []);
    assert.ok(completeAt(doc, text, { line: 2, character: 27 }).some((c) => c.label === '-s'));
  });
});
