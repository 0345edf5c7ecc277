// Counting records of a pcap that arrives piece by piece, checked against tcpdump -r
// on the real captures in the shared fixtures.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseTcpdumpStats, parseTcpdumpVersion, PcapRecordCounter } from '../../../src/core/capture/pcapCount';
import { hasCommand, hasSharedFixtures, labFixturesDir, requireOrSkip } from '../../helpers/env';

describe('capture/pcapCount', function () {
  it('counts the fixtures in random-sized pieces exactly as tcpdump does', function () {
    requireOrSkip(this, hasSharedFixtures(), 'shared fixtures');
    requireOrSkip(this, hasCommand('tcpdump'), 'tcpdump');
    const dir = path.join(labFixturesDir, 'dr-healthy', 'pcap');
    let seed = 7;
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n) + 1;
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.pcap'))) {
      const bytes = fs.readFileSync(path.join(dir, f));
      const c = new PcapRecordCounter();
      for (let i = 0; i < bytes.length; ) {
        const n = rnd(300);
        c.push(bytes.subarray(i, i + n));
        i += n;
      }
      const lines = execFileSync('tcpdump', ['-nr', path.join(dir, f)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      assert.equal(c.packets, lines.split('\n').filter(Boolean).length, f);
      assert.equal(c.completeBytes, bytes.length, f);
      assert.equal(c.error, undefined);
    }
  });

  it('stops at a length no capture can have, and at a wrong magic', function () {
    const hdr = Buffer.alloc(24);
    hdr.writeUInt32LE(0xa1b2c3d4, 0);
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(0x7fffffff, 8);
    const c = new PcapRecordCounter();
    c.push(Buffer.concat([hdr, rec]));
    assert.match(c.error ?? '', /record length 2147483647 at byte 24 is impossible/);
    const d = new PcapRecordCounter();
    d.push(Buffer.from('0a0d0d0a000000000000000000000000000000000000000000', 'hex'));
    assert.match(d.error ?? '', /not a classic pcap/);
  });

  it('knows where the last whole record ends and its time (micro- and nanosecond files), in any pieces', function () {
    for (const [magic, units] of [[0xa1b2c3d4, 1e6], [0xa1b23c4d, 1e9]] as const) {
      const hdr = Buffer.alloc(24);
      hdr.writeUInt32LE(magic, 0);
      const rec = (sec: number, frac: number, len: number): Buffer => {
        const b = Buffer.alloc(16 + len);
        b.writeUInt32LE(sec, 0);
        b.writeUInt32LE(frac, 4);
        b.writeUInt32LE(len, 8);
        b.writeUInt32LE(len, 12);
        return b;
      };
      const bytes = Buffer.concat([hdr, rec(1000, 5, 60), rec(1001, units / 4, 70), rec(1002, 0, 80).subarray(0, 40)]);
      const c = new PcapRecordCounter();
      for (let i = 0; i < bytes.length; i += 7) c.push(bytes.subarray(i, i + 7));
      assert.equal(c.packets, 2);
      assert.equal(c.completeBytes, 24 + 76 + 86, 'the third record is cut');
      assert.equal(c.lastTs, 1001.25);
    }
    assert.equal(new PcapRecordCounter().lastTs, undefined);
  });

  it("reads tcpdump's closing statistics and version", function () {
    const err = 'tcpdump: listening on eth0, link-type EN10MB (Ethernet), snapshot length 65535 bytes\n12 packets captured\n14 packets received by filter\n1 packet dropped by kernel\n';
    assert.deepEqual(parseTcpdumpStats(err), { captured: 12, received: 14, dropped: 1 });
    assert.equal(parseTcpdumpVersion('tcpdump version 4.99.3\nlibpcap version 1.10.3 (with TPACKET_V3)\n'), '4.99.3');
  });
});
