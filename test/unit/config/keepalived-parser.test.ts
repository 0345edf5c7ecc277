import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyEdits, lintText } from '../../../src/core/config';
import type { ConfigDiagnostic } from '../../../src/core/config';
import { parseKeepalived } from '../../../src/core/config/keepalived/parser';
import { expandBraces } from '../../../src/core/config/keepalived/include';
import { drConfig, lint, withCode } from './helpers';

const codesAt = (d: ConfigDiagnostic[]): string[] => d.map((x) => `${x.range.start.line + 1}:${x.range.start.character + 1} ${x.code}`);

describe('keepalived parser', function () {
  it('keeps 0-based ranges of keywords and values', function () {
    const diags: ConfigDiagnostic[] = [];
    const p = parseKeepalived('virtual_server 192.0.2.1 80 {\n  lb_kind  DR # comment\n}\n', 'k.conf', diags);
    assert.deepEqual(diags, []);
    const vs = p.statements[0];
    assert.deepEqual([vs.keyword.line, vs.keyword.start, vs.keyword.end], [0, 0, 14]);
    assert.deepEqual([vs.args[1].text, vs.args[1].start, vs.args[1].end], ['80', 25, 27]);
    const kind = vs.body?.[0];
    assert.equal(kind?.context, 'virtual_server');
    assert.deepEqual([kind?.args[0].text, kind?.args[0].line, kind?.args[0].start], ['DR', 1, 11]);
    assert.equal(vs.close?.line, 2);
  });

  it('treats # and ! as comments anywhere and accepts quoted strings', function () {
    const d = lint('global_defs { ! comment\n  router_id "my director" # trailing\n  notification_email_from "a@b" ! x\n}\n');
    assert.deepEqual(d, []);
  });

  it('accepts `{` on the line after the keyword', function () {
    assert.deepEqual(lint('global_defs\n{\n  router_id x\n}\n'), []);
  });

  it('recovers from a missing } and keeps reporting later mistakes', function () {
    const text = drConfig().replace('            connect_timeout 3\n        }\n    }\n    real_server', '            connect_timeout 3\n        }\n    real_server').replace('lb_algo wlc', 'lb_algo wlc') + 'virtual_server 192.0.2.100 443 {\n    lb_algo rrr\n    lb_kind DR\n    real_server 192.0.2.11 443 {\n    }\n}\n';
    const d = lint(text);
    const missing = withCode(d, 'missing-brace');
    assert.equal(missing.length, 1);
    assert.match(missing[0].message, /opened on line 19 is missing its '}'/);
    assert.equal(missing[0].range.start.line + 1, 24);
    // The mistake after the recovered block is still found.
    assert.ok(withCode(d, 'invalid-value').some((x) => x.range.start.line + 1 === 32), codesAt(d).join('\n'));
    // No cascade of unknown keywords after recovery.
    assert.deepEqual(withCode(d, 'unknown-keyword'), []);
  });

  it('reports an extra } and an unclosed block where it was opened', function () {
    assert.deepEqual(codesAt(lint('global_defs {\n}\n}\n')), ['3:1 extra-brace']);
    assert.deepEqual(codesAt(lint('global_defs {\n  router_id a\n')), ['1:13 missing-brace']);
  });

  it('reports several independent mistakes in one file', function () {
    const d = lint(drConfig({ vsExtra: 'persistance_timeout 50' }).replace('priority 150', 'priority 300').replace('lb_kind DR', 'lb_kind DSR'));
    assert.deepEqual(codesAt(d).filter((c) => !c.includes('vip')), ['8:14 invalid-value', '17:13 invalid-value', '19:5 unknown-keyword']);
  });

  it('offers did-you-mean fixes for unknown keywords that apply cleanly', function () {
    const text = drConfig().replace('lb_algo wlc', 'lb_algorithm wlc');
    const [d] = withCode(lintText(text, '/tmp/k/keepalived.conf'), 'unknown-keyword');
    assert.match(d.message, /did you mean 'lb_algo'/);
    const fixed = applyEdits(text, d.fixes?.[0].edits ?? []);
    assert.deepEqual(withCode(lint(fixed), 'unknown-keyword'), []);
  });

  it('says when a keyword is in the wrong block', function () {
    const d = lint(drConfig({ rsExtra: 'lb_algo rr' }));
    const wrong = withCode(d, 'keyword-not-allowed');
    assert.equal(wrong.length, 1);
    assert.match(wrong[0].message, /not allowed in 'real_server'.*virtual_server/);
  });

  it('checks value types: addresses, ports, ranges, durations, enumerations', function () {
    const text = `virtual_server 192.0.2.1 99999 {
    delay_loop 6s
    lb_algo rr
    lb_kind TUN type gue
    protocol UDP
    real_server 2001:db8::1 53 {
        weight -1
    }
}
vrrp_instance V {
    interface eth0
    virtual_router_id 0
    priority 100
    advert_int 0.5
    virtual_ipaddress {
        2001:db8::10/64
        10.1.1.1/33
    }
}
`;
    assert.deepEqual(codesAt(lint(text)).filter((c) => /value/.test(c)), ['1:26 invalid-value', '2:16 invalid-value', '4:22 invalid-value', '7:16 invalid-value', '12:23 invalid-value', '17:9 invalid-value']);
  });

  it('does not check values on templated lines ($PARAM, @conditional, ~SEQ)', function () {
    const text = `$VIP=192.0.2.100
$LONG=a \\
  b
virtual_server $VIP 80 {
    lb_algo \${SCHED}
    @dir1 lb_kind DR
    @^dir1 lb_kind NAT
    ~SEQ(i, 11, 12) real_server 192.0.2.$i 80 {
        weight 1
    }
}
`;
    assert.deepEqual(lint(text).filter((d) => d.severity === 'error'), []);
  });
});

