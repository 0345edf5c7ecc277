// A capture folder from pcaps taken by hand (src/core/capture/assemble.ts): capture.json as
// expected, analysed like the folder the same pcaps came from, originals untouched, and every
// bad input refused with a message that names what is wrong and where, leaving nothing behind.
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeCapture } from '../../../src/core/analysis';
import {
  ASSEMBLED_NOTE,
  AssembleError,
  assembleCapture,
  inferRole,
  loadAssembleConfig,
  planAssembly,
  pointFromFileName,
  writeAssembly,
  type AssembleInput,
  type AssemblePoint,
} from '../../../src/core/capture/assemble';
import { guessTarget } from '../../../src/core/capture/guessTarget';
import { readManifest, type CaptureManifest } from '../../../src/core/capture/manifest';
import { manifestService } from '../../../src/core/capture/plan';
import { analyzeText } from '../../../src/core/config';
import { LINKTYPE_LINUX_SLL2, PcapWriter } from '../../../src/core/pcap';
import { hasSharedFixtures, labFixturesDir, repoRoot, requireOrSkip } from '../../helpers/env';

const samples = path.join(repoRoot, 'samples');
const NWG = path.join(samples, 'nat-wrong-gateway');
const pcapOf = (dir: string, name: string): string => path.join(dir, 'pcap', name);

/** The points of a capture folder as a person would give its pcaps: the file and its role;
 *  the host and interface are left to the file name. */
function pointsOf(dir: string, m: CaptureManifest = readManifest(dir)): AssemblePoint[] {
  return m.points.map((p) => ({ file: path.join(dir, p.file), role: p.role }));
}

async function findingsOf(dir: string): Promise<string[]> {
  return (await analyzeCapture(dir)).findings.map((f) => `${f.severity} ${f.code}: ${f.message}`).sort();
}

