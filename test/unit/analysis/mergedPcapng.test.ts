// "Export capture as pcapng": the merged file holds every packet of every point,
// in time order, one interface per point, and Wireshark (tshark) reads our
// annotations as packet comments.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeCapture } from '../../../src/core/analysis';
import { readFrames } from '../../../src/core/pcap';
import { packetAnnotations, writeMergedPcapng } from '../../../src/core/analysis/mergedPcapng';
import { hasCommand, hasSharedFixtures, labFixturesDir, requireOrSkip } from '../../helpers/env';
import { generate } from '../../bench/analysis.bench';

describe('merged pcapng export', function () {
  this.timeout(60_000);
  let tmp: string;
  before(function () {
    requireOrSkip(this, hasSharedFixtures(), 'the shared lab fixtures');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-export-'));
  });
  after(function () {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  for (const scenario of ['dr-arp-problem', 'nat-healthy']) {
    it(`merges every point of ${scenario} in time order with our comments`, async function () {
      const result = await analyzeCapture(path.join(labFixturesDir, scenario));
      const out = path.join(tmp, `${scenario}.pcapng`);
      const { packets, comments } = writeMergedPcapng(result, out);
      let expected = 0;
      for (const p of result.manifest.points) expected += readFrames(path.join(result.folder, p.file), () => undefined).frames;
      assert.equal(packets, expected);
      assert.equal(comments, packetAnnotations(result).size);
      assert.ok(comments > 0);
      let last = -Infinity;
      let n = 0;
      readFrames(out, (f) => {
        n++;
        assert.ok(f.ts >= last, `packet ${f.n} is in time order`);
        last = f.ts;
      });
      assert.equal(n, expected);
      if (hasCommand('tshark')) {
        const lines = execFileSync('tshark', ['-r', out, '-T', 'fields', '-e', 'frame.interface_name', '-e', 'frame.comment'], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] })
          .split('\n')
          .filter(Boolean);
        assert.equal(lines.length, expected);
        const withComment = lines.filter((l) => l.split('\t')[1]);
        assert.equal(withComment.length, comments);
        assert.ok(withComment.some((l) => l.includes('lvs: tcp ')), 'connection annotations');
        const ifaces = new Set(lines.map((l) => l.split('\t')[0]));
        assert.ok(ifaces.size >= result.manifest.points.length - 1, `interfaces named after points: ${[...ifaces].join(', ')}`);
        if (result.findings.some((f) => f.evidence.some((e) => e.packets?.length))) {
          assert.ok(withComment.some((l) => l.includes('lvs finding ')), 'finding annotations');
        }
      }
    });
  }
});

describe('merged pcapng export of a capture bigger than the reader window', function () {
  this.timeout(120_000);
  it('every packet of every point, bytes intact, in time order, written piece by piece', async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-export-big-'));
    try {
      // 3,000 connections, ~150,000 packets over four points: pcaps of several MiB, so the
      // reader's 1 MiB window is refilled many times while the merge holds frames.
      generate(dir, { label: 'export', connections: 3000, segments: 10 });
      const result = await analyzeCapture(dir);
      const out = path.join(dir, 'merged.pcapng');
      const { packets, comments } = writeMergedPcapng(result, out);
      const perPoint = result.manifest.points.map((p) => {
        const frames: string[] = [];
        readFrames(path.join(dir, p.file), (f) => void frames.push(Buffer.from(f.data).toString('base64')));
        return frames;
      });
      assert.equal(packets, perPoint.reduce((n, f) => n + f.length, 0));
      assert.equal(comments, packetAnnotations(result).size);
      // Per interface (one per point here), the same packets as the point's file (the time
      // order may move a point's own packets: the generator writes replies ahead of time).
      const perIface = new Map<number, string[]>();
      let last = -Infinity;
      readFrames(out, (f) => {
        assert.ok(f.ts >= last, `packet ${f.n} is in time order`);
        last = f.ts;
        const list = perIface.get(f.ifIndex) ?? [];
        list.push(Buffer.from(f.data).toString('base64'));
        perIface.set(f.ifIndex, list);
      });
      assert.equal(perIface.size, perPoint.length);
      perPoint.forEach((frames, k) => assert.ok(JSON.stringify(perIface.get(k)?.sort()) === JSON.stringify(frames.sort()), `point ${k}: every packet, bytes intact`));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
