// Cleaning up a host in the lab when things go wrong: the reaper's countdown starts when the
// capture starts (not before a slow sudo prompt); a tcpdump that outlived stop() is stopped
// by the PIDs in the folder; a folder still in use keeps its reaper, is reported with the
// time it goes, and goes then.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { planCapture, runCapture, type CapturePlan, type HostSource } from '../../../src/core/capture';
import { loadClusterModel } from '../../../src/core/config';
import type { RemoteHost } from '../../../src/core/ssh/remote';
import type { SshPool } from '../../../src/core/ssh';
import type { Lab } from '../../lab/lab';
import { assertNothingLeft, collectLog, labHosts, labPool, requireLab, startLab, tmpOut, whenAllCapturing } from './helpers';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The pool's hosts, with some of their methods replaced. */
function wrapped(pool: SshPool, over: (h: RemoteHost) => Partial<RemoteHost>): HostSource {
  return {
    get: async (name) => {
      const h = await pool.get(name);
      const o = over(h);
      return new Proxy(h, {
        get(t, k, _r) {
          if (k in o) return (o as Record<string | symbol, unknown>)[k];
          const v = (t as unknown as Record<string | symbol, unknown>)[k];
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
        },
      });
    },
  };
}

describe('capture cleanup in the lab', function () {
  this.timeout(120000);
  let lab: Lab | undefined;
  before(async function () {
    requireLab(this);
    lab = await startLab({ mode: 'dr' });
  });
  after(async function () {
    await lab?.down();
  });

  const planFor = (l: Lab, names: string[]): CapturePlan => {
    const hosts = labHosts(l).filter((h) => names.includes(h.name));
    return planCapture({
      model: loadClusterModel([l.keepalivedConfPath]),
      service: `tcp:${l.vip}:${l.tcpPort}`,
      hosts: hosts.map((h) => ({ name: h.name, role: h.role ?? 'other', realServer: h.realServer })),
    });
  };

  it('a sudo prompt slower than the grace does not let the reaper remove the folder during the capture', async function () {
    const l = lab!;
    const logged = collectLog();
    const pool = labPool(l, logged);
    const out = tmpOut('slowsudo');
    try {
      // A reaper counting from the probe would go off 2 + 5 = 7 s after it; the prompt takes 9 s.
      const source = wrapped(pool, (h) => ({
        sudoWrap: async (argv: string[], program: string) => {
          await sleep(9000);
          return h.sudoWrap ? h.sudoWrap(argv, program) : { argv };
        },
      }));
      const m = await runCapture(planFor(l, ['director']), source, { outDir: out, durationMs: 2000, orphanGraceMs: 5000, log: logged.log });
      assert.deepEqual(m.errors ?? [], [], JSON.stringify(m.errors));
      assert.deepEqual(m.points.map((p) => p.host), ['director']);
      assert.ok(logged.lines.some((x) => /^info: director: temp folder /.test(x)));
      await assertNothingLeft(pool, logged.tempDirs());
    } finally {
      await pool.closeAll();
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('a tcpdump that outlived stop() is stopped by the PIDs in the folder, and the folder removed', async function () {
    const l = lab!;
    const logged = collectLog();
    const pool = labPool(l, logged);
    const out = tmpOut('outlived');
    try {
      // stop()'s signals never arrive (as when the channel dropped before the PID came), and
      // sudo allows tcpdump only (the rule the tool recommends): no root pkill.
      const source = wrapped(pool, (h) => ({
        exec: async (argv: string[], opts?: Parameters<RemoteHost['exec']>[1]) => {
          if (argv[0] === 'kill' && /^-(INT|TERM|KILL)$/.test(argv[1] ?? '')) return { stdout: '', stderr: '', code: 0 };
          if (argv[0] === 'pkill' || (argv[0] === 'sudo' && argv.includes('pkill')))
            return { stdout: '', stderr: 'Sorry, user lvsuser is not allowed to execute pkill as root.', code: 1 };
          return h.exec(argv, opts);
        },
      }));
      const stop = new AbortController();
      const w = whenAllCapturing();
      const run = runCapture(planFor(l, ['director']), source, { outDir: out, durationMs: 60000, stopSignal: stop.signal, log: logged.log, onProgress: w.onProgress });
      await w.ready;
      stop.abort();
      const m = await run;
      assert.deepEqual(m.errors ?? [], [], JSON.stringify(m.errors));
      assert.deepEqual(m.points.map((p) => p.host), ['director']);
      await assertNothingLeft(pool, logged.tempDirs());
    } finally {
      await pool.closeAll();
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('a folder still in use keeps its reaper, is reported with the time it goes, and goes then', async function () {
    const l = lab!;
    const logged = collectLog();
    const pool = labPool(l, logged);
    const out = tmpOut('busy');
    try {
      const stop = new AbortController();
      const w = whenAllCapturing();
      const t0 = Date.now();
      const run = runCapture(planFor(l, ['director']), pool, { outDir: out, durationMs: 6000, orphanGraceMs: 8000, stopSignal: stop.signal, log: logged.log, onProgress: w.onProgress });
      await w.ready;
      const [{ dir }] = logged.tempDirs();
      // Something else names the folder (not one of our captures): cleanup must leave it be.
      const h = await pool.get('director');
      await h.exec(['sh', '-c', 'setsid sh -c "sleep 30; :" holder "$1" </dev/null >/dev/null 2>&1 &', 'sh', `${dir}/holder`], { timeoutMs: 10000 });
      stop.abort();
      const m = await run;
      const errs = (m.errors ?? []).map((e) => e.message);
      assert.equal(errs.length, 1, JSON.stringify(errs));
      const at = /^temp folder (\S+) could not be removed yet; the host's safety net removes it at about (\S+) \(still in use by process \d+; stop it by hand to remove it sooner\)$/.exec(errs[0]);
      assert.ok(at, errs[0]);
      assert.equal(at[1], dir);
      const when = Date.parse(at[2]);
      assert.ok(when >= t0 + 14000 && when <= Date.now() + 14000, `reaper time ${at[2]}`);
      const ps = async (): Promise<string[]> => (await h.exec(['ps', '-eo', 'pid,args'], { timeoutMs: 20000 })).stdout.split('\n').filter((x) => x.includes(dir) && !x.includes('ps -eo'));
      assert.ok((await ps()).some((x) => x.includes('lvs-capture-reaper')), 'the reaper still runs');
      assert.equal((await h.exec(['test', '-d', dir], { timeoutMs: 10000 })).code, 0, 'the folder is still there');
      while (Date.now() < when + 3000) await sleep(500);
      assert.notEqual((await h.exec(['test', '-d', dir], { timeoutMs: 10000 })).code, 0, 'the reaper removed the folder at its time');
      assert.ok(!(await ps()).some((x) => x.includes('lvs-capture-reaper')), 'and ended');
      await h.exec(['sh', '-c', 'pkill -f -- "$1" || true', 'sh', `${dir}/holder`], { timeoutMs: 10000 });
    } finally {
      await pool.closeAll();
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
