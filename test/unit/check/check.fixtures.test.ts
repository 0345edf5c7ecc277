// checkCluster judged on the real command outputs of the IPVS fixture cluster,
// through a RemoteHost that answers each command with the saved output.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkCluster, type CheckHost } from '../../../src/core/check';
import { loadClusterModel } from '../../../src/core/config';
import type { Finding } from '../../../src/core/findings/finding';
import type { ClusterModel } from '../../../src/core/model/cluster';
import { modelFromIpvs, parseIpvsadmSave } from '../../../src/core/state';
import { hasSharedFixtures, labFixturesDir, requireOrSkip } from '../../helpers/env';
import { FixtureHost, NOT_RECORDED, type FixtureOutput } from './fixtureHost';

const lab = (...p: string[]): string => path.join(labFixturesDir, ...p);

/** The director's saved rules file as the config (what `ipvsadm-restore` would load). */
function rulesModel(scenario: string): ClusterModel {
  const file = lab(scenario, 'director', 'ipvsadm-save-n.txt');
  return modelFromIpvs(parseIpvsadmSave(fs.readFileSync(file, 'utf8')), file);
}

function hosts(scenario: string, spec: [string, CheckHost['role'], string?][], extra: Record<string, Record<string, FixtureOutput>> = {}): Map<string, CheckHost> {
  return new Map(
    spec.map(([name, role, suffix]) => [name, { role, host: new FixtureHost(name, lab(scenario, name), suffix ?? '', extra[name] ?? {}) }]),
  );
}
const cluster = (scenario: string, extra?: Record<string, Record<string, FixtureOutput>>): Map<string, CheckHost> =>
  hosts(scenario, [['director', 'director'], ['rs1', 'real-server'], ['rs2', 'real-server']], extra);

/** Findings about outputs the fixtures never recorded (no `ss`, kernel config or journal) say nothing about the scenario. */
const fixtureGap = (f: Finding): boolean => f.code === 'check-source-unreadable' && f.evidence.every((e) => e.text.includes(NOT_RECORDED));
const codes = (fs: Finding[], min: 'warning' | 'error' = 'warning'): string[] =>
  fs.filter((f) => !fixtureGap(f) && (f.severity === 'error' || (min === 'warning' && f.severity === 'warning'))).map((f) => `${f.code}@${f.evidence[0]?.host ?? ''}`);

