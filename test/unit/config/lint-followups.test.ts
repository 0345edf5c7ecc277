// Follow-ups to the keepalived.conf / ipvsadm checks, each checked against
// keepalived 2.2.7 (`keepalived -t`, observed in a throw-away network namespace)
// or against the kernel's persistence behaviour (reference §1.4 P1, §7.6):
// (a) persistence-quiescent on ipvsadm rules (-p with a -w 0 real server),
// (b) ops-requires-udp leaves fwmark services alone, (c) virtual_server `weight 0`
// is refused as keepalived refuses it, (d) quiescent-udp-persistence reports a
// virtual_server-level inhibit_on_failure once, (f) a later `preempt` cancels
// `nopreempt` for nopreempt-without-backup. The keepalived cases are also run
// through the installed keepalived -t when there is one and we are root.
import * as assert from 'node:assert/strict';
import { hasCommand, isRoot, requireOrSkip } from '../../helpers/env';
import { lint, ruleCases, withCode } from './helpers';
import { assertAgreesWithKeepalived, type KeepalivedCase, KeepalivedSandbox } from './keepalivedSandbox';

const K = '/tmp/lvs-test/keepalived.conf';
const R = '/tmp/lvs-test/r.ipvsadm';
const TCP_CHECK = '        TCP_CHECK {\n            connect_timeout 3\n        }\n';

/** A real_server block: address, optional port, its lines (weight 1 unless given), a TCP_CHECK. */
function rs(addr: string, port?: number, lines: string[] = ['weight 1']): string {
  return `    real_server ${addr}${port !== undefined ? ` ${port}` : ''} {\n${lines.map((l) => `        ${l}\n`).join('')}${TCP_CHECK}    }\n`;
}

/** A virtual_server block with lb_algo rr, lb_kind DR, the given option lines and real servers. */
function vs(header: string, options: string[], servers: string[]): string {
  return `virtual_server ${header} {\n    lb_algo rr\n    lb_kind DR\n${options.map((l) => `    ${l}\n`).join('')}${servers.join('')}}\n`;
}

function vrrp(lines: string[]): string {
  return `vrrp_instance VI_1 {\n${lines.map((l) => `    ${l}\n`).join('')}    interface eth0\n    virtual_router_id 51\n    priority 100\n    virtual_ipaddress {\n        192.0.2.100\n    }\n}\n`;
}

/** 1-based lines of every line containing `needle`. */
function linesOf(text: string, needle: string): number[] {
  const hits = text.split('\n').flatMap((l, i) => (l.includes(needle) ? [i + 1] : []));
  assert.ok(hits.length > 0, `'${needle}' not in the text`);
  return hits;
}

const lineOf = (text: string, needle: string): number => linesOf(text, needle)[0];

// --- (b) ops on fwmark / address services ----------------------------------------

const groups = 'virtual_server_group GF {\n    fwmark 7\n}\nvirtual_server_group GA {\n    192.0.2.100 80\n}\nvirtual_server_group GM {\n    192.0.2.100 80\n    fwmark 8\n}\n';
const opsFwmarkTcp = vs('fwmark 5', ['protocol TCP', 'ops'], [rs('192.0.2.11'), rs('192.0.2.12')]);
const opsFwmarkNoProto = vs('fwmark 5', ['ops'], [rs('192.0.2.11'), rs('192.0.2.12')]);
const opsFwmarkGroupTcp = groups + vs('group GF', ['protocol TCP', 'ops'], [rs('192.0.2.11'), rs('192.0.2.12')]);
const opsAddressTcp = vs('192.0.2.100 80', ['protocol TCP', 'ops'], [rs('192.0.2.11', 80), rs('192.0.2.12', 80)]);
const opsAddressSctp = opsAddressTcp.replace('protocol TCP', 'protocol SCTP');
const opsAddressGroupTcp = groups + vs('group GA', ['protocol TCP', 'ops'], [rs('192.0.2.11', 80), rs('192.0.2.12', 80)]);
const opsMixedGroupTcp = groups + vs('group GM', ['protocol TCP', 'ops'], [rs('192.0.2.11', 80), rs('192.0.2.12', 80)]);