describe('keepalived include', function () {
  let dir: string;
  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-include-'));
    fs.mkdirSync(path.join(dir, 'conf.d'));
    fs.writeFileSync(path.join(dir, 'conf.d', 'web.conf'), 'virtual_server 192.0.2.100 80 {\n  lb_kind DR\n  lb_algo rr\n  real_server 192.0.2.11 8080 {\n    weight 1\n  }\n}\n');
    fs.writeFileSync(path.join(dir, 'conf.d', 'dns.conf'), 'virtual_server 192.0.2.100 53 {\n  lb_kind NAT\n  lb_algo rr\n  protocol UDP\n  real_server 10.0.0.1 53 {\n    weight 1\n  }\n}\n');
    fs.writeFileSync(path.join(dir, 'rs.inc'), 'real_server 192.0.2.12 443 {\n  weight 1\n  bogus_kw 1\n}\n');
    fs.writeFileSync(path.join(dir, 'a.conf'), 'include b.conf\n');
    fs.writeFileSync(path.join(dir, 'b.conf'), 'include a.conf\n');
  });
  after(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('follows globs relative to the including file and lints the included files', function () {
    const main = path.join(dir, 'keepalived.conf');
    const text = 'include conf.d/*.conf\nvirtual_server 192.0.2.100 443 {\n  lb_kind DR\n  lb_algo rr\n  include rs.inc\n}\n';
    const d = lintText(text, main);
    const remap = withCode(d, 'dr-port-remap');
    assert.equal(remap.length, 1);
    assert.equal(remap[0].file, path.join(dir, 'conf.d', 'web.conf'));
    assert.equal(remap[0].range.start.line, 3);
    // The file included inside a virtual_server is parsed in that block.
    const unknown = withCode(d, 'unknown-keyword');
    assert.equal(unknown.length, 1);
    assert.equal(unknown[0].file, path.join(dir, 'rs.inc'));
    assert.deepEqual(withCode(d, 'keyword-not-allowed'), []);
  });

  it('reports include cycles and missing files', function () {
    const d = lintText('include a.conf\ninclude nothing-here.conf\n', path.join(dir, 'main.conf'));
    const cycle = withCode(d, 'include-cycle');
    assert.equal(cycle.length, 1);
    assert.match(cycle[0].message, /a\.conf → b\.conf → a\.conf/);
    assert.equal(withCode(d, 'include-not-found').length, 1);
  });

  it('expands csh brace lists', function () {
    assert.deepEqual(expandBraces('/e/{a,b/{c,d}}.conf'), ['/e/a.conf', '/e/b/c.conf', '/e/b/d.conf']);
  });
});
