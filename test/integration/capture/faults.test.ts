// What goes wrong in real life, against the lab: a host that never answers, tcpdump
// missing, wrong password, sudo refused, unknown and changed host keys, the SSH
// connection cut mid-capture, malicious values, and cancel. Each must end in a
// clear message, partial results where possible, and nothing left on the hosts.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { planCapture, runCapture, type CapturePlan, type HostSource } from '../../../src/core/capture';
import { loadClusterModel } from '../../../src/core/config';
import { InvalidValueError, SshPool, type HostConfig, type UnknownHostKeyInfo } from '../../../src/core/ssh';
import type { ClientResult, Lab } from '../../lab/lab';
import { assertNothingLeft, collectLog, labHosts, labPool, packetsOf, requireLab, startLab, stateLog, tmpOut, whenAllCapturing } from './helpers';

describe('capture faults in the lab', function () {
  this.timeout(120000);
  let lab: Lab | undefined;
  let silent: net.Server | undefined;
  let silentPort = 0;
  const sockets: net.Socket[] = [];
  before(async function () {
    requireLab(this);
    lab = await startLab({ mode: 'dr', breaks: ['no-tcpdump:rs2'] });
    // "A host that does not answer": accepts TCP, never speaks SSH.
    silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent!.listen(0, '127.0.0.1', r));
    silentPort = (silent.address() as net.AddressInfo).port;
  });
  after(async function () {
    for (const s of sockets) s.destroy();
    silent?.close();
    await lab?.down();
  });

  const rsHost = (l: Lab, name: string, over: Partial<HostConfig> = {}): HostConfig => ({ ...labHosts(l).find((h) => h.name === name)!, ...over });
  const password = (l: Lab): string => l.users.find((u) => u.name === 'lvsuser')!.password!;
  const planFor = (l: Lab, hosts: HostConfig[]): CapturePlan =>
    planCapture({
      model: loadClusterModel([l.keepalivedConfPath]),
      service: `tcp:${l.vip}:${l.tcpPort}`,
      hosts: hosts.map((h) => ({ name: h.name, role: h.role ?? 'other', realServer: h.realServer })),
    });

  it('partial capture: a silent host and a host without tcpdump are reported, the others captured', async function () {
    const l = lab!;
    const logged = collectLog();
    const hosts = [...labHosts(l).filter((h) => ['director', 'rs1', 'rs2'].includes(h.name)), { name: 'ghost', host: '127.0.0.1', port: silentPort, role: 'real-server' as const, connectTimeoutMs: 3000 }];
    const pool = new SshPool({ hosts, knownHostsPath: l.knownHostsPath, onUnknownHostKey: async () => 'reject', getSecret: async () => undefined, log: logged.log, connectTimeoutMs: 20000 });
    const out = tmpOut('partial');
    try {
      const plan = planFor(l, hosts);
      const stop = new AbortController();
      const w = whenAllCapturing();
      const t0 = Date.now();
      const run = runCapture(plan, pool, { outDir: out, durationMs: 30000, stopSignal: stop.signal, log: logged.log, onProgress: w.onProgress });
      const ready = await w.ready;
      assert.ok(Date.now() - t0 < 20000, 'the silent host did not hold up the others beyond its timeout');
      assert.equal(ready.ghost.state, 'failed');
      const traffic = await l.clientTraffic({ protocol: 'tcp', count: 4 });
      stop.abort();
      const m = await run;
      const why = JSON.stringify({ traffic, errors: m.errors, points: m.points });
      assert.deepEqual(m.points.map((p) => p.host).sort(), ['director', 'rs1'], why);
      const err = (h: string) => (m.errors ?? []).filter((e) => e.host === h).map((e) => e.message).join(' | ');
      assert.equal(err('ghost'), `ghost (127.0.0.1:${silentPort}): connection timed out after 3 s`);
      assert.match(err('rs2'), /^tcpdump was not found or is not executable on rs2 \(looked in PATH, \/usr\/sbin and \/sbin\); install the tcpdump package there$/);
      assert.equal(err('director'), '');
      assert.ok(packetsOf(path.join(out, m.points.find((p) => p.host === 'director')!.file)).some((p) => p.flags === 'S'), `director saw the SYNs: ${why}`);
      await assertNothingLeft(pool, logged.tempDirs());
    } finally {
      await pool.closeAll();
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('wrong password: says authentication failed, and no password ever reaches the log', async function () {
    const l = lab!;
    const logged = collectLog();
    const good = password(l);
    const asked: string[] = [];
    const mk = (pw: string) =>
      new SshPool({
        hosts: [rsHost(l, 'rs1', { user: 'lvsuser', identityFiles: [], agent: false })],
        knownHostsPath: l.knownHostsPath,
        onUnknownHostKey: async () => 'reject',
        getSecret: async (req) => {
          asked.push(`${req.kind}:${req.host}:${req.user}`);
          return pw;
        },
        log: logged.log,
      });
    const bad = mk('not-the-password-3141');
    await assert.rejects(bad.get('rs1'), (e: Error) => {
      assert.match(e.message, /^authentication failed for lvsuser@rs1 \(198\.18\.\d+\.21:22\) \(tried: password\); the password was refused$/);
      return true;
    });
    await bad.closeAll();
    // the right password, then sudo with the same password fed on stdin (no pty)
    const ok = mk(good);
    try {
      const h = await ok.get('rs1');
      const who = await h.exec(['id', '-u'], { sudo: true, timeoutMs: 20000 });
      assert.equal(who.stdout.trim(), '0', who.stderr);
      assert.deepEqual([...new Set(asked)], ['password:rs1:lvsuser', 'sudo:rs1:lvsuser']);
    } finally {
      await ok.closeAll();
    }
    const text = logged.lines.join('\n');
    assert.ok(logged.lines.length > 3, 'the log was written');
    assert.ok(!text.includes(good) && !text.includes('not-the-password-3141'), 'no password in the log');
  });

  it('sudo with a password (lvsuser): captures, stops on request, nothing left, password never logged', async function () {
    const l = lab!;
    const logged = collectLog();
    const pool = new SshPool({
      hosts: [rsHost(l, 'rs1', { user: 'lvsuser', identityFiles: [], agent: false })],
      knownHostsPath: l.knownHostsPath,
      onUnknownHostKey: async () => 'reject',
      getSecret: async () => password(l),
      log: logged.log,
    });
    const out = tmpOut('sudopw');
    try {
      const stop = new AbortController();
      const w = whenAllCapturing();
      const run = runCapture(planFor(l, [rsHost(l, 'rs1')]), pool, { outDir: out, durationMs: 60000, stopSignal: stop.signal, log: logged.log, onProgress: w.onProgress });
      await w.ready;
      await l.clientTraffic({ protocol: 'tcp', count: 4 });
      const t0 = Date.now();
      stop.abort();
      const m = await run;
      assert.ok(Date.now() - t0 < 10000, 'SIGINT reached tcpdump through timeout and sudo');
      assert.deepEqual(m.errors ?? [], []);
      const pt = m.points[0];
      assert.equal(typeof pt.packetsCaptured, 'number', 'tcpdump printed its statistics (it stopped on SIGINT)');
      assert.equal(pt.packetsCaptured, packetsOf(path.join(out, pt.file)).length);
      assert.match(pt.filter!, /not \(host 198\.18\.\d+\.1 and tcp port 22\)$/);
      await assertNothingLeft(pool, logged.tempDirs());
      assert.ok(!logged.lines.join('\n').includes(password(l)), 'no password in the log');
    } finally {
      await pool.closeAll();
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('sudo refused for lvsnosudo: the capture names the user, the host and tcpdump', async function () {
    const l = lab!;
    const logged = collectLog();
    const pool = new SshPool({
      hosts: [rsHost(l, 'rs1', { user: 'lvsnosudo', identityFiles: [], agent: false })],
      knownHostsPath: l.knownHostsPath,
      onUnknownHostKey: async () => 'reject',
      getSecret: async () => password(l),
      log: logged.log,
    });
    const out = tmpOut('nosudo');
    try {
      const m = await runCapture(planFor(l, [rsHost(l, 'rs1')]), pool, { outDir: out, durationMs: 3000, log: logged.log });
      assert.deepEqual(m.points, []);
      assert.equal(m.errors?.length, 1);
      assert.match(m.errors![0].message, /^lvsnosudo is not allowed to run \/usr\/(s?)bin\/tcpdump via sudo on rs1/);
      await assertNothingLeft(pool, logged.tempDirs());
    } finally {
      await pool.closeAll();
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('unknown host key: asks, refuses on reject, saves on accept-save and trusts it next time', async function () {
    const l = lab!;
    const kh = path.join(tmpOut('kh'), 'known_hosts');
    const seen: UnknownHostKeyInfo[] = [];
    const mk = (answer: 'reject' | 'accept-save') =>
      new SshPool({ hosts: [rsHost(l, 'rs1')], knownHostsPath: kh, onUnknownHostKey: async (i) => (seen.push(i), answer), getSecret: async () => undefined });
    const p1 = mk('reject');
    await assert.rejects(p1.get('rs1'), /rs1 \(198\.18\.\d+\.21:22\): host key SHA256:\S+ \(ssh-ed25519\) was not accepted/);
    await p1.closeAll();
    const pub = path.join(l.stateDir, 'hosts', 'rs1', 'ssh_host_ed25519_key.pub');
    const expected = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', pub], { encoding: 'utf8' }).split(' ')[1];
    assert.equal(seen[0].fingerprint, expected, 'the fingerprint OpenSSH shows');
    assert.equal(seen[0].keyType, 'ssh-ed25519');
    const p2 = mk('accept-save');
    await (await p2.get('rs1')).exec(['true']);
    await p2.closeAll();
    assert.match(fs.readFileSync(kh, 'utf8'), /^198\.18\.\d+\.21 ssh-ed25519 \S+\n$/);
    const p3 = mk('reject');
    await (await p3.get('rs1')).exec(['true']);
    await p3.closeAll();
    assert.equal(seen.length, 2, 'the saved key was trusted without asking');
    fs.rmSync(path.dirname(kh), { recursive: true, force: true });
  });

  it('changed host key: refused, naming the host and both fingerprints', async function () {
    const l = lab!;
    const dir = tmpOut('changed');
    const kh = path.join(dir, 'known_hosts');
    const rs1 = rsHost(l, 'rs1');
    const otherKey = fs.readFileSync(path.join(l.stateDir, 'hosts', 'director', 'ssh_host_ed25519_key.pub'), 'utf8').split(' ');
    fs.writeFileSync(kh, `${rs1.host} ${otherKey[0]} ${otherKey[1]}\n`);
    const fp = (h: string) => execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', path.join(l.stateDir, 'hosts', h, 'ssh_host_ed25519_key.pub')], { encoding: 'utf8' }).split(' ')[1];
    let asked = false;
    const pool = new SshPool({ hosts: [rs1], knownHostsPath: kh, onUnknownHostKey: async () => ((asked = true), 'accept-once'), getSecret: async () => undefined });
    await assert.rejects(pool.get('rs1'), (e: Error) => {
      assert.ok(e.message.startsWith(`host key for rs1 (${rs1.host}:22) changed: expected ${fp('director')} (${kh}:1), received ${fp('rs1')} (ssh-ed25519).`), e.message);
      return true;
    });
    assert.equal(asked, false, 'a changed key is never offered for acceptance');
    await pool.closeAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('malicious interface or filter: refused before any connection', async function () {
    const l = lab!;
    const gets: string[] = [];
    const spy: HostSource = { get: async (n) => (gets.push(n), Promise.reject(new Error('must not connect'))) };
    assert.throws(
      () => planCapture({ target: { vip: l.vip, protocol: 'tcp', port: 80 }, hosts: [{ name: 'rs1', role: 'real-server', interface: 'eth0;reboot' }] }),
      (e: Error) => e instanceof InvalidValueError && /invalid interface name "eth0;reboot"/.test(e.message),
    );
    const plan = planFor(l, [rsHost(l, 'rs1')]);
    const evilIface: CapturePlan = { ...plan, points: plan.points.map((p) => ({ ...p, interface: 'eth0;reboot' })) };
    const evilFilter: CapturePlan = { ...plan, points: plan.points.map((p) => ({ ...p, filter: 'host 192.0.2.1; reboot' })) };
    const out = tmpOut('evil');
    await assert.rejects(runCapture(evilIface, spy, { outDir: out }), InvalidValueError);
    await assert.rejects(runCapture(evilFilter, spy, { outDir: out }), /invalid capture filter/);
    assert.deepEqual(gets, [], 'no host was contacted, so no command was sent');
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('SSH connection cut mid-capture: reconnects, keeps capturing, fetches everything and cleans up', async function () {
    const l = lab!;
    const logged = collectLog();
    const pool = labPool(l, logged, { keepaliveIntervalMs: 1000, keepaliveCountMax: 2 });
    const out = tmpOut('cut');
    try {
      const stop = new AbortController();
      const w = whenAllCapturing();
      const run = runCapture(planFor(l, [rsHost(l, 'rs1'), rsHost(l, 'director')]), pool, { outDir: out, durationMs: 40000, stopSignal: stop.signal, log: logged.log, onProgress: w.onProgress });
      await w.ready;
      // Connections until rs1 has answered some (the director alternates, and on a loaded
      // machine a request may time out): at most three rounds.
      const served = async (): Promise<ClientResult[]> => {
        const out: ClientResult[] = [];
        for (let round = 0; round < 3 && !out.some((r) => r.answeredBy === 'rs1'); round++) out.push(...(await l.clientTraffic({ protocol: 'tcp', count: 4, timeoutMs: 3000 })));
        return out;
      };
      const before = await served();
      // Kill the sshd session processes serving us on rs1: the TCP connection drops.
      const sshdPid = fs.readFileSync(path.join(l.stateDir, 'hosts', 'rs1', 'sshd.pid'), 'utf8').trim();
      execFileSync('pkill', ['-KILL', '-P', sshdPid]);
      await new Promise((r) => setTimeout(r, 1500));
      const after = await served();
      await new Promise((r) => setTimeout(r, 2500));
      stop.abort();
      const m = await run;
      assert.deepEqual(m.errors ?? [], [], 'recovered without loss');
      assert.ok(logged.lines.some((x) => /rs1 .*connection was lost; reconnecting|rs1: .*reconnecting/.test(x)), 'the drop was noticed');
      const rs1 = m.points.find((p) => p.host === 'rs1')!;
      const ports = new Set(packetsOf(path.join(out, rs1.file)).filter((p) => p.flags === 'S').map((p) => p.sport));
      const byRs1 = [...before, ...after].filter((r) => r.answeredBy === 'rs1');
      for (const r of byRs1) assert.ok(ports.has(r.sourcePort), `rs1 capture has the SYN from port ${r.sourcePort}`);
      const answers = (rs: ClientResult[]) => rs.map((r) => r.answeredBy ?? 'none').join(', ');
      assert.ok(before.some((r) => r.answeredBy === 'rs1'), `rs1 answered before the cut (answers: ${answers(before)})`);
      assert.ok(after.some((r) => r.answeredBy === 'rs1'), `rs1 answered after the cut (answers: ${answers(after)})`);
      await assertNothingLeft(pool, logged.tempDirs());
    } finally {
      await pool.closeAll();
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('SSH connection lost for good: the loss is reported, and the host cleans up after itself', async function () {
    const l = lab!;
    const logged = collectLog();
    const pool = labPool(l, logged, { keepaliveIntervalMs: 1000, keepaliveCountMax: 2, connectTimeoutMs: 2000 });
    const out = tmpOut('lost');
    const mgmtDown = () => l.exec('rs1', ['ip', 'link', 'set', 'mgmt0', 'down']);
    try {
      const w = whenAllCapturing();
      const run = runCapture(planFor(l, [rsHost(l, 'rs1')]), pool, {
        outDir: out,
        durationMs: 6000,
        reconnectMs: 3000,
        orphanGraceMs: 1000,
        log: logged.log,
        onProgress: w.onProgress,
      });
      await w.ready;
      const dirs = logged.tempDirs();
      await mgmtDown();
      const m = await run;
      const rs1Errors = (m.errors ?? []).filter((e) => e.host === 'rs1').map((e) => e.message).join(' | ');
      assert.match(rs1Errors, /^connection lost during the capture and not re-established \(.*\); \d+ packets were saved before the loss\. The remote tcpdump stops by itself at the duration limit; its temp folder \/tmp\/lvs-capture\.\w+ may remain on the host until its safety net removes it at about \d{4}-\d\d-\d\dT[\d:.]+Z$/);
      // On the host itself (through the namespace, not SSH): tcpdump ends at the limit, the safety net removes the folder.
      const rs1Dir = dirs.find((d) => d.host === 'rs1')!.dir;
      const until = Date.now() + 20000;
      let left = '';
      while (Date.now() < until) {
        const ps = await l.exec('rs1', ['sh', '-c', 'ps -eo args | grep -F -- "$1" | grep -v grep; ls -d -- "$1" 2>/dev/null', 'sh', rs1Dir]);
        left = ps.stdout.trim();
        if (!left) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      assert.equal(left, '', 'nothing left on rs1 after the duration limit and the grace period');
    } finally {
      await l.exec('rs1', ['ip', 'link', 'set', 'mgmt0', 'up']);
      await pool.closeAll();
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('the pcap cannot be written here: that host is stopped and cleaned up at once, the others go on', async function () {
    const l = lab!;
    const logged = collectLog();
    const pool = labPool(l, logged);
    const out = tmpOut('local-write');
    try {
      const stop = new AbortController();
      const w = whenAllCapturing();
      const states = stateLog(w.onProgress);
      const run = runCapture(planFor(l, [rsHost(l, 'rs1'), rsHost(l, 'director')]), pool, {
        outDir: out,
        durationMs: 60000,
        pollMs: 200,
        stopSignal: stop.signal,
        log: logged.log,
        onProgress: states.onProgress,
      });
      await w.ready;
      // The director's pcap here becomes a folder: the next pull cannot append to it.
      const local = fs.readdirSync(path.join(out, 'pcap')).find((f) => f.startsWith('director'))!;
      fs.rmSync(path.join(out, 'pcap', local));
      fs.mkdirSync(path.join(out, 'pcap', local));
      await l.clientTraffic({ protocol: 'tcp', count: 2, sourcePortBase: 41013 });
      const then = await states.until((s) => s?.director === 'failed', 15000);
      stop.abort();
      const m = await run;
      assert.deepEqual(then, { rs1: 'capturing', director: 'failed' }, 'the director stopped, rs1 still capturing');
      const said = (m.errors ?? []).find((e) => e.host === 'director');
      assert.match(said?.message ?? '', /^the capture could not be saved on this machine \(EISDIR.*\); it was stopped on the host after \d+ packets$/);
      assert.deepEqual(m.points.map((p) => p.host), ['rs1'], 'no point for a pcap that is not a file');
      await assertNothingLeft(pool, logged.tempDirs());
    } finally {
      await pool.closeAll();
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('cancel mid-capture: everything stopped and removed within a few seconds', async function () {
    const l = lab!;
    const logged = collectLog();
    const pool = labPool(l, logged);
    const out = tmpOut('cancel');
    try {
      const cancel = new AbortController();
      const w = whenAllCapturing();
      const run = runCapture(planFor(l, [rsHost(l, 'rs1'), rsHost(l, 'director')]), pool, { outDir: out, durationMs: 60000, signal: cancel.signal, log: logged.log, onProgress: w.onProgress });
      await w.ready;
      const t0 = Date.now();
      cancel.abort();
      const m = await run;
      const took = Date.now() - t0;
      assert.ok(took < 8000, `cancel took ${took} ms`);
      assert.match(m.note ?? '', /^cancelled by the user/);
      await assertNothingLeft(pool, logged.tempDirs());
    } finally {
      await pool.closeAll();
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
