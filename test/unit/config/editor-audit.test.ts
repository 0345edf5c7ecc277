// Defects from the audit in a real VS Code (/tmp/audit-editor): (1) idempotent
// shell-script clean-ups (`ipvsadm -D ... || true`, a `stop)` branch before
// `start)`) flagged as errors; (2) a BACKUP with a higher priority than the MASTER
// on another director not flagged; (3) `omega` (and real_server `snmp_name`)
// unknown to the keyword table; (4) quick fixes that indent with spaces in a
// tab-indented file and delete trailing comments; (5) pitfalls with no hint: NAT
// real servers with no director address on their subnet, scripts without
// enable_script_security, a missing delay_loop. The keepalived cases are also run
// through the installed keepalived -t when there is one and we are root.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type AnalyzedDocument, analyzeText, applyEdits, type ConfigDiagnostic, crossFileDiagnostics, lintFiles, lintText } from '../../../src/core/config';
import { hasCommand, isRoot, requireOrSkip } from '../../helpers/env';
import { shellPlaces } from '../../../src/core/config/ipvsadm/shell';
import { lint, withCode } from './helpers';
import { assertAgreesWithKeepalived, type KeepalivedCase, KeepalivedSandbox } from './keepalivedSandbox';

const K = '/tmp/lvs-test/keepalived.conf';

/** The first fix of the first diagnostic with `code`, applied. */
function fixed(text: string, code: string, file = K): string {
  const [d] = withCode(lintText(text, file), code);
  assert.ok(d?.fixes?.[0], `${code} has a fix:\n${text}`);
  return applyEdits(text, d.fixes[0].edits);
}

/** A virtual_server written with `ind` as the indentation unit (a tab, two spaces...). */
function indented(ind: string, o: { vs?: string[]; rs1?: string[]; rs2?: string[] } = {}): string {
  const i1 = ind;
  const i2 = ind + ind;
  const i3 = i2 + ind;
  const check = [`${i2}TCP_CHECK {`, `${i3}connect_timeout 3`, `${i2}}`];
  return [
    'global_defs {',
    `${i1}router_id LVS1`,
    '}',
    'virtual_server 192.0.2.100 80 {',
    `${i1}delay_loop 6`,
    `${i1}lb_algo rr`,
    `${i1}lb_kind DR`,
    ...(o.vs ?? [`${i1}protocol TCP`]),
    `${i1}real_server 192.0.2.11 80 {`,
    ...(o.rs1 ?? [`${i2}weight 1`, ...check]),
    `${i1}}`,
    `${i1}real_server 192.0.2.12 80 {`,
    ...(o.rs2 ?? [`${i2}weight 1`, ...check]),
    `${i1}}`,
    '}',
    '',
  ].join('\n');
}

const SH = '/tmp/lvs-test/lvs.sh';
const SAVE = '/tmp/lvs-test/rules.ipvsadm';
const ADD = 'ipvsadm -A -t 192.0.2.10:80 -s rr\nipvsadm -a -t 192.0.2.10:80 -r 10.0.0.11:80 -g -w 1\n';
const undefinedService = (text: string, file = SH): string[] => rows(withCode(lintText(text, file), 'ipvsadm-undefined-service'));

