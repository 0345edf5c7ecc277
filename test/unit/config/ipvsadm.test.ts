import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildClusterModel, type ConfigDiagnostic, lintText } from '../../../src/core/config';
import { parseIpvsadm } from '../../../src/core/config/ipvsadm/parser';
import { hasSharedFixtures, labFixturesDir, requireOrSkip } from '../../helpers/env';
import { ruleCases, withCode } from './helpers';

const R = '/tmp/lvs-test/rules.ipvsadm';
const S = '/tmp/lvs-test/lvs-setup.sh';
const at = (d: ConfigDiagnostic[]): string[] => d.map((x) => `${x.range.start.line + 1}:${x.range.start.character + 1} ${x.severity} ${x.code}`);

describe('ipvsadm rules parser', function () {
  it('reads ipvsadm-save output into services and real servers', function () {
    const text = '-A -t 192.0.2.10:80 -s wlc -p 300 -M 255.255.255.0\n-a -t 192.0.2.10:80 -r 10.0.0.11:80 -m -w 1\n-a -t 192.0.2.10:80 -r 10.0.0.12:80 -m -w 3\n-A -f 100 -6 -s rr\n-a -f 100 -6 -r [2001:db8::21] -g\n-A -u [2001:db8::10]:53 -s sh -b sh-port,sh-fallback\n-a -u [2001:db8::10]:53 -r [2001:db8::11]:53 -g -w 1\n';
    assert.deepEqual(lintText(text, R), []);
    const m = buildClusterModel(text, R);
    assert.equal(m.services.length, 3);
    const [web, fw, dns] = m.services;
    assert.deepEqual([web.protocol, web.vip, web.port, web.method, web.scheduler, web.persistenceSeconds, web.persistenceNetmask], ['tcp', '192.0.2.10', 80, 'nat', 'wlc', 300, '255.255.255.0']);
    assert.deepEqual(web.realServers.map((r) => [r.address, r.port, r.weight, r.method]), [['10.0.0.11', 80, 1, 'nat'], ['10.0.0.12', 80, 3, 'nat']]);
    assert.equal(web.location?.line, 1);
    assert.equal(fw.fwmark, 100);
    assert.deepEqual([dns.protocol, dns.vip, dns.port, dns.method], ['udp', '2001:db8::10', 53, 'dr']);
  });

  it('reads shell scripts: long options, names without -n, continuations, sudo, variables', function () {
    const text = `#!/bin/sh
VIP=192.0.2.10
ipvsadm -C
/sbin/ipvsadm --add-service --tcp-service www.example.com:http --scheduler wrr --persistent
sudo ipvsadm -a -t www.example.com:http \\
    --real-server rs1.example.com:http --masquerading --weight 2
ipvsadm -A -t $VIP:443 -s rr   # the VIP comes from a variable
ipvsadm -a -t $VIP:443 -r 10.0.0.11:443 -m
echo "ipvsadm is great"
ipvsadm -Ln
`;
    const diags = lintText(text, S);
    assert.deepEqual(diags.filter((d) => d.severity === 'error'), []);
    const m = buildClusterModel(text, S);
    assert.equal(m.services.length, 1);
    assert.deepEqual([m.services[0].vip, m.services[0].port, m.services[0].scheduler, m.services[0].persistenceSeconds], ['www.example.com', 80, 'wrr', 300]);
    assert.deepEqual(m.services[0].realServers.map((r) => [r.address, r.port, r.weight, r.method]), [['rs1.example.com', 80, 2, 'nat']]);
    const parsed = parseIpvsadm(text, S, []);
    assert.equal(parsed.commands.length, 6);
    assert.equal(parsed.commands[2].dest?.word.line, 5);
  });

  it('knows every kernel scheduler and suggests one for a typo', function () {
    for (const s of ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh', 'twos']) {
      assert.deepEqual(withCode(lintText(`-A -t 192.0.2.1:80 -s ${s}\n-a -t 192.0.2.1:80 -r 192.0.2.2:80 -g\n`, R), 'unknown-scheduler'), [], s);
    }
    const [d] = withCode(lintText('-A -t 192.0.2.1:80 -s wrrr\n', R), 'unknown-scheduler');
    assert.match(d.message, /did you mean 'wrr'/);
    assert.equal(d.fixes?.[0].edits[0].newText, 'wrr');
  });

  it('does not cascade: real servers of a refused -A are not all reported again', function () {
    const d = lintText('-A -t 192.0.2.1:80 -s wrrr\n-a -t 192.0.2.1:80 -r 10.0.0.1:80 -m\n-a -t 192.0.2.1:80 -r 10.0.0.2:80 -m\n', R);
    assert.deepEqual(at(d), ['1:23 error unknown-scheduler']);
  });

  it('reports option errors ipvsadm would give', function () {
    const text = '-A -t 192.0.2.300:80 -s rr\n-A -t 192.0.2.1 -s rr\n-a -t 192.0.2.1:80 -r 192.0.2.2:80 -g -m\n-A -t 192.0.2.1:81 -w 3\n-a -t 192.0.2.1:80 -r 192.0.2.2:80 -q\n';
    assert.deepEqual(at(lintText(text, R)).filter((x) => x.includes('error') && !x.includes('undefined')), [
      '1:7 error ipvsadm-invalid-value',
      '2:7 error ipvsadm-invalid-value',
      '3:39 error ipvsadm-invalid-option',
      '4:20 error ipvsadm-invalid-option',
      '5:36 error ipvsadm-unknown-option',
    ]);
  });
});