// --- (c) virtual_server weight ----------------------------------------------------

/** A virtual_server with `weight W`; its first real server has no weight of its own (it takes W). */
function vsWeight(w: string, header = '192.0.2.100 80', port: number | undefined = 80): string {
  const options = header.startsWith('fwmark') ? [`weight ${w}`] : ['protocol TCP', `weight ${w}`];
  return vs(header, options, [rs('192.0.2.11', port, []), rs('192.0.2.12', port)]);
}

// --- (d) UDP persistence with inhibit_on_failure ---------------------------------

const udpVsInhibit = vs('192.0.2.100 514', ['protocol UDP', 'persistence_timeout 300', 'inhibit_on_failure'], [rs('192.0.2.11', 514), rs('192.0.2.12', 514), rs('192.0.2.13', 514)]).replace(/TCP_CHECK \{\n\s*connect_timeout 3\n\s*\}\n/g, 'MISC_CHECK {\n            misc_path /bin/true\n        }\n');
const udpGroup = 'virtual_server_group SYSLOG {\n    192.0.2.100 514\n    192.0.2.101 514\n}\n';
const udpGroupRsInhibit = udpGroup + udpVsInhibit.replace('virtual_server 192.0.2.100 514', 'virtual_server group SYSLOG').replace('    inhibit_on_failure\n', '').replace('real_server 192.0.2.12 514 {\n', 'real_server 192.0.2.12 514 {\n        inhibit_on_failure\n');
const udpTwoRsInhibit = udpVsInhibit.replace('    inhibit_on_failure\n', '').replace(/(real_server 192\.0\.2\.1[12] 514 \{\n)/g, '$1        inhibit_on_failure\n');

// --- (f) nopreempt then preempt ---------------------------------------------------

const masterNopreemptPreempt = vrrp(['state MASTER', 'nopreempt', 'preempt']);
const masterPreemptNopreempt = vrrp(['state MASTER', 'preempt', 'nopreempt']);
const noStateNopreemptPreempt = vrrp(['nopreempt', 'preempt']);

describe('lint follow-ups', function () {
  describe('(a) persistence-quiescent on ipvsadm rules: -p with a -w 0 real server', function () {
    const tcp = '-A -t 192.0.2.100:443 -s rr -p 300\n';
    const rs0 = '-a -t 192.0.2.100:443 -r 192.0.2.11 -g -w 0\n';
    const rs1 = '-a -t 192.0.2.100:443 -r 192.0.2.12 -g -w 1\n';

    it('reports the weight 0 of a persistent TCP/SCTP (or fwmark) service, on the weight', function () {
      const sctp = '-A --sctp-service 192.0.2.100:443 -s rr -p\n-a --sctp-service 192.0.2.100:443 -r 192.0.2.11 -g --weight 0\n';
      const fwmark = '-A -f 5 -s rr -p 600\n-a -f 5 -r 192.0.2.11 -g -w 0\n-a -f 5 -r 192.0.2.12 -g -w 1\n';
      const script = '#!/bin/sh\nipvsadm -A -t 192.0.2.100:443 -s rr -p 300\nipvsadm -a -t 192.0.2.100:443 -r 192.0.2.11 -g -w 1\n# drain .11 for maintenance\nipvsadm -e -t 192.0.2.100:443 -r 192.0.2.11 -g -w 0\n';
      ruleCases('persistence-quiescent', R, {
        valid: [
          // Not persistent, or no real server at weight 0.
          `-A -t 192.0.2.100:443 -s rr\n${rs0}${rs1}`,
          `${tcp}${rs1}`,
          `${tcp}-a -t 192.0.2.100:443 -r 192.0.2.11 -g\n`,
          // Quiesced, then given weight again: the table ends with weight 1.
          `${tcp}${rs0}-e -t 192.0.2.100:443 -r 192.0.2.11 -g -w 2\n`,
          // Persistence removed with the service: the weight 0 lands nowhere.
          `${tcp}-D -t 192.0.2.100:443\n${rs0}`,
          // UDP is quiescent-udp-persistence's.
          '-A -u 192.0.2.100:514 -s rr -p 300\n-a -u 192.0.2.100:514 -r 192.0.2.11 -g -w 0\n',
        ],
        invalid: [
          { text: `${tcp}${rs0}${rs1}`, lines: [2], severity: 'warning' },
          { text: sctp, lines: [2] },
          { text: fwmark, lines: [2] },
          { text: script, lines: [5] },
          { text: `${tcp}${rs0}-a -t 192.0.2.100:443 -r 192.0.2.13 -g -w 0\n`, lines: [2, 3] },
        ],
      });
      const text = `${tcp}${rs0}${rs1}`;
      const [d] = withCode(lint(text, R), 'persistence-quiescent');
      // On the weight value, as quiescent-udp-persistence reports it.
      assert.equal(text.split('\n')[d.range.start.line].slice(d.range.start.character, d.range.end.character), '0');
      assert.match(d.message, /192\.0\.2\.11.*weight 0.*persistent TCP service.*300 s.*expire_quiescent_template=1/);
      assert.match(withCode(lint(fwmark, R), 'persistence-quiescent')[0].message, /persistent fwmark 5 service/);
    });

    it('never reports what quiescent-udp-persistence reports', function () {
      const udp = '-A -u 192.0.2.100:514 -s rr -p 300\n-a -u 192.0.2.100:514 -r 192.0.2.11 -g -w 0\n';
      assert.equal(withCode(lint(udp, R), 'quiescent-udp-persistence').length, 1);
      assert.deepEqual(withCode(lint(udp, R), 'persistence-quiescent'), []);
      const both = `${udp}${tcp}${rs0}`;
      const lines = (code: string): number[] => withCode(lint(both, R), code).map((d) => d.range.start.line + 1);
      assert.deepEqual(lines('quiescent-udp-persistence'), [2]);
      assert.deepEqual(lines('persistence-quiescent'), [4]);
    });

    it('keepalived side unchanged: a weight 0 real server is not inhibit_on_failure', function () {
      const text = vs('192.0.2.100 443', ['protocol TCP', 'persistence_timeout 300'], [rs('192.0.2.11', 443, ['weight 0']), rs('192.0.2.12', 443)]);
      assert.deepEqual(withCode(lint(text, K), 'persistence-quiescent'), []);
    });
  });

  describe('(b) ops-requires-udp: keepalived checks ops on address services only', function () {
    it('no error for ops on a fwmark service (or a group of fwmarks) that says protocol TCP', function () {
      ruleCases('ops-requires-udp', K, {
        valid: [
          opsFwmarkTcp,
          opsFwmarkNoProto,
          opsFwmarkGroupTcp,
          opsAddressTcp.replace('protocol TCP', 'protocol UDP'),
          // keepalived: "Unknown protocol TCPX - ignoring", "no protocol set - defaulting to UDP".
          opsAddressTcp.replace('protocol TCP', 'protocol TCPX'),
          `$PROTO=TCP\n${opsAddressTcp.replace('protocol TCP', 'protocol $PROTO')}`,
        ],
        invalid: [
          { text: opsAddressTcp, lines: [lineOf(opsAddressTcp, 'ops')], severity: 'error' },
          { text: opsAddressSctp, lines: [lineOf(opsAddressSctp, 'ops')] },
          { text: opsAddressGroupTcp, lines: [lineOf(opsAddressGroupTcp, '    ops')] },
          // A group with an address entry as well: keepalived checks it.
          { text: opsMixedGroupTcp, lines: [lineOf(opsMixedGroupTcp, '    ops')] },
        ],
      });
      // The protocol line of a fwmark service is still fwmark-protocol's error.
      assert.equal(withCode(lint(opsFwmarkTcp), 'fwmark-protocol').length, 1);
      assert.match(withCode(lint(opsAddressGroupTcp), 'ops-requires-udp')[0].message, /"Virtual server \[GA\]:0: one packet scheduling requires UDP - resetting"/);
    });
  });

  describe('(c) virtual_server weight 0 is refused, as keepalived refuses it', function () {
    it('an error on the value, quoting keepalived; real_server weight 0 stays valid', function () {
      for (const w of ['0', '-1', '2147483648', '00']) {
        const text = vsWeight(w);
        const errs = withCode(lint(text), 'invalid-value');
        assert.deepEqual(errs.map((d) => d.range.start.line + 1), [lineOf(text, `weight ${w}`)], text);
        assert.equal(errs[0].severity, 'error');
        assert.match(errs[0].message, new RegExp(`Virtual server weight ${w} is outside range 1-2147483647`));
        const line = text.split('\n')[errs[0].range.start.line];
        assert.equal(line.slice(errs[0].range.start.character, errs[0].range.end.character), w);
      }
      const fwmark = vsWeight('0', 'fwmark 5', undefined);
      assert.deepEqual(withCode(lint(fwmark), 'invalid-value').map((d) => d.range.start.line + 1), [lineOf(fwmark, 'weight 0')]);
      for (const ok of [vsWeight('1'), vsWeight('2147483647'), vs('192.0.2.100 80', ['protocol TCP'], [rs('192.0.2.11', 80, ['weight 0']), rs('192.0.2.12', 80)])]) {
        assert.deepEqual(withCode(lint(ok), 'invalid-value'), [], ok);
      }
      // Other weights keep their own ranges (real_server 0-2147483647, vrrp_script -253..253).
      const script = 'vrrp_script chk {\n    script "/bin/true"\n    weight 0\n}\n';
      assert.deepEqual(withCode(lint(script), 'invalid-value'), []);
    });
  });

  describe('(d) quiescent-udp-persistence: a virtual_server inhibit_on_failure is reported once', function () {
    it('one diagnostic on the virtual_server line, whatever the number of real servers or group entries', function () {
      ruleCases('quiescent-udp-persistence', K, {
        valid: [udpVsInhibit.replace('    inhibit_on_failure\n', '')],
        invalid: [
          { text: udpVsInhibit, lines: [lineOf(udpVsInhibit, 'inhibit_on_failure')], severity: 'warning' },
          { text: udpVsInhibit.replace('virtual_server 192.0.2.100 514', 'virtual_server group SYSLOG').replace(/^/, udpGroup), lines: [lineOf(udpGroup + udpVsInhibit, 'inhibit_on_failure')] },
          { text: udpGroupRsInhibit, lines: [lineOf(udpGroupRsInhibit, 'inhibit_on_failure')] },
          // Each real server's own inhibit_on_failure is its own line.
          { text: udpTwoRsInhibit, lines: linesOf(udpTwoRsInhibit, 'inhibit_on_failure') },
        ],
      });
      const [d] = withCode(lint(udpVsInhibit), 'quiescent-udp-persistence');
      // Not about one real server: the statement covers all of them.
      assert.doesNotMatch(d.message, /192\.0\.2\.1[123]/);
      assert.match(d.message, /inhibit_on_failure.*persistent UDP service.*300 s.*expire_quiescent_template=1/);
      assert.match(withCode(lint(udpTwoRsInhibit), 'quiescent-udp-persistence')[1].message, /192\.0\.2\.12/);
      // With a single real server, the message names it.
      const single = udpVsInhibit.replace(/ {4}real_server 192\.0\.2\.1[23][\s\S]*?\n {4}}\n/g, '');
      assert.deepEqual(withCode(lint(single), 'quiescent-udp-persistence').map((x) => x.message.match(/keep going to (\S+) while/)?.[1]), ['192.0.2.11']);
    });
  });

  describe('(f) nopreempt-without-backup: a later preempt cancels nopreempt', function () {
    it('no finding when preempt follows nopreempt; still one when nopreempt comes last', function () {
      ruleCases('nopreempt-without-backup', K, {
        valid: [masterNopreemptPreempt, noStateNopreemptPreempt],
        invalid: [
          { text: masterPreemptNopreempt, lines: [lineOf(masterPreemptNopreempt, 'nopreempt')], severity: 'error' },
          { text: vrrp(['state MASTER', 'nopreempt', 'preempt', 'nopreempt']), lines: [5] },
          { text: vrrp(['preempt', 'nopreempt']), lines: [3], severity: 'info' },
        ],
      });
    });
  });
});

