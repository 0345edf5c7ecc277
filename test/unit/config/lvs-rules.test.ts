// keepalived virtual_server / real_server rules added after the lint audit
// (/tmp/lintaudit items 7, 11, 12, 13): no-real-servers with only a sorry_server,
// no-health-check, persistence-quiescent, fwmark-protocol, fwmark-port,
// sorry-server-port, quorum-exceeds-weight, hysteresis-above-quorum,
// advert-int-fraction, and dr-port-remap on all-ports services. Each case is also
// run through the installed keepalived -t (when there is one and we are root) to
// check that keepalived says what the rule quotes, or nothing for the hazards it
// does not see.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyEdits, lintText } from '../../../src/core/config';
import { hasCommand, hasSharedFixtures, isRoot, labFixturesDir, requireOrSkip } from '../../helpers/env';
import { lint, ruleCases, withCode } from './helpers';
import { assertAgreesWithKeepalived, type KeepalivedCase, KeepalivedSandbox } from './keepalivedSandbox';

const K = '/tmp/lvs-test/keepalived.conf';
const TCP_CHECK = '        TCP_CHECK {\n            connect_timeout 3\n        }\n';

/** A real_server block: address, optional port, extra lines, checker block ('' for none). */
function rs(addr: string, port?: number, extra: string[] = [], checker = TCP_CHECK): string {
  return `    real_server ${addr}${port !== undefined ? ` ${port}` : ''} {\n        weight 1\n${extra.map((l) => `        ${l}\n`).join('')}${checker}    }\n`;
}

/** A virtual_server block with lb_algo rr, the given option lines and real servers. */
function vs(header: string, options: string[], servers: string[]): string {
  return `virtual_server ${header} {\n    lb_algo rr\n${options.map((l) => `    ${l}\n`).join('')}${servers.join('')}}\n`;
}

function vrrp(name: string, lines: string[], vip = '192.0.2.100'): string {
  return `vrrp_instance ${name} {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n${lines.map((l) => `    ${l}\n`).join('')}    virtual_ipaddress {\n        ${vip}\n    }\n}\n`;
}

/** 1-based line of the first line containing `needle` (after `from`, when given). */
function lineOf(text: string, needle: string, from?: string): number {
  const lines = text.split('\n');
  const start = from ? lines.findIndex((l) => l.includes(from)) : 0;
  const i = lines.findIndex((l, n) => n >= start && l.includes(needle));
  assert.ok(i >= 0, `'${needle}' not in the text`);
  return i + 1;
}

function fixAndRelint(text: string, code: string): string {
  const [d] = withCode(lint(text), code);
  assert.ok(d?.fixes?.[0], `${code} has a fix`);
  const fixed = applyEdits(text, d.fixes[0].edits);
  assert.deepEqual(withCode(lint(fixed), code), [], fixed);
  return fixed;
}

const dr = (servers: string[], options: string[] = []): string => vs('192.0.2.100 80', ['lb_kind DR', 'protocol TCP', ...options], servers);

// --- cases shared with the keepalived -t run ------------------------------------

