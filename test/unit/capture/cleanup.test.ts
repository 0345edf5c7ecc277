// Removing a capture's remote temp folder, run here by a real `sh`: the safety-net reaper
// stays until the folder is really gone, captures are stopped by the PIDs in the folder,
// the reaper's countdown restarts when the capture starts; the host's own size cap is for
// the host, not per file; only the mktemp folder is ever accepted for removal.

import * as assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  hostFileLimitBlocks,
  KILL_BY_PIDFILES,
  READ_ERRS_THEN_REMOVE,
  remoteCleanupSummary,
  REMOVE_IF_IDLE,
  RESTART_REAPER,
  START_SCRIPT,
  validateTempDir,
} from '../../../src/core/capture/run';
import { hasCommand, requireOrSkip } from '../../helpers/env';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Running (a zombie nobody reaped yet counts as ended). */
const alive = (pid: number | string): boolean => {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

/** Runs a script with `input` on stdin, asynchronously (so this process's timers go on). */
function sh(script: string, input: string): Promise<{ stdout: string; status: number | null }> {
  return new Promise((resolve) => {
    const c = spawn('sh', ['-c', script]);
    let out = '';
    c.stdout.on('data', (b: Buffer) => (out += b.toString()));
    c.on('close', (status) => resolve({ stdout: out, status }));
    c.stdin.end(input);
  });
}

/** The safety net exactly as the probe (discover.ts) starts it. */
function startReaper(dir: string, seconds: number): string {
  execFileSync('sh', ['-c', `d=$1; s=$2; setsid sh -c 'sleep "$1"; rm -rf -- "$2"' lvs-capture-reaper "$s" "$d" </dev/null >/dev/null 2>&1 & echo $! >"$d/reaper.pid"`, 'sh', dir, String(seconds)]);
  return fs.readFileSync(path.join(dir, 'reaper.pid'), 'utf8').trim();
}

describe('capture cleanup on the host', function () {
  this.timeout(30000);
  let dir = '';
  const reapers: string[] = [];
  const children: ChildProcess[] = [];
  beforeEach(function () {
    requireOrSkip(this, hasCommand('pgrep') && hasCommand('setsid') && hasCommand('ps'), 'pgrep, ps (procps) and setsid (util-linux)');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-capture-test-'));
  });
  afterEach(function () {
    for (const c of children.splice(0)) c.kill('SIGKILL');
    for (const r of reapers.splice(0)) {
      const pid = Number(r);
      if (Number.isInteger(pid) && pid > 1) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a busy folder keeps its reaper, which removes it later; the reaper stops only once the folder is gone', async function () {
    const reaper = startReaper(dir, 60);
    reapers.push(reaper);
    fs.writeFileSync(path.join(dir, 'eth0.pcap'), 'x');
    // A tcpdump that outlived stop(): its command line names the folder.
    const busy = spawn('sh', ['-c', 'sleep 30', 'x', path.join(dir, 'eth0.pcap')], { stdio: 'ignore' });
    children.push(busy);
    const r = await sh(REMOVE_IF_IDLE, `${dir}\n`);
    assert.equal(r.status, 3, r.stdout);
    assert.match(r.stdout, new RegExp(`^busy\\n${busy.pid}\\n$`), `only the busy process named, not the reaper: ${r.stdout} (busy ${busy.pid}, reaper ${reaper})`);
    assert.equal(fs.existsSync(dir), true, 'folder kept while busy');
    assert.equal(alive(reaper), true, 'the reaper still runs: it will remove the folder when its time comes');
    busy.kill('SIGKILL');
    await new Promise((res) => busy.once('exit', res));
    const again = await sh(READ_ERRS_THEN_REMOVE, `${dir}\neth0.err\n`);
    assert.equal(again.status, 0, again.stdout);
    assert.equal(fs.existsSync(dir), false, 'removed once idle');
    await sleep(200);
    assert.equal(alive(reaper), false, 'the reaper stopped after the folder was removed');
  });

  it('the reaper left running removes the busy folder when its time comes', async function () {
    const reaper = startReaper(dir, 2);
    reapers.push(reaper);
    const busy = spawn('sh', ['-c', 'sleep 30', 'x', path.join(dir, 'eth0.pcap')], { stdio: 'ignore' });
    children.push(busy);
    assert.equal((await sh(REMOVE_IF_IDLE, `${dir}\n`)).status, 3);
    await sleep(3000);
    assert.equal(fs.existsSync(dir), false, 'removed by the reaper');
  });

  it('stops the captures by the PIDs written in the folder (INT first), not unrelated PIDs nor the reaper', async function () {
    const reaper = startReaper(dir, 60);
    reapers.push(reaper);
    // Like `timeout ... tcpdump -w DIR/eth0.pcap`: it names the folder; INT ends it.
    const capture = spawn('sh', ['-c', 'trap "echo int >\\"$0.int\\"; exit 0" INT; while :; do sleep 0.1; done', path.join(dir, 'eth0.pcap')], { stdio: 'ignore' });
    // A PID reused by something else: does not name the folder, must survive.
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    children.push(capture, other);
    await sleep(300);
    fs.writeFileSync(path.join(dir, 'eth0.pid'), `${capture.pid}\n`);
    fs.writeFileSync(path.join(dir, 'eth1.pid'), `${other.pid}\n`);
    fs.writeFileSync(path.join(dir, 'bad.pid'), '1; rm -rf /\n');
    const k = await sh(KILL_BY_PIDFILES, `${dir}\n`);
    assert.equal(k.status, 0);
    await sleep(200);
    assert.equal(alive(capture.pid!), false, 'capture stopped');
    assert.equal(fs.existsSync(path.join(dir, 'eth0.pcap.int')), true, 'it got INT (tcpdump flushes on it)');
    assert.equal(alive(other.pid!), true, 'an unrelated process is left alone');
    assert.equal(alive(reaper), true, 'the reaper is left alone');
    const r = await sh(REMOVE_IF_IDLE, `${dir}\n`);
    assert.equal(r.status, 0, r.stdout);
    assert.equal(fs.existsSync(dir), false);
  });

  it('restarting the reaper counts from now: a new one is recorded, then the old one stopped', async function () {
    const old = startReaper(dir, 1);
    reapers.push(old);
    const r = await sh(RESTART_REAPER, `${dir}\n4\n`);
    assert.equal(r.status, 0, r.stdout);
    const fresh = /^reaper (\d+)$/m.exec(r.stdout)![1];
    reapers.push(fresh);
    assert.equal(fs.readFileSync(path.join(dir, 'reaper.pid'), 'utf8').trim(), fresh);
    await sleep(2000);
    assert.equal(alive(old), false, 'old reaper stopped');
    assert.equal(fs.existsSync(dir), true, 'the old deadline passed: the folder is still there');
    await sleep(3000);
    assert.equal(fs.existsSync(dir), false, 'removed at the new deadline');
  });

  it('the start command restarts the safety net before arming (one round trip), or ends at once without the folder', async function () {
    const old = startReaper(dir, 1);
    reapers.push(old);
    const run = (folder: string): Promise<{ stdout: string; status: number | null }> =>
      new Promise((resolve) => {
        const c = spawn('sh', ['-c', START_SCRIPT, 'sh', `${folder}/eth0.pid`, `${folder}/eth0.err`, `${folder}/eth0.times`, '100', folder, '4', 'true']);
        let out = '';
        c.stdout.on('data', (b: Buffer) => {
          out += b.toString();
          if (/^armed$/m.test(out)) c.stdin.end('');
        });
        c.on('close', (status) => resolve({ stdout: out, status }));
      });
    const r = await run(dir);
    assert.equal(r.status, 5, r.stdout);
    const fresh = /^reaper (\d+)\narmed$/m.exec(r.stdout)![1];
    reapers.push(fresh);
    assert.equal(fs.readFileSync(path.join(dir, 'reaper.pid'), 'utf8').trim(), fresh);
    await sleep(2000);
    assert.equal(alive(old), false, 'old reaper stopped');
    assert.equal(fs.existsSync(dir), true, 'the old deadline passed: the folder is still there');
    const gone = await run(`${dir}-missing`);
    assert.equal(gone.status, 4);
    assert.equal(gone.stdout, '', 'not armed');
  });

  it('restarting refuses a missing folder or a bad delay', async function () {
    assert.equal((await sh(RESTART_REAPER, `${dir}/nope\n4\n`)).status, 4);
    assert.equal((await sh(RESTART_REAPER, `${dir}\n4; rm -rf /\n`)).status, 2);
  });
});

describe('the host size cap is shared among its tcpdumps', function () {
  it('two files together stay within the host cap and the free-space bound', function () {
    for (const freeMiB of [200, 1000, 4000]) {
      const freeKb = freeMiB * 1024;
      const maxBytes = Math.min(1024 * 1048576, (freeKb * 1024) / 2);
      const one = hostFileLimitBlocks(maxBytes, freeKb) * 512;
      const two = hostFileLimitBlocks(maxBytes, freeKb, 2) * 512;
      assert.ok(2 * two <= one + 1024, `free ${freeMiB} MiB: 2 x ${two} within ${one}`);
      assert.ok(2 * two <= Math.max(maxBytes, freeKb * 1024 * 0.75) + 1024, `free ${freeMiB} MiB: within three quarters of the free space`);
      assert.ok(2 * two >= maxBytes, 'together still at least the limit');
    }
    assert.equal(hostFileLimitBlocks(1024 * 1048576, undefined, 2), (640 * 1048576) / 512);
    assert.equal(hostFileLimitBlocks(1024 * 1048576, undefined, 1), hostFileLimitBlocks(1024 * 1048576));
  });
});

describe('the remote temp folder', function () {
  it('accepts only what mktemp -d /tmp/lvs-capture.XXXXXX makes', function () {
    assert.equal(validateTempDir('/tmp/lvs-capture.AbC123'), '/tmp/lvs-capture.AbC123');
    for (const bad of ['/', '//', '/home/user', '/tmp', '/tmp/', '/tmp/lvs-capture.', '/tmp/lvs-capture.abc', '/tmp/lvs-capture.AbC123/..', '/tmp/lvs-capture.AbC123/', '//tmp/lvs-capture.AbC123', '/var/tmp/lvs-capture.AbC123', '/tmp/lvs-capture.AbC 12', '/tmp/lvs-capture.AbC123\n/'])
      assert.throws(() => validateTempDir(bad), /refusing the remote temp folder .*not of the form \/tmp\/lvs-capture\.XXXXXX/, bad);
  });

  it('the cleanup summary names the hosts where the folder is still there', function () {
    const s = remoteCleanupSummary(
      {
        errors: [
          { host: 'rs1', message: 'rs1: temp folder /tmp/lvs-capture.AbC123 could not be removed yet; the host\'s safety net removes it at about 2026-01-01T00:10:00.000Z (still in use by process 42; stop it by hand to remove it sooner)' },
          { host: 'rs2', message: 'tcpdump is not installed on rs2' },
        ],
      },
      ['director', 'rs1', 'rs2', 'rs1'],
    );
    assert.deepEqual(s.removed, ['director', 'rs2']);
    assert.equal(s.left.length, 1);
    assert.match(s.left[0], /^rs1: remote files not removed yet: .*safety net removes it at about 2026-01-01T00:10:00\.000Z/);
  });
});