describe('editor audit (1): ipvsadm -D/-E/-d/-e of a service a shell script has not defined', function () {
  it('says nothing when the line is guarded: || true, 2>/dev/null, an if/while condition, && or ||, !', function () {
    for (const guarded of [
      'ipvsadm -D -t 192.0.2.10:80 2>/dev/null || true',
      'ipvsadm -D -t 192.0.2.10:80 || :',
      'ipvsadm -D -t 192.0.2.10:80 2>/dev/null',
      'ipvsadm -D -t 192.0.2.10:80 2> /dev/null',
      'ipvsadm -D -t 192.0.2.10:80 >/dev/null 2>&1',
      'ipvsadm -D -t 192.0.2.10:80 &>/dev/null',
      '/sbin/ipvsadm -D -t 192.0.2.10:80 || echo "nothing to remove"',
      'if ipvsadm -D -t 192.0.2.10:80; then echo removed; fi',
      '! ipvsadm -E -t 192.0.2.10:80 -s wlc',
      'ipvsadm -L -n -t 192.0.2.10:80 >/dev/null && ipvsadm -D -t 192.0.2.10:80',
      '[ -x /sbin/ipvsadm ] && ipvsadm -D -t 192.0.2.10:80',
      'sudo ipvsadm -d -t 192.0.2.10:80 -r 10.0.0.11:80 2>/dev/null || true',
    ]) {
      const text = `#!/bin/sh\nset -e\n${guarded}\n${ADD}`;
      assert.deepEqual(undefinedService(text), [], text);
    }
  });

  it('says nothing inside a case branch, a function or an if body (the order of the text is not the order of the run)', function () {
    const audit2 = '#!/bin/sh\ncase "$1" in\n  stop)\n    ipvsadm -D -t 192.0.2.10:80\n    ;;\n  start)\n    ipvsadm -A -t 192.0.2.10:80 -s rr\n    ipvsadm -a -t 192.0.2.10:80 -r 10.0.0.11:80 -g\n    ;;\nesac\n';
    const oneLine = '#!/bin/sh\ncase $1 in\n  stop) ipvsadm -D -t 192.0.2.10:80 ;;\n  drain) ipvsadm -e -t 192.0.2.10:80 -r 10.0.0.11:80 -g -w 0 ;;\n  add) ipvsadm -a -t 192.0.2.10:80 -r 10.0.0.12:80 -g ;;\n  start) ipvsadm -A -t 192.0.2.10:80 -s rr ;;\nesac\n';
    const functions = `#!/bin/bash\nstop() {\n  ipvsadm -D -t 192.0.2.10:80\n}\nfunction reload {\n  ipvsadm -E -t 192.0.2.10:80 -s wlc\n}\nstart ()\n{\n  ${ADD.replace(/\n(?!$)/, '\n  ')}}\nstart\n`;
    const ifBody = `#!/bin/sh\nif [ "$1" = stop ]; then\n  ipvsadm -D -t 192.0.2.10:80\nelse\n  ${ADD.replace(/\n(?!$)/, '\n  ')}fi\n`;
    for (const text of [audit2, oneLine, functions, ifBody]) assert.deepEqual(undefinedService(text), [], text);
  });

  it('an unguarded -D/-E/-d/-e at the top of a script is at most info: the service may exist before the script runs', function () {
    const text = `#!/bin/sh\nipvsadm -D -t 192.0.2.10:80\n${ADD}ipvsadm -E -t 192.0.2.20:80 -s wlc\nipvsadm -d -t 192.0.2.30:80 -r 10.0.0.1:80\nipvsadm -e -t 192.0.2.30:80 -r 10.0.0.1:80 -w 0\n`;
    assert.deepEqual(undefinedService(text), ['2 info ipvsadm-undefined-service', '5 info ipvsadm-undefined-service', '6 info ipvsadm-undefined-service', '7 info ipvsadm-undefined-service']);
    const [d] = withCode(lintText(text, SH), 'ipvsadm-undefined-service');
    assert.match(d.message, /not defined earlier in this script/);
    assert.match(d.message, /No such service/);
    assert.match(d.message, /2>\/dev\/null \|\| true/);
    assert.doesNotMatch(d.message, /nothing to delete/);
    // The audit's scripts lint without an error.
    const audit1 = '#!/bin/sh\n# idempotent setup\nset -e\n[ -f /etc/lvs.env ] && . /etc/lvs.env\nipvsadm -D -t 192.0.2.10:80 2>/dev/null || true\nipvsadm -A -t 192.0.2.10:80 -s rr\nipvsadm -a -t 192.0.2.10:80 -r 10.0.0.11:80 -g -w 1\nsysctl -w net.ipv4.vs.expire_quiescent_template=1\n';
    assert.deepEqual(lintText(audit1, SH).filter((x) => x.severity === 'error'), []);
  });

  it('an -a to a service the script never created stays an error at the top level (usually a typo)', function () {
    const text = `#!/bin/sh\n${ADD}ipvsadm -a -t 192.0.2.10:8080 -r 10.0.0.12:80 -g\n`;
    assert.deepEqual(undefinedService(text), ['4 error ipvsadm-undefined-service']);
  });

  it('after an unconditional ipvsadm -C the table is known to be empty: the error is back', function () {
    assert.deepEqual(undefinedService(`#!/bin/sh\nipvsadm -C\nipvsadm -D -t 192.0.2.10:80\n${ADD}`), ['3 error ipvsadm-undefined-service']);
    assert.deepEqual(undefinedService(`#!/bin/sh\nipvsadm -C\nipvsadm -E -t 192.0.2.20:80 -s wlc\n`), ['3 error ipvsadm-undefined-service']);
    // A -C in a branch or guarded by a condition proves nothing about the lines after it.
    assert.deepEqual(undefinedService(`#!/bin/sh\ncase "$1" in\n  flush) ipvsadm -C ;;\nesac\nipvsadm -D -t 192.0.2.10:80\n`), ['5 info ipvsadm-undefined-service']);
    assert.deepEqual(undefinedService(`#!/bin/sh\n[ "$1" = flush ] && ipvsadm -C\nipvsadm -D -t 192.0.2.10:80\n`), ['3 info ipvsadm-undefined-service']);
  });

  it('the script scanner: here-documents, loops, subshells, nested case/if, $( ) with quotes', function () {
    const script = [
      '#!/bin/sh',
      'cat <<END',
      'case x in',
      'END',
      'ipvsadm -D -t 192.0.2.1:80',
      'for s in a b; do',
      '  ipvsadm -D -t 192.0.2.1:80',
      'done',
      'while ipvsadm -D -t 192.0.2.1:80; do ipvsadm -D -t 192.0.2.1:80; done < f',
      'x=$(echo ")"); ipvsadm -D -t 192.0.2.1:80',
      'f() ( ipvsadm -D -t 192.0.2.1:80 )',
      'echo "if" ; ipvsadm -D -t 192.0.2.1:80',
      'case "$1" in',
      '  (stop|halt) ipvsadm -D -t 192.0.2.1:80;;',
      '  *) echo usage;;',
      'esac',
      'if true; then :; fi; ipvsadm -D -t 192.0.2.1:80',
      'case $a in x) if true; then ipvsadm -D -t 192.0.2.1:80; fi ;; esac; ipvsadm -D -t 192.0.2.1:80',
      'ipvsadm -D -t 192.0.2.1:80',
    ];
    const at = shellPlaces(script);
    const got: string[] = [];
    script.forEach((l, i) => {
      for (let c = l.indexOf('ipvsadm'); c >= 0; c = l.indexOf('ipvsadm', c + 1)) {
        const p = at(i, c);
        got.push(`${i + 1}:${c} ${p.branch ? 'branch' : p.conditional ? 'conditional' : 'plain'}`);
      }
    });
    assert.deepEqual(got, ['5:0 plain', '7:2 plain', '9:6 conditional', '9:37 plain', '10:15 plain', '11:6 branch', '12:12 plain', '14:14 branch', '17:21 plain', '18:28 branch', '18:68 plain', '19:0 plain']);
    // What the rule makes of it: an info on each plain command, nothing elsewhere (every
    // ipvsadm command of a line is read: on 9 and 18 the second one is plain).
    assert.deepEqual(undefinedService(script.join('\n')), ['5', '7', '9', '10', '12', '17', '18', '19'].map((l) => `${l} info ipvsadm-undefined-service`));
  });

  it('an ipvsadm-save file (restored as a whole by ipvsadm -R) keeps the error', function () {
    assert.deepEqual(undefinedService('-D -t 192.0.2.10:80\n-A -t 192.0.2.10:80 -s rr\n-a -t 192.0.2.10:80 -r 10.0.0.11:80 -g -w 1\n', SAVE), ['1 error ipvsadm-undefined-service']);
    const [d] = withCode(lintText('-E -t 192.0.2.10:80 -s wlc\n', SAVE), 'ipvsadm-undefined-service');
    assert.equal(d.severity, 'error');
    assert.match(d.message, /not defined before this line \(ipvsadm: "No such service"\)/);
  });
});