const sorryOnly = vs('192.0.2.100 80', ['lb_kind NAT', 'protocol TCP', 'sorry_server 10.0.0.99 80'], []);
const badRsOnly = dr([rs('10.0.0.256', 80)]);
const noCheckAnywhere = dr([rs('192.0.2.11', 80, [], '')]);
const oneUnchecked = dr([rs('192.0.2.11', 80), rs('192.0.2.12', 80, [], '')]);
const tcpPersistInhibit = dr([rs('192.0.2.12', 80, ['inhibit_on_failure'])], ['persistence_timeout 300']);
const tcpPersistVsInhibit = dr([rs('192.0.2.11', 80), rs('192.0.2.12', 80)], ['persistence_timeout 300', 'inhibit_on_failure']);
const fwmarkProto = vs('fwmark 5', ['lb_kind DR', 'protocol TCP'], [rs('192.0.2.12')]);
const fwmarkRsPort = vs('fwmark 5', ['lb_kind DR'], [rs('192.0.2.12', 80)]);
const fwmarkSorryPort = vs('fwmark 5', ['lb_kind DR', 'sorry_server 192.0.2.99 80'], [rs('192.0.2.12')]);
const drSorryPort = dr([rs('192.0.2.11', 80)], ['sorry_server 192.0.2.99 8080']);
const natSorryDrMethod = vs('192.0.2.100 80', ['lb_kind NAT', 'protocol TCP', 'sorry_server 192.0.2.99 8080', 'sorry_server_lvs_method DR'], [rs('192.0.2.11', 80)]);
const quorumHigh = dr([rs('192.0.2.13', 80, ['weight 2'])].map((s) => s.replace('weight 1\n', '')), ['quorum 5', 'hysteresis 5']);
const hysteresisDefaultQuorum = dr([rs('192.0.2.11', 80), rs('192.0.2.12', 80)], ['hysteresis 1']);
const advertHalf = vrrp('VI_1', ['advert_int 0.5']);
// keepalived refuses `weight 0` in a virtual_server: its real servers keep weight 1.
const vsWeightZero = dr([rs('192.0.2.11', 80).replace('weight 1\n', '')], ['weight 0', 'quorum 2']);
const allPortsDrPort = vs('192.0.2.100', ['lb_kind DR', 'protocol TCP', 'persistence_timeout 60'], [rs('192.0.2.21', 80)]);

