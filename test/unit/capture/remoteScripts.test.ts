// The shell scripts a capture runs on each host, run here by a real `sh`: the state dumps
// in one round trip, and tcpdump's statistics read + temp folder removed in one.

import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as dgram from 'node:dgram';
import { readPackets, type Packet } from '../../../src/core/decode';
import { dumpStateScript, hostByteLimit, hostFileLimitBlocks, parseStateDumps, READ_ERRS_THEN_REMOVE, START_SCRIPT } from '../../../src/core/capture/run';
import { hasCommand, isRoot, requireOrSkip } from '../../helpers/env';

/** Runs the capture's START script with `argv` as the command (no safety net to restart:
 *  `-`), says `go` once it is armed (`go` false: closes stdin instead); resolves with what
 *  it printed. */
function start(dir: string, blocks: number, argv: string[], whenReady?: () => Promise<void>, go = true): Promise<{ stdout: string; status: number | null }> {
  return new Promise((resolve) => {
    const c = spawn('sh', ['-c', START_SCRIPT, 'sh', path.join(dir, 'pid'), path.join(dir, 'err'), path.join(dir, 'times'), String(blocks), dir, '-', ...argv], { stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    let readied = false;
    let armed = false;
    c.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (!armed && /^armed$/m.test(out)) {
        armed = true;
        c.stdin.end(go ? 'go\n' : '');
      }
      if (!readied && /^ready /m.test(out) && whenReady) {
        readied = true;
        void whenReady();
      }
    });
    c.on('close', (status) => resolve({ stdout: out, status }));
  });
}

function sh(script: string, stdin = ''): { stdout: string; status: number | null } {
  const r = spawnSync('sh', ['-c', script], { input: stdin, encoding: 'utf8', timeout: 20000 });
  return { stdout: r.stdout, status: r.status };
}