describe('ipvsadm LVS rules', function () {
  const svc = '-A -t 192.0.2.10:80 -s rr\n';
  it('ipvsadm-undefined-service: destination added to a service never defined', function () {
    ruleCases('ipvsadm-undefined-service', R, {
      valid: [`${svc}-a -t 192.0.2.10:80 -r 10.0.0.1:80 -m\n`],
      invalid: [
        { text: `${svc}-a -t 192.0.2.10:8080 -r 10.0.0.1:8080 -m\n`, lines: [2] },
        { text: `${svc}-a -u 192.0.2.10:80 -r 10.0.0.1:80 -m\n`, lines: [2] },
        { text: `${svc}-D -t 192.0.2.10:80\n-a -t 192.0.2.10:80 -r 10.0.0.1:80 -m\n`, lines: [3] },
        { text: `${svc}-C\n-E -t 192.0.2.10:80 -s wlc\n`, lines: [3] },
      ],
    });
  });
  it('ipvsadm-duplicate-service, duplicate-real-server, ipvsadm-undefined-destination', function () {
    ruleCases('ipvsadm-duplicate-service', R, { valid: [svc], invalid: [{ text: svc + svc, lines: [2] }] });
    ruleCases('duplicate-real-server', R, {
      valid: [`${svc}-a -t 192.0.2.10:80 -r 10.0.0.1:80 -m\n-a -t 192.0.2.10:80 -r 10.0.0.1:81 -m\n`],
      invalid: [{ text: `${svc}-a -t 192.0.2.10:80 -r 10.0.0.1:80 -g\n-a -t 192.0.2.10:80 -r 10.0.0.1 -g\n`, lines: [3] }],
    });
    ruleCases('ipvsadm-undefined-destination', R, {
      valid: [`${svc}-a -t 192.0.2.10:80 -r 10.0.0.1:80 -m\n-e -t 192.0.2.10:80 -r 10.0.0.1:80 -m -w 3\n`],
      invalid: [{ text: `${svc}-d -t 192.0.2.10:80 -r 10.0.0.9:80\n`, lines: [2] }],
    });
  });
  it('dr-port-remap: port mapping with -g is a warning (the kernel uses the service port)', function () {
    ruleCases('dr-port-remap', R, {
      valid: [`${svc}-a -t 192.0.2.10:80 -r 10.0.0.1:8080 -m\n`, `${svc}-a -t 192.0.2.10:80 -r 10.0.0.1 -g\n`],
      invalid: [{ text: `${svc}-a -t 192.0.2.10:80 -r 10.0.0.1:8080 -g\n`, lines: [2], severity: 'warning' }, { text: `${svc}-a -t 192.0.2.10:80 -r 10.0.0.1:8080\n`, lines: [2] }],
    });
  });
  it('mixed-forwarding-methods within one service', function () {
    ruleCases('mixed-forwarding-methods', R, {
      valid: [`${svc}-a -t 192.0.2.10:80 -r 10.0.0.1:80 -m\n-a -t 192.0.2.10:80 -r 10.0.0.2:80 -m\n`],
      invalid: [{ text: `${svc}-a -t 192.0.2.10:80 -r 10.0.0.1:80 -m\n-a -t 192.0.2.10:80 -r 10.0.0.2:80 -g\n`, lines: [3] }],
    });
  });
  it('quiescent-udp-persistence: weight 0 with persistence on UDP', function () {
    const udp = '-A -u 192.0.2.10:514 -s rr -p 600\n';
    ruleCases('quiescent-udp-persistence', R, {
      valid: [`${udp}-a -u 192.0.2.10:514 -r 10.0.0.1:514 -m -w 1\n`, `-A -t 192.0.2.10:514 -s rr -p 600\n-a -t 192.0.2.10:514 -r 10.0.0.1:514 -m -w 0\n`],
      invalid: [{ text: `${udp}-a -u 192.0.2.10:514 -r 10.0.0.1:514 -m -w 0\n`, lines: [2] }],
    });
  });
});

