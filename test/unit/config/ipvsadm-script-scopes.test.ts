// Follow-ups of the shell-script treatment: duplicates are looked for only among
// commands that can run in one sequence (not across exclusive case branches or
// separate functions), and every ipvsadm command of a line is parsed.
import * as assert from 'node:assert/strict';
import { type ConfigDiagnostic, lintText } from '../../../src/core/config';
import { parseIpvsadm } from '../../../src/core/config/ipvsadm/parser';
import { withCode } from './helpers';

const S = '/tmp/lvs-test/lvs-setup.sh';
const lines = (d: ConfigDiagnostic[]): number[] => d.map((x) => x.range.start.line + 1);

describe('ipvsadm scripts: duplicates only within one sequence', function () {
  it('the same -A in two case branches (one line each) is not a duplicate', function () {
    const script = '#!/bin/sh\ncase "$1" in\n  start) ipvsadm -A -t 192.0.2.10:80 -s rr ;;\n  restart) ipvsadm -A -t 192.0.2.10:80 -s rr ;;\nesac\n';
    assert.deepEqual(withCode(lintText(script, S), 'ipvsadm-duplicate-service'), []);
  });

  it('the same -A and -a in two multi-line case branches', function () {
    const script = [
      '#!/bin/sh',
      'case "$1" in',
      '  start)',
      '    ipvsadm -A -t 192.0.2.10:80 -s rr',
      '    ipvsadm -a -t 192.0.2.10:80 -r 10.0.0.11 -g',
      '    ;;',
      '  restart)',
      '    ipvsadm -A -t 192.0.2.10:80 -s rr',
      '    ipvsadm -a -t 192.0.2.10:80 -r 10.0.0.11 -g',
      '    ;;',
      'esac',
    ].join('\n');
    const d = lintText(script, S);
    assert.deepEqual(withCode(d, 'ipvsadm-duplicate-service'), []);
    assert.deepEqual(withCode(d, 'duplicate-real-server'), []);
  });

  it('two functions each adding the service are not duplicates', function () {
    const script = [
      '#!/bin/sh',
      'start() {',
      '  ipvsadm -A -t 192.0.2.10:80 -s rr',
      '  ipvsadm -a -t 192.0.2.10:80 -r 10.0.0.11 -g',
      '}',
      'function restart {',
      '  ipvsadm -A -t 192.0.2.10:80 -s rr',
      '  ipvsadm -a -t 192.0.2.10:80 -r 10.0.0.11 -g',
      '}',
      'start',
    ].join('\n');
    const d = lintText(script, S);
    assert.deepEqual(withCode(d, 'ipvsadm-duplicate-service'), []);
    assert.deepEqual(withCode(d, 'duplicate-real-server'), []);
  });

  it('within one branch, one function or at the top level a duplicate is still reported', function () {
    const inBranch = 'case "$1" in\n  start)\n    ipvsadm -A -t 192.0.2.10:80 -s rr\n    ipvsadm -A -t 192.0.2.10:80 -s rr\n    ;;\nesac\n';
    assert.deepEqual(lines(withCode(lintText(inBranch, S), 'ipvsadm-duplicate-service')), [4]);
    const inFn = 'start() {\n  ipvsadm -A -t 192.0.2.10:80 -s rr\n  ipvsadm -a -t 192.0.2.10:80 -r 10.0.0.11 -g\n  ipvsadm -a -t 192.0.2.10:80 -r 10.0.0.11 -g\n  ipvsadm -A -t 192.0.2.10:80 -s rr\n}\n';
    const d = lintText(inFn, S);
    assert.deepEqual(lines(withCode(d, 'ipvsadm-duplicate-service')), [5]);
    assert.deepEqual(lines(withCode(d, 'duplicate-real-server')), [4]);
    const top = 'ipvsadm -A -t 192.0.2.10:80 -s rr\nipvsadm -A -t 192.0.2.10:80 -s wlc\n';
    assert.deepEqual(lines(withCode(lintText(top, S), 'ipvsadm-duplicate-service')), [2]);
  });

  it('a branch running after the top level (same sequence) still sees the top-level -A', function () {
    const script = 'ipvsadm -A -t 192.0.2.10:80 -s rr\ncase "$1" in\n  start) ipvsadm -A -t 192.0.2.10:80 -s rr ;;\nesac\n';
    assert.deepEqual(lines(withCode(lintText(script, S), 'ipvsadm-duplicate-service')), [3]);
  });
});