describe('capture/remote scripts', function () {
  it('dumps several commands in one run, each with its own output, exit status and stderr', function () {
    const script = dumpStateScript([
      ['lines', "printf 'a\\nb\\n'"],
      ['no newline', "printf 'x y'"],
      ['empty', 'true'],
      ['fails', 'ls /nonexistent-lvs-trace-test'],
      ['both', "sh -c 'echo out; echo err >&2; exit 4'"],
    ]);
    const r = sh(script);
    const d = parseStateDumps(r.stdout, ['lines', 'no newline', 'empty', 'fails', 'both', 'absent']);
    assert.deepEqual(d.get('lines'), { stdout: 'a\nb\n', code: 0, stderr: '' });
    assert.deepEqual(d.get('no newline'), { stdout: 'x y', code: 0, stderr: '' });
    assert.deepEqual(d.get('empty'), { stdout: '', code: 0, stderr: '' });
    const fails = d.get('fails')!;
    assert.equal(fails.stdout, '');
    assert.notEqual(fails.code, 0);
    assert.match(fails.stderr, /nonexistent-lvs-trace-test/);
    assert.deepEqual(d.get('both'), { stdout: 'out\n', code: 4, stderr: 'err' });
    assert.equal(d.has('absent'), false);
  });

  it('the state dumps agree with running the commands one by one', function () {
    requireOrSkip(this, hasCommand('ip'), 'ip (iproute2)');
    const d = parseStateDumps(sh(dumpStateScript([['ip route', 'ip route show'], ['ip addr', 'ip addr show']])).stdout, ['ip route', 'ip addr']);
    assert.equal(d.get('ip route')?.stdout, spawnSync('ip', ['route', 'show'], { encoding: 'utf8' }).stdout);
    assert.match(d.get('ip addr')!.stdout, /\blo\b/);
    assert.equal(d.get('ip addr')?.code, 0);
  });

  it('reads the statistics files, then removes the idle temp folder', function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-capture-test-'));
    fs.writeFileSync(path.join(dir, 'eth0.err'), 'listening on eth0\n3 packets captured\n');
    fs.writeFileSync(path.join(dir, 'lo.err'), '0 packets captured\n');
    const r = sh(READ_ERRS_THEN_REMOVE, `${dir}\neth0.err\nlo.err\nmissing.err\n`);
    assert.equal(r.status, 0);
    const sections = r.stdout.split(/^=== /m);
    assert.ok(sections.includes('eth0.err\nlistening on eth0\n3 packets captured\n'), r.stdout);
    assert.ok(sections.includes('lo.err\n0 packets captured\n'), r.stdout);
    assert.ok(sections.includes('missing.err\n'), r.stdout);
    assert.equal(fs.existsSync(dir), false, 'folder removed');
  });

  it('keeps a folder that a process still names, and says which (exit 3)', async function () {
    requireOrSkip(this, hasCommand('pgrep'), 'pgrep (procps)');
    this.timeout(20000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-capture-test-'));
    fs.writeFileSync(path.join(dir, 'eth0.err'), 'x\n');
    // A process with the folder in its command line, like a tcpdump that did not stop.
    const holder = spawn('sh', ['-c', 'sleep 30', path.join(dir, 'eth0.pcap')], { stdio: 'ignore' });
    try {
      const r = await new Promise<{ stdout: string; status: number | null }>((resolve) => {
        const c = spawn('sh', ['-c', READ_ERRS_THEN_REMOVE]);
        let out = '';
        c.stdout.on('data', (b: Buffer) => (out += b.toString()));
        c.on('close', (status) => resolve({ stdout: out, status }));
        c.stdin.end(`${dir}\neth0.err\n`);
      });
      assert.equal(r.status, 3);
      assert.match(r.stdout, new RegExp(`^busy\\n${holder.pid}$`, 'm'));
      assert.equal(fs.existsSync(dir), true, 'folder kept');
    } finally {
      holder.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the start command waits for `go` once armed: nothing runs before; without it, it ends (exit 5) having run nothing', async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-capture-test-'));
    try {
      const ran = path.join(dir, 'ran');
      const cmd = ['sh', '-c', `echo yes >'${ran}'; echo "listening on test" >&2; sleep 0.3`];
      const no = await start(dir, 100, cmd, undefined, false);
      assert.equal(no.status, 5);
      assert.equal(no.stdout, 'armed\n');
      assert.equal(fs.existsSync(ran), false, 'the command never ran');
      const yes = await start(dir, 100, cmd);
      assert.equal(yes.status, 0);
      assert.match(yes.stdout, /^armed\npid \d+\nready \d+\.\d+\n$/);
      assert.equal(fs.existsSync(ran), true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('records when the command said "listening on" (host clock) and when it stopped', async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-capture-test-'));
    try {
      const t0 = Date.now() / 1000;
      const r = await start(dir, 100, ['sh', '-c', 'sleep 0.2; echo "listening on test" >&2; sleep 0.5; echo "1 packet captured" >&2; exit 3']);
      const t1 = Date.now() / 1000;
      assert.equal(r.status, 3, 'the command\'s status');
      const times = fs.readFileSync(path.join(dir, 'times'), 'utf8');
      const m = /^listening (\d+\.\d+)\nstopped (\d+\.\d+)\n$/.exec(times);
      assert.ok(m, times);
      const [listening, stopped] = [Number(m[1]), Number(m[2])];
      assert.equal(Number(/^ready (\S+)$/m.exec(r.stdout)![1]), listening, 'the same time on stdout');
      assert.ok(listening >= t0 + 0.15 && listening <= t0 + 0.5, `listening ${listening - t0} s after the start`);
      assert.ok(stopped >= listening + 0.45 && stopped <= t1 + 0.01, `stopped ${stopped - listening} s after listening`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the host caps each capture file itself: ulimit -f, in 512-byte blocks, a quarter above the limit', async function () {
    assert.equal(hostFileLimitBlocks(1024 * 1048576), (1280 * 1048576) / 512);
    assert.equal(hostFileLimitBlocks(4096), Math.ceil((4096 + 8 * 1048576) / 512), 'at least 8 MiB above');
    // Free space in /tmp (KiB): the limit is at most half of it, the host's cap at most three quarters.
    const GiB = 1024 ** 3;
    assert.equal(hostByteLimit(GiB, undefined), GiB);
    assert.equal(hostByteLimit(GiB, 100 * 1024 * 1024), GiB, 'plenty free');
    assert.equal(hostByteLimit(GiB, 400 * 1024), 200 * 1024 * 1024, 'a 400 MiB tmpfs: 200 MiB');
    assert.equal(hostFileLimitBlocks(200 * 1024 * 1024, 400 * 1024), (250 * 1024 * 1024) / 512);
    assert.equal(hostFileLimitBlocks(4 * 1024 * 1024, 8 * 1024), (6 * 1024 * 1024) / 512, 'not the 8 MiB margin past the free space');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-capture-test-'));
    try {
      // A writer that would write 1 MB: the kernel stops it at 20 blocks.
      const big = path.join(dir, 'big');
      const w = await start(dir, 20, ['sh', '-c', `echo "listening on test" >&2; head -c 1000000 /dev/zero >'${big}'`]);
      assert.match(w.stdout, /^armed\npid \d+\nready \d+\.\d+$/m);
      assert.equal(fs.statSync(big).size, 20 * 512);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a real tcpdump under the cap is stopped by the kernel at it, its file readable up to there', async function () {
    requireOrSkip(this, isRoot() && hasCommand('tcpdump'), 'root and tcpdump (captures on lo)');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-capture-test-'));
    const file = path.join(dir, 'lo.pcap');
    const sock = dgram.createSocket('udp4');
    let sent = 0;
    try {
      // Bounded: 600 datagrams of 200 bytes to a closed port on loopback, sent once tcpdump listens.
      const sendAll = async (): Promise<void> => {
        for (let k = 0; k < 600; k++) {
          await new Promise<void>((res) => sock.send(Buffer.alloc(200), 47999, '127.0.0.1', () => res()));
          sent++;
        }
      };
      const tcpdump = spawnSync('sh', ['-c', 'command -v tcpdump'], { encoding: 'utf8' }).stdout.trim();
      const r = await start(dir, 40, ['timeout', '-s', 'INT', '20', tcpdump, '-i', 'lo', '-U', '-n', '-w', file, 'udp and dst port 47999'], sendAll);
      assert.match(r.stdout, /^ready \d+\.\d+$/m);
      assert.equal(sent, 600);
      assert.equal(fs.statSync(file).size, 40 * 512, 'the file ends at the cap');
      const got: Packet[] = [];
      const summary = readPackets(file, (p) => void got.push(p));
      assert.ok(got.length >= 50 && got.every((p) => p.proto === 'udp' && p.dport === 47999), `${got.length} packets, all to the test port`);
      assert.ok(summary.truncatedAt === undefined || summary.truncatedAt > 20000 - 300, 'at most the last record cut');
      assert.notEqual(r.status, 0, 'tcpdump did not end by itself');
    } finally {
      sock.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