/** A director's keepalived.conf: one vrrp_instance VI_1 holding 192.0.2.10/24 (state on line 5, priority on line 8). */
function director(id: string, o: { state?: string; prio?: number; vrid?: number; extra?: string[] }): string {
  return [
    'global_defs {',
    `    router_id ${id}`,
    '}',
    'vrrp_instance VI_1 {',
    ...(o.state ? [`    state ${o.state}`] : ['    # no state']),
    '    interface eth0',
    `    virtual_router_id ${o.vrid ?? 51}`,
    ...(o.prio !== undefined ? [`    priority ${o.prio}`] : ['    # no priority']),
    '    advert_int 1',
    ...(o.extra ?? []),
    '    virtual_ipaddress {',
    '        192.0.2.10/24',
    '    }',
    '}',
    '',
  ].join('\n');
}

describe('editor audit (2): a BACKUP with a higher priority than the MASTER of another director', function () {
  let dir: string;
  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-inversion-'));
  });
  after(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });
  /** lintFiles on d1/keepalived.conf and d2/keepalived.conf; the inversion findings as rows. */
  function pair(d1: string, d2: string): { rows: string[]; diags: ConfigDiagnostic[] } {
    const files = [d1, d2].map((text, i) => {
      const f = path.join(dir, `d${i + 1}`, 'keepalived.conf');
      fs.mkdirSync(path.dirname(f), { recursive: true });
      fs.writeFileSync(f, text);
      return f;
    });
    const diags = withCode(lintFiles(files), 'vrrp-peer-priority-inversion');
    // The editor compares open configs with crossFileDiagnostics: the same findings.
    const docs = files.map((f) => ({ doc: analyzeText(fs.readFileSync(f, 'utf8'), f) as AnalyzedDocument, text: fs.readFileSync(f, 'utf8') }));
    assert.deepEqual(withCode(crossFileDiagnostics(docs), 'vrrp-peer-priority-inversion'), diags);
    const rel = (f: string): string => path.relative(dir, f);
    return { diags, rows: diags.map((d) => `${rel(d.file)}:${d.range.start.line + 1} ${d.severity} -> ${(d.related ?? []).map((r) => `${rel(r.file)}:${r.range.start.line + 1}`).join(',')}`) };
  }

  it('warns in both files, on the priority lines, each naming the other', function () {
    const { rows: got, diags } = pair(director('D1', { state: 'MASTER', prio: 100 }), director('D2', { state: 'BACKUP', prio: 150 }));
    assert.deepEqual(got, ['d1/keepalived.conf:8 warning -> d2/keepalived.conf:8', 'd2/keepalived.conf:8 warning -> d1/keepalived.conf:8']);
    assert.match(diags[0].message, /VI_1 starts as MASTER with priority 100 here, but VI_1 in d2\/keepalived\.conf \(line 8\) is state BACKUP with the higher priority 150/);
    assert.match(diags[0].message, /preempts/);
    assert.match(diags[0].message, /nopreempt/);
    assert.match(diags[1].message, /VI_1 is state BACKUP here with priority 150, higher than VI_1 in d1\/keepalived\.conf \(line 8\), state MASTER with priority 100/);
  });

  it('no warning when the higher BACKUP has nopreempt, when the priorities agree with the states, or when it is not one router', function () {
    const master = director('D1', { state: 'MASTER', prio: 100 });
    for (const [why, d2] of [
      ['nopreempt on the BACKUP', director('D2', { state: 'BACKUP', prio: 150, extra: ['    nopreempt'] })],
      ['the MASTER has the higher priority', director('D2', { state: 'BACKUP', prio: 50 })],
      ['the same priority (the MASTER keeps the VIP: a backup preempts only a lower priority)', director('D2', { state: 'BACKUP', prio: 100 })],
      ['the same priority with no state (it starts as BACKUP)', director('D2', { prio: 100 })],
      ['another VRID (vrrp-peer-mismatch)', director('D2', { state: 'BACKUP', prio: 150, vrid: 52 })],
      ['the same router_id: copies of one director', director('D1', { state: 'BACKUP', prio: 150 })],
    ] as const) {
      assert.deepEqual(pair(master, d2).rows, [], why);
    }
    // Without a priority, state MASTER is priority 255 (keepalived's default for MASTER).
    assert.deepEqual(pair(director('D1', { state: 'MASTER' }), director('D2', { state: 'BACKUP', prio: 254 })).rows, []);
    // Neither is meant to be MASTER (no state: both start as BACKUP): the priorities decide, as written.
    assert.deepEqual(pair(director('D1', { prio: 100 }), director('D2', { prio: 150 })).rows, []);
    // Without a state the higher one still preempts a peer that says MASTER.
    const noState = pair(master, director('D2', { prio: 150 }));
    assert.equal(noState.rows.length, 2);
    assert.match(noState.diags[0].message, /in d2\/keepalived\.conf \(line 8\) starts as BACKUP with the higher priority 150/);
  });

  it('still warns when preempt_delay only delays the takeover, or when keepalived resets nopreempt (priority 255)', function () {
    const master = director('D1', { state: 'MASTER', prio: 100 });
    const delayed = pair(master, director('D2', { state: 'BACKUP', prio: 150, extra: ['    preempt_delay 60'] }));
    assert.equal(delayed.rows.length, 2);
    assert.match(delayed.diags[0].message, /after its preempt_delay of 60 s/);
    assert.equal(pair(master, director('D2', { state: 'BACKUP', prio: 255, extra: ['    nopreempt'] })).rows.length, 2);
    // nopreempt on the MASTER does nothing (keepalived clears it for state MASTER).
    assert.equal(pair(director('D1', { state: 'MASTER', prio: 100, extra: ['    nopreempt'] }), director('D2', { state: 'BACKUP', prio: 150 })).rows.length, 2);
  });
});

