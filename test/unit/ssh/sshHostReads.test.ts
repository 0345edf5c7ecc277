// SshHost against an in-process ssh2 server: pulling a file that keeps growing (a running
// tcpdump) returns what is there now instead of chasing its end, and the clock comparison
// records how far it may be off. The clock script itself, run here by a real sh, reads the
// clock without a process per sample.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { utils, type ServerChannel } from 'ssh2';
import type { SshPool } from '../../../src/core/ssh/pool';
import { CLOCK_LOOP, parseClockLine } from '../../../src/core/ssh/clock';
import { hasCommand, requireOrSkip } from '../../helpers/env';
import { startFakeSshServer, type FakeSshServer } from '../../helpers/fakeSshServer';

const { STATUS_CODE } = utils.sftp;
/** The fake host's clock runs this far ahead of ours. */
const AHEAD_MS = 250;

describe('ssh/SshHost: growing files and the clock', function () {
  this.timeout(30_000);
  let server: FakeSshServer;
  let grownSince = 0;
  let reads = 0;
  before(async function () {
    server = await startFakeSshServer((session) => {
      session.on('sftp', (acc) => {
        const sftp = acc();
        // A file that grows by 60 bytes every 5 ms, and a server that takes 6 ms per
        // read: every read finds more, it never answers "end of file".
        sftp.on('OPEN', (reqid) => sftp.handle(reqid, Buffer.from('h')));
        sftp.on('READ', (reqid, _handle, offset, length) => {
          reads++;
          setTimeout(() => {
            const size = Math.floor((Date.now() - grownSince) / 5) * 60;
            const n = Math.min(length, size - offset);
            if (n <= 0) sftp.status(reqid, STATUS_CODE.EOF);
            else sftp.data(reqid, Buffer.alloc(n, 0x61));
          }, 6);
        });
        sftp.on('CLOSE', (reqid) => sftp.status(reqid, STATUS_CODE.OK));
      });
      session.on('exec', (acc, _rej, info) => {
        const ch: ServerChannel = acc();
        if (info.command.includes('EPOCHREALTIME')) {
          // The clock loop: one line of the host's time per line read.
          ch.on('data', (b: Buffer) => {
            for (let k = 0; k < b.toString().split('\n').length - 1; k++) ch.write(`${((Date.now() + AHEAD_MS) / 1000).toFixed(6)}\n`);
          });
          ch.on('end', () => {
            ch.exit(0);
            ch.end();
          });
          return;
        }
        ch.exit(1);
        ch.end();
      });
    });
  });
  after(async function () {
    await server.close();
  });

  const pool = (): SshPool => server.pool();

  it('a read of a file that keeps growing returns after one short read, not at its (never reached) end', async function () {
    const p = pool();
    try {
      const h = await p.get('h');
      grownSince = Date.now() - 1000; // 12000 bytes there already
      reads = 0;
      const t0 = Date.now();
      const got = await Promise.race([
        h.readRange!('/tmp/x.pcap', 0, 4 * 1024 * 1024),
        new Promise<Buffer>((_res, rej) => setTimeout(() => rej(new Error('still reading after 3 s')), 3000)),
      ]);
      assert.ok(got.length >= 12000 && got.length < 4 * 1024 * 1024, `${got.length} bytes`);
      assert.ok(Date.now() - t0 < 1000, `took ${Date.now() - t0} ms`);
      assert.equal(reads, 1, 'one read request (under the server\'s largest read)');
      // From an offset past what is there: nothing (yet).
      assert.equal((await h.readRange!('/tmp/x.pcap', 10 * 1024 * 1024, 65536)).length, 0);
    } finally {
      await p.closeAll();
    }
  });

  it('the clock comparison gives the offset and its uncertainty (half the best round trip)', async function () {
    const p = pool();
    try {
      const h = await p.get('h');
      const c = await h.clock!();
      assert.ok(c.uncertaintyMs > 0 && c.uncertaintyMs < 100, JSON.stringify(c));
      assert.ok(Math.abs(c.offsetMs - AHEAD_MS) <= c.uncertaintyMs + 1, `offset ${c.offsetMs} ms, uncertainty ${c.uncertaintyMs} ms: the host is ${AHEAD_MS} ms ahead`);
    } finally {
      await p.closeAll();
    }
  });

  it('the clock script reads the clock without starting a process per sample (bash 5: $EPOCHREALTIME)', async function () {
    requireOrSkip(this, hasCommand('bash') && /^\d/.test(spawnSync('bash', ['-c', 'echo "$EPOCHREALTIME"'], { encoding: 'utf8' }).stdout), 'bash 5 ($EPOCHREALTIME)');
    // A `date` that notes each time it runs, first in PATH.
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-date-'));
    const calls = path.join(bin, 'calls');
    const real = spawnSync('sh', ['-c', 'command -v date'], { encoding: 'utf8' }).stdout.trim();
    fs.writeFileSync(path.join(bin, 'date'), `#!/bin/sh\necho x >>'${calls}'\nexec '${real}' "$@"\n`, { mode: 0o755 });
    try {
      const c = spawn('sh', ['-c', CLOCK_LOOP], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, stdio: ['pipe', 'pipe', 'ignore'] });
      const lines: Array<{ t0: number; t1: number; remote: number | undefined }> = [];
      let buf = '';
      let t0 = 0;
      await new Promise<void>((resolve) => {
        const ask = (): void => {
          t0 = Date.now();
          c.stdin.write('\n');
        };
        c.stdout.on('data', (b: Buffer) => {
          buf += b.toString();
          let i: number;
          while ((i = buf.indexOf('\n')) >= 0) {
            lines.push({ t0, t1: Date.now(), remote: parseClockLine(buf.slice(0, i)) });
            buf = buf.slice(i + 1);
            if (lines.length >= 10) {
              c.stdin.end();
              resolve();
            } else ask();
          }
        });
        ask();
      });
      await new Promise((r) => c.once('close', r));
      assert.equal(lines.length, 10);
      for (const l of lines) assert.ok(l.remote !== undefined && l.remote >= l.t0 - 1 && l.remote <= l.t1 + 1, JSON.stringify(l));
      assert.equal(fs.existsSync(calls) ? fs.readFileSync(calls, 'utf8').length : 0, 0, '`date` never ran');
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });
});
