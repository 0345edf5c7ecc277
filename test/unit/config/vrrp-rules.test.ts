// VRRP rules against what keepalived 2.2.7 does with the same config (`keepalived
// -t` messages quoted in each case were observed with the lab's 2.2.7 build) and
// against the reference (§1.6 H2-H5, H9, H16; §2.4; §2.5).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyEdits, buildClusterModel, type ConfigDiagnostic, lintFiles } from '../../../src/core/config';
import { hasSharedFixtures, labFixturesDir, requireOrSkip } from '../../helpers/env';
import { drConfig, lint, ruleCases, withCode } from './helpers';

const K = '/tmp/lvs-test/keepalived.conf';

/** A config with global_defs lines and vrrp_instance blocks (each given as its body lines). */
function conf(instances: Array<{ name?: string; lines: string[] }>, globals: string[] = []): string {
  const g = `global_defs {\n    router_id D1\n${globals.map((l) => `    ${l}\n`).join('')}}\n`;
  return g + instances.map((i, n) => `vrrp_instance ${i.name ?? `VI_${n + 1}`} {\n${i.lines.map((l) => `    ${l}\n`).join('')}}\n`).join('');
}

/** The body of an ordinary instance; `extra` lines are added at the end. */
function body(extra: string[] = [], opts: { vrid?: number; vip?: string; state?: string; priority?: number | null; iface?: string } = {}): string[] {
  return [
    `state ${opts.state ?? 'BACKUP'}`,
    `interface ${opts.iface ?? 'eth0'}`,
    `virtual_router_id ${opts.vrid ?? 51}`,
    ...(opts.priority === null ? [] : [`priority ${opts.priority ?? 100}`]),
    'advert_int 1',
    'virtual_ipaddress {',
    `    ${opts.vip ?? '192.0.2.100/24'} dev eth0`,
    '}',
    ...extra,
  ];
}

/** 1-based line of the `n`th (0-based) line containing `needle`. */
function lineOf(text: string, needle: string, n = 0): number {
  const hits = text.split('\n').flatMap((l, i) => (l.includes(needle) ? [i + 1] : []));
  assert.ok(hits.length > n, `'${needle}' not found ${n + 1} times`);
  return hits[n];
}

function one(text: string, code: string): ConfigDiagnostic {
  const got = withCode(lint(text, K), code);
  assert.equal(got.length, 1, `expected one ${code}: ${JSON.stringify(got.map((d) => d.message))}\n${text}`);
  return got[0];
}

/** Applies the diagnostic's first fix and checks the diagnostic is gone and no error is left behind by the fix. */
function fixRemoves(text: string, code: string, title?: RegExp): string {
  const d = one(text, code);
  const fix = title ? d.fixes?.find((f) => title.test(f.title)) : d.fixes?.[0];
  assert.ok(fix, `no fix for ${code}`);
  const fixed = applyEdits(text, fix.edits);
  assert.deepEqual(withCode(lint(fixed, K), code), [], fixed);
  return fixed;
}

