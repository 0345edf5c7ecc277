// Every LVS semantic rule with real-looking configs, positive and negative.
import * as assert from 'node:assert/strict';
import { applyEdits } from '../../../src/core/config';
import { drConfig, lint, ruleCases, withCode } from './helpers';

const K = '/tmp/lvs-test/keepalived.conf';

describe('keepalived LVS rules', function () {
  it('dr-port-remap: DR/TUN real server port differs from the virtual port', function () {
    ruleCases('dr-port-remap', K, {
      valid: [drConfig(), drConfig({ method: 'NAT', rsPort: 8080 })],
      invalid: [{ text: drConfig({ rsPort: 8080 }), lines: [19], severity: 'error' }, { text: drConfig({ method: 'TUN', rsPort: 81 }), lines: [19] }],
    });
    const text = drConfig({ rsPort: 8080 });
    const [d] = withCode(lint(text), 'dr-port-remap');
    assert.deepEqual(withCode(lint(applyEdits(text, d.fixes?.[0].edits ?? [])), 'dr-port-remap'), []);
  });

  it('udp-tcp-checker: UDP service checked with TCP_CHECK or HTTP_GET', function () {
    ruleCases('udp-tcp-checker', K, {
      valid: [drConfig({ protocol: 'UDP', checker: 'MISC_CHECK' }), drConfig({ protocol: 'TCP', checker: 'HTTP_GET' })],
      invalid: [{ text: drConfig({ protocol: 'UDP' }), lines: [21, 27] }, { text: drConfig({ protocol: 'UDP', checker: 'HTTP_GET' }), lines: [21, 27] }],
    });
  });

  it('quiescent-udp-persistence: inhibit_on_failure on a persistent UDP service', function () {
    ruleCases('quiescent-udp-persistence', K, {
      valid: [
        drConfig({ protocol: 'UDP', vsExtra: 'persistence_timeout 300', checker: 'MISC_CHECK' }),
        drConfig({ protocol: 'TCP', vsExtra: 'persistence_timeout 300\n    inhibit_on_failure' }),
        drConfig({ protocol: 'UDP', rsExtra: 'inhibit_on_failure', checker: 'MISC_CHECK' }),
      ],
      invalid: [{ text: drConfig({ protocol: 'UDP', vsExtra: 'persistence_timeout 300', rsExtra: 'inhibit_on_failure', checker: 'MISC_CHECK' }), lines: [22], severity: 'warning' }],
    });
  });

  it('udp-persistence-expire-template: advice for persistent UDP services', function () {
    ruleCases('udp-persistence-expire-template', K, {
      valid: [drConfig({ protocol: 'UDP', checker: 'MISC_CHECK' }), drConfig({ vsExtra: 'persistence_timeout 60' })],
      invalid: [{ text: drConfig({ protocol: 'UDP', vsExtra: 'persistence_timeout', checker: 'MISC_CHECK' }), lines: [19], severity: 'info' }],
    });
  });

  it('duplicate-real-server', function () {
    ruleCases('duplicate-real-server', K, {
      valid: [drConfig()],
      invalid: [{ text: drConfig().replace('real_server 192.0.2.12 80', 'real_server 192.0.2.11 80'), lines: [25] }],
    });
  });

  it('no-real-servers and all-weights-zero', function () {
    const empty = 'vrrp_instance V {\n  interface eth0\n  virtual_router_id 1\n  priority 100\n  virtual_ipaddress {\n    192.0.2.100\n  }\n}\nvirtual_server 192.0.2.100 80 {\n  lb_algo rr\n  lb_kind DR\n}\n';
    // keepalived ignores a virtual_server without real servers even when it has a sorry_server.
    ruleCases('no-real-servers', K, { valid: [drConfig()], invalid: [{ text: empty, lines: [9] }, { text: empty.replace('lb_kind DR', 'lb_kind DR\n  sorry_server 192.0.2.50 80'), lines: [9] }] });
    ruleCases('all-weights-zero', K, { valid: [drConfig(), drConfig({ rsExtra: 'weight 0' })], invalid: [{ text: drConfig().replace(/weight 1/g, 'weight 0'), lines: [14] }] });
  });

  it('vip-not-in-vrrp: virtual_server VIP held by no vrrp_instance', function () {
    ruleCases('vip-not-in-vrrp', K, {
      valid: [drConfig(), drConfig().replace(/vrrp_instance[\s\S]*?\n}\n/, '')],
      invalid: [{ text: drConfig().replace('192.0.2.100/24 dev eth0', '192.0.2.101/24 dev eth0'), lines: [14] }],
    });
  });

  it('auth-pass-too-long, with a truncating fix', function () {
    const auth = (p: string): string => drConfig({ vrrpExtra: `authentication {\n        auth_type PASS\n        auth_pass ${p}\n    }` });
    ruleCases('auth-pass-too-long', K, { valid: [auth('s3cr3t'), auth('12345678')], invalid: [{ text: auth('ThisPasswordIsTooLong'), lines: [15] }] });
    const text = auth('ThisPasswordIsTooLong');
    const [d] = withCode(lint(text), 'auth-pass-too-long');
    assert.match(applyEdits(text, d.fixes?.[0].edits ?? []), /auth_pass ThisPass\n/);
  });

  it('virtual_router_id missing, out of range, reused on one interface', function () {
    ruleCases('vrid-missing', K, { valid: [drConfig()], invalid: [{ text: drConfig().replace('    virtual_router_id 51\n', ''), lines: [4] }] });
    const out = withCode(lint(drConfig().replace('virtual_router_id 51', 'virtual_router_id 256')), 'invalid-value');
    assert.equal(out.length, 1);
    assert.match(out[0].message, /outside the range 1-255/);
    const second = (vrid: number, iface: string): string => `vrrp_instance VI_DB {\n    state BACKUP\n    interface ${iface}\n    virtual_router_id ${vrid}\n    priority 100\n    virtual_ipaddress {\n        192.0.2.200\n    }\n}\n`;
    ruleCases('vrid-reused', K, {
      valid: [drConfig() + second(52, 'eth0'), drConfig() + second(51, 'eth1')],
      invalid: [{ text: drConfig() + second(51, 'eth0'), lines: [35] }],
    });
  });

  it('priority out of range', function () {
    const d = withCode(lint(drConfig().replace('priority 150', 'priority 256')), 'invalid-value');
    assert.equal(d[0]?.range.start.line, 7);
    assert.deepEqual(withCode(lint(drConfig().replace('priority 150', 'priority 255')), 'invalid-value'), []);
  });

  it('nopreempt-without-backup, with a fix that sets state BACKUP', function () {
    ruleCases('nopreempt-without-backup', K, {
      valid: [drConfig({ vrrpExtra: 'nopreempt' })],
      invalid: [
        { text: drConfig({ vrrpExtra: 'nopreempt' }).replace('state BACKUP', 'state MASTER'), lines: [13], severity: 'error' },
        { text: drConfig({ vrrpExtra: 'nopreempt' }).replace('    state BACKUP\n', ''), lines: [12], severity: 'info' },
      ],
    });
    for (const text of [drConfig({ vrrpExtra: 'nopreempt' }).replace('state BACKUP', 'state MASTER'), drConfig({ vrrpExtra: 'nopreempt' }).replace('    state BACKUP\n', '')]) {
      const [d] = withCode(lint(text), 'nopreempt-without-backup');
      const fixed = applyEdits(text, d.fixes?.[0].edits ?? []);
      assert.deepEqual(withCode(lint(fixed), 'nopreempt-without-backup'), [], fixed);
      assert.deepEqual(lint(fixed).filter((x) => x.severity === 'error'), []);
    }
  });

  it('nat-rs-not-on-director-subnet, only when the director subnets are known', function () {
    const nat = (rs: string, extraVip: string): string => drConfig({ method: 'NAT', vrrpExtra: extraVip ? `virtual_ipaddress_excluded {\n        ${extraVip}\n    }` : '' }).replace('192.0.2.11', rs).replace('192.0.2.12', rs === '192.0.2.11' ? '192.0.2.12' : '10.0.0.12');
    ruleCases('nat-rs-not-on-director-subnet', K, {
      valid: [nat('10.0.0.11', ''), nat('10.0.0.11', '10.0.0.1/24 dev eth1')],
      invalid: [{ text: nat('10.9.0.11', '10.0.0.1/24 dev eth1'), lines: [22] }],
    });
  });

  it('mixed-forwarding-methods and zero-port-not-persistent', function () {
    ruleCases('mixed-forwarding-methods', K, { valid: [drConfig()], invalid: [{ text: drConfig({ rsExtra: 'lvs_method NAT' }), lines: [26] }] });
    const noPort = drConfig().replace('virtual_server 192.0.2.100 80 {', 'virtual_server 192.0.2.100 {').replace(/real_server (\S+) 80/g, 'real_server $1');
    ruleCases('zero-port-not-persistent', K, { valid: [drConfig(), noPort.replace('delay_loop 6', 'delay_loop 6\n    persistence_timeout 600')], invalid: [{ text: noPort, lines: [14] }] });
  });

  it('protocol-missing, scheduler-missing, method-missing, with fixes that add the line', function () {
    ruleCases('protocol-missing', K, { valid: [drConfig(), 'virtual_server fwmark 5 {\n    lb_algo rr\n    lb_kind DR\n}\n'], invalid: [{ text: drConfig().replace('    protocol TCP\n', ''), lines: [14] }] });
    ruleCases('scheduler-missing', K, { valid: [drConfig()], invalid: [{ text: drConfig().replace('    lb_algo wlc\n', ''), lines: [14] }] });
    ruleCases('method-missing', K, { valid: [drConfig()], invalid: [{ text: drConfig().replace('    lb_kind DR\n', ''), lines: [14] }] });
    const text = drConfig().replace('    protocol TCP\n', '').replace('    lb_algo wlc\n', '');
    const fixes = lint(text).filter((d) => d.code.endsWith('-missing')).map((d) => d.fixes?.[0].edits[0]);
    assert.equal(fixes.length, 2);
    const fixed = applyEdits(text, fixes.filter((e) => e !== undefined));
    assert.match(fixed, /virtual_server 192.0.2.100 80 \{\n {4}(protocol TCP|lb_algo wlc)\n {4}(protocol TCP|lb_algo wlc)\n/);
    assert.deepEqual(lint(fixed).filter((d) => d.severity === 'error'), []);
  });

  it('ops-requires-udp and sched-flag-mismatch', function () {
    ruleCases('ops-requires-udp', K, { valid: [drConfig({ protocol: 'UDP', vsExtra: 'ops', checker: 'MISC_CHECK' })], invalid: [{ text: drConfig({ vsExtra: 'ops' }), lines: [19] }] });
    ruleCases('sched-flag-mismatch', K, { valid: [drConfig({ vsExtra: 'sh-port' }).replace('lb_algo wlc', 'lb_algo sh')], invalid: [{ text: drConfig({ vsExtra: 'sh-port' }), lines: [19] }, { text: drConfig({ vsExtra: 'mh-fallback' }), lines: [19] }] });
  });

  it('case-sensitive values get a fix with the right case', function () {
    const text = drConfig().replace('lb_kind DR', 'lb_kind dr').replace('state BACKUP', 'state backup');
    const errs = withCode(lint(text), 'invalid-value');
    assert.deepEqual(errs.map((d) => d.fixes?.[0].edits[0].newText), ['BACKUP', 'DR']);
    assert.deepEqual(withCode(lint(applyEdits(text, errs.flatMap((d) => d.fixes?.[0].edits ?? []))), 'invalid-value'), []);
  });
});
