// Our diagnostics against real `keepalived -t` (2.2.7): the recorded corpus in
// ../shared/fixtures/lab/keepalived-config-test, the same files run through the
// installed keepalived, and mutants of valid configs generated here. Every config
// keepalived rejects gets an error from us at a line it names; configs it accepts
// get no syntax error from us.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type ConfigDiagnostic, lintText } from '../../../src/core/config';
import { hasCommand, hasSharedFixtures, isRoot, labFixturesDir, repoRoot, requireOrSkip } from '../../helpers/env';
import { KeepalivedSandbox } from './keepalivedSandbox';

const SYNTAX = new Set(['unknown-keyword', 'keyword-not-allowed', 'invalid-value', 'missing-value', 'missing-brace', 'extra-brace', 'unexpected-brace', 'missing-open-brace', 'unmatched-quote', 'line-too-long']);
const corpusDir = path.join(labFixturesDir, 'keepalived-config-test', 'guest');

function compare(name: string, stderr: string, rc: number, ours: ConfigDiagnostic[]): void {
  const lines = [...stderr.matchAll(/\((?:[^)]*: )?Line (\d+)\)/g)].map((m) => Number(m[1]));
  const errors = ours.filter((d) => d.severity === 'error');
  const show = `${name}\nkeepalived (rc ${rc}):\n${stderr}\nours:\n${ours.map((d) => `${d.range.start.line + 1}: ${d.severity} ${d.code} ${d.message}`).join('\n')}`;
  if (rc === 0) {
    assert.deepEqual(ours.filter((d) => d.severity === 'error' && SYNTAX.has(d.code)), [], `keepalived accepts, we report syntax errors: ${show}`);
    return;
  }
  if (lines.length > 0) assert.ok(errors.some((e) => lines.includes(e.range.start.line + 1)), `no error of ours at keepalived's lines ${lines.join(',')}: ${show}`);
  else assert.ok(errors.length > 0, `keepalived rejects, we report no error: ${show}`);
}

describe('keepalived -t agreement: recorded corpus', function () {
  before(function () {
    requireOrSkip(this, hasSharedFixtures(), '../shared/fixtures');
  });
  it('matches every recorded keepalived -t result', function () {
    const files = fs.readdirSync(corpusDir).filter((f) => f.endsWith('.conf'));
    assert.ok(files.length >= 10);
    for (const f of files) {
      const base = path.join(corpusDir, f.replace(/\.conf$/, ''));
      compare(f, fs.readFileSync(`${base}.stderr`, 'utf8'), Number(fs.readFileSync(`${base}.rc`, 'utf8').trim()), lintText(fs.readFileSync(path.join(corpusDir, f), 'utf8'), path.join(corpusDir, f), 'keepalived'));
    }
  });
  it('finds no syntax error in the keepalived.conf files of the other lab scenarios', function () {
    for (const f of ['keepalived-vrrp/dir1/keepalived.conf', 'keepalived-vrrp/dir2/keepalived.conf', 'keepalived-healthcheck/director/keepalived.conf']) {
      const file = path.join(labFixturesDir, f);
      assert.deepEqual(lintText(fs.readFileSync(file, 'utf8'), file).filter((d) => d.severity === 'error'), [], f);
    }
  });
});

/** Mutations of valid configs: each is a realistic mistake (or a valid variant). */
function mutants(valid: string): Array<[string, string]> {
  return [
    ['unknown keyword', valid.replace('lb_algo', 'lb_algorithm')],
    ['unknown checker keyword', valid.replace('connect_timeout', 'conect_timeout')],
    ['missing closing brace', valid.replace(/(connect_timeout \d+\n\s*}\n)\s*}\n/, '$1')],
    ['extra closing brace', `${valid}}\n`],
    ['bad lb_kind', valid.replace(/lb_kind \w+/, 'lb_kind DSR')],
    ['bad lb_algo', valid.replace(/lb_algo \w+/, 'lb_algo roundrobin')],
    ['bad protocol', valid.replace(/protocol \w+/, 'protocol TCPUDP')],
    ['bad real server address', valid.replace(/real_server (\d+\.\d+\.\d+)\.\d+/, 'real_server $1.300')],
    ['keyword in the wrong block', valid.replace(/(real_server [^\n]*\{\n)/, '$1        lb_algo rr\n')],
    ['valid: persistence and quorum', valid.replace(/(lb_algo \w+\n)/, '$1    persistence_timeout 300\n    quorum 1\n    ha_suspend\n')],
    ['valid: comments and quoted router id', valid.replace(/router_id (\S+)/, 'router_id "$1" # name\n    ! another comment')],
    ['valid: inhibit_on_failure and weight', valid.replace(/weight 1/, 'weight 5\n        inhibit_on_failure')],
    ['lower-case lb_kind', valid.replace(/lb_kind (\w+)/, (_m, k: string) => `lb_kind ${k.toLowerCase()}`)],
    ['upper-case lb_algo', valid.replace(/lb_algo (\w+)/, (_m, k: string) => `lb_algo ${k.toUpperCase()}`)],
    ['valid: lower-case protocol', valid.replace(/protocol TCP/, 'protocol tcp')],
    ['no protocol', valid.replace(/\n\s*protocol \w+/, '')],
    ['no lb_algo', valid.replace(/\n\s*lb_algo \w+/, '')],
    ['no lb_kind', valid.replace(/\n\s*lb_kind \w+/, '')],
    ['ops on TCP', valid.replace(/(protocol TCP\n)/, '$1    ops\n')],
    ['sh-port without sh', valid.replace(/(protocol TCP\n)/, '$1    sh-port\n')],
    ['persistence_timeout 0', valid.replace(/(protocol TCP\n)/, '$1    persistence_timeout 0\n')],
    ['delay_loop 0', valid.replace(/delay_loop \d+/, 'delay_loop 0')],
    ['valid: non-contiguous granularity', valid.replace(/(protocol TCP\n)/, '$1    persistence_timeout 60\n    persistence_granularity 255.255.0.255\n')],
  ];
}

