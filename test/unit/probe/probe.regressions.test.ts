// Probe defects found on a real lab: what the probe concluded from the answers of
// the client (recorded here as the client script's JSON lines), the config and the
// captures, against what the cluster was really doing.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/cli/main';
import { loadClusterModel } from '../../../src/core/config';
import {
  expectedDistribution,
  liveProbeSettings,
  probeFindings,
  probeSettingsFromService,
  probeVip,
  type ProbeAttempt,
  type ProbeDistributionRow,
  type ProbeOptions,
} from '../../../src/core/probe';
import type { ExecResult, RemoteHost } from '../../../src/core/ssh/remote';
import { captureStdio } from '../../helpers/stdio';

/** A client host whose probe script "ran": one JSON line per attempt, answered by `who(i)` (undefined = failed with `error`). */
function client(count: number, who: (i: number) => string | undefined, error = 'refused'): RemoteHost {
  return {
    name: 'client',
    async exec(): Promise<ExecResult> {
      const lines: string[] = [];
      for (let i = 0; i < count; i++) {
        const rs = who(i);
        lines.push(JSON.stringify(rs ? { i, ok: true, sport: 40000 + i, ms: 0.4, answer: `HTTP/1.0 200 OK\r\n\r\nhello from ${rs}\n` } : { i, ok: false, sport: 40000 + i, error }));
      }
      return { stdout: lines.join('\n'), stderr: '', code: 0 };
    },
    download: async () => {},
    close: async () => {},
  };
}

/** A director whose `ipvsadm -Ln` is `text`. */
const director = (text: string): RemoteHost => ({
  name: 'director',
  exec: async (argv) => (argv.join(' ') === 'ipvsadm -Ln' ? { stdout: text, stderr: '', code: 0 } : { stdout: '', stderr: `${argv[0]}: not found`, code: 127 }),
  download: async () => {},
  close: async () => {},
});

