// `lvs-trace capture` stopped by a signal, as a separate process in the lab: SIGTERM and
// SIGHUP cancel like Ctrl-C (remote tcpdumps stopped, temp folders removed, capture.json
// written for what was pulled), another signal during that says it is still cleaning up,
// and a third within the window abandons it (the partial folder removed, 128 + signal).
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { readManifest } from '../../../src/core/capture';
import type { Lab } from '../../lab/lab';
import { repoRoot } from '../../helpers/env';
import { assertNothingLeft, collectLog, labPool, requireLab, startLab, tmpOut } from './helpers';

interface Cli {
  child: ChildProcess;
  stderr: () => string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once the progress line shows every host capturing. */
  capturing: Promise<void>;
}

/** The CLI from source in a process of its own (signals reach only it). */
function runCli(args: string[]): Cli {
  const script = `require('./src/cli/main').main(${JSON.stringify(args)}).then((c) => { process.exitCode = c; })`;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  let onCapturing!: () => void;
  const capturing = new Promise<void>((r) => (onCapturing = r));
  child.stderr!.on('data', (b: Buffer) => {
    err += b.toString();
    if (/^client: \d+ pkts\s+router: \d+ pkts\s+director: \d+ pkts\s+rs1: \d+ pkts\s+rs2: \d+ pkts$/m.test(err)) onCapturing();
  });
  child.stdout!.resume();
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, stderr: () => err, done, capturing };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('capture CLI stopped by a signal (lab)', function () {
  this.timeout(180000);
  let lab: Lab | undefined;
  before(async function () {
    requireLab(this);
    lab = await startLab({ mode: 'dr' });
  });
  after(async function () {
    await lab?.down();
  });

  const args = (l: Lab, out: string): string[] => [
    'capture', '--config', l.keepalivedConfPath, '--service', `tcp:${l.vip}:${l.tcpPort}`, '--hosts', l.hostsJsonPath,
    '--known-hosts', l.knownHostsPath, '--duration', '60s', '--out', out, '--verbose',
  ];

  for (const sig of ['SIGTERM', 'SIGHUP'] as const) {
    it(`${sig} cancels like Ctrl-C: hosts cleaned up, capture.json written for what was pulled`, async function () {
      const l = lab!;
      const out = tmpOut(`sig-${sig}`);
      fs.rmSync(out, { recursive: true });
      const cli = runCli(args(l, out));
      try {
        await Promise.race([cli.capturing, cli.done.then(() => assert.fail(`ended early: ${cli.stderr()}`))]);
        await l.clientTraffic({ protocol: 'tcp', count: 4 });
        await sleep(1200);
        const t0 = Date.now();
        cli.child.kill(sig);
        const end = await cli.done;
        assert.deepEqual(end, { code: 1, signal: null }, cli.stderr());
        assert.ok(Date.now() - t0 < 30000, `cleaned up in ${Date.now() - t0} ms`);
        assert.match(cli.stderr(), new RegExp(`^${sig}: cancelling: stopping remote captures and removing their files\\.\\.\\.$`, 'm'));
        const m = readManifest(out);
        assert.equal(m.note, `cancelled by ${sig}: the capture holds what was pulled until then`);
        assert.equal(m.points.length, 5);
        assert.ok(m.points.some((p) => (p.packetsCaptured ?? 0) > 0), 'packets kept');
        const logged = collectLog();
        for (const line of cli.stderr().split('\n')) {
          const mm = /^info: (\S+): (temp folder \/tmp\/lvs-capture\.\w+)$/.exec(line);
          if (mm) logged.log('info', `${mm[1]}: ${mm[2]}`);
        }
        const pool = labPool(l, logged);
        try {
          await assertNothingLeft(pool, logged.tempDirs());
        } finally {
          await pool.closeAll();
        }
      } finally {
        cli.child.kill('SIGKILL');
        fs.rmSync(out, { recursive: true, force: true });
      }
    });
  }

  it('a second signal while cleaning up says so; a third within the window abandons (partial folder removed, exit 130)', async function () {
    const l = lab!;
    const out = tmpOut('sig-abandon');
    fs.rmSync(out, { recursive: true });
    const cli = runCli(args(l, out));
    try {
      await Promise.race([cli.capturing, cli.done.then(() => assert.fail(`ended early: ${cli.stderr()}`))]);
      // Cleaning up takes a while when a host no longer answers: rs2 goes silent.
      await l.blockSsh('rs2');
      cli.child.kill('SIGINT');
      await sleep(300);
      cli.child.kill('SIGINT');
      await sleep(300);
      assert.match(cli.stderr(), /^still cleaning up \(press Ctrl-C again within 5 s to abandon; the hosts' reapers remove their folders by \d{4}-\d\d-\d\dT[\d:.]+Z\)$/m);
      assert.equal(cli.child.exitCode, null, 'still running after the second signal');
      cli.child.kill('SIGINT');
      const end = await cli.done;
      assert.deepEqual(end, { code: 130, signal: null }, cli.stderr());
      assert.match(cli.stderr(), /^SIGINT: abandoned the cleanup; the partial capture in .* was removed, and the hosts' reapers remove their folders by /m);
      assert.equal(fs.existsSync(out), false, 'no partial folder without capture.json is left');
    } finally {
      cli.child.kill('SIGKILL');
      await l.unblockSsh('rs2');
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