function vrrpMutants(valid: string): Array<[string, string]> {
  return [
    ['vrid out of range', valid.replace(/virtual_router_id \d+/, 'virtual_router_id 256')],
    ['priority out of range', valid.replace(/priority \d+/, 'priority 300')],
    ['bad VIP', valid.replace(/192\.0\.2\.100\/24/, '192.0.2.300/24')],
    ['auth_pass too long', valid.replace(/auth_pass \S+/, 'auth_pass ThisPasswordIsTooLong')],
    ['bad state', valid.replace('state MASTER', 'state PRIMARY')],
    ['lower-case state', valid.replace('state MASTER', 'state master')],
    ['advert_int 0', valid.replace(/advert_int \d+/, 'advert_int 0')],
    ['valid: nopreempt with BACKUP', valid.replace('state MASTER', 'state BACKUP\n    nopreempt')],
    ['valid: nopreempt without state', valid.replace('state MASTER', 'nopreempt')],
    ['nopreempt with MASTER', valid.replace('state MASTER', 'state MASTER\n    nopreempt')],
    ['virtual_router_id missing', valid.replace(/\n\s*virtual_router_id \d+/, '')],
    ['virtual_router_id reused', valid.replace(/(vrrp_instance [\s\S]*?\n}\n)/, (m: string) => `${m}${m.replace('VI_WEB', 'VI_OTHER').replace('192.0.2.100/24', '192.0.2.200/24')}`)],
    ['no real servers', valid.replace(/\n {4}real_server[\s\S]*\n {4}}\n/, '\n')],
    ['all weights 0', valid.replace(/weight 1/g, 'weight 0')],
    ['valid: UDP service with TCP_CHECK (we warn, keepalived accepts)', valid.replace('protocol TCP', 'protocol UDP')],
  ];
}

describe('keepalived -t agreement: the installed keepalived', function () {
  this.timeout(120000);
  let ka: KeepalivedSandbox | undefined;
  before(function () {
    requireOrSkip(this, hasCommand('keepalived') && hasCommand('ip'), 'keepalived and iproute2');
    requireOrSkip(this, isRoot(), 'root (keepalived -t runs in a network namespace with an eth0)');
    requireOrSkip(this, hasSharedFixtures(), '../shared/fixtures');
    ka = new KeepalivedSandbox('lvslint');
  });
  after(function () {
    ka?.dispose();
  });

  function runKeepalived(file: string): { rc: number; stderr: string } {
    return ka!.test(file);
  }

  function check(name: string, text: string): void {
    const file = path.join(ka!.dir, `${name.replace(/\W+/g, '-')}.conf`);
    fs.writeFileSync(file, text);
    const { rc, stderr } = runKeepalived(file);
    compare(name, stderr, rc, lintText(text, file, 'keepalived'));
  }

  it('agrees on every corpus file', function () {
    for (const f of fs.readdirSync(corpusDir).filter((x) => x.endsWith('.conf'))) check(f, fs.readFileSync(path.join(corpusDir, f), 'utf8'));
  });

  it('agrees on the keepalived.conf files of the lab scenarios and of samples/', function () {
    const files = ['keepalived-vrrp/dir1/keepalived.conf', 'keepalived-vrrp/dir2/keepalived.conf', 'keepalived-healthcheck/director/keepalived.conf'].map((f) => path.join(labFixturesDir, f));
    const samples = path.join(repoRoot, 'samples');
    if (fs.existsSync(samples)) {
      for (const d of fs.readdirSync(samples)) {
        const f = path.join(samples, d, 'keepalived.conf');
        if (fs.existsSync(f)) files.push(f);
      }
    }
    for (const f of files) check(path.relative(repoRoot, f), fs.readFileSync(f, 'utf8'));
  });

  it('agrees on hand-written lexical edge cases', function () {
    const vs = (body: string): string => `virtual_server 192.0.2.1 80 {\n    lb_algo rr\n    lb_kind DR\n    protocol TCP\n${body}}\n`;
    const rs = '    real_server 192.0.2.2 80 { weight 1 }\n';
    check('one-line blocks', `global_defs { router_id a }\n${vs(rs)}`);
    check('brace on the next line', `global_defs\n{\n    router_id a\n}\n${vs(rs)}`);
    check('comments everywhere', `! top\nglobal_defs { # x\n    router_id a ! y\n}\n${vs(rs)}`);
    check('parameters', `$RS=192.0.2.2\n${vs('    real_server $RS 80 {\n        weight 1\n    }\n')}`);
    check('conditional lines', `@nothere global_defs {\n@nothere }\n${vs(rs)}`);
    check('unknown keyword at top level', `global_defs { router_id a }\nvirtual_servr 192.0.2.1 80 {\n}\n${vs(rs)}`);
    check('quoted script with spaces', `vrrp_script chk {\n    script "/bin/sh -c 'exit 0'"\n    interval 2\n}\n${vs(rs)}`);
  });

  it('agrees on generated mutants of valid configs', function () {
    const valid = ['01-valid-dr-tcp-check.conf', '02-valid-nat-http-get.conf'].map((f) => fs.readFileSync(path.join(corpusDir, f), 'utf8'));
    let n = 0;
    for (const v of valid) for (const [name, text] of mutants(v)) {
      if (text === v) continue;
      check(`${n++}-${name}`, text);
    }
    for (const [name, text] of vrrpMutants(valid[0])) check(`${n++}-${name}`, text);
    assert.ok(n >= 45, `only ${n} mutants generated`);
  });
});