const KA_CASES: KeepalivedCase[] = [
  { name: 'sorry_server only', text: sorryOnly, says: /Virtual server \[192\.0\.2\.100\]:tcp:80 has no real servers - ignoring/ },
  { name: 'invalid real server only', text: badRsOnly, says: /has no real servers - ignoring/ },
  { name: 'no checker anywhere', text: noCheckAnywhere },
  { name: 'one real server unchecked', text: oneUnchecked },
  { name: 'TCP persistence + inhibit_on_failure', text: tcpPersistInhibit },
  { name: 'TCP persistence + virtual_server inhibit_on_failure', text: tcpPersistVsInhibit },
  { name: 'fwmark with protocol', text: fwmarkProto, says: /Virtual server FWM 5: protocol specified for fwmark - protocol will be ignored/ },
  { name: 'fwmark DR real server with a port', text: fwmarkRsPort, says: /fwmark virtual server FWM 5, real server \[192\.0\.2\.12\]:none:80 has port specified - clearing/ },
  { name: 'fwmark DR sorry server with a port', text: fwmarkSorryPort, says: /virtual server FWM 5, sorry server has port specified - clearing/ },
  { name: 'DR sorry server on another port', text: drSorryPort, says: /virtual server \[192\.0\.2\.100\]:tcp:80 and sorry server ports don't match - resetting/ },
  { name: 'sorry_server_lvs_method DR on another port', text: natSorryDrMethod, says: /and sorry server ports don't match - resetting/ },
  { name: 'quorum above the total weight, hysteresis >= quorum', text: quorumHigh, says: /quorum 5 for \[192\.0\.2\.100\]:tcp:80 exceeds total weight of real servers 2, reducing quorum to 2[\s\S]*hysteresis 5 >= quorum 2; setting hysteresis to 1/ },
  { name: 'virtual_server weight 0 (refused): real servers keep weight 1', text: vsWeightZero, says: /Virtual server weight 0 is outside range[\s\S]*quorum 2 for \[192\.0\.2\.100\]:tcp:80 exceeds total weight of real servers 1/ },
  { name: 'hysteresis 1 with the default quorum 1', text: hysteresisDefaultQuorum, says: /hysteresis 1 >= quorum 1; setting hysteresis to 0/ },
  { name: 'VRRPv2 advert_int 0.5', text: advertHalf, says: /\(VI_1\) VRRPv2 advertisement interval 0\.500000s must be an integer\. rounding/ },
  { name: 'all-ports service with a DR real server port', text: allPortsDrPort, says: /virtual server \[192\.0\.2\.100\]:tcp:0 and real server \[192\.0\.2\.21\]:tcp:80 ports don't match - resetting/ },
  // Valid variants: keepalived prints nothing.
  { name: 'valid: fwmark with NAT real server port', text: vs('fwmark 5', ['lb_kind NAT'], [rs('192.0.2.12', 8080)]) },
  { name: 'valid: DR sorry server on the virtual port', text: dr([rs('192.0.2.11', 80)], ['sorry_server 192.0.2.99 80']) },
  { name: 'valid: quorum equal to the total weight, hysteresis below it', text: dr([rs('192.0.2.11', 80), rs('192.0.2.12', 80)], ['quorum 2', 'hysteresis 1']) },
  { name: 'valid: VRRPv3 advert_int 0.5', text: vrrp('VI_1', ['version 3', 'advert_int 0.5']) },
  { name: 'valid: global vrrp_version 3, advert_int 0.5', text: `global_defs {\n    vrrp_version 3\n}\n${vrrp('VI_1', ['advert_int 0.5'])}` },
  { name: 'valid: IPv6 instance, advert_int 0.5', text: vrrp('VI_1', ['advert_int 0.5'], '2001:db8::1') },
];

describe('keepalived virtual_server rules (lint audit)', function () {
  describe('no-real-servers (item 7)', function () {
    it('a sorry_server does not save a virtual_server without real servers, and the message no longer suggests one', function () {
      ruleCases('no-real-servers', K, { valid: [dr([rs('192.0.2.11', 80)], ['sorry_server 192.0.2.99 80'])], invalid: [{ text: sorryOnly, lines: [1], severity: 'error' }] });
      const [d] = withCode(lint(sorryOnly), 'no-real-servers');
      assert.match(d.message, /has no real servers - ignoring/);
      assert.match(d.message, /sorry_server does not count/);
      assert.doesNotMatch(d.message, /\(or a sorry_server\)/);
      assert.deepEqual(d.related?.map((r) => r.range.start.line + 1), [lineOf(sorryOnly, 'sorry_server')]);
    });

    it('real servers keepalived skips (bad address or port) do not count', function () {
      ruleCases('no-real-servers', K, {
        valid: [dr([rs('10.0.0.256', 80), rs('192.0.2.11', 80)]), dr(['    $RS_BLOCK\n']), dr([rs('$RS', 80)])],
        invalid: [{ text: badRsOnly, lines: [1], severity: 'error' }, { text: dr([rs('192.0.2.11', 70000)]), lines: [1] }],
      });
      assert.match(withCode(lint(badRsOnly), 'no-real-servers')[0].message, /skips real_server 10\.0\.0\.256 \(line 5\)/);
    });

    it('a virtual_server group without real servers is reported once', function () {
      const text = `virtual_server_group G {\n    192.0.2.100 80\n    192.0.2.101 80\n}\n${vs('group G', ['lb_kind DR', 'protocol TCP'], [])}`;
      ruleCases('no-real-servers', K, { valid: [], invalid: [{ text, lines: [5] }] });
    });

    it('the ipvsadm side is unchanged: a warning', function () {
      const d = withCode(lint('-A -t 192.0.2.100:80 -s rr\n', '/tmp/lvs-test/r.ipvsadm'), 'no-real-servers');
      assert.deepEqual(d.map((x) => [x.range.start.line + 1, x.severity]), [[1, 'warning']]);
    });

    it('recorded corpus: 05-bad-ip gets the error keepalived prints ("has no real servers - ignoring")', function () {
      requireOrSkip(this, hasSharedFixtures(), '../shared/fixtures');
      const file = path.join(labFixturesDir, 'keepalived-config-test', 'guest', '05-bad-ip.conf');
      assert.match(fs.readFileSync(file.replace(/\.conf$/, '.stderr'), 'utf8'), /has no real servers - ignoring/);
      const d = withCode(lintText(fs.readFileSync(file, 'utf8'), file), 'no-real-servers');
      assert.deepEqual(d.map((x) => [x.range.start.line + 1, x.severity]), [[17, 'error']]);
    });
  });

  describe('no-health-check (item 11)', function () {
    it('warning on a real_server without a checker when the others have one, info when none has', function () {
      ruleCases('no-health-check', K, {
        valid: [dr([rs('192.0.2.11', 80)]), ...['HTTP_GET', 'SSL_GET', 'MISC_CHECK', 'SMTP_CHECK', 'DNS_CHECK', 'UDP_CHECK', 'PING_CHECK', 'FILE_CHECK', 'BFD_CHECK'].map((c) => dr([rs('192.0.2.11', 80, [], `        ${c} {\n        }\n`)]))],
        invalid: [
          { text: oneUnchecked, lines: [lineOf(oneUnchecked, 'real_server 192.0.2.12')], severity: 'warning' },
          { text: noCheckAnywhere, lines: [lineOf(noCheckAnywhere, 'real_server 192.0.2.11')], severity: 'info' },
        ],
      });
    });

    it('the audit config: vs1.keepalived.conf line 33 (real_server 192.0.2.11 80 { weight 1 })', function () {
      const text = `${vs('192.0.2.101 80', ['lb_kind DR', 'protocol TCP'], [])}`.replace('}\n', '    real_server 192.0.2.11 80 {\n        weight 1\n    }\n}\n');
      assert.deepEqual(withCode(lint(text), 'no-health-check').map((d) => d.range.start.line + 1), [lineOf(text, 'real_server')]);
    });

    it('says nothing where a checker may be hidden (parameters, includes) or where keepalived drops the server', function () {
      ruleCases('no-health-check', K, {
        valid: [dr([rs('192.0.2.11', 80, ['$CHECK'], '')]), dr([rs('$RS', 80, [], '')]), dr([rs('192.0.2.11', 80), rs('192.0.2.11', 80, [], '')]), dr([rs('192.0.2.11', 80), rs('10.0.0.256', 80, [], '')])],
        invalid: [],
      });
    });

    it('the fix adds a TCP_CHECK (TCP) or UDP_CHECK (UDP) inside the real_server', function () {
      const fixed = fixAndRelint(oneUnchecked, 'no-health-check');
      assert.match(fixed, /real_server 192\.0\.2\.12 80 \{\n {8}weight 1\n {8}TCP_CHECK \{\n {12}connect_timeout 3\n {8}\}\n {4}\}\n/);
      assert.deepEqual(lint(fixed).filter((d) => d.severity === 'error'), []);
      const udp = oneUnchecked.replace('protocol TCP', 'protocol UDP').replace('TCP_CHECK', 'UDP_CHECK');
      assert.match(fixAndRelint(udp, 'no-health-check'), /real_server 192\.0\.2\.12 80 \{\n {8}weight 1\n {8}UDP_CHECK \{/);
      // No obvious checker for fwmark services or one-line blocks: the finding has no fix.
      const oneLine = dr([rs('192.0.2.11', 80), '    real_server 192.0.2.12 80 { weight 1 }\n']);
      assert.equal(withCode(lint(oneLine), 'no-health-check')[0]?.fixes, undefined);
    });
  });

  describe('persistence-quiescent (item 12)', function () {
    it('TCP/SCTP persistence with inhibit_on_failure, on the inhibit_on_failure line, once per statement', function () {
      ruleCases('persistence-quiescent', K, {
        valid: [dr([rs('192.0.2.12', 80, ['inhibit_on_failure'])]), dr([rs('192.0.2.12', 80)], ['persistence_timeout 300']), tcpPersistInhibit.replace('protocol TCP', 'protocol UDP')],
        invalid: [
          { text: tcpPersistInhibit, lines: [lineOf(tcpPersistInhibit, 'inhibit_on_failure')], severity: 'warning' },
          { text: tcpPersistVsInhibit, lines: [lineOf(tcpPersistVsInhibit, 'inhibit_on_failure')] },
          { text: tcpPersistInhibit.replace('protocol TCP', 'protocol SCTP'), lines: [lineOf(tcpPersistInhibit, 'inhibit_on_failure')] },
          // The virtual_server's inhibit_on_failure is found even when delay_loop follows it.
          { text: tcpPersistVsInhibit.replace('inhibit_on_failure\n', 'inhibit_on_failure\n    delay_loop 6\n'), lines: [lineOf(tcpPersistVsInhibit, 'inhibit_on_failure')] },
        ],
      });
      assert.match(withCode(lint(tcpPersistInhibit), 'persistence-quiescent')[0].message, /192\.0\.2\.12.*300 s.*expire_quiescent_template=1/);
      // UDP keeps its own rule; the two never report the same line.
      const udp = tcpPersistInhibit.replace('protocol TCP', 'protocol UDP').replace('TCP_CHECK', 'UDP_CHECK');
      assert.equal(withCode(lint(udp), 'quiescent-udp-persistence').length, 1);
    });

    it('the fix removes inhibit_on_failure', function () {
      const fixed = fixAndRelint(tcpPersistInhibit, 'persistence-quiescent');
      assert.doesNotMatch(fixed, /inhibit_on_failure/);
    });

    it('covers ipvsadm -p with -w 0 too, on the weight (more in lint-followups.test.ts)', function () {
      const rules = '-A -t 192.0.2.100:443 -s rr -p 300\n-a -t 192.0.2.100:443 -r 192.0.2.12:443 -g -w 0\n-a -t 192.0.2.100:443 -r 192.0.2.13:443 -g -w 1\n';
      assert.deepEqual(withCode(lint(rules, '/tmp/lvs-test/r.ipvsadm'), 'persistence-quiescent').map((d) => d.range.start.line + 1), [2]);
    });
  });

  describe('keepalived -t errors (item 13)', function () {
    it('fwmark-protocol: protocol in a fwmark virtual_server, with a fix that removes the line', function () {
      const groupOnlyMarks = `virtual_server_group G {\n    fwmark 5\n}\n${vs('group G', ['lb_kind DR', 'protocol TCP'], [rs('192.0.2.12')])}`;
      const groupWithAddress = `virtual_server_group G {\n    192.0.2.100 80\n    fwmark 5\n}\n${vs('group G', ['lb_kind DR', 'protocol TCP'], [rs('192.0.2.12', 80)])}`;
      ruleCases('fwmark-protocol', K, {
        valid: [dr([rs('192.0.2.11', 80)]), vs('fwmark 5', ['lb_kind DR'], [rs('192.0.2.12')]), fwmarkProto.replace('protocol TCP', 'protocol TCPX'), groupWithAddress],
        invalid: [
          { text: fwmarkProto, lines: [lineOf(fwmarkProto, 'protocol')], severity: 'error' },
          { text: fwmarkProto.replace('protocol TCP', 'protocol udp'), lines: [lineOf(fwmarkProto, 'protocol')] },
          { text: groupOnlyMarks, lines: [lineOf(groupOnlyMarks, 'protocol')] },
        ],
      });
      const fixed = fixAndRelint(fwmarkProto, 'fwmark-protocol');
      assert.doesNotMatch(fixed, /protocol/);
      assert.deepEqual(lint(fixed).filter((d) => d.severity === 'error'), []);
    });

    it('fwmark-port: DR/TUN real_server or sorry_server with a port in a fwmark service, on the port', function () {
      ruleCases('fwmark-port', K, {
        valid: [vs('fwmark 5', ['lb_kind NAT'], [rs('192.0.2.12', 8080)]), vs('fwmark 5', ['lb_kind DR'], [rs('192.0.2.12', 80, ['lvs_method NAT'])]), vs('fwmark 5', ['lb_kind DR'], [rs('192.0.2.12')]), dr([rs('192.0.2.11', 80)])],
        invalid: [
          { text: fwmarkRsPort, lines: [lineOf(fwmarkRsPort, 'real_server')], severity: 'error' },
          { text: fwmarkRsPort.replace('lb_kind DR', 'lb_kind TUN'), lines: [lineOf(fwmarkRsPort, 'real_server')] },
          { text: fwmarkSorryPort, lines: [lineOf(fwmarkSorryPort, 'sorry_server')] },
        ],
      });
      const [d] = withCode(lint(fwmarkRsPort), 'fwmark-port');
      const line = fwmarkRsPort.split('\n')[d.range.start.line];
      assert.equal(line.slice(d.range.start.character, d.range.end.character), '80');
      assert.match(fixAndRelint(fwmarkRsPort, 'fwmark-port'), /real_server 192\.0\.2\.12 \{/);
    });

    it('sorry-server-port: DR/TUN sorry_server on another port, with a fix to the virtual port', function () {
      ruleCases('sorry-server-port', K, {
        valid: [dr([rs('192.0.2.11', 80)], ['sorry_server 192.0.2.99 80']), dr([rs('192.0.2.11', 80)], ['sorry_server 192.0.2.99']), vs('192.0.2.100 80', ['lb_kind NAT', 'protocol TCP', 'sorry_server 192.0.2.99 8080'], [rs('192.0.2.11', 8080)]), drSorryPort.replace('sorry_server 192.0.2.99 8080', 'sorry_server 192.0.2.99 8080\n    sorry_server_lvs_method NAT'), fwmarkSorryPort],
        invalid: [
          { text: drSorryPort, lines: [lineOf(drSorryPort, 'sorry_server')], severity: 'error' },
          { text: natSorryDrMethod, lines: [lineOf(natSorryDrMethod, 'sorry_server ')] },
        ],
      });
      assert.match(fixAndRelint(drSorryPort, 'sorry-server-port'), /sorry_server 192\.0\.2\.99 80\n/);
    });

    it('quorum-exceeds-weight and hysteresis-above-quorum, with keepalived\'s numbers', function () {
      ruleCases('quorum-exceeds-weight', K, {
        valid: [
          dr([rs('192.0.2.11', 80), rs('192.0.2.12', 80)], ['quorum 2']),
          dr([rs('192.0.2.11', 80).replace('weight 1\n', '')], ['weight 3', 'quorum 3']),
          // All weights 0 is all-weights-zero's finding.
          dr([rs('192.0.2.11', 80, ['weight 0']).replace('weight 1\n', '')], ['quorum 2']),
        ],
        invalid: [
          { text: quorumHigh, lines: [lineOf(quorumHigh, 'quorum')], severity: 'error' },
          // keepalived drops the duplicated real server before adding the weights.
          { text: dr([rs('192.0.2.11', 80), rs('192.0.2.11', 80)], ['quorum 2']), lines: [3 + 2] },
          { text: vsWeightZero, lines: [lineOf(vsWeightZero, 'quorum')] },
        ],
      });
      assert.deepEqual(withCode(lint(vsWeightZero), 'all-weights-zero'), []);
      assert.match(withCode(lint(quorumHigh), 'quorum-exceeds-weight')[0].message, /quorum 5 for \[192\.0\.2\.100\]:tcp:80 exceeds total weight of real servers 2, reducing quorum to 2/);
      ruleCases('hysteresis-above-quorum', K, {
        valid: [dr([rs('192.0.2.11', 80), rs('192.0.2.12', 80)], ['quorum 2', 'hysteresis 1']), dr([rs('192.0.2.11', 80)])],
        invalid: [
          { text: quorumHigh, lines: [lineOf(quorumHigh, 'hysteresis')], severity: 'error' },
          { text: hysteresisDefaultQuorum, lines: [lineOf(hysteresisDefaultQuorum, 'hysteresis')] },
        ],
      });
      assert.match(withCode(lint(quorumHigh), 'hysteresis-above-quorum')[0].message, /hysteresis 5 >= quorum 2; setting hysteresis to 1/);
      const fixed = applyEdits(quorumHigh, lint(quorumHigh).filter((d) => d.code === 'quorum-exceeds-weight' || d.code === 'hysteresis-above-quorum').flatMap((d) => d.fixes?.[0].edits ?? []));
      assert.match(fixed, /quorum 2\n {4}hysteresis 1\n/);
      assert.deepEqual(lint(fixed).filter((d) => d.severity === 'error'), []);
    });

    it('advert-int-fraction: VRRPv2 advert_int with a fraction, with a fix to what keepalived uses', function () {
      ruleCases('advert-int-fraction', K, {
        valid: [vrrp('VI_1', ['advert_int 1']), vrrp('VI_1', ['advert_int 1.000']), vrrp('VI_1', ['version 3', 'advert_int 0.5']), `global_defs {\n    vrrp_version 3\n}\n${vrrp('VI_1', ['advert_int 0.5'])}`, vrrp('VI_1', ['advert_int 0.5'], '2001:db8::1')],
        invalid: [
          { text: advertHalf, lines: [lineOf(advertHalf, 'advert_int')], severity: 'error' },
          { text: vrrp('VI_1', ['version 2', 'advert_int 1.5'], '2001:db8::1'), lines: [6] },
          { text: `global_defs {\n    vrrp_version 3\n}\n${vrrp('VI_1', ['version 2', 'advert_int 2.5'])}`, lines: [9] },
        ],
      });
      assert.match(fixAndRelint(advertHalf, 'advert-int-fraction'), /advert_int 1\n/);
      assert.match(fixAndRelint(vrrp('VI_1', ['advert_int 2.5']), 'advert-int-fraction'), /advert_int 3\n/);
      assert.match(fixAndRelint(vrrp('VI_1', ['advert_int 0.4']), 'advert-int-fraction'), /advert_int 1\n/);
    });

    it('dr-port-remap: a DR/TUN real server port on an all-ports service, with a fix that removes it', function () {
      ruleCases('dr-port-remap', K, {
        valid: [allPortsDrPort.replace('lb_kind DR', 'lb_kind NAT'), vs('192.0.2.100', ['lb_kind DR', 'protocol TCP', 'persistence_timeout 60'], [rs('192.0.2.21')])],
        invalid: [{ text: allPortsDrPort, lines: [lineOf(allPortsDrPort, 'real_server')], severity: 'error' }],
      });
      assert.match(fixAndRelint(allPortsDrPort, 'dr-port-remap'), /real_server 192\.0\.2\.21 \{/);
      // ipvsadm: unchanged (port 0 services are not checked there).
      assert.deepEqual(withCode(lint('-A -t 192.0.2.100:0 -s rr -p 60\n-a -t 192.0.2.100:0 -r 192.0.2.21:80 -g\n', '/tmp/lvs-test/r.ipvsadm'), 'dr-port-remap'), []);
    });

    it('the audit configs: every item of vs2.keepalived.conf is found', function () {
      const text = [sorryOnly, drSorryPort, fwmarkProto.replace('real_server 192.0.2.12 {', 'real_server 192.0.2.12 80 {'), quorumHigh, advertHalf].join('');
      const codes = lint(text).filter((d) => d.severity === 'error').map((d) => d.code);
      for (const c of ['no-real-servers', 'sorry-server-port', 'fwmark-protocol', 'fwmark-port', 'quorum-exceeds-weight', 'hysteresis-above-quorum', 'advert-int-fraction']) assert.ok(codes.includes(c), `${c} in ${codes.join(', ')}`);
    });
  });
});

describe('keepalived virtual_server rules: the installed keepalived -t says the same', function () {
  this.timeout(120000);
  let ka: KeepalivedSandbox | undefined;
  before(function () {
    requireOrSkip(this, hasCommand('keepalived') && hasCommand('ip'), 'keepalived and iproute2');
    requireOrSkip(this, isRoot(), 'root (keepalived -t runs in a network namespace with an eth0)');
    ka = new KeepalivedSandbox('lvsrules');
  });
  after(function () {
    ka?.dispose();
  });

  it('prints the message each rule quotes, and nothing for the hazards it does not check', function () {
    assertAgreesWithKeepalived(ka!, KA_CASES);
  });
});
