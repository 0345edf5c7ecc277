// Regressions from the ipvsadm lint audit (comparison with real ipvsadm 1.31 runs,
// ../shared/fixtures/lab/ipvsadm-errors): CRLF files, refused commands that must
// not change the table, rejections ipvsadm makes that we missed, the messages we
// quote from ipvsadm, files that are not text, and control bytes on the terminal.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/cli/main';
import { captureStdio } from '../../helpers/stdio';
import { buildClusterModel, type ConfigDiagnostic, lintText } from '../../../src/core/config';
import { hasSharedFixtures, labFixturesDir, requireOrSkip } from '../../helpers/env';
import { withCode } from './helpers';

const R = '/tmp/lvs-test/rules.ipvsadm';
const S = '/tmp/lvs-test/lvs-setup.sh';
const at = (d: ConfigDiagnostic[]): string[] => d.map((x) => `${x.range.start.line + 1}:${x.range.start.character + 1} ${x.severity} ${x.code}`);
const errors = (d: ConfigDiagnostic[]): ConfigDiagnostic[] => d.filter((x) => x.severity === 'error');
const fixtureDir = path.join(labFixturesDir, 'ipvsadm-errors');

interface Row {
  n: number;
  argv: string[];
  stderr: string;
  exit_code: number;
}