describe('VRRP rules', function () {
  describe('vrrp-no-vip (keepalived: "No VIP specified")', function () {
    it('warns about an instance without virtual_ipaddress ("at least one is sensible")', function () {
      const noVip = conf([{ lines: ['state BACKUP', 'interface eth0', 'virtual_router_id 55', 'priority 100'] }]);
      const excludedOnly = conf([{ lines: ['interface eth0', 'virtual_router_id 55', 'virtual_ipaddress_excluded {', '    192.0.2.110/24 dev eth0', '}'] }]);
      const invalidOnly = drConfig().replace('192.0.2.100/24 dev eth0', '192.0.2.300/24 dev eth0');
      ruleCases('vrrp-no-vip', K, {
        valid: [drConfig(), conf([{ lines: body() }]), conf([{ lines: ['interface eth0', 'virtual_router_id 55', 'virtual_ipaddress {', '    $VIP', '}'] }], [])],
        invalid: [
          { text: noVip, lines: [4], severity: 'warning' },
          { text: excludedOnly, lines: [4], severity: 'warning' },
          { text: invalidOnly, lines: [10], severity: 'warning' },
        ],
      });
      assert.match(one(excludedOnly, 'vrrp-no-vip').message, /virtual_ipaddress_excluded does not count/);
      assert.match(one(noVip, 'vrrp-no-vip').message, /at least one is sensible/);
    });

    it('is an error with VRRP version 3 or strict mode, where keepalived does not start the instance ("at least one is required")', function () {
      const lines = ['interface eth0', 'virtual_router_id 55', 'priority 100'];
      ruleCases('vrrp-no-vip', K, {
        valid: [],
        invalid: [
          { text: conf([{ lines: [...lines, 'version 3'] }]), lines: [4], severity: 'error' },
          { text: conf([{ lines }], ['vrrp_version 3']), lines: [5], severity: 'error' },
          { text: conf([{ lines }], ['vrrp_strict']), lines: [5], severity: 'error' },
          { text: conf([{ lines: [...lines, 'strict_mode'] }]), lines: [4], severity: 'error' },
        ],
      });
      assert.match(one(conf([{ lines }], ['vrrp_strict']), 'vrrp-no-vip').message, /at least one is required/);
    });

    it('agrees with the recorded keepalived -t run of fixture 05 (its only VIP is invalid)', function () {
      requireOrSkip(this, hasSharedFixtures(), '../shared/fixtures');
      for (const run of ['guest', 'host']) {
        const file = path.join(labFixturesDir, 'keepalived-config-test', run, '05-bad-ip.conf');
        assert.match(fs.readFileSync(file.replace(/\.conf$/, '.stderr'), 'utf8'), /\(VI_WEB\) No VIP specified; at least one is sensible/);
        const got = lintFiles([file]).filter((d) => d.code === 'vrrp-no-vip');
        assert.deepEqual(got.map((d) => [d.range.start.line + 1, d.severity]), [[12, 'warning']]);
      }
    });
  });

  it('vrrp-owner-nopreempt: priority 255 + nopreempt ("nopreempt is incompatible with priority 255. resetting nopreempt")', function () {
    const owner = conf([{ lines: body(['nopreempt'], { priority: 255 }) }]);
    ruleCases('vrrp-owner-nopreempt', K, {
      valid: [conf([{ lines: body(['nopreempt']) }]), conf([{ lines: body(['nopreempt', 'preempt'], { priority: 255 }) }]), conf([{ lines: body([], { priority: 255 }) }])],
      invalid: [{ text: owner, lines: [lineOf(owner, 'nopreempt')], severity: 'error' }],
    });
    fixRemoves(owner, 'vrrp-owner-nopreempt');
  });

  describe('vrrp-auth-ignored', function () {
    const auth = (lines: string[]): string[] => ['authentication {', ...lines.map((l) => `    ${l}`), '}'];
    it('VRRP version 3 ("VRRP version 3 does not support authentication. Ignoring.")', function () {
      const v3 = conf([{ lines: body(['version 3', ...auth(['auth_type PASS', 'auth_pass abc'])]) }]);
      const g3 = conf([{ lines: body(auth(['auth_type PASS', 'auth_pass abc'])) }], ['vrrp_version 3']);
      ruleCases('vrrp-auth-ignored', K, {
        valid: [conf([{ lines: body(auth(['auth_type PASS', 'auth_pass abc'])) }]), conf([{ lines: body(['version 3']) }])],
        invalid: [
          { text: v3, lines: [lineOf(v3, 'authentication')], severity: 'error' },
          { text: g3, lines: [lineOf(g3, 'authentication')], severity: 'error' },
        ],
      });
      const fixed = fixRemoves(v3, 'vrrp-auth-ignored');
      assert.doesNotMatch(fixed, /auth_/);
    });
    it('strict mode ("Strict mode does not support authentication. Ignoring.")', function () {
      const strict = conf([{ lines: body(auth(['auth_type PASS', 'auth_pass abc'])) }], ['vrrp_strict']);
      ruleCases('vrrp-auth-ignored', K, { valid: [], invalid: [{ text: strict, lines: [lineOf(strict, 'authentication')], severity: 'error' }] });
      assert.match(one(strict, 'vrrp-auth-ignored').message, /Strict mode does not support authentication/);
      assert.equal(one(strict, 'vrrp-auth-ignored').related?.[0].range.start.line, lineOf(strict, 'vrrp_strict') - 1);
    });
    it('auth_type without auth_pass ("Authentication specified but no password given. Ignoring"), auth_pass without auth_type (silently none)', function () {
      const noPass = conf([{ lines: body(auth(['auth_type PASS'])) }]);
      const noType = conf([{ lines: body(auth(['auth_pass abc'])) }]);
      ruleCases('vrrp-auth-ignored', K, {
        valid: [],
        invalid: [
          { text: noPass, lines: [lineOf(noPass, 'auth_type')], severity: 'error' },
          { text: noType, lines: [lineOf(noType, 'auth_pass')], severity: 'warning' },
        ],
      });
      assert.match(fixRemoves(noType, 'vrrp-auth-ignored'), / {8}auth_type PASS\n {8}auth_pass abc\n/);
    });
  });

  describe('vrrp-strict-mode', function () {
    it('state MASTER without priority 255, or BACKUP with 255 ("State MASTER must match being address owner")', function () {
      const master = conf([{ lines: body([], { state: 'MASTER', priority: 150 }) }], ['vrrp_strict']);
      const backup = conf([{ lines: body([], { state: 'BACKUP', priority: 255 }) }], ['vrrp_strict']);
      ruleCases('vrrp-strict-mode', K, {
        // keepalived 2.2.7 accepts MASTER without priority (it becomes 255) and the owner as MASTER.
        valid: [
          conf([{ lines: body([], { state: 'MASTER', priority: null }) }], ['vrrp_strict']),
          conf([{ lines: body([], { state: 'MASTER', priority: 255 }) }], ['vrrp_strict']),
          conf([{ lines: body([], { state: 'MASTER', priority: 150 }) }]),
          conf([{ lines: body(['strict_mode off'], { state: 'MASTER', priority: 150 }) }], ['vrrp_strict']),
        ],
        invalid: [
          { text: master, lines: [lineOf(master, 'state')], severity: 'error' },
          { text: backup, lines: [lineOf(backup, 'state')], severity: 'error' },
          { text: conf([{ lines: body(['strict_mode'], { state: 'MASTER', priority: 150 }) }]), lines: [5], severity: 'error' },
        ],
      });
      assert.match(fixRemoves(master, 'vrrp-strict-mode'), /state BACKUP/);
      assert.match(fixRemoves(backup, 'vrrp-strict-mode'), /state MASTER/);
    });
    it('unicast peers (refused by newer keepalived; 2.2.7 accepts them): warning', function () {
      const uni = conf([{ lines: body(['unicast_peer {', '    192.0.2.3', '}']) }], ['vrrp_strict']);
      ruleCases('vrrp-strict-mode', K, {
        valid: [conf([{ lines: body(['unicast_peer {', '    192.0.2.3', '}']) }])],
        invalid: [{ text: uni, lines: [lineOf(uni, 'unicast_peer')], severity: 'warning' }],
      });
    });
  });

  describe('vrrp-no-accept (reference §1.6 H16: VIP traffic dropped)', function () {
    it('strict mode with VRRP version 2 drops VIP traffic when priority is not 255; `accept` is reset there', function () {
      const strict = conf([{ lines: body() }], ['vrrp_strict']);
      const withAccept = conf([{ lines: body(['accept']) }], ['vrrp_strict']);
      ruleCases('vrrp-no-accept', K, {
        valid: [drConfig(), conf([{ lines: body([], { priority: 255, state: 'MASTER' }) }], ['vrrp_strict']), conf([{ lines: body(['version 3', 'accept']) }], ['vrrp_strict'])],
        invalid: [
          { text: strict, lines: [lineOf(strict, 'priority')], severity: 'warning' },
          // keepalived 2.2.7: "(VI_1) warning - accept mode for VRRP version 2 does not comply with RFC3768 - resetting"
          { text: withAccept, lines: [lineOf(withAccept, 'accept')], severity: 'error' },
          { text: conf([{ lines: body([], { priority: null }) }], ['vrrp_strict']), lines: [5] },
        ],
      });
      assert.match(one(strict, 'vrrp-no-accept').message, /drops all traffic to its VIPs/);
    });
    it('strict mode with VRRP version 3 needs `accept` (quick fix adds it); explicit no_accept drops too', function () {
      const v3 = conf([{ lines: body(['version 3']) }], ['vrrp_strict']);
      const noAccept = conf([{ lines: body(['no_accept']) }]);
      ruleCases('vrrp-no-accept', K, {
        valid: [conf([{ lines: body(['no_accept', 'accept']) }])],
        invalid: [
          { text: v3, lines: [lineOf(v3, 'priority')], severity: 'warning' },
          { text: noAccept, lines: [lineOf(noAccept, 'no_accept')], severity: 'warning' },
        ],
      });
      assert.match(fixRemoves(v3, 'vrrp-no-accept'), / {4}accept\n {4}priority 100\n/);
      assert.doesNotMatch(fixRemoves(noAccept, 'vrrp-no-accept'), /no_accept/);
    });
  });

  it('vrrp-preempt-delay-ignored: with nopreempt, state MASTER or strict mode (keepalived resets it)', function () {
    const nopreempt = conf([{ lines: body(['nopreempt', 'preempt_delay 10']) }]);
    const master = conf([{ lines: body(['preempt_delay 10'], { state: 'MASTER' }) }]);
    const strict = conf([{ lines: body(['preempt_delay 10']) }], ['vrrp_strict']);
    ruleCases('vrrp-preempt-delay-ignored', K, {
      valid: [conf([{ lines: body(['preempt_delay 10']) }]), conf([{ lines: body(['nopreempt', 'preempt_delay 0']) }])],
      invalid: [
        { text: nopreempt, lines: [lineOf(nopreempt, 'preempt_delay')], severity: 'error' },
        { text: master, lines: [lineOf(master, 'preempt_delay')], severity: 'error' },
        { text: strict, lines: [lineOf(strict, 'preempt_delay')], severity: 'error' },
      ],
    });
    assert.match(one(nopreempt, 'vrrp-preempt-delay-ignored').message, /incompatible with nopreempt mode/);
    assert.match(one(master, 'vrrp-preempt-delay-ignored').message, /will not work with initial state MASTER/);
    assert.match(one(strict, 'vrrp-preempt-delay-ignored').message, /incompatible with strict mode/);
    fixRemoves(nopreempt, 'vrrp-preempt-delay-ignored');
  });

  it('vrrp-unicast-src-without-peers ("A unicast keyword has been specified without any unicast peers. Defaulting to multicast")', function () {
    const src = conf([{ lines: body(['unicast_src_ip 192.0.2.2']) }]);
    ruleCases('vrrp-unicast-src-without-peers', K, {
      valid: [conf([{ lines: body(['unicast_src_ip 192.0.2.2', 'unicast_peer {', '    192.0.2.3', '}']) }]), conf([{ lines: body(['mcast_src_ip 192.0.2.2']) }])],
      invalid: [{ text: src, lines: [lineOf(src, 'unicast_src_ip')], severity: 'warning' }],
    });
    assert.match(fixRemoves(src, 'vrrp-unicast-src-without-peers'), /mcast_src_ip 192\.0\.2\.2/);
  });

  describe('vrid-reused: instances collide only when they hear each other', function () {
    const uni = (peers: string[], src?: string): string[] => [...(src ? [`unicast_src_ip ${src}`] : []), 'unicast_peer {', ...peers.map((p) => `    ${p}`), '}'];
    it('multicast: same interface and group is an error ("VI_1 and VI_2 both use VRID 51"); a different mcast_dst_ip is allowed', function () {
      const same = conf([{ lines: body() }, { lines: body([], { vip: '192.0.2.101/24' }) }]);
      const sameGroup = conf([{ lines: body(['mcast_dst_ip 224.0.0.19']) }, { lines: body(['mcast_dst_ip 224.0.0.19'], { vip: '192.0.2.101/24' }) }]);
      const defaultGroup = conf([{ lines: body(['mcast_dst_ip 224.0.0.18']) }, { lines: body([], { vip: '192.0.2.101/24' }) }]);
      ruleCases('vrid-reused', K, {
        valid: [
          // keepalived 2.2.7 -t accepts these (fp.keepalived.conf of the audit)
          conf([{ lines: body(['mcast_dst_ip 224.0.0.18']) }, { lines: body(['mcast_dst_ip 224.0.0.19'], { vip: '192.0.2.101/24' }) }]),
          conf([{ lines: body() }, { lines: body([], { vip: '192.0.2.101/24', iface: 'eth1' }) }]),
          conf([{ lines: body() }, { lines: body([], { vip: '2001:db8::1/64' }) }]),
          conf([{ lines: body(['mcast_dst_ip 224.0.0.19']) }, { lines: body([], { vip: '192.0.2.101/24' }) }], ['vrrp_mcast_group4 224.0.0.19']).replace('mcast_dst_ip 224.0.0.19', 'mcast_dst_ip 224.0.0.18'),
        ],
        invalid: [
          { text: same, lines: [lineOf(same, 'virtual_router_id', 1)], severity: 'error' },
          { text: sameGroup, lines: [lineOf(sameGroup, 'virtual_router_id', 1)], severity: 'error' },
          { text: defaultGroup, lines: [lineOf(defaultGroup, 'virtual_router_id', 1)], severity: 'error' },
        ],
      });
      const d = one(same, 'vrid-reused');
      assert.equal(d.related?.[0].range.start.line, lineOf(same, 'virtual_router_id') - 1);
    });
    it('unicast: a peer in common is flagged even when the peer lists differ; disjoint peers and unicast vs multicast are not', function () {
      const overlap = conf([{ lines: body(uni(['192.0.2.3'], '192.0.2.2')) }, { lines: body(uni(['192.0.2.3', '192.0.2.4'], '192.0.2.5'), { vip: '192.0.2.101/24' }) }]);
      ruleCases('vrid-reused', K, {
        valid: [
          conf([{ lines: body(uni(['192.0.2.3'])) }, { lines: body(uni(['192.0.2.4']), { vip: '192.0.2.101/24' }) }]),
          conf([{ lines: body(uni(['192.0.2.3'])) }, { lines: body([], { vip: '192.0.2.101/24' }) }]),
          conf([{ lines: body(uni(['192.0.2.3'])) }, { lines: body(uni(['192.0.2.3']), { vip: '192.0.2.101/24', iface: 'eth1' }) }]),
        ],
        invalid: [{ text: overlap, lines: [lineOf(overlap, 'virtual_router_id', 1)], severity: 'warning' }],
      });
      assert.match(one(overlap, 'vrid-reused').message, /192\.0\.2\.3/);
    });
  });

  it('vip-not-in-vrrp: a VIP in virtual_ipaddress_excluded is held by VRRP (model lists excluded addresses too)', function () {
    const excluded = drConfig({ vrrpExtra: 'virtual_ipaddress_excluded {\n        192.0.2.110/24 dev eth0\n    }' }).replace('virtual_server 192.0.2.100 80', 'virtual_server 192.0.2.110 80');
    ruleCases('vip-not-in-vrrp', K, {
      valid: [excluded],
      invalid: [{ text: excluded.replace('192.0.2.110/24 dev eth0', '192.0.2.111/24 dev eth0'), lines: [lineOf(excluded, 'virtual_server')] }],
    });
    assert.deepEqual(buildClusterModel(excluded, K).vrrpInstances[0].virtualIpAddresses, ['192.0.2.100', '192.0.2.110']);
  });

  describe('across directors (files linted together)', function () {
    let dir: string;
    const write = (name: string, text: string): string => {
      const f = path.join(dir, name);
      fs.writeFileSync(f, text);
      return f;
    };
    const director = (id: string, lines: string[]): string => `global_defs {\n    router_id ${id}\n}\nvrrp_instance VI_WEB {\n${lines.map((l) => `    ${l}\n`).join('')}}\n`;
    const inst = (o: { state: string; vrid: number; prio: number; advert: number; pass: string }): string[] => [
      `state ${o.state}`,
      'interface eth0',
      `virtual_router_id ${o.vrid}`,
      `priority ${o.prio}`,
      `advert_int ${o.advert}`,
      'authentication {',
      '    auth_type PASS',
      `    auth_pass ${o.pass}`,
      '}',
      'virtual_ipaddress {',
      '    192.0.2.100/24 dev eth0',
      '}',
    ];
    before(function () {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-vrrp-peers-'));
    });
    after(function () {
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('flags VRID, advert_int and auth_pass differences and two MASTERs of one priority, in each file, related to the other', function () {
      const d1 = write('d1.keepalived.conf', director('D1', inst({ state: 'MASTER', vrid: 51, prio: 100, advert: 1, pass: 'secret1' })));
      const d2 = write('d2.keepalived.conf', director('D2', inst({ state: 'MASTER', vrid: 52, prio: 100, advert: 3, pass: 'secret2' })));
      const got = lintFiles([d1, d2]).filter((d) => d.code.startsWith('vrrp-peer'));
      const rows = got.map((d) => `${path.basename(d.file)}:${d.range.start.line + 1} ${d.severity} ${d.code} -> ${d.related?.map((r) => `${path.basename(r.file)}:${r.range.start.line + 1}`).join(',')}`);
      assert.deepEqual(rows, [
        'd1.keepalived.conf:5 warning vrrp-peer-same-priority -> d2.keepalived.conf:5',
        'd1.keepalived.conf:7 error vrrp-peer-mismatch -> d2.keepalived.conf:7',
        'd1.keepalived.conf:9 error vrrp-peer-mismatch -> d2.keepalived.conf:9',
        'd1.keepalived.conf:12 error vrrp-peer-mismatch -> d2.keepalived.conf:12',
        'd2.keepalived.conf:5 warning vrrp-peer-same-priority -> d1.keepalived.conf:5',
        'd2.keepalived.conf:7 error vrrp-peer-mismatch -> d1.keepalived.conf:7',
        'd2.keepalived.conf:9 error vrrp-peer-mismatch -> d1.keepalived.conf:9',
        'd2.keepalived.conf:12 error vrrp-peer-mismatch -> d1.keepalived.conf:12',
      ]);
      assert.match(got[1].message, /virtual_router_id 51 here and 52 there/);
      assert.match(got[2].message, /advert_int 1 here and 3 there/);
      assert.doesNotMatch(got[3].message, /secret/, 'passwords are not quoted');
      // Each file alone is fine for these rules.
      assert.deepEqual(lintFiles([d1]).filter((d) => d.code.startsWith('vrrp-peer')), []);
    });

    it('is quiet for matching directors, for VRRPv3 advert_int differences, for only the first 8 auth_pass characters, and for copies of one director (same router_id)', function () {
      const ok1 = write('ok1.keepalived.conf', director('D1', inst({ state: 'MASTER', vrid: 51, prio: 150, advert: 1, pass: 'lvslab1' })));
      const ok2 = write('ok2.keepalived.conf', director('D2', inst({ state: 'BACKUP', vrid: 51, prio: 100, advert: 1, pass: 'lvslab1' })));
      assert.deepEqual(lintFiles([ok1, ok2]).filter((d) => d.code.startsWith('vrrp-peer')), []);
      const long1 = write('l1.keepalived.conf', director('D1', inst({ state: 'MASTER', vrid: 51, prio: 150, advert: 1, pass: 'abcdefgh1' })));
      const long2 = write('l2.keepalived.conf', director('D2', inst({ state: 'BACKUP', vrid: 51, prio: 100, advert: 1, pass: 'abcdefgh2' })));
      assert.deepEqual(lintFiles([long1, long2]).filter((d) => d.code.startsWith('vrrp-peer')), []);
      const v3a = write('v3a.keepalived.conf', director('D1', ['version 3', 'state MASTER', 'interface eth0', 'virtual_router_id 51', 'priority 150', 'advert_int 1', 'virtual_ipaddress {', '    192.0.2.100/24', '}']));
      const v3b = write('v3b.keepalived.conf', director('D2', ['version 3', 'state BACKUP', 'interface eth0', 'virtual_router_id 51', 'priority 100', 'advert_int 2', 'virtual_ipaddress {', '    192.0.2.100/24', '}']));
      assert.deepEqual(lintFiles([v3a, v3b]).filter((d) => d.code.startsWith('vrrp-peer')), []);
      const copy = write('copy.keepalived.conf', director('D1', inst({ state: 'MASTER', vrid: 52, prio: 150, advert: 1, pass: 'other' })));
      assert.deepEqual(lintFiles([ok1, copy]).filter((d) => d.code.startsWith('vrrp-peer')), []);
    });

    it('flags VRRP version and authentication-type differences, and can be suppressed per line', function () {
      const a = write('a.keepalived.conf', director('D1', ['state MASTER', 'interface eth0', 'virtual_router_id 51', 'priority 150', 'virtual_ipaddress {', '    192.0.2.100/24', '}']));
      const b = write('b.keepalived.conf', director('D2', ['state BACKUP', 'interface eth0', 'virtual_router_id 51', 'priority 100', 'version 3', 'virtual_ipaddress {', '    192.0.2.100/24', '}']));
      const got = lintFiles([a, b]).filter((d) => d.code === 'vrrp-peer-mismatch');
      assert.deepEqual(got.map((d) => [path.basename(d.file), d.range.start.line + 1]), [['a.keepalived.conf', 4], ['b.keepalived.conf', 9]]);
      assert.match(got[0].message, /VRRP version 2 here and 3 there/);
      const c = write('c.keepalived.conf', director('D3', ['state BACKUP', 'interface eth0', 'virtual_router_id 51', 'priority 100', 'authentication {', '    auth_type PASS', '    auth_pass x', '}', 'virtual_ipaddress {', '    192.0.2.100/24', '}']));
      const auth = lintFiles([a, c]).filter((d) => d.code === 'vrrp-peer-mismatch');
      assert.deepEqual(auth.map((d) => [path.basename(d.file), d.range.start.line + 1]), [['a.keepalived.conf', 4], ['c.keepalived.conf', 11]]);
      assert.match(auth[0].message, /no authentication in a\.keepalived\.conf and auth_type PASS in c\.keepalived\.conf/);
      const quiet = write('cq.keepalived.conf', fs.readFileSync(c, 'utf8').replace('    auth_pass x', '    auth_pass x  # lvs-lint-disable vrrp-peer-mismatch'));
      assert.deepEqual(lintFiles([a, quiet]).filter((d) => d.code === 'vrrp-peer-mismatch' && d.file === quiet), []);
    });

    it('the lab directors (keepalived-vrrp dir1 + dir2) agree', function () {
      requireOrSkip(this, hasSharedFixtures(), '../shared/fixtures');
      const files = ['dir1', 'dir2'].map((d) => path.join(labFixturesDir, 'keepalived-vrrp', d, 'keepalived.conf'));
      assert.deepEqual(lintFiles(files), []);
    });
  });
});