describe('probe: regressions', function () {
  this.timeout(30_000);
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-probe-reg-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const conf = (body: string): string => {
    const f = path.join(dir, `ka-${Math.random().toString(36).slice(2)}.conf`);
    fs.writeFileSync(f, body);
    return f;
  };
  const service = (sched: string, extra = ''): ProbeOptions => {
    const model = loadClusterModel([
      conf(`virtual_server 192.0.2.100 80 {\n  lb_algo ${sched}\n${extra}  lb_kind DR\n  protocol TCP\n  real_server 192.0.2.11 80 {\n    weight 1\n  }\n  real_server 192.0.2.12 80 {\n    weight 1\n  }\n}\n`),
    ]);
    const hostOf = (a: string): string => (a === '192.0.2.11' ? 'rs1' : 'rs2');
    return { ...probeSettingsFromService(model.services[0], hostOf), from: client(1, () => undefined), count: 1, tool: 'python3', intervalMs: 0 };
  };
  const run = (opts: ProbeOptions, count: number, who: (i: number) => string | undefined) => probeVip({ ...opts, count, from: client(count, who) });

  it('the config\'s sh-port flag is used: 40 of 40 on rs1 under sh + sh-port is unexpected, not "as expected"', async function () {
    const opts = service('sh', '  sh-port\n');
    assert.deepEqual(opts.schedulerFlags, ['sh-port']);
    const r = await run(opts, 40, () => 'rs1');
    assert.equal(r.judgement.verdict, 'unexpected', r.judgement.message);
    assert.ok(r.findings.some((f) => f.code === 'probe-distribution-unexpected'));
    // Without the flag, one client on one server is what sh does.
    assert.equal((await run(service('sh'), 40, () => 'rs1')).judgement.verdict, 'as-expected');
  });

  it('refused attempts are judged first (the dead server), and the spread of the rest is not blamed on the weights', async function () {
    const r = await run(service('wlc'), 48, (i) => (i % 2 ? 'rs1' : undefined));
    assert.notEqual(r.judgement.verdict, 'unexpected', r.judgement.message);
    assert.match(r.judgement.message, /24 attempts failed/);
    assert.match(r.judgement.message, /counting them as 192\.0\.2\.12's .* fits/);
    assert.ok(!r.findings.some((f) => f.code === 'probe-distribution-unexpected'), r.findings.map((f) => f.code).join());
    const failed = r.findings.find((f) => f.code === 'probe-some-failed');
    assert.ok(failed);
    assert.equal(failed.realServer, '192.0.2.12');
    assert.match(failed.message, /192\.0\.2\.12 answered none of the others/);
  });

  it('9 of 9 on one of two equal servers is judged (exact binomial p = 0.004), not "too few"', async function () {
    const r = await run(service('rr'), 9, () => 'rs1');
    assert.equal(r.judgement.verdict, 'unexpected', r.judgement.message);
    assert.ok(Math.abs((r.judgement.test?.pValue ?? 1) - 2 / 512) < 1e-9);
    assert.equal((await run(service('rr'), 6, () => 'rs1')).judgement.verdict, 'too-few', '6:0 has p = 0.03');
  });

  it('lblc, lblcr, sed and nq send a sequential probe to one server', function () {
    const servers = [
      { name: 'a', weight: 1 },
      { name: 'b', weight: 3 },
      { name: 'c', weight: 3 },
    ];
    for (const s of ['lblc', 'lblcr', 'nq']) assert.equal(expectedDistribution(s, servers).kind, 'single', s);
    const sed = expectedDistribution('sed', servers);
    assert.deepEqual(sed.kind === 'single' ? sed.candidates : sed.kind, ['b', 'c']);
  });

  it('sed on an idle service: all on one server is as expected; a spread is not judged (other traffic changes the choice)', async function () {
    assert.equal((await run(service('sed'), 20, () => 'rs1')).judgement.verdict, 'as-expected');
    assert.equal((await run(service('sed'), 20, (i) => (i % 2 ? 'rs1' : 'rs2'))).judgement.verdict, 'no-verdict');
  });

  it('without a config, the director\'s live table gives scheduler, flags, persistence and weights', async function () {
    const ln = [
      'IP Virtual Server version 1.2.1 (size=4096)',
      'Prot LocalAddress:Port Scheduler Flags',
      '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
      'TCP  192.0.2.100:80 wlc persistent 300',
      '  -> 192.0.2.11:80                Route   1      0          0',
      '  -> 192.0.2.12:80                Route   1      0          0',
      'TCP  192.0.2.100:443 sh (sh-port)',
      '  -> 192.0.2.11:443               Route   2      0          0',
    ].join('\n');
    const s = await liveProbeSettings(director(ln), { vip: '192.0.2.100', port: 80, protocol: 'tcp' });
    assert.equal(s?.persistenceSeconds, 300);
    assert.match(s?.expectationSource ?? '', /live table of director/);
    assert.deepEqual(s?.realServers.map((r) => [r.address, r.weight]), [['192.0.2.11', 1], ['192.0.2.12', 1]]);
    s!.realServers.forEach((x, k) => (x.host = `rs${k + 1}`));
    const r = await probeVip({ ...s!, from: client(20, () => 'rs1'), count: 20, tool: 'python3' });
    assert.equal(r.judgement.verdict, 'as-expected', 'persistence: one client on one server');
    const https = await liveProbeSettings(director(ln), { vip: '192.0.2.100', port: 443, protocol: 'tcp' });
    assert.deepEqual([https?.scheduler, https?.schedulerFlags], ['sh', ['sh-port']]);
    assert.equal(await liveProbeSettings(director(ln), { vip: '192.0.2.100', port: 8080, protocol: 'tcp' }), undefined);
  });

  const row = (server: string, count: number): ProbeDistributionRow => ({ server, weight: 1, count, answered: count });
  const base = { target: 'tcp:192.0.2.100:80', from: 'client', checkCommand: '`lvs-trace check`', j: { verdict: 'as-expected' as const, message: '', expectation: '' } };

  it('--capture: the real server answered but the client got nothing is an error pointing at the return path (NAT)', function () {
    const attempts: ProbeAttempt[] = [];
    for (let i = 0; i < 12; i++) {
      const rs = i % 2 ? 'rs1' : 'rs2';
      const lost = rs === 'rs2';
      attempts.push({ i, ok: !lost, sourcePort: 40000 + i, seenBy: [rs], repliedBy: [rs], answeredBy: rs, via: 'capture', error: lost ? 'timeout' : undefined });
    }
    const f = probeFindings({
      ...base,
      attempts,
      rows: [row('rs1', 6), row('rs2', 6)],
      captured: new Map([['rs1', { packets: 30 }], ['rs2', { packets: 30 }]]),
      method: 'nat',
      servers: [{ name: 'rs1', address: '10.0.0.11', port: 8080, weight: 1 }, { name: 'rs2', address: '10.0.0.12', port: 8080, weight: 1 }],
    });
    const lost = f.find((x) => x.code === 'probe-reply-lost');
    assert.ok(lost, f.map((x) => x.code).join());
    assert.equal(lost.severity, 'error');
    assert.equal(lost.realServer, 'rs2');
    assert.match(lost.message, /answered 6 of the probe's connections .* but the client client never got the answer \(timeout\)/);
    assert.match(lost.advice ?? '', /nat-reply-bypasses-director/);
    const dr = probeFindings({ ...base, attempts, rows: [row('rs1', 6), row('rs2', 6)], captured: new Map([['rs1', { packets: 30 }], ['rs2', { packets: 30 }]]), method: 'dr', servers: [] });
    assert.match(dr.find((x) => x.code === 'probe-reply-lost')?.advice ?? '', /dr-reply-wrong-source/);
  });

  it('--capture: an empty capture is a warning, never a dead real server', function () {
    // Answers name both real servers; the captures (on the wrong interface) hold nothing.
    const attempts: ProbeAttempt[] = [0, 1, 2, 3].map((i) => ({ i, ok: true, sourcePort: 40000 + i, seenBy: [], repliedBy: [], answeredBy: i % 2 ? 'rs1' : 'rs2', via: 'answer' }));
    const f = probeFindings({ ...base, attempts, rows: [row('rs1', 2), row('rs2', 2)], captured: new Map([['rs1', { packets: 0 }], ['rs2', { problem: 'its address in the service is not known' }]]), servers: [] });
    assert.deepEqual(f.map((x) => `${x.code}@${x.realServer}:${x.severity}`).sort(), ['probe-capture-empty@rs1:warning', 'probe-capture-empty@rs2:warning']);
    assert.match(f.find((x) => x.realServer === 'rs1')!.message, /Captured nothing on real server rs1/);
  });

  it('--capture with capture hosts that cannot be reached: said so, not silently dropped', async function () {
    const opts = service('rr');
    const source = { get: async (name: string) => Promise.reject(new Error(`${name}: unreachable (test)`)) };
    const r = await probeVip({ ...opts, count: 4, from: client(4, (i) => (i % 2 ? 'rs1' : 'rs2')), capture: { source: source as never } });
    assert.deepEqual(r.findings.map((f) => f.code).sort(), ['probe-capture-empty', 'probe-capture-empty']);
    assert.ok(r.notes.some((n) => /192\.0\.2\.11: not captured/.test(n)), r.notes.join('\n'));
  });

  describe('lvs-trace probe', function () {
    let server: net.Server;
    let port = 0;
    before(async function () {
      server = net.createServer((s) => s.end('HTTP/1.0 200 OK\r\n\r\nhello from rs1\n'));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      port = (server.address() as net.AddressInfo).port;
    });
    after(() => server.close());

    it('--config: answers naming a hosts-file host are attributed to its real server (matched by the hosts file, without --capture)', async function () {
      const cfg = conf(`virtual_server 127.0.0.1 ${port} {\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n  real_server 127.0.0.1 ${port} {\n    weight 1\n  }\n}\n`);
      const hosts = path.join(dir, 'hosts-addr.json');
      fs.writeFileSync(hosts, JSON.stringify({ hosts: { rs1: { host: '198.18.0.21', role: 'real-server', address: '127.0.0.1' } } }));
      const r = await captureStdio(() => main(['probe', '--service', `tcp:127.0.0.1:${port}`, '--from', 'local', '--count', '3', '--interval', '0', '--config', cfg, '--hosts', hosts, '--json']));
      assert.equal(r.code, 0, r.err);
      const j = JSON.parse(r.out) as { unattributed: number; attempts: ProbeAttempt[]; notes: string[] };
      assert.equal(j.unattributed, 0, r.out);
      assert.ok(j.attempts.every((a) => a.answeredBy === '127.0.0.1' && a.via === 'answer'));
    });

    it('no --config and no readable live table: the output says the expectation is assumed', async function () {
      const closed = net.createServer();
      await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
      const dead = (closed.address() as net.AddressInfo).port;
      await new Promise<void>((r) => closed.close(() => r()));
      const hosts = path.join(dir, 'hosts-dir.json');
      fs.writeFileSync(hosts, JSON.stringify({ hosts: { d1: { host: '127.0.0.1', port: dead, role: 'director' }, rs1: { host: '127.0.0.1', port: dead, role: 'real-server', address: '127.0.0.1' } } }));
      const r = await captureStdio(() => main(['probe', '--service', `tcp:127.0.0.1:${port}`, '--from', 'local', '--count', '2', '--interval', '0', '--hosts', hosts, '--known-hosts', path.join(dir, 'kh')]));
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /note: expectation from assumed: scheduler wlc, weight 1 for each real server of the hosts file \(no --config, and the live table could not be read: /);
    });
  });
});