function digest(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** The error planAssembly() throws for this input, as its problems. */
function problemsOf(input: AssembleInput, outDir?: string): string[] {
  try {
    planAssembly(input, outDir);
  } catch (e) {
    assert.ok(e instanceof AssembleError, `an AssembleError, not ${(e as Error).stack}`);
    return e.problems;
  }
  assert.fail('no error');
}

describe('assembling a capture folder from pcaps taken by hand', function () {
  let tmp: string;
  beforeEach(function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-assemble-'));
  });
  afterEach(function () {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  describe('what a file name and the config say', function () {
    it('takes the host and interface from the file name', function () {
      assert.deepEqual(pointFromFileName('/x/rs1-eth0.pcap'), { host: 'rs1', interface: 'eth0' });
      assert.deepEqual(pointFromFileName('director_ens3.pcapng'), { host: 'director', interface: 'ens3' });
      assert.deepEqual(pointFromFileName('lb1-any.cap'), { host: 'lb1', interface: 'any' });
      assert.deepEqual(pointFromFileName('rs1-tunl0.pcap'), { host: 'rs1', interface: 'tunl0' });
      assert.deepEqual(pointFromFileName('web-frontend.pcap'), { host: 'web-frontend' }, 'not an interface name: all of it is the host');
      assert.deepEqual(pointFromFileName('/x/my capture (1).pcap'), { host: 'my_capture__1_' });
    });

    it('infers a role only where the config or the hosts file says it', function () {
      const doc = analyzeText(
        'global_defs {\n  router_id lb-main\n}\nvrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  unicast_src_ip 192.0.2.2\n  unicast_peer {\n    192.0.2.3\n  }\n  virtual_ipaddress {\n    192.0.2.100\n  }\n}\nvirtual_server 192.0.2.100 80 {\n  lb_kind DR\n  protocol TCP\n  real_server 192.0.2.11 80 {\n  }\n}\n',
        '/ws/keepalived.conf',
      )!;
      const config = loadAssembleConfig(path.join(NWG, 'keepalived.conf'));
      const ctx = { config: { ...config, model: doc.model, directors: { names: ['lb-main'], addresses: ['192.0.2.2'] } } };
      assert.equal(inferRole('192.0.2.11', ctx)?.role, 'real-server');
      assert.equal(inferRole('LB-MAIN', ctx)?.role, 'director', 'router_id, in any case');
      assert.equal(inferRole('192.0.2.2', ctx)?.role, 'director', 'unicast_src_ip');
      assert.equal(inferRole('192.0.2.3', ctx)?.role, 'director', 'unicast_peer');
      assert.equal(inferRole('rs1', ctx), undefined);
      assert.equal(inferRole('rs1', { ...ctx, hosts: [{ name: 'rs1', address: '192.0.2.11' }] })?.role, 'real-server', 'its address in the hosts file');
      assert.equal(inferRole('rs1', { hosts: [{ name: 'rs1', role: 'client' }] })?.role, 'client');
      assert.equal(inferRole('client', {})?.role, 'client');
      assert.equal(inferRole('router', {})?.role, 'router');
      assert.equal(inferRole('lb1', {}), undefined);
      // The config file's own director names: router_id of the sample.
      assert.equal(inferRole('lvslab0_director', { config })?.role, 'director');
      assert.equal(inferRole('10.0.0.12', { config })?.role, 'real-server');
    });
  });

  describe('a bundled sample (samples/nat-wrong-gateway)', function () {
    it('writes capture.json as expected: inferred roles, config services, real servers named, no capture window', function () {
      const config = loadAssembleConfig(path.join(NWG, 'keepalived.conf'));
      const out = path.join(tmp, 'cap');
      const r = assembleCapture({
        outDir: out,
        config,
        points: [
          { file: pcapOf(NWG, 'director-eth0.pcap') },
          { file: pcapOf(NWG, 'director-eth1.pcap') },
          { file: pcapOf(NWG, 'client-eth0.pcap') },
          { file: pcapOf(NWG, 'rs1-eth0.pcap'), host: '10.0.0.11' },
          { file: pcapOf(NWG, 'rs2-eth0.pcap'), host: 'rs2', role: 'real-server' },
        ],
      });
      const warning = `${pcapOf(NWG, 'rs2-eth0.pcap')}: real server rs2 matches no real server of tcp:192.0.2.100:80 in keepalived.conf (10.0.0.11, 10.0.0.12); its packets are analysed without knowing which one it is. Name the host by its address to tie it to the config`;
      assert.deepEqual(r.warnings, [warning]);
      const expected: CaptureManifest = {
        format: 1,
        target: { vip: '192.0.2.100', protocol: 'tcp', port: 80 },
        services: config.model.services.filter((s) => s.vip === '192.0.2.100').map(manifestService),
        points: [
          { host: 'director', role: 'director', interface: 'eth0', file: 'pcap/director-eth0.pcap' },
          { host: 'director', role: 'director', interface: 'eth1', file: 'pcap/director-eth1.pcap' },
          { host: 'client', role: 'client', interface: 'eth0', file: 'pcap/client-eth0.pcap' },
          { host: '10.0.0.11', role: 'real-server', interface: 'eth0', file: 'pcap/10.0.0.11-eth0.pcap', realServer: '10.0.0.11' },
          { host: 'rs2', role: 'real-server', interface: 'eth0', file: 'pcap/rs2-eth0.pcap' },
        ],
        note: ASSEMBLED_NOTE,
        warnings: [warning],
        config: 'keepalived.conf',
        configFiles: [{ file: 'keepalived.conf', source: path.join(NWG, 'keepalived.conf') }],
      };
      assert.equal(expected.services.length, 2);
      assert.deepEqual(readManifest(out), expected);
      assert.deepEqual(JSON.parse(fs.readFileSync(path.join(out, 'capture.json'), 'utf8')), expected, 'as written, without fields added on reading');
      assert.match(ASSEMBLED_NOTE, /taken by hand/);
      for (const pt of readManifest(out).points) {
        assert.equal(pt.captureStart, undefined);
        assert.equal(pt.captureEnd, undefined);
      }
      assert.deepEqual(fs.readdirSync(out).sort(), ['capture.json', 'keepalived.conf', 'pcap']);
      assert.equal(fs.readFileSync(path.join(out, 'keepalived.conf'), 'utf8'), fs.readFileSync(path.join(NWG, 'keepalived.conf'), 'utf8'));
    });

    // Each sample pcap given with its role only (host and interface from the file name): with
    // the sample's keepalived.conf, or with the forwarding method alone (the service guessed).
    const cases: Array<{ name: string; mode: 'config' | 'method' }> = [
      { name: 'dr-healthy', mode: 'config' },
      { name: 'nat-healthy', mode: 'config' },
      { name: 'tun-healthy', mode: 'config' },
      { name: 'dr-arp-problem', mode: 'method' },
      { name: 'nat-wrong-gateway', mode: 'method' },
    ];
    for (const { name, mode } of cases)
      it(`samples/${name} (${mode === 'config' ? 'its keepalived.conf' : 'the method alone'}) analyses with the same findings as the sample itself`, async function () {
        const dir = path.join(samples, name);
        const m = readManifest(dir);
        const out = path.join(tmp, name);
        const input: AssembleInput & { outDir: string } = { outDir: out, points: pointsOf(dir, m) };
        if (mode === 'config') input.config = loadAssembleConfig(path.join(dir, 'keepalived.conf'));
        else input.method = m.services[0].method;
        const r = assembleCapture(input);
        assert.deepEqual(
          r.manifest.points.map((p) => [p.host, p.interface, p.role]),
          m.points.map((p) => [p.host, p.interface, p.role]),
          'hosts and interfaces from the file names',
        );
        const original = await findingsOf(dir);
        assert.ok(original.some((f) => !f.startsWith('info')) || /healthy/.test(name), `${name} has findings to compare`);
        assert.deepEqual(await findingsOf(out), original);
        const [a, b] = [await analyzeCapture(dir), await analyzeCapture(out)];
        assert.equal(b.connections.length, a.connections.length);
        assert.equal(b.stats.packets, a.stats.packets);
      });

    it('guesses the service from the director\'s pcap when none is given (the lone-pcap guess)', function () {
      const plan = planAssembly({ points: pointsOf(NWG), method: 'nat' });
      assert.deepEqual(plan.manifest.target, guessTarget(pcapOf(NWG, 'director-eth0.pcap')));
      assert.equal(plan.manifest.target.vip, '192.0.2.100');
      // With only a method, it holds for the VIP's TCP and UDP on any port; real servers are
      // named after their hosts (the analysis finds their addresses).
      assert.deepEqual(plan.manifest.services, [
        { protocol: 'tcp', vip: '192.0.2.100', method: 'nat', realServers: [] },
        { protocol: 'udp', vip: '192.0.2.100', method: 'nat', realServers: [] },
      ]);
      assert.deepEqual(
        plan.manifest.points.filter((p) => p.role === 'real-server').map((p) => p.realServer),
        ['rs1', 'rs2'],
      );
      // Nothing at all: no services, and a warning that the method is unknown.
      const bare = planAssembly({ points: pointsOf(NWG) });
      assert.deepEqual(bare.manifest.services, []);
      assert.ok(bare.warnings.some((w) => /forwarding method unknown/.test(w)), bare.warnings.join('\n'));
    });

    it('never modifies the originals; hard-links them on the same file system, copies them across', function () {
      const src = path.join(tmp, 'src');
      fs.mkdirSync(src);
      for (const f of ['director-eth0.pcap', 'rs1-eth0.pcap']) fs.copyFileSync(pcapOf(NWG, f), path.join(src, f));
      const before = ['director-eth0.pcap', 'rs1-eth0.pcap'].map((f) => {
        const st = fs.statSync(path.join(src, f));
        return { f, hash: digest(path.join(src, f)), mtime: st.mtimeMs, mode: st.mode };
      });
      const out = path.join(tmp, 'cap');
      const r = assembleCapture({ outDir: out, points: [{ file: path.join(src, 'director-eth0.pcap') }, { file: path.join(src, 'rs1-eth0.pcap'), role: 'real-server' }], service: '192.0.2.100', method: 'nat' });
      assert.deepEqual(r.files.map((f) => f.how), ['linked', 'linked']);
      assert.equal(fs.statSync(path.join(out, 'pcap', 'director-eth0.pcap')).ino, fs.statSync(path.join(src, 'director-eth0.pcap')).ino);
      for (const b of before) {
        const st = fs.statSync(path.join(src, b.f));
        assert.deepEqual({ f: b.f, hash: digest(path.join(src, b.f)), mtime: st.mtimeMs, mode: st.mode }, b);
      }
      assert.deepEqual(fs.readdirSync(src).sort(), ['director-eth0.pcap', 'rs1-eth0.pcap']);
      // From the samples (another file system than the temp folder, or not): a copy when the link fails.
      const sampleOut = path.join(tmp, 'cap2');
      const hash = digest(pcapOf(NWG, 'client-eth0.pcap'));
      const r2 = assembleCapture({ outDir: sampleOut, points: [{ file: pcapOf(NWG, 'client-eth0.pcap') }], service: '192.0.2.100' });
      const sameFs = fs.statSync(NWG).dev === fs.statSync(tmp).dev;
      assert.equal(r2.files[0].how, sameFs ? 'linked' : 'copied');
      assert.equal(digest(path.join(sampleOut, 'pcap', 'client-eth0.pcap')), hash);
      assert.equal(digest(pcapOf(NWG, 'client-eth0.pcap')), hash);
    });

    it('calls a Linux cooked capture (tcpdump -i any) interface any, an unnamed one unknown', function () {
      const sll = path.join(tmp, 'lb1.pcap');
      new PcapWriter({ linkType: LINKTYPE_LINUX_SLL2 }).writeFile(sll);
      const plan = planAssembly({ points: [{ file: sll, role: 'director' }, { file: pcapOf(NWG, 'client-eth0.pcap'), host: 'laptop', role: 'client' }, { file: pcapOf(NWG, 'rs1-eth0.pcap'), host: 'rs1', role: 'real-server', interface: 'ens3' }], service: '192.0.2.100' });
      assert.deepEqual(
        plan.manifest.points.map((p) => [p.host, p.interface, p.file]),
        [
          ['lb1', 'any', 'pcap/lb1-any.pcap'],
          ['laptop', 'eth0', 'pcap/laptop-eth0.pcap'],
          ['rs1', 'ens3', 'pcap/rs1-ens3.pcap'],
        ],
      );
      const plain = path.join(tmp, 'capture.pcap');
      fs.copyFileSync(pcapOf(NWG, 'director-eth0.pcap'), plain);
      const p2 = planAssembly({ points: [{ file: plain, host: 'lb1', role: 'director' }], service: '192.0.2.100' });
      assert.deepEqual(p2.manifest.points[0], { host: 'lb1', role: 'director', interface: 'unknown', file: 'pcap/lb1.pcap' });
    });
  });

  describe('bad input', function () {
    const good = (): AssemblePoint[] => [{ file: pcapOf(NWG, 'director-eth0.pcap') }, { file: pcapOf(NWG, 'client-eth0.pcap') }];

    it('a missing file, a folder, an empty file, a text file, a gzip file: each named, with what is wrong', function () {
      const text = path.join(tmp, 'notes.pcap');
      fs.writeFileSync(text, 'hello, this is no capture\n');
      const empty = path.join(tmp, 'empty.pcap');
      fs.writeFileSync(empty, '');
      const gz = path.join(tmp, 'rs1.pcap.gz');
      fs.writeFileSync(gz, Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]));
      const missing = path.join(tmp, 'nope.pcap');
      const problems = problemsOf({
        service: '192.0.2.100',
        points: [
          { file: missing, role: 'director' },
          { file: tmp, host: 'x', role: 'client' },
          { file: empty, role: 'client' },
          { file: text, role: 'client' },
          { file: gz, role: 'real-server' },
        ],
      });
      assert.deepEqual(problems, [
        `${missing}: no such file or folder`,
        `${tmp}: is a folder, not a pcap file`,
        `${empty}: is empty, not a pcap file`,
        `${text}: not a pcap or pcapng file (it starts with 68 65 6c 6c; a pcap starts with d4 c3 b2 a1 or a1 b2 c3 d4, a pcapng with 0a 0d 0d 0a)`,
        `${gz}: is gzip-compressed; uncompress it first (gunzip)`,
      ]);
    });

    it('a duplicate host, the same file twice, one host in two roles', function () {
      const d = pcapOf(NWG, 'director-eth0.pcap');
      assert.deepEqual(problemsOf({ service: '192.0.2.100', points: [{ file: d }, { file: pcapOf(NWG, 'director-eth1.pcap'), host: 'director', interface: 'eth0', given: 'director@eth0=director-eth1.pcap' }] }), [
        `director@eth0=director-eth1.pcap: duplicate host director on eth0 (also ${d}); a host may appear once per interface: give each file its interface or another host name`,
      ]);
      assert.deepEqual(problemsOf({ service: '192.0.2.100', points: [{ file: d }, { file: d, host: 'lb2', role: 'director' }] }), [`${d}: the same file as ${d}; give each pcap once`]);
      assert.deepEqual(problemsOf({ service: '192.0.2.100', points: [{ file: d }, { file: pcapOf(NWG, 'director-eth1.pcap'), role: 'router' }] }), [
        `${pcapOf(NWG, 'director-eth1.pcap')}: host director is a router here but a director in ${d}; one host has one role`,
      ]);
    });

    it('an unknown role, a role that cannot be told (naming the file), a bad host or interface name', function () {
      const rs1 = pcapOf(NWG, 'rs1-eth0.pcap');
      const config = loadAssembleConfig(path.join(NWG, 'keepalived.conf'));
      assert.deepEqual(problemsOf({ config, points: [...good(), { file: rs1, role: 'dirctor', given: 'dirctor:rs1=x' }] }), ['dirctor:rs1=x: unknown role "dirctor" (roles: director, real-server, client, router, other)']);
      assert.deepEqual(problemsOf({ config, points: [...good(), { file: rs1 }] }), [
        `${rs1}: cannot tell what host rs1 is (keepalived.conf names no real server or director rs1); give its role: director, real-server, client, router, other`,
      ]);
      assert.deepEqual(problemsOf({ points: [...good(), { file: rs1 }] }), [`${rs1}: cannot tell what host rs1 is (no config was given to tell); give its role: director, real-server, client, router, other`]);
      assert.deepEqual(problemsOf({ service: '192.0.2.100', points: [{ file: rs1, host: 'rs 1', role: 'real-server' }, { file: pcapOf(NWG, 'rs2-eth0.pcap'), role: 'real-server', interface: 'eth0; reboot' }] }), [
        `${rs1}: host name "rs 1" may hold only letters, digits and . _ : - (and start with a letter or digit)`,
        `${pcapOf(NWG, 'rs2-eth0.pcap')}: invalid interface name "eth0; reboot": only letters, digits and . _ - @ are allowed (no spaces, "/", ":" or shell characters)`,
      ]);
    });

    it('a bad method, a method the config contradicts, a service the config does not have, a fwmark service', function () {
      const config = loadAssembleConfig(path.join(NWG, 'keepalived.conf'));
      assert.deepEqual(problemsOf({ points: good(), method: 'ipip', service: '192.0.2.100' }), ['forwarding method "ipip" must be nat, dr or tun']);
      assert.deepEqual(problemsOf({ points: good(), config, method: 'dr' }), ['forwarding method dr contradicts keepalived.conf, which says nat for tcp:192.0.2.100:80; leave the method out']);
      assert.deepEqual(problemsOf({ points: good(), config, service: 'tcp:192.0.2.100:443' }), ['no virtual service tcp:192.0.2.100:443 in keepalived.conf (services: tcp:192.0.2.100:80, udp:192.0.2.100:9000)']);
      assert.deepEqual(problemsOf({ points: good(), service: 'fwm:3' }), ['service fwm:3: a fwmark service needs the config that defines it']);
      assert.deepEqual(problemsOf({ points: good(), service: 'tcp:192.0.2.300:80' }), ['invalid IP address "192.0.2.300": not an IPv4 or IPv6 address']);
      assert.deepEqual(problemsOf({ points: good(), service: 'tcp 192.0.2.100 80' }), ['service "tcp 192.0.2.100 80" is not of the form tcp:192.0.2.10:80 (or udp / sctp, or just an address)']);
      assert.deepEqual(problemsOf({ points: [] }), ['no pcap file given']);
    });

    it('a destination that exists and is not empty, or is a file; every problem at once', function () {
      const full = path.join(tmp, 'full');
      fs.mkdirSync(full);
      fs.writeFileSync(path.join(full, 'keep.txt'), 'mine');
      assert.deepEqual(problemsOf({ points: good(), service: '192.0.2.100' }, full), [`the destination folder ${full} exists and is not empty; choose a new folder`]);
      assert.throws(() => assembleCapture({ points: good(), service: '192.0.2.100', outDir: full, outLabel: '--out' }), { message: `--out ${full} exists and is not empty; choose a new folder` });
      assert.deepEqual(fs.readdirSync(full), ['keep.txt'], 'untouched');
      const file = path.join(full, 'keep.txt');
      assert.deepEqual(problemsOf({ points: good(), service: '192.0.2.100' }, file), [`the destination folder ${file} is a file, not a folder`]);
      const all = problemsOf({ points: [...good(), { file: path.join(tmp, 'gone.pcap'), role: 'nobody' }], method: 'x', service: '192.0.2.100' }, full);
      assert.equal(all.length, 4, all.join('\n'));
      assert.throws(() => planAssembly({ points: [...good(), { file: path.join(tmp, 'gone.pcap'), role: 'nobody' }], service: '192.0.2.100' }), (e: Error) => e.message.startsWith('2 problems:\n  '));
    });

    it('leaves nothing behind when writing fails half-way (a pcap gone meanwhile), not even the folders it made', function () {
      const src = path.join(tmp, 'src');
      fs.mkdirSync(src);
      for (const f of ['director-eth0.pcap', 'client-eth0.pcap']) fs.copyFileSync(pcapOf(NWG, f), path.join(src, f));
      const out = path.join(tmp, 'a', 'b', 'cap');
      const plan = planAssembly({ points: [{ file: path.join(src, 'director-eth0.pcap') }, { file: path.join(src, 'client-eth0.pcap') }], service: '192.0.2.100' }, out);
      fs.unlinkSync(path.join(src, 'client-eth0.pcap'));
      assert.throws(() => writeAssembly(plan, out), /client-eth0\.pcap: no such file or folder/);
      assert.equal(fs.existsSync(path.join(tmp, 'a')), false);
      // An empty folder given stays, empty.
      const empty = path.join(tmp, 'empty');
      fs.mkdirSync(empty);
      assert.throws(() => writeAssembly(plan, empty));
      assert.deepEqual(fs.readdirSync(empty), []);
    });
  });

  describe('the real IPVS lab captures (../shared/fixtures/lab)', function () {
    before(function () {
      requireOrSkip(this, hasSharedFixtures(), 'the shared lab fixtures (../shared/fixtures/lab)');
    });

    // The director's `ipvsadm-save -n` as the config, or the method alone. Real
    // servers named rs1/rs2 match none of the rules' addresses: warned, and the findings are
    // the same as the fixture's where it does not name them.
    const cases: Array<{ name: string; mode: 'config' | 'method'; same: 'findings' | 'codes' }> = [
      { name: 'nat-healthy', mode: 'config', same: 'findings' },
      { name: 'tun-healthy', mode: 'config', same: 'findings' },
      { name: 'no-real-servers', mode: 'config', same: 'findings' },
      { name: 'nat-wrong-gateway', mode: 'config', same: 'codes' },
      { name: 'dr-arp-problem', mode: 'config', same: 'codes' },
      { name: 'nat-wrong-gateway', mode: 'method', same: 'findings' },
      { name: 'dr-arp-problem', mode: 'method', same: 'findings' },
    ];
    for (const { name, mode, same } of cases)
      it(`${name} (${mode === 'config' ? 'ipvsadm-save -n' : 'the method alone'}): the same ${same} as the fixture's own folder`, async function () {
        const dir = path.join(labFixturesDir, name);
        const m = readManifest(dir);
        const out = path.join(tmp, 'cap');
        const input: AssembleInput & { outDir: string } = { outDir: out, points: pointsOf(dir, m) };
        if (mode === 'config') input.config = loadAssembleConfig(path.join(dir, 'director', 'ipvsadm-save-n.txt'));
        else input.method = m.services[0].method;
        const r = assembleCapture(input);
        if (mode === 'config') assert.ok(r.warnings.some((w) => /real server rs1 matches no real server/.test(w)), r.warnings.join('\n'));
        const [a, b] = [await findingsOf(dir), await findingsOf(out)];
        if (same === 'findings') assert.deepEqual(b, a);
        else assert.deepEqual(b.map((f) => f.split(':')[0]), a.map((f) => f.split(':')[0]));
        assert.ok(a.length > 0 || /healthy/.test(name));
      });
  });
});