describe('ipvsadm scripts: every ipvsadm command of a line', function () {
  it('`a && b`, `a; b`, `a || b`, `a | b`: each command parsed, with its own range', function () {
    const text = 'ipvsadm -A -t 192.0.2.10:80 -s rr && ipvsadm -a -t 192.0.2.10:80 -r 10.0.0.11 -g; ipvsadm -a -t 192.0.2.10:80 -r 10.0.0.12 -g || ipvsadm -L -n | ipvsadm -a -t 192.0.2.10:80 -r 10.0.0.13 -g\n';
    const p = parseIpvsadm(text, S, []);
    assert.deepEqual(
      p.commands.map((c) => [c.op, c.dest?.host, text.slice(c.range.start.character, c.range.end.character)]),
      [
        ['add-service', undefined, '-A -t 192.0.2.10:80 -s rr'],
        ['add-dest', '10.0.0.11', '-a -t 192.0.2.10:80 -r 10.0.0.11 -g'],
        ['add-dest', '10.0.0.12', '-a -t 192.0.2.10:80 -r 10.0.0.12 -g'],
        ['other', undefined, '-L -n'],
        ['add-dest', '10.0.0.13', '-a -t 192.0.2.10:80 -r 10.0.0.13 -g'],
      ],
    );
    assert.equal(p.commands[1].shell?.conditional, true);
    assert.equal(p.commands[0].shell?.conditional, false);
  });

  it('the second command of a line is checked: an error on it has its own range', function () {
    const text = 'ipvsadm -A -t 192.0.2.10:80 -s rr && ipvsadm -a -t 192.0.2.10:80 -r 10.0.0.11 -g -w abc\n';
    const d = withCode(lintText(text, S), 'ipvsadm-invalid-value');
    assert.deepEqual(d.map((x) => text.slice(x.range.start.character, x.range.end.character)), ['abc']);
  });

  it('separators inside quotes and `2>&1` do not start a command; a duplicate on the same line is found', function () {
    const quoted = 'echo "done; ipvsadm -A -t 192.0.2.10:80 -s rr" > /dev/null; ipvsadm -A -t 192.0.2.10:80 -s rr 2>&1 | logger\n';
    const p = parseIpvsadm(quoted, S, []);
    assert.equal(p.commands.filter((c) => c.op === 'add-service').length <= 2, true);
    const dup = 'ipvsadm -A -t 192.0.2.10:80 -s rr; ipvsadm -A -t 192.0.2.10:80 -s wlc\n';
    const d = withCode(lintText(dup, S), 'ipvsadm-duplicate-service');
    assert.equal(d.length, 1);
    assert.equal(dup.slice(d[0].range.start.character, d[0].range.end.character), '192.0.2.10:80');
    assert.ok(d[0].range.start.character > dup.indexOf(';'));
  });
});

describe('ipvsadm scripts: a continued line after a separator', function () {
  it('`ipvsadm -A ...; ipvsadm -a ... \\` continues the second command, not the first', function () {
    const text = 'ipvsadm -A -t 192.0.2.10:80 -s rr; ipvsadm -a -t 192.0.2.10:80 \\\n    -r 10.0.0.11 -g\n';
    const p = parseIpvsadm(text, S, []);
    assert.deepEqual(p.commands.map((c) => [c.op, c.dest?.host, c.range.end.line]), [['add-service', undefined, 0], ['add-dest', '10.0.0.11', 1]]);
    assert.deepEqual(lintText(text, S).filter((d) => d.severity === 'error'), []);
  });
});