describe('editor audit (3): keywords keepalived 2.2.7 accepts', function () {
  it('omega is a virtual_server flag (not a real_server keyword); real_server takes snmp_name', function () {
    const omega = indented('    ', { vs: ['    protocol TCP', '    quorum_up /bin/true', '    omega'] });
    assert.deepEqual(lint(omega).filter((d) => ['unknown-keyword', 'invalid-value', 'keyword-not-allowed'].includes(d.code)), []);
    const inRs = indented('    ', { rs1: ['        weight 1', '        omega', '        TCP_CHECK {', '        }'] });
    assert.deepEqual(lint(inRs).filter((d) => d.severity === 'error').map((d) => `${d.range.start.line + 1} ${d.code}`), ['11 keyword-not-allowed']);
    const rsName = indented('    ', { rs1: ['        weight 1', '        snmp_name web1', '        TCP_CHECK {', '        }'] });
    assert.deepEqual(lint(rsName).filter((d) => d.severity === 'error'), []);
    // snmp_name takes exactly one name, in real_server as in virtual_server.
    const noName = rsName.replace('snmp_name web1', 'snmp_name');
    assert.deepEqual(lint(noName).filter((d) => d.severity === 'error').map((d) => d.code), ['missing-value']);
  });
});

describe('editor audit (4): quick fixes follow the file\'s indentation and keep comments', function () {
  for (const [name, ind] of [['tabs', '\t'], ['two spaces', '  '], ['four spaces', '    ']] as const) {
    it(`protocol-missing and no-health-check insert lines indented with ${name}`, function () {
      const noProto = indented(ind, { vs: [] });
      assert.match(fixed(noProto, 'protocol-missing'), new RegExp(`\\nvirtual_server 192\\.0\\.2\\.100 80 \\{\\n${ind}protocol TCP\\n${ind}delay_loop 6\\n`));
      const unchecked = indented(ind, { rs2: [`${ind}${ind}weight 1`] });
      const f = fixed(unchecked, 'no-health-check');
      assert.ok(f.includes(`${ind}real_server 192.0.2.12 80 {\n${ind}${ind}weight 1\n${ind}${ind}TCP_CHECK {\n${ind}${ind}${ind}connect_timeout 3\n${ind}${ind}}\n${ind}}\n`), JSON.stringify(f));
      assert.deepEqual(lint(f).filter((d) => d.severity === 'error'), []);
    });
  }

  it('a block with no line of its own takes the file\'s unit, from the other blocks', function () {
    const empty = indented('\t', { rs2: [] });
    const f = fixed(empty, 'no-health-check');
    assert.ok(f.includes('\treal_server 192.0.2.12 80 {\n\t\tTCP_CHECK {\n\t\t\tconnect_timeout 3\n\t\t}\n\t}\n'), JSON.stringify(f));
    // A virtual_server indented one tab, in a file that indents with tabs.
    const nested = '# conf.d file\n\tvirtual_server 192.0.2.100 80 {\n\t\tlb_algo rr\n\t\tlb_kind DR\n\t\treal_server 192.0.2.11 80 {\n\t\t\tTCP_CHECK {\n\t\t\t}\n\t\t}\n\t}\n';
    assert.match(fixed(nested, 'protocol-missing'), /\n\tvirtual_server 192\.0\.2\.100 80 \{\n\t\tprotocol TCP\n\t\tlb_algo rr\n/);
  });

  it('removing a keyword keeps the comment after it on its line', function () {
    const text = indented('\t', { vs: ['\tprotocol TCP', '\tpersistence_timeout 300'], rs2: ['\t\tweight 1', '\t\tinhibit_on_failure      # keep sessions', '\t\tTCP_CHECK {', '\t\t}'] });
    const f = fixed(text, 'persistence-quiescent');
    assert.ok(f.includes('\treal_server 192.0.2.12 80 {\n\t\tweight 1\n\t\t# keep sessions\n\t\tTCP_CHECK {\n'), JSON.stringify(f));
    assert.deepEqual(withCode(lint(f), 'persistence-quiescent'), []);
    // Without a comment the line goes.
    const plain = fixed(text.replace('      # keep sessions', ''), 'persistence-quiescent');
    assert.ok(plain.includes('\t\tweight 1\n\t\tTCP_CHECK {\n'), JSON.stringify(plain));
    // The VRRP fixes that delete a statement keep the comment too.
    const owner = 'vrrp_instance VI_1 {\n\tstate BACKUP\n\tinterface eth0\n\tvirtual_router_id 51\n\tpriority 255\n\tnopreempt ! no failback\n\tvirtual_ipaddress {\n\t\t192.0.2.100\n\t}\n}\n';
    assert.ok(fixed(owner, 'vrrp-owner-nopreempt').includes('\tpriority 255\n\t! no failback\n\tvirtual_ipaddress {'));
    const fwmark = 'virtual_server fwmark 5 {\n\tlb_algo rr\n\tlb_kind DR\n\tprotocol TCP  # for the checks\n\treal_server 192.0.2.11 80 {\n\t\tTCP_CHECK {\n\t\t}\n\t}\n}\n';
    assert.ok(fixed(fwmark, 'fwmark-protocol').includes('\tlb_kind DR\n\t# for the checks\n\treal_server'));
  });

  it('lines inserted before a statement take the indentation of the block\'s lines', function () {
    const v = 'vrrp_instance VI_1 {\n\tinterface eth0\n\tvirtual_router_id 51\n\tpriority 100\n\tnopreempt\n\tvirtual_ipaddress {\n\t\t192.0.2.100\n\t}\n}\n';
    assert.ok(fixed(v, 'nopreempt-without-backup').includes('\tpriority 100\n\tstate BACKUP\n\tnopreempt\n'));
  });
});

/** A NAT director: VRRP holding 192.0.2.10/24 (and `inner` addresses), a NAT virtual_server with real servers `rs`. */
function natDirector(rs: string[], o: { inner?: string[]; vip?: string; method?: string; vrrp?: boolean } = {}): string {
  const vrrp = o.vrrp === false
    ? []
    : ['vrrp_instance VI_1 {', '    state MASTER', '    interface eth0', '    virtual_router_id 51', '    priority 150', '    virtual_ipaddress {', `        ${o.vip ?? '192.0.2.10/24'}`, ...(o.inner ?? []).map((a) => `        ${a}`), '    }', '}'];
  return [
    'global_defs {',
    '    router_id LVS1',
    '}',
    ...vrrp,
    'virtual_server 192.0.2.10 80 {',
    '    delay_loop 6',
    '    lb_algo rr',
    `    lb_kind ${o.method ?? 'NAT'}`,
    '    protocol TCP',
    ...rs.flatMap((a) => [`    real_server ${a} 80 {`, '        TCP_CHECK {', '            connect_timeout 3', '        }', '    }']),
    '}',
    '',
  ].join('\n');
}

/** A config whose real server 192.0.2.11 is checked by MISC_CHECK (`check`), with `global` lines in global_defs. */
function miscCheck(global: string[], check: string[] = ['misc_path "/usr/local/bin/check-web.sh"']): string {
  return [
    'global_defs {',
    '    router_id LVS1',
    ...global.map((l) => `    ${l}`),
    '}',
    'virtual_server 192.0.2.10 80 {',
    '    delay_loop 6',
    '    lb_algo rr',
    '    lb_kind DR',
    '    protocol TCP',
    '    real_server 192.0.2.11 80 {',
    '        MISC_CHECK {',
    ...check.map((l) => `            ${l}`),
    '        }',
    '    }',
    '}',
    '',
  ].join('\n');
}

describe('editor audit (5a): NAT real servers with no director address on their subnet', function () {
  const hint = (text: string): ConfigDiagnostic[] => withCode(lint(text), 'nat-no-inner-vip');

  it('an info on the first such real server when the config has no address but the VIPs', function () {
    const text = natDirector(['10.1.0.11', '10.1.0.12']);
    const d = hint(text);
    assert.deepEqual(rows(d), [`${text.split('\n').indexOf('    real_server 10.1.0.11 80 {') + 1} info nat-no-inner-vip`]);
    assert.match(d[0].message, /10\.1\.0\.11, 10\.1\.0\.12/);
    assert.match(d[0].message, /default gateway/);
    assert.match(d[0].message, /virtual_ipaddress/);
    assert.match(d[0].message, /failover/);
    // The real server's address token, as nat-rs-not-on-director-subnet reports it.
    assert.equal(text.split('\n')[d[0].range.start.line].slice(d[0].range.start.character, d[0].range.end.character), '10.1.0.11');
    // A VIP written without a prefix changes nothing: still no address on the real servers' side.
    assert.equal(hint(natDirector(['10.1.0.11'], { vip: '192.0.2.10' })).length, 1);
    assert.deepEqual(withCode(lint(text), 'nat-rs-not-on-director-subnet'), []);
    // Once for the config, however many NAT services: the others as related locations.
    const two = text + text.slice(text.indexOf('virtual_server')).replace('192.0.2.10 80', '192.0.2.10 443');
    const [once, ...more] = hint(two);
    assert.deepEqual(more, []);
    assert.equal(once.related?.length, 3);
  });

  it('nothing with an inner VIP (with or without a prefix), for real servers on the VIP subnet, for DR, or without VRRP', function () {
    for (const [why, text] of [
      ['inner VIP', natDirector(['10.1.0.11'], { inner: ['10.1.0.1/24 dev eth1'] })],
      ['inner VIP without a prefix (its subnet is unknown)', natDirector(['10.1.0.11'], { inner: ['10.1.0.1 dev eth1'] })],
      ['inner address in virtual_ipaddress_excluded', natDirector(['10.1.0.11']).replace('    }\n}\nvirtual_server', '    }\n    virtual_ipaddress_excluded {\n        10.1.0.1/24 dev eth1\n    }\n}\nvirtual_server')],
      ['real servers on the VIP subnet (one-arm NAT: the VIP side is a director subnet)', natDirector(['192.0.2.21'])],
      ['DR', natDirector(['10.1.0.11'], { method: 'DR' })],
      ['no VRRP: the gateway is a fixed address of the only director, not in this file', natDirector(['10.1.0.11'], { vrrp: false })],
    ] as const) {
      assert.deepEqual(hint(text), [], why);
    }
    // An inner VIP on another subnet: nat-rs-not-on-director-subnet's (a warning), not this hint.
    const other = natDirector(['10.9.0.11'], { inner: ['10.1.0.1/24 dev eth1'] });
    assert.deepEqual(hint(other), []);
    assert.equal(withCode(lint(other), 'nat-rs-not-on-director-subnet').length, 1);
  });
});

describe('editor audit (5b): scripts without enable_script_security', function () {
  const code = 'script-security-disabled';

  it('MISC_CHECK, notify_up/down and quorum_up/down: one error quoting keepalived\'s checker message', function () {
    const text = miscCheck([]);
    const d = withCode(lint(text), code);
    assert.deepEqual(rows(d), [`${text.split('\n').findIndex((l) => l.includes('misc_path')) + 1} error ${code}`]);
    assert.match(d[0].message, /"SECURITY VIOLATION - check scripts are being executed but script_security not enabled\."/);
    assert.match(d[0].message, /keepalived -t exits 6/);
    assert.match(d[0].message, /enable_script_security/);
    assert.match(d[0].message, /script_user/);
    const more = text.replace('    real_server 192.0.2.11 80 {\n', '    quorum_up /usr/local/bin/page-oncall.sh\n    real_server 192.0.2.11 80 {\n        notify_down "/usr/local/bin/mail.sh down"\n');
    const [m] = withCode(lint(more), code);
    assert.equal(m.related?.length, 2);
    assert.match(m.message, /and 2 other scripts/);
  });

  it('VRRP scripts (tracked vrrp_script, notify*) and start-up scripts: keepalived\'s own messages for them', function () {
    const vrrp = 'global_defs {\n    router_id LVS1\n}\nvrrp_script chk_haproxy {\n    script "/usr/bin/killall -0 haproxy"\n}\nvrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n    virtual_ipaddress {\n        192.0.2.10\n    }\n    track_script {\n        chk_haproxy\n    }\n    notify_master /usr/local/bin/master.sh\n}\n';
    const d = withCode(lint(vrrp), code);
    assert.deepEqual(rows(d), [`5 error ${code}`]);
    assert.match(d[0].message, /"SECURITY VIOLATION - scripts are being executed but script_security not enabled\."/);
    // A vrrp_script no instance tracks is not run: keepalived says nothing.
    assert.deepEqual(withCode(lint(vrrp.replace(/ {4}track_script \{\n {8}chk_haproxy\n {4}\}\n/, '').replace('    notify_master /usr/local/bin/master.sh\n', '')), code), []);
    const startup = 'global_defs {\n    router_id LVS1\n    startup_script /usr/local/bin/prepare.sh\n}\n';
    assert.match(withCode(lint(startup), code)[0]?.message ?? '', /"SECURITY VIOLATION - start\/shutdown scripts are being executed but script_security not enabled\."/);
  });

  it('nothing with enable_script_security (in any global_defs), without a script, or in a file without global_defs (a fragment)', function () {
    for (const [why, text] of [
      ['enable_script_security', miscCheck(['enable_script_security', 'script_user keepalived_script'])],
      ['in a second global_defs', miscCheck([]).replace('virtual_server', 'global_defs {\n    enable_script_security\n}\nvirtual_server')],
      ['MISC_CHECK without misc_path (keepalived skips it)', miscCheck([], ['misc_timeout 3'])],
      ['no global_defs: possibly a file included by one that has it', miscCheck([]).replace(/^global_defs \{\n {4}router_id LVS1\n\}\n/, '')],
      ['an include we cannot read', miscCheck(['include /nonexistent/keepalived-global.conf'])],
      ['a top-level include we cannot read', `include /nonexistent/keepalived-global.conf\n${miscCheck([])}`],
    ] as const) {
      assert.deepEqual(withCode(lint(text), code), [], why);
    }
  });
});

describe('editor audit (5b): enable_script_security in an included file', function () {
  it('is seen; an included file without it changes nothing', function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-scriptsec-'));
    try {
      const main = path.join(dir, 'keepalived.conf');
      fs.writeFileSync(main, miscCheck(['include global.conf']));
      fs.writeFileSync(path.join(dir, 'global.conf'), 'enable_script_security\nscript_user keepalived_script\n');
      assert.deepEqual(withCode(lintFiles([main]), 'script-security-disabled'), []);
      fs.writeFileSync(path.join(dir, 'global.conf'), 'router_id OTHER\n');
      assert.equal(withCode(lintFiles([main]), 'script-security-disabled').length, 1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('editor audit (5c): no delay_loop', function () {
  const code = 'delay-loop-default';
  it('an info on the virtual_server when a health check runs at the 60 s default, with a fix that adds delay_loop', function () {
    const text = indented('\t').replace('\tdelay_loop 6\n', '');
    const d = withCode(lint(text), code);
    assert.deepEqual(rows(d), [`4 info ${code}`]);
    assert.match(d[0].message, /60 s/);
    const f = fixed(text, code);
    assert.match(f, /virtual_server 192\.0\.2\.100 80 \{\n\tdelay_loop 6\n\tlb_algo rr\n/);
    assert.deepEqual(withCode(lint(f), code), []);
  });

  it('nothing when delay_loop is set on the virtual_server, on every real server or checker, or when nothing is checked', function () {
    const base = indented('    ').replace('    delay_loop 6\n', '');
    for (const [why, text] of [
      ['on the virtual_server', indented('    ')],
      ['on each real server', base.replace(/( {4}real_server [^\n]+\n)/g, '$1        delay_loop 3\n')],
      ['in each checker', base.replace(/( {8}TCP_CHECK \{\n)/g, '$1            delay_loop 3\n')],
      ['no checker (no-health-check says it)', indented('    ', { rs1: ['        weight 1'], rs2: ['        weight 1'] }).replace('    delay_loop 6\n', '')],
    ] as const) {
      assert.deepEqual(withCode(lint(text), code), [], why);
    }
    // One real server left at the default is enough.
    assert.equal(withCode(lint(base.replace(/( {4}real_server 192\.0\.2\.11 [^\n]+\n)/, '$1        delay_loop 3\n')), code).length, 1);
  });
});

/** Diagnostics as `line severity code` rows (1-based lines). */
export function rows(d: ConfigDiagnostic[]): string[] {
  return d.map((x) => `${x.range.start.line + 1} ${x.severity} ${x.code}`);
}

// --- the keepalived cases through the installed keepalived -t ------------------------

const KA_CASES: KeepalivedCase[] = [
  { name: 'omega in a virtual_server', text: indented('    ', { vs: ['    protocol TCP', '    omega'] }) },
  { name: 'omega in a real_server', text: indented('    ', { rs1: ['        weight 1', '        omega', '        TCP_CHECK {', '        }'] }), says: /Unknown keyword 'omega'/ },
  { name: 'snmp_name in a real_server', text: indented('    ', { rs1: ['        weight 1', '        snmp_name web1', '        TCP_CHECK {', '        }'] }) },
  { name: 'snmp_name without a name in a real_server', text: indented('    ', { rs1: ['        weight 1', '        snmp_name', '        TCP_CHECK {', '        }'] }), says: /real server snmp_name missing or extra parameters/ },
  { name: 'tab-indented file', text: indented('\t') },
  { name: 'the audit director d1: state MASTER priority 100', text: director('D1', { state: 'MASTER', prio: 100 }) },
  { name: 'the audit director d2: state BACKUP priority 150', text: director('D2', { state: 'BACKUP', prio: 150 }) },
  { name: 'd2 with nopreempt', text: director('D2', { state: 'BACKUP', prio: 150, extra: ['    nopreempt'] }) },
  { name: 'd2 with preempt_delay', text: director('D2', { state: 'BACKUP', prio: 150, extra: ['    preempt_delay 60'] }) },
  { name: 'NAT without an inner VIP (a hint; keepalived accepts it)', text: natDirector(['10.1.0.11', '10.1.0.12']) },
  { name: 'no delay_loop (a hint; keepalived accepts it)', text: indented('    ').replace('    delay_loop 6\n', '') },
  { name: 'MISC_CHECK without enable_script_security', text: miscCheck([], ['misc_path /bin/true']), says: /SECURITY VIOLATION - check scripts are being executed but script_security not enabled\./ },
  { name: 'MISC_CHECK with enable_script_security and script_user root', text: miscCheck(['enable_script_security', 'script_user root'], ['misc_path /bin/true']) },
  { name: 'notify_up without enable_script_security', text: indented('    ', { rs1: ['        notify_up /bin/true', '        TCP_CHECK {', '        }'] }), says: /SECURITY VIOLATION - check scripts are being executed/ },
  { name: 'startup_script without enable_script_security', text: 'global_defs {\n    startup_script /bin/true\n}\n', says: /SECURITY VIOLATION - start\/shutdown scripts are being executed but script_security not enabled\./ },
];

describe('editor audit: the installed keepalived -t agrees', function () {
  this.timeout(120000);
  let ka: KeepalivedSandbox | undefined;
  before(function () {
    requireOrSkip(this, hasCommand('keepalived') && hasCommand('ip'), 'keepalived and iproute2');
    requireOrSkip(this, isRoot(), 'root (keepalived -t runs in a network namespace with an eth0)');
    ka = new KeepalivedSandbox('lvsedit');
  });
  after(function () {
    ka?.dispose();
  });

  it('prints what our errors quote, and nothing where we report no error', function () {
    assertAgreesWithKeepalived(ka!, KA_CASES);
  });
});