/** Renders an argv as one shell line (single quotes where needed). */
function shellLine(argv: string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./[\]-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(' ');
}

describe('ipvsadm agreement with real ipvsadm 1.31 (ipvsadm-errors fixture)', function () {
  // Rejections that depend on the host or on name resolution, not on the rules text.
  const NOT_RULES: Record<number, string> = { 13: 'listing a service', 16: 'host name resolution', 29: 'sync daemon interface on the host' };
  it('every rules mistake ipvsadm rejects gets an error on that line; accepted commands get none', function () {
    requireOrSkip(this, hasSharedFixtures(), '../shared/fixtures');
    const rows = fs.readFileSync(path.join(labFixturesDir, 'ipvsadm-errors', 'ipvsadm-errors.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { n: number; argv: string[]; exit_code: number; stderr: string });
    assert.equal(rows.length, 33);
    const lines: string[] = [];
    for (const r of rows) {
      // `sh -c 'printf ... | ipvsadm -R'`: the restore input is ipvsadm-save text.
      if (r.argv[0] === 'sh') {
        const restore = [...r.argv[2].matchAll(/"(-[^"]*)"/g)].map((m) => m[1]).join('\n');
        const d = lintText(restore, '/tmp/restore.ipvsadm').filter((x) => x.severity === 'error');
        assert.ok(d.length > 0 && /-q/.test(d[0].message), `restore input: ${JSON.stringify(d)}`);
        lines.push('true');
        continue;
      }
      lines.push(shellLine(r.argv));
    }
    // The commands ran in a fresh namespace: the table started empty, as after an `ipvsadm -C`
    // (without it a script's -D/-E of a service it has not defined is only an info).
    const diags = lintText(['ipvsadm -C', ...lines].join('\n') + '\n', '/tmp/ipvsadm-errors.sh');
    for (const r of rows) {
      if (r.argv[0] === 'sh' || NOT_RULES[r.n]) continue;
      const errs = diags.filter((d) => d.severity === 'error' && d.range.start.line === r.n);
      if (r.exit_code === 0) assert.deepEqual(errs.map((e) => e.message), [], `#${r.n} ${lines[r.n - 1]} is accepted by ipvsadm`);
      else assert.ok(errs.length > 0, `#${r.n} ${lines[r.n - 1]} rejected by ipvsadm (${r.stderr}) but no error from us`);
    }
  });
});