function fixtureRows(): Row[] {
  return fs.readFileSync(path.join(fixtureDir, 'ipvsadm-errors.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Row);
}

/** Renders an argv as one shell line (single quotes where needed). */
function shellLine(argv: string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./[\]-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(' ');
}

async function runCli(args: string[]): Promise<{ code: number; out: string }> {
  const { code, out } = await captureStdio(() => main(args));
  return { code, out };
}

describe('ipvsadm audit: CRLF line endings', function () {
  it('a CRLF ipvsadm-save file lints like the LF one', function () {
    const save = '-A -t 192.0.2.100:80 -s rr\n-a -t 192.0.2.100:80 -r 192.0.2.11:80 -g -w 1\n-a -t 192.0.2.100:80 -r 192.0.2.12:80 -m -w 1\n-A -u 192.0.2.100:53 -s wlc -p\n-a -u 192.0.2.100:53 -r 192.0.2.13:53 -g -w 2\n';
    const lf = lintText(save, R);
    const crlf = lintText(save.replace(/\n/g, '\r\n'), R);
    assert.deepEqual(at(crlf), at(lf));
    assert.deepEqual(errors(crlf), []);
    const m = buildClusterModel(save.replace(/\n/g, '\r\n'), R);
    assert.deepEqual(m.services.map((s) => [s.scheduler, s.persistenceSeconds, s.realServers.map((r) => r.weight)]), [['rr', 0, [1, 1]], ['wlc', 300, [2]]]);
  });

  it('a CRLF shell script with a backslash continuation and no final newline', function () {
    const script = '#!/bin/sh\r\nipvsadm -C\r\nipvsadm -A -t 192.0.2.100:80 -s wlc -p 300\r\nipvsadm -a -t 192.0.2.100:80 \\\r\n    -r 192.0.2.11:80 -g -w 1\r\nipvsadm -a -t 192.0.2.100:80 -r 192.0.2.12:80 -g\r';
    assert.deepEqual(at(lintText(script, S)), []);
    const m = buildClusterModel(script, S);
    assert.deepEqual(m.services[0].realServers.map((r) => `${r.address}:${r.port}/${r.weight}`), ['192.0.2.11:80/1', '192.0.2.12:80/1']);
  });

  it('the real ipvsadm-save -n output, converted to CRLF, still lints clean', function () {
    requireOrSkip(this, hasSharedFixtures(), '../shared/fixtures');
    const text = fs.readFileSync(path.join(fixtureDir, 'director', 'ipvsadm-save-n.txt'), 'utf8');
    assert.deepEqual(errors(lintText(text.replace(/\n/g, '\r\n'), '/tmp/crlf-save.ipvsadm')), []);
  });
});

describe('ipvsadm audit: a refused command changes nothing', function () {
  it('a corrected -A after a refused -A of the same service is not a duplicate', function () {
    const text = '-A -t 192.0.2.100:82 -s roundrobin\n-A -t 192.0.2.100:82 -s rr\n-a -t 192.0.2.100:82 -r 192.0.2.14:82 -g\n';
    assert.deepEqual(at(lintText(text, R)), ['1:25 error unknown-scheduler']);
    // zero port without -p is refused; the persistent -A that follows is accepted
    assert.deepEqual(at(errors(lintText('-A -t 192.0.2.100:0 -s rr\n-A -t 192.0.2.100:0 -s rr -p 60\n-a -t 192.0.2.100:0 -r 192.0.2.16 -g\n', R))), ['1:7 error ipvsadm-invalid-value']);
  });

  it('later lines about a refused -A are not all reported again (one mistake, one error)', function () {
    const text = '-A -t 192.0.2.1:80 -s wrrr\n-a -t 192.0.2.1:80 -r 10.0.0.1:80 -m\n-e -t 192.0.2.1:80 -r 10.0.0.1:80 -m -w 2\n-E -t 192.0.2.1:80 -s rr\n-D -t 192.0.2.1:80\n';
    assert.deepEqual(at(lintText(text, R)), ['1:23 error unknown-scheduler']);
  });

  it('a refused -A of a service that exists leaves the existing one in place (and is still a duplicate)', function () {
    const text = '-A -t 192.0.2.1:80 -s rr\n-A -t 192.0.2.1:80 -s wrrr\n-a -t 192.0.2.1:80 -r 10.0.0.1:80 -m\n';
    // checked against the table all the same: fixing the typo alone would still give "Service already exists"
    assert.deepEqual(at(lintText(text, R)), ['2:7 error ipvsadm-duplicate-service', '2:23 error unknown-scheduler']);
    assert.equal(buildClusterModel(text, R).services[0].scheduler, 'rr');
  });

  it('refused -a, -e, -D and -E do not change the table', function () {
    // refused -a (negative weight): the corrected -a is not a duplicate
    assert.deepEqual(at(errors(lintText('-A -t 192.0.2.1:80 -s rr\n-a -t 192.0.2.1:80 -r 10.0.0.1:80 -m -w -1\n-a -t 192.0.2.1:80 -r 10.0.0.1:80 -m -w 1\n', R))), ['2:41 error ipvsadm-invalid-value']);
    // refused -D (an option -D does not take): the service is still there
    const d = '-A -t 192.0.2.1:80 -s rr\n-D -t 192.0.2.1:80 -s rr\n-a -t 192.0.2.1:80 -r 10.0.0.1:80 -m\n';
    assert.deepEqual(at(errors(lintText(d, R))), ['2:20 error ipvsadm-invalid-option']);
    assert.equal(buildClusterModel(d, R).services.length, 1);
    // refused -E keeps the old scheduler; refused -e keeps the old weight
    const e = '-A -t 192.0.2.1:80 -s rr\n-a -t 192.0.2.1:80 -r 10.0.0.1:80 -m -w 3\n-E -t 192.0.2.1:80 -s wrrr\n-e -t 192.0.2.1:80 -r 10.0.0.1:80 -m -w x\n';
    const m = buildClusterModel(e, R);
    assert.equal(m.services[0].scheduler, 'rr');
    assert.equal(m.services[0].realServers[0].weight, 3);
  });

  it('the model holds only what ipvsadm would have: no service for a refused -A or an -E of a missing one', function () {
    const text = '-A -t 192.0.2.100:81 -s roundrobin\n-A -t 192.0.2.100 -s rr\n-A -t 192.0.2.100:83 -s rr -p abc\n-E -t 192.0.2.200:80 -s wlc\n-A -t 192.0.2.100:85 -s rr -b sh-port\n';
    assert.deepEqual(buildClusterModel(text, R).services, []);
    assert.deepEqual(withCode(lintText(text, R), 'no-real-servers'), []);
  });

  it('the fixture sequence: no-real-servers only for services ipvsadm really created without real servers', function () {
    requireOrSkip(this, hasSharedFixtures(), '../shared/fixtures');
    const rows = fixtureRows().filter((r) => r.argv[0] === 'ipvsadm');
    const text = rows.map((r) => shellLine(r.argv)).join('\n') + '\n';
    const warned = withCode(lintText(text, '/tmp/ipvsadm-errors.sh'), 'no-real-servers').map((d) => rows[d.range.start.line].n);
    // 21 (:84, accepted, no real server: it is in the final table); 16 resolves a host name we cannot check
    assert.deepEqual(warned, [16, 21]);
    const final = buildClusterModel(text, '/tmp/ipvsadm-errors.sh').services.filter((s) => s.vip !== 'vip.example.invalid');
    assert.deepEqual(final.map((s) => `${s.vip}:${s.port} ${s.realServers.map((r) => `${r.address}:${r.port}`).join(',')}`), ['192.0.2.100:80 192.0.2.11:80,192.0.2.12:8080,192.0.2.13:80', '192.0.2.100:84 ']);
  });
});

describe('ipvsadm audit: rejections ipvsadm makes before calling the kernel', function () {
  it('-o on a TCP service: "One-Packet Scheduling is only for UDP virtual services"', function () {
    const d = errors(lintText('-A -t 192.0.2.100:53 -s rr -o\n', R));
    assert.deepEqual(at(d), ['1:28 error ipvsadm-invalid-option']);
    assert.match(d[0].message, /One-Packet Scheduling is only for UDP virtual services/);
    assert.deepEqual(at(errors(lintText('-A -t 192.0.2.100:53 -s rr\n-E -t 192.0.2.100:53 -s rr --ops\n', R))), ['2:28 error ipvsadm-invalid-option']);
    // UDP and fwmark services may use it (ipvsadm skips the check for fwmark)
    assert.deepEqual(errors(lintText('-A -u 192.0.2.100:53 -s rr -o\n-A -f 7 -s rr -o\n', R)), []);
  });

  it('tunnel options with -g, -m or no method: "Tunnel options conflict with forward method"', function () {
    const svc = '-A -t 192.0.2.100:80 -s rr\n';
    const d = errors(lintText(`${svc}-a -t 192.0.2.100:80 -r 192.0.2.11:80 -g --tun-type gue --tun-port 6080\n-a -t 192.0.2.100:80 -r 192.0.2.12:80 -m --tun-nocsum\n-a -t 192.0.2.100:80 -r 192.0.2.13:80 --tun-csum\n-e -t 192.0.2.100:80 -r 192.0.2.14:80 -w 2 --tun-remcsum\n`, R));
    assert.deepEqual(at(d).filter((x) => !x.includes('undefined')), ['2:42 error ipvsadm-invalid-option', '3:42 error ipvsadm-invalid-option', '4:39 error ipvsadm-invalid-option', '5:44 error ipvsadm-invalid-option']);
    for (const x of d.filter((y) => y.code === 'ipvsadm-invalid-option')) assert.match(x.message, /Tunnel options conflict with forward method/);
    // the refused real servers are not in the model: no mixed-methods warning either
    assert.deepEqual(withCode(lintText(`${svc}-a -t 192.0.2.100:80 -r 192.0.2.11:80 -g\n-a -t 192.0.2.100:80 -r 192.0.2.12:80 -m --tun-nocsum\n`, R), 'mixed-forwarding-methods'), []);
  });

  it('tunnel options that the tunnel type does not take', function () {
    const svc = '-A -t 192.0.2.100:80 -s rr\n';
    assert.deepEqual(errors(lintText(`${svc}-a -t 192.0.2.100:80 -r 192.0.2.11 -i --tun-type gue --tun-port 6080 --tun-csum\n-a -t 192.0.2.100:80 -r 192.0.2.12 -i --tun-type gre --tun-nocsum\n-a -t 192.0.2.100:80 -r 192.0.2.13 -i\n`, R)), []);
    const d = errors(lintText(`${svc}-a -t 192.0.2.100:80 -r 192.0.2.11 -i --tun-port 6080\n-a -t 192.0.2.100:80 -r 192.0.2.12 -i --tun-type gre --tun-remcsum\n-a -t 192.0.2.100:80 -r 192.0.2.13 -i --tun-type gue --tun-port 6080 --tun-csum --tun-nocsum\n`, R));
    assert.deepEqual(d.map((x) => `${x.range.start.line + 1} ${x.message.replace(/\).*/, ')')}`), [
      `2 illegal '--tun-port' option with the ipip tunnel type (ipvsadm: "Illegal 'tun-port' option with the 'ipip' tunnel type")`,
      `3 illegal '--tun-remcsum' option with the gre tunnel type (ipvsadm: "Illegal 'tun-remcsum' option with the 'gre' tunnel type")`,
      `4 --tun-csum conflicts with --tun-nocsum (ipvsadm: "The option 'tun-csum' conflicts with the 'tun-nocsum' option in the 'gue' tunnel type")`,
    ]);
  });
});

describe('ipvsadm audit: -p value', function () {
  it("-p abc: ipvsadm's invalid timeout value, on the value", function () {
    const d = errors(lintText('-A -t 192.0.2.100:83 -s rr -p abc\n', R));
    assert.deepEqual(at(d), ['1:31 error ipvsadm-invalid-value']);
    assert.match(d[0].message, /invalid timeout value `abc' specified/);
    assert.doesNotMatch(d[0].message, /unexpected argument/);
  });
  it('-p takes 1 to 2678400 seconds, or nothing (300)', function () {
    assert.deepEqual(at(errors(lintText('-A -t 192.0.2.1:80 -s rr -p 0\n-A -t 192.0.2.1:81 -s rr -p 2678401\n', R))), ['1:29 error ipvsadm-invalid-value', '2:29 error ipvsadm-invalid-value']);
    const ok = '-A -t 192.0.2.1:80 -s rr -p 2678400\n-A -t 192.0.2.1:81 -s rr -p -M 255.255.255.0\n-A -t 192.0.2.1:82 -p\n-A -t 192.0.2.1:83 --persistent 60 -s rr\n-A -t 192.0.2.1:84 -s rr --persistent=30\n';
    assert.deepEqual(errors(lintText(ok, R)), []);
    assert.deepEqual(buildClusterModel(ok, R).services.map((s) => s.persistenceSeconds), [2678400, 300, 300, 60, 30]);
  });
});

describe('ipvsadm audit: the message real ipvsadm gives', function () {
  it('-D/-E of a missing service: "No such service"; -a/-e/-d: "Service not defined"', function () {
    const text = '-A -t 192.0.2.10:80 -s rr\n-D -t 192.0.2.200:80\n-E -t 192.0.2.200:80 -s wlc\n-a -t 192.0.2.200:80 -r 10.0.0.1:80 -m\n-e -t 192.0.2.200:80 -r 10.0.0.1:80 -m\n-d -t 192.0.2.200:80 -r 10.0.0.1:80\n';
    const d = withCode(lintText(text, R), 'ipvsadm-undefined-service');
    assert.deepEqual(d.map((x) => `${x.range.start.line + 1} ${/ipvsadm: "([^"]+)"/.exec(x.message)?.[1]}`), ['2 No such service', '3 No such service', '4 Service not defined', '5 Service not defined', '6 Service not defined']);
  });

  it('every kernel-side rejection of the fixture quotes the stderr of real ipvsadm', function () {
    requireOrSkip(this, hasSharedFixtures(), '../shared/fixtures');
    const rows = fixtureRows().filter((r) => r.argv[0] === 'ipvsadm');
    // A fresh namespace: the table starts empty, as after `ipvsadm -C` (line 1; row i is line i + 1).
    const text = ['ipvsadm -C', ...rows.map((r) => shellLine(r.argv))].join('\n') + '\n';
    const diags = errors(lintText(text, '/tmp/ipvsadm-errors.sh'));
    // 03/04: the kernel's "Scheduler or persistence engine not found" is said as "unknown scheduler"
    const quoted = rows.filter((r) => r.exit_code === 255 && /^(Service|Destination|No such (service|destination))/.test(r.stderr));
    assert.deepEqual(quoted.map((r) => r.n), [2, 5, 7, 9, 10, 11, 12, 27]);
    for (const r of quoted) {
      const mine = diags.filter((d) => d.range.start.line === rows.indexOf(r) + 1);
      assert.ok(mine.some((d) => d.message.includes(`(ipvsadm: "${r.stderr}")`)), `#${r.n} ${r.stderr}: ${mine.map((d) => d.message).join(' | ')}`);
    }
    const p = rows.find((r) => r.n === 20) as Row;
    assert.ok(diags.some((d) => d.range.start.line === rows.indexOf(p) + 1 && d.message.includes(p.stderr)), `#20 ${p.stderr}`);
  });
});

describe('ipvsadm audit: files that are not text, control bytes', function () {
  function randomBytes(n: number, seed: number): Buffer {
    const b = Buffer.alloc(n);
    let x = seed;
    for (let i = 0; i < n; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      b[i] = x >>> 24;
    }
    return b;
  }

  it('20 KB of random bytes named *.ipvsadm: one diagnostic saying it is not an ipvsadm rules file', function () {
    const text = randomBytes(20000, 7).toString('utf8');
    const d = lintText(text, R);
    assert.deepEqual(at(d), ['1:1 error ipvsadm-not-text']);
    assert.match(d[0].message, /not an ipvsadm rules file/);
    assert.deepEqual(buildClusterModel(text, R).services, []);
    // random bytes with a valid-looking line among them are still not a rules file
    assert.deepEqual(at(lintText(`-A -t 192.0.2.1:80 -s rr\n${randomBytes(2000, 3).toString('latin1')}\n`, R)), ['1:1 error ipvsadm-not-text']);
    // a NUL byte is enough
    assert.deepEqual(at(lintText('-A -t 192.0.2.1:80 -s rr\n\0\n', R)), ['1:1 error ipvsadm-not-text']);
  });

  it('a text file with a stray control byte is still linted, and messages show the byte escaped', function () {
    const d = lintText('# rules \x1b[1mbold\x1b[0m\n-A -t 192.0.2.1:80 -s rr\x1b[31m\n', R);
    assert.deepEqual(at(d).filter((x) => x.includes('error')), ['2:23 error unknown-scheduler']);
    // eslint-disable-next-line no-control-regex
    assert.ok(!/[\x00-\x1f\x7f]/.test(d.map((x) => x.message).join('')), d[0].message);
    assert.match(d.find((x) => x.code === 'unknown-scheduler')?.message ?? '', /'rr\\x1b\[31m'/);
  });

  it('the CLI never prints raw control bytes from a file', async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-lint-ctl-'));
    try {
      const ka = path.join(dir, 'ctl.keepalived.conf');
      fs.writeFileSync(ka, '\0\x01\x1b[31mvirtual_server 1.2.3.4 80 {\n}\n');
      const text = await runCli(['lint', ka]);
      assert.equal(text.code, 1);
      // eslint-disable-next-line no-control-regex
      assert.ok(!/[\x00-\x08\x0b-\x1f\x7f-\x9f]/.test(text.out), JSON.stringify(text.out));
      assert.match(text.out, /\\x00\\x01\\x1b\[31mvirtual_server/);
      const json = await runCli(['lint', '--json', ka]);
      // eslint-disable-next-line no-control-regex
      assert.ok(!/[\x00-\x08\x0b-\x1f\x7f-\x9f]/.test(json.out), JSON.stringify(json.out));
      const rows = JSON.parse(json.out) as Array<{ message: string }>;
      assert.ok(rows.some((r) => r.message.includes('\0\x01\x1b[31mvirtual_server')), 'JSON keeps the exact text, escaped by JSON');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