describe('checkCluster on the real fixture outputs', function () {
  before(function () {
    requireOrSkip(this, hasSharedFixtures(), 'shared lab fixtures (../shared/fixtures/lab)');
  });

  it('dr-healthy: no warning, and the hosts are recognised', async function () {
    const r = await checkCluster({ model: rulesModel('dr-healthy'), hosts: cluster('dr-healthy') });
    assert.deepEqual(codes(r.findings), []);
    const rs1 = r.hosts.find((h) => h.name === 'rs1');
    assert.deepEqual(rs1?.vips, ['192.0.2.100 on lo']);
    assert.equal(rs1?.realServers?.length, 2, 'rs1 is a real server of the TCP and the UDP service');
    const d = r.hosts.find((h) => h.name === 'director');
    assert.deepEqual([d?.ipvs, d?.liveServices, d?.vips], ['present', 2, ['192.0.2.100 on eth0']]);
    // Only info-level advice remains (UDP service with expire_nodest_conn=0).
    assert.deepEqual(r.findings.filter((f) => !fixtureGap(f)).map((f) => f.code), ['check-expire-nodest-conn']);
  });

  it('dr-arp-problem: check-arp-sysctls on rs1 only, pointing at rs1\'s real server line, with a quick fix', async function () {
    const model = rulesModel('dr-arp-problem');
    const r = await checkCluster({ model, hosts: cluster('dr-arp-problem') });
    assert.deepEqual(codes(r.findings), ['check-arp-sysctls@rs1']);
    const f = r.findings[0];
    assert.equal(f.severity, 'error');
    assert.equal(f.realServer, '192.0.2.11');
    assert.deepEqual([path.basename(f.location?.file ?? ''), f.location?.line], ['ipvsadm-save-n.txt', 2]);
    assert.match(f.evidence[0].text, /net\.ipv4\.conf\.all\.arp_ignore = 0/);
    assert.deepEqual(f.fix, {
      description: 'Stop rs1 from answering ARP for the VIP (until reboot)',
      host: 'rs1',
      argv: ['sysctl', '-w', 'net.ipv4.conf.all.arp_ignore=1', 'net.ipv4.conf.all.arp_announce=2'],
      sudo: true,
    });
  });

  it('nat-wrong-gateway: rs2\'s default route via 10.0.0.254 instead of the director 10.0.0.1, and the SYN_RECV entries', async function () {
    const r = await checkCluster({ model: rulesModel('nat-wrong-gateway'), hosts: cluster('nat-wrong-gateway') });
    assert.deepEqual(codes(r.findings), ['check-rs-default-route@rs2', 'check-ipvs-syn-recv@director']);
    const f = r.findings[0];
    assert.match(f.message, /routes its replies via 10\.0\.0\.254, not via the director \(10\.0\.0\.1\)/);
    assert.equal(f.evidence[0].text, 'ip route: default via 10.0.0.254 dev eth0');
    assert.deepEqual(f.fix?.argv, ['ip', 'route', 'replace', 'default', 'via', '10.0.0.1']);
    assert.match(r.findings[1].message, /2 connections to real server 10\.0\.0\.12:8080 are stuck in SYN_RECV/);
  });

  it('nat-healthy and tun-healthy: no warning', async function () {
    for (const scenario of ['nat-healthy', 'tun-healthy']) {
      const h = hosts(scenario, [['director', 'director', '-before'], ['rs1', 'real-server'], ['rs2', 'real-server']]);
      const r = await checkCluster({ model: rulesModel(scenario), hosts: h });
      assert.deepEqual(codes(r.findings), [], scenario);
      assert.ok(r.hosts.find((x) => x.name === 'rs1')?.realServers?.length, `${scenario}: rs1 matched by address`);
    }
  });

  it('tun-healthy with strict rp_filter or tunl0 down on rs1: check-rp-filter / check-tunnel-device-missing', async function () {
    const sysctl = fs.readFileSync(lab('tun-healthy', 'rs1', 'sysctl.txt'), 'utf8').replace('net.ipv4.conf.tunl0.rp_filter = 0', 'net.ipv4.conf.tunl0.rp_filter = 1');
    const addr = fs.readFileSync(lab('tun-healthy', 'rs1', 'ip-addr.txt'), 'utf8').replace('<NOARP,UP,LOWER_UP>', '<NOARP>');
    const h = hosts('tun-healthy', [['director', 'director', '-before'], ['rs1', 'real-server']], { rs1: { 'sh -c cd /proc/sys*': { stdout: sysctl }, 'ip addr show': { stdout: addr } } });
    const r = await checkCluster({ model: rulesModel('tun-healthy'), hosts: h });
    assert.deepEqual(codes(r.findings).sort(), ['check-rp-filter@rs1', 'check-tunnel-device-missing@rs1']);
    assert.deepEqual(r.findings.find((f) => f.code === 'check-rp-filter')?.fix?.argv, ['sysctl', '-w', 'net.ipv4.conf.tunl0.rp_filter=2']);
  });

  it('no-real-servers: each empty service is an error on the director', async function () {
    const r = await checkCluster({ model: rulesModel('no-real-servers'), hosts: hosts('no-real-servers', [['director', 'director']]) });
    assert.deepEqual(codes(r.findings), ['check-service-no-destinations@director', 'check-service-no-destinations@director']);
    assert.match(r.findings[0].message, /tcp:192\.0\.2\.100:80 on director has no real servers/);
    assert.equal(r.findings[0].location?.line, 1);
  });

  it('keepalived-vrrp: one VIP holder while both run; after failover dir2 holds it; both / none are errors', async function () {
    const model = loadClusterModel([lab('keepalived-vrrp', 'dir1', 'keepalived.conf')]);
    const dirs = (s1: string, s2: string, extra?: Record<string, Record<string, FixtureOutput>>): Map<string, CheckHost> =>
      hosts('keepalived-vrrp', [['dir1', 'director', s1], ['dir2', 'director', s2]], extra);
    const running = await checkCluster({ model, hosts: dirs('-1-running', '-1-running') });
    assert.deepEqual(codes(running.findings), []);
    assert.deepEqual(running.hosts.map((h) => h.vips), [['192.0.2.100 on eth0'], []]);

    const after = await checkCluster({ model, hosts: dirs('-2-after-failover', '-2-after-failover') });
    assert.deepEqual(after.hosts.map((h) => h.vips), [[], ['192.0.2.100 on eth0']]);
    // keepalived was stopped on dir1, so its IPVS table is empty: drift there, not on dir2.
    assert.ok(codes(after.findings).every((c) => c.endsWith('@dir1')), codes(after.findings).join());
    assert.ok(codes(after.findings).includes('check-ipvs-drift-service-missing@dir1'));

    // dir1's address dump while running + dir2's after failover = both hold it.
    const both = await checkCluster({ model, hosts: dirs('-1-running', '-2-after-failover') });
    const split = both.findings.find((f) => f.code === 'check-vip-held-by-both');
    assert.ok(split, codes(both.findings).join());
    assert.equal(split.severity, 'error');
    assert.deepEqual(split.evidence.map((e) => e.text), [
      'ip addr: inet 192.0.2.100/24 scope global secondary eth0',
      'ip addr: inet 192.0.2.100/24 scope global secondary eth0',
    ]);
    assert.equal(split.location?.line, model.vrrpInstances[0].location?.line);

    const none = await checkCluster({ model, hosts: dirs('-2-after-failover', '-1-running') });
    assert.ok(none.findings.some((f) => f.code === 'check-vip-held-by-none' && f.severity === 'error'));
  });

  it('keepalived-vrrp: VIP holders against the VRRP state keepalived logged', async function () {
    const model = loadClusterModel([lab('keepalived-vrrp', 'dir1', 'keepalived.conf')]);
    const logOf = (host: string, lines?: number): string => {
      const all = fs.readFileSync(lab('keepalived-vrrp', 'logs', `keepalived-${host}.log`), 'utf8').split('\n');
      return all.slice(0, lines ?? all.length).join('\n');
    };
    // The logs cut where each ip-addr dump was taken: running = dir1 MASTER (line 25), dir2 BACKUP;
    // after failover = dir1 stopped, dir2 MASTER (line 27).
    const run = (s1: string, log1: string, s2: string, log2: string) =>
      checkCluster({
        model,
        hosts: hosts('keepalived-vrrp', [['dir1', 'director', s1], ['dir2', 'director', s2]], {
          dir1: { 'journalctl*': { stdout: log1 } },
          dir2: { 'journalctl*': { stdout: log2 } },
        }),
      });
    const vrrp = (fs: Finding[]): string[] => codes(fs).filter((c) => c.startsWith('check-vrrp'));
    const running = await run('-1-running', logOf('dir1', 30), '-1-running', logOf('dir2', 24));
    assert.deepEqual(vrrp(running.findings), []);
    assert.deepEqual(running.hosts.map((h) => h.vrrp), [['VI_WEB MASTER'], ['VI_WEB BACKUP']]);
    assert.deepEqual(vrrp((await run('-2-after-failover', logOf('dir1'), '-2-after-failover', logOf('dir2', 30))).findings), []);
    // dir1 still holding the VIP after its keepalived stopped.
    const stale = await run('-1-running', logOf('dir1'), '-2-after-failover', logOf('dir2', 30));
    assert.ok(vrrp(stale.findings).includes('check-vrrp-vip-without-master@dir1'), codes(stale.findings).join());
    // Both logged MASTER last.
    const two = await run('-1-running', logOf('dir1', 30), '-2-after-failover', logOf('dir2', 30));
    const split = two.findings.find((f) => f.code === 'check-vrrp-two-masters');
    assert.ok(split, codes(two.findings).join());
    assert.deepEqual(split.evidence.map((e) => e.text), [
      'keepalived log: Wed Nov 25 14:28:55 2026: (VI_WEB) Entering MASTER STATE',
      'keepalived log: Wed Nov 25 14:29:08 2026: (VI_WEB) Entering MASTER STATE',
    ]);
    // MASTER by its log, but the VIP is gone.
    const lost = await run('-2-after-failover', logOf('dir1', 30), '-1-running', logOf('dir2', 24));
    assert.ok(vrrp(lost.findings).includes('check-vrrp-master-without-vip@dir1'), codes(lost.findings).join());
  });

  it('keepalived-healthcheck: the real servers keepalived removed show as drift against keepalived.conf', async function () {
    const model = loadClusterModel([lab('keepalived-healthcheck', 'director', 'keepalived.conf')]);
    const h = hosts('keepalived-healthcheck', [['director', 'director', '-2-after-checks']]);
    const r = await checkCluster({ model, hosts: h });
    const missing = r.findings.filter((f) => f.code === 'check-ipvs-drift-destination-missing');
    assert.deepEqual(missing.map((f) => [f.service, f.realServer, f.location?.line]).sort(), [
      ['tcp:192.0.2.100:6379', model.services[1].realServers[1].name, model.services[1].realServers[1].location?.line],
      ['tcp:192.0.2.100:80', model.services[0].realServers[1].name, model.services[0].realServers[1].location?.line],
    ]);
    assert.match(missing[0].message, /likely cause: its health check failed/);
  });

  it('host-no-ipvs: IPVS missing is an error, and the other checks still run', async function () {
    const noIpvs = fs.readFileSync(lab('host-no-ipvs', 'ipvsadm-no-ipvs-kernel.txt'), 'utf8');
    const stderr = noIpvs.split('\n').slice(1, 3).join('\n');
    const h = hosts('dr-healthy', [['director', 'director'], ['rs1', 'real-server']], {
      director: {
        'ipvsadm*': { stderr, code: 2 },
        'cat /proc/net/ip_vs': { stderr: 'cat: /proc/net/ip_vs: No such file or directory', code: 1 },
        'sh -c r=*': { stdout: '# uname -r: 6.18.0\n# CONFIG_IP_VS is not set\n' },
      },
    });
    const r = await checkCluster({ model: rulesModel('dr-healthy'), hosts: h });
    assert.deepEqual(codes(r.findings), ['check-ipvs-missing@director']);
    assert.match(r.findings[0].message, /IPVS is not available on director director \(kernel 6\.18\.0\): (Protocol not available|\/proc\/net\/ip_vs)/);
    assert.equal(r.hosts.find((x) => x.name === 'director')?.ipvs, 'missing');
    // The emulated-director case: leave that code out and nothing else is wrong.
    const again = await checkCluster({ model: rulesModel('dr-healthy'), hosts: h, ignore: ['check-ipvs-missing'] });
    assert.deepEqual(codes(again.findings), []);
  });

  it('a kernel built without CONFIG_IP_VS_PROTO_TCP, or without the scheduler in use, is an error', async function () {
    const config = ['# uname -r: 6.1.0-test', 'CONFIG_IP_VS=m', '# CONFIG_IP_VS_PROTO_TCP is not set', 'CONFIG_IP_VS_PROTO_UDP=y', '# CONFIG_IP_VS_RR is not set', 'CONFIG_IP_VS_WLC=m'].join('\n');
    const h = hosts('dr-healthy', [['director', 'director']], { director: { 'sh -c r=*': { stdout: config } } });
    const r = await checkCluster({ model: rulesModel('dr-healthy'), hosts: h });
    assert.deepEqual(r.findings.filter((f) => f.severity === 'error').map((f) => f.code), ['check-kernel-proto-missing', 'check-kernel-scheduler-missing']);
    assert.match(r.findings[0].message, /kernel 6\.1\.0-test on director was built without CONFIG_IP_VS_PROTO_TCP/);
    const ok = ['CONFIG_IP_VS=m', 'CONFIG_IP_VS_PROTO_TCP=y', 'CONFIG_IP_VS_PROTO_UDP=y', 'CONFIG_IP_VS_RR=m'].join('\n');
    const r2 = await checkCluster({ model: rulesModel('dr-healthy'), hosts: hosts('dr-healthy', [['director', 'director']], { director: { 'sh -c r=*': { stdout: ok } } }) });
    assert.deepEqual(codes(r2.findings), []);
  });

  it('drift: weights, methods, extra services and destinations against a changed config', async function () {
    const model = rulesModel('dr-healthy');
    model.services[0].realServers[0].weight = 3;
    model.services[0].realServers[1].method = 'nat';
    model.services[1].realServers.pop();
    const extraSvc = model.services.splice(1, 1);
    const r = await checkCluster({ model, hosts: hosts('dr-healthy', [['director', 'director']]) });
    assert.deepEqual(r.findings.map((f) => f.code).filter((c) => c.startsWith('check-ipvs-drift')).sort(), [
      'check-ipvs-drift-method',
      'check-ipvs-drift-service-extra',
      'check-ipvs-drift-weight',
    ]);
    assert.equal(extraSvc.length, 1);
  });

  it('a weight-0 destination still getting new connections (--rate CPS) is reported', async function () {
    const ln = fs.readFileSync(lab('dr-healthy', 'director', 'ipvsadm-Ln.txt'), 'utf8').replace('  -> 192.0.2.12:80                Route   1', '  -> 192.0.2.12:80                Route   0');
    const rate = fs.readFileSync(lab('dr-healthy', 'director', 'ipvsadm-Ln-rate.txt'), 'utf8').replace(/( {2}-> 192\.0\.2\.12:80 +)0/, '$13');
    const h = hosts('dr-healthy', [['director', 'director']], { director: { 'ipvsadm -Ln --rate --exact': { stdout: rate }, 'ipvsadm -Ln': { stdout: ln } } });
    const r = await checkCluster({ model: rulesModel('dr-healthy'), hosts: h });
    const f = r.findings.find((x) => x.code === 'check-quiescent-receiving');
    assert.ok(f, codes(r.findings).join());
    assert.match(f.message, /192\.0\.2\.12:80 of tcp:192\.0\.2\.100:80 has weight 0 on director but still gets 3 new connections per second/);
    assert.ok(r.findings.some((x) => x.code === 'check-ipvs-drift-weight'), 'and the weight differs from the config');
  });

  it('an unreachable host becomes a finding, not a crash, and the others are still judged', async function () {
    const h = cluster('dr-arp-problem');
    h.set('rs3', {
      role: 'real-server',
      host: { name: 'rs3', exec: async () => { throw new Error('connect ECONNREFUSED 192.0.2.13:22'); }, download: async () => {}, close: async () => {} },
    });
    const r = await checkCluster({ model: rulesModel('dr-arp-problem'), hosts: h });
    assert.deepEqual(codes(r.findings), ['check-host-unreachable@rs3', 'check-arp-sysctls@rs1']);
    assert.equal(r.hosts.find((x) => x.name === 'rs3')?.reachable, false);
  });

  it('runs only read-only commands', async function () {
    const h = cluster('dr-healthy');
    await checkCluster({ model: rulesModel('dr-healthy'), hosts: h });
    const all = [...h.values()].flatMap((x) => (x.host as FixtureHost).commands);
    assert.ok(all.length >= 10);
    for (const c of all) {
      if (c.startsWith('sh -c ')) {
        // The kernel-config script: only reads (uname, test, grep, zcat, echo).
        // Quoted text is arguments (grep patterns, sed scripts), not commands.
        const words = c.slice(6).replace(/'[^']*'/g, "''").match(/(?<=^|[;|&\n]\s*|then\s+)[a-z[]+/g) ?? [];
        for (const w of words) assert.ok(['r', 'if', 'then', 'fi', 'echo', 'grep', 'zcat', 'exit', '[', 'cd', 'sed'].includes(w), `${w} in ${c}`);
        assert.doesNotMatch(c, /\bsed\s+-i|>\s*[^&]/, c);
        continue;
      }
      assert.doesNotMatch(c, /(^|\s)(-w|-A|-a|-D|-d|-E|-e|-C|-R|add|del|replace|set|flush)(\s|$)/, c);
    }
  });
});