// --- the same keepalived cases through the installed keepalived -t ------------------

const KA_CASES: KeepalivedCase[] = [
  { name: 'ops on a fwmark service without protocol', text: opsFwmarkNoProto },
  { name: 'ops on a fwmark service with protocol TCP', text: opsFwmarkTcp, says: /protocol specified for fwmark/, not: /one packet scheduling/ },
  { name: 'ops on a fwmark group with protocol TCP', text: opsFwmarkGroupTcp, says: /protocol specified for fwmark/, not: /one packet scheduling/ },
  { name: 'ops on a TCP address service', text: opsAddressTcp, says: /Virtual server \[192\.0\.2\.100\]:tcp:80: one packet scheduling requires UDP - resetting/ },
  { name: 'ops on an address group with TCP', text: opsAddressGroupTcp, says: /Virtual server \[GA\]:0: one packet scheduling requires UDP - resetting/ },
  { name: 'ops on a mixed group with TCP', text: opsMixedGroupTcp, says: /Virtual server \[GM\]:0: one packet scheduling requires UDP - resetting/ },
  { name: 'virtual_server weight 0', text: vsWeight('0'), says: /Virtual server weight 0 is outside range 1-2147483647/ },
  { name: 'virtual_server weight -1', text: vsWeight('-1'), says: /Virtual server weight -1 is outside range 1-2147483647/ },
  { name: 'fwmark virtual_server weight 0', text: vsWeight('0', 'fwmark 5', undefined), says: /Virtual server weight 0 is outside range 1-2147483647/ },
  { name: 'valid: virtual_server weight 1', text: vsWeight('1') },
  { name: 'valid: real_server weight 0', text: vs('192.0.2.100 80', ['protocol TCP'], [rs('192.0.2.11', 80, ['weight 0']), rs('192.0.2.12', 80)]) },
  { name: 'valid: state MASTER, nopreempt then preempt', text: masterNopreemptPreempt },
  { name: 'valid: no state, nopreempt then preempt', text: noStateNopreemptPreempt },
  { name: 'state MASTER, preempt then nopreempt', text: masterPreemptNopreempt, says: /\(VI_1\) Warning - nopreempt will not work with initial state MASTER - clearing/ },
];

describe('lint follow-ups: the installed keepalived -t agrees', function () {
  this.timeout(120000);
  let ka: KeepalivedSandbox | undefined;
  before(function () {
    requireOrSkip(this, hasCommand('keepalived') && hasCommand('ip'), 'keepalived and iproute2');
    requireOrSkip(this, isRoot(), 'root (keepalived -t runs in a network namespace with an eth0)');
    ka = new KeepalivedSandbox('lvsfollow');
  });
  after(function () {
    ka?.dispose();
  });

  it('prints what our errors quote, and nothing where we report no error', function () {
    assertAgreesWithKeepalived(ka!, KA_CASES);
  });
});
