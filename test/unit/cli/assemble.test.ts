// `lvs-trace assemble`: POINT arguments, the folder it writes and the command it says to run
// next, and exit 2 with every problem named and nothing written on bad input.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parsePointArg } from '../../../src/cli/commands/assemble';
import { main } from '../../../src/cli/main';
import { readManifest } from '../../../src/core/capture/manifest';
import { repoRoot } from '../../helpers/env';
import { captureStdio } from '../../helpers/stdio';

const NWG = path.join(repoRoot, 'samples', 'nat-wrong-gateway');
const pcap = (name: string): string => path.join(NWG, 'pcap', name);

describe('lvs-trace assemble', function () {
  let tmp: string;
  beforeEach(function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-assemble-cli-'));
  });
  afterEach(function () {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('reads POINT as ROLE:HOST=FILE, HOST=FILE, ROLE:FILE or FILE (HOST@IFACE for the interface)', function () {
    assert.deepEqual(parsePointArg('real-server:rs1=/c/rs1.pcap'), { file: '/c/rs1.pcap', host: 'rs1', role: 'real-server', given: 'real-server:rs1=/c/rs1.pcap' });
    assert.deepEqual(parsePointArg('lb1@eth1=cap.pcap'), { file: 'cap.pcap', host: 'lb1', interface: 'eth1', given: 'lb1@eth1=cap.pcap' });
    assert.deepEqual(parsePointArg('192.0.2.11=x/y.pcapng'), { file: 'x/y.pcapng', host: '192.0.2.11', given: '192.0.2.11=x/y.pcapng' });
    assert.deepEqual(parsePointArg('director:lb1.pcap'), { file: 'lb1.pcap', role: 'director', given: 'director:lb1.pcap' });
    assert.deepEqual(parsePointArg('/caps/rs1-eth0.pcap'), { file: '/caps/rs1-eth0.pcap', given: '/caps/rs1-eth0.pcap' });
    // A left side that is no host name (a path) makes the whole argument a file.
    assert.deepEqual(parsePointArg('caps/a=b.pcap'), { file: 'caps/a=b.pcap', given: 'caps/a=b.pcap' });
    assert.deepEqual(parsePointArg('typo:lb1.pcap'), { file: 'typo:lb1.pcap', given: 'typo:lb1.pcap' });
  });

  it('writes the folder, prints where each pcap went and the command to run next; analyze reads it', async function () {
    const out = path.join(tmp, 'cap 1');
    const r = await captureStdio(() =>
      main([
        'assemble',
        '--out',
        out,
        '--config',
        path.join(NWG, 'keepalived.conf'),
        pcap('director-eth0.pcap'),
        pcap('director-eth1.pcap'),
        pcap('client-eth0.pcap'),
        `10.0.0.11=${pcap('rs1-eth0.pcap')}`,
        `real-server:10.0.0.12@eth0=${pcap('rs2-eth0.pcap')}`,
        `router:${pcap('router-eth0.pcap')}`,
      ]),
    );
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, '', 'no warning: every real server is tied to the config');
    const lines = r.out.trimEnd().split('\n');
    assert.match(lines[0], new RegExp(`^director eth0 \\(director\\): ${pcap('director-eth0.pcap')} -> ${out}/pcap/director-eth0\\.pcap \\((hard link|copy)\\)$`));
    assert.match(lines[3], /^10\.0\.0\.11 eth0 \(real-server\): /);
    assert.equal(lines.at(-2), `capture folder: ${out} (service tcp 192.0.2.100:80, nat, config keepalived.conf)`);
    assert.equal(lines.at(-1), `next: lvs-trace analyze '${out}'`);
    const m = readManifest(out);
    assert.deepEqual(
      m.points.map((p) => [p.host, p.role, p.interface, p.realServer]),
      [
        ['director', 'director', 'eth0', undefined],
        ['director', 'director', 'eth1', undefined],
        ['client', 'client', 'eth0', undefined],
        ['10.0.0.11', 'real-server', 'eth0', '10.0.0.11'],
        ['10.0.0.12', 'real-server', 'eth0', '10.0.0.12'],
        ['router', 'router', 'eth0', undefined],
      ],
    );
    const a = await captureStdio(() => main(['analyze', out]));
    assert.equal(a.code, 1, 'an error finding');
    assert.match(a.out, /nat-reply-bypasses-director/);
  });

  it('takes roles and addresses from --hosts; warns about a real server the config does not know', async function () {
    const hosts = path.join(tmp, 'hosts.json');
    fs.writeFileSync(hosts, JSON.stringify([{ name: 'rs1', role: 'real-server', address: '10.0.0.11' }, { name: 'lb', role: 'director' }]));
    const out = path.join(tmp, 'cap');
    const r = await captureStdio(() =>
      main(['assemble', '--out', out, '--config', path.join(NWG, 'keepalived.conf'), '--hosts', hosts, `lb=${pcap('director-eth0.pcap')}`, pcap('rs1-eth0.pcap'), `real-server:rs2=${pcap('rs2-eth0.pcap')}`]),
    );
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(
      readManifest(out).points.map((p) => [p.host, p.role, p.realServer]),
      [
        ['lb', 'director', undefined],
        ['rs1', 'real-server', '10.0.0.11'],
        ['rs2', 'real-server', undefined],
      ],
    );
    assert.equal(r.err, `warning: real-server:rs2=${pcap('rs2-eth0.pcap')}: real server rs2 matches no real server of tcp:192.0.2.100:80 in keepalived.conf (10.0.0.11, 10.0.0.12); its packets are analysed without knowing which one it is. Name the host by its address to tie it to the config\n`);
  });

  it('exits 2 naming every problem, with how to give a role, and writes nothing', async function () {
    const out = path.join(tmp, 'new', 'cap');
    const notPcap = path.join(tmp, 'notes.txt');
    fs.writeFileSync(notPcap, 'not a capture');
    const r = await captureStdio(() => main(['assemble', '--out', out, '--method', 'dr', pcap('director-eth0.pcap'), pcap('rs1-eth0.pcap'), `client:${notPcap}`, `bogus:x=${pcap('client-eth0.pcap')}`]));
    assert.equal(r.code, 2);
    assert.equal(r.out, '');
    assert.equal(
      r.err,
      [
        'lvs-trace assemble: 3 problems:',
        `  ${pcap('rs1-eth0.pcap')}: cannot tell what host rs1 is (no config was given to tell); give its role: director, real-server, client, router, other`,
        `  ${notPcap}: not a pcap or pcapng file (it starts with 6e 6f 74 20; a pcap starts with d4 c3 b2 a1 or a1 b2 c3 d4, a pcapng with 0a 0d 0d 0a)`,
        `  bogus:x=${pcap('client-eth0.pcap')}: unknown role "bogus" (roles: director, real-server, client, router, other)`,
        '  (a role is given as ROLE:HOST=FILE or ROLE:FILE, e.g. real-server:rs1=rs1-eth0.pcap)',
        '',
      ].join('\n'),
    );
    assert.equal(fs.existsSync(path.join(tmp, 'new')), false);
  });

  it('refuses an --out that is not empty, and a missing --out or POINT (exit 2)', async function () {
    fs.writeFileSync(path.join(tmp, 'mine.txt'), 'x');
    const r = await captureStdio(() => main(['assemble', '--out', tmp, '--method', 'nat', pcap('director-eth0.pcap')]));
    assert.equal(r.code, 2);
    assert.equal(r.err, `lvs-trace assemble: --out ${tmp} exists and is not empty; choose a new folder\n`);
    assert.deepEqual(fs.readdirSync(tmp), ['mine.txt']);
    const noOut = await captureStdio(() => main(['assemble', pcap('director-eth0.pcap')]));
    assert.equal(noOut.code, 2);
    assert.match(noOut.err, /--out DIR is required/);
    const noPoint = await captureStdio(() => main(['assemble', '--out', path.join(tmp, 'x')]));
    assert.equal(noPoint.code, 2);
    assert.match(noPoint.err, /no pcap file given/);
  });

  it('--help lists the POINT forms, the options and the exit statuses', async function () {
    const r = await captureStdio(() => main(['assemble', '--help']));
    assert.equal(r.code, 0);
    assert.match(r.out, /^usage: lvs-trace assemble --out DIR /);
    for (const o of ['out', 'config', 'service', 'method', 'hosts']) assert.match(r.out, new RegExp(`^ {2}--${o} `, 'm'));
    assert.match(r.out, /ROLE:HOST=FILE, HOST=FILE, ROLE:FILE or FILE/);
    assert.match(r.out, /^ {2}0 {2}the capture folder is written/m);
    assert.match(r.out, /^ {2}2 {2}usage or input error/m);
    const top = await captureStdio(() => main(['--help']));
    assert.match(top.out, /lvs-trace assemble --out DIR/);
  });
});
