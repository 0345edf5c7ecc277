// runCapture on this machine (LocalHost, tcpdump on lo; needs root): the size limit is
// a limit (no pull goes past it, the file ends with its last whole packet, and what
// capture.json and the warning count is what the file holds), each point records when it
// listened and ended, and a cancel before the start is told once per host.
import * as assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hostMessage, runCapture, type CapturePlan } from '../../../src/core/capture';
import { readPackets } from '../../../src/core/decode';
import { LocalHost } from '../../../src/core/ssh';
import { hasCommand, isRoot, requireOrSkip } from '../../helpers/env';

const PORT = 47997;

function plan(): CapturePlan {
  return {
    target: { vip: '127.0.0.1' },
    services: [],
    warnings: [],
    points: [{ host: 'local', role: 'director', interface: 'lo', interfaceFrom: [], filter: `udp and dst port ${PORT}`, purpose: 'test' }],
  };
}

describe('capture on this machine (LocalHost)', function () {
  this.timeout(60000);
  let out: string;
  beforeEach(function () {
    requireOrSkip(this, process.platform === 'linux' && isRoot() && hasCommand('tcpdump') && hasCommand('timeout'), 'root, tcpdump and timeout (captures on lo)');
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-local-run-'));
  });
  afterEach(function () {
    if (out) fs.rmSync(out, { recursive: true, force: true });
  });

  it('stops at the size limit without pulling past it; the file, capture.json and the warning agree', async function () {
    const limit = 20000;
    const host = new LocalHost('local');
    const sock = dgram.createSocket('udp4');
    let sending = true;
    const progress: number[] = [];
    try {
      const run = runCapture(plan(), { get: async () => host }, {
        outDir: out,
        durationMs: 20000,
        maxBytesPerHost: limit,
        pollMs: 100,
        onProgress: (h) => {
          if (h.local.state === 'capturing') progress.push(h.local.packets);
          if (h.local.state === 'capturing' && progress.length === 1) {
            // 1400-byte datagrams, about 5 MB/s: far more than the limit between two polls.
            void (async () => {
              while (sending) {
                for (let k = 0; k < 20; k++) sock.send(Buffer.alloc(1400), PORT, '127.0.0.1');
                await new Promise((r) => setTimeout(r, 5));
              }
            })();
          }
        },
      });
      const m = await run;
      sending = false;
      assert.deepEqual(m.errors ?? [], []);
      const pt = m.points[0];
      const file = path.join(out, pt.file);
      const size = fs.statSync(file).size;
      assert.ok(size <= limit && size > limit - 1500, `kept ${size} bytes under the limit of ${limit}`);
      let n = 0;
      let last = 0;
      const summary = readPackets(file, (p) => {
        n++;
        last = p.ts;
      });
      assert.equal(summary.truncatedAt, undefined, 'ends with a whole packet');
      assert.equal(pt.packetsCaptured, n, 'capture.json counts what the file holds');
      const warning = (m.warnings ?? []).find((w) => /size limit/.test(w)) ?? '';
      assert.match(warning, new RegExp(`^local: capture stopped at the size limit of 0\\.02 MiB per host after [\\d.]+ s \\(${n} packets\\)`));
      assert.ok(pt.captureStart !== undefined && pt.captureStart <= last, `listening at ${pt.captureStart}`);
      assert.ok(Math.abs(pt.captureEnd! - last) < 1e-5, 'the window ends with the last packet kept');
      assert.deepEqual([pt.clockOffsetMs, pt.clockUncertaintyMs], [0, 0], 'the same clock');
    } finally {
      sending = false;
      sock.close();
    }
  });

  it('a capture that runs its course records when it listened and when tcpdump stopped', async function () {
    const host = new LocalHost('local');
    const t0 = Date.now() / 1000;
    const m = await runCapture(plan(), { get: async () => host }, { outDir: out, durationMs: 1000, pollMs: 100 });
    const t1 = Date.now() / 1000;
    const pt = m.points[0];
    assert.ok(pt.captureStart! > t0 && pt.captureStart! < pt.captureEnd! && pt.captureEnd! <= t1, JSON.stringify({ t0, pt, t1 }));
    assert.ok(pt.captureEnd! - pt.captureStart! >= 0.9, 'about the duration');
  });

  it('cancelled before the start: the host named once, nothing started, its temp folder removed', async function () {
    const host = new LocalHost('local');
    const cancel = new AbortController();
    const logged: string[] = [];
    const run = runCapture(plan(), { get: async () => (cancel.abort('by SIGTERM'), host) }, { outDir: out, durationMs: 5000, signal: cancel.signal, log: (l, msg) => logged.push(`${l}: ${msg}`) });
    const m = await run;
    assert.deepEqual(m.errors, [{ host: 'local', message: 'cancelled before the capture started' }]);
    assert.equal(hostMessage(m.errors![0].host, m.errors![0].message), 'local: cancelled before the capture started');
    assert.equal(m.note, 'cancelled by SIGTERM: the capture holds what was pulled until then');
    const dir = /temp folder (\/tmp\/lvs-capture\.\w+)/.exec(logged.join('\n'))?.[1];
    assert.ok(dir && !fs.existsSync(dir), `temp folder ${dir} removed`);
  });
});
