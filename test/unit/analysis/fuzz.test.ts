// Damaged captures through the whole analysis (flow tables, correlation, every finding rule,
// hops): random bytes of the project's sample captures overwritten — inside packets mostly,
// sometimes in record headers — and files cut short. The analysis must finish without an
// exception and give a well-formed result, whatever the packets now claim.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { analyzeCapture } from '../../../src/core/analysis/index';
import type { AnalysisResult } from '../../../src/core/analysis/result';
import { repoRoot } from '../../helpers/env';

const samplesDir = path.join(repoRoot, 'samples');
const samples = fs.readdirSync(samplesDir).filter((n) => fs.existsSync(path.join(samplesDir, n, 'capture.json')));

interface Edit {
  /** Which pcap of the folder (modulo their number). */
  file: number;
  /** Where in it (modulo its length past the file header). */
  at: number;
  value: number;
}

const edit: fc.Arbitrary<Edit> = fc.record({ file: fc.nat(), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) });

function damage(src: string, dst: string, edits: Edit[], cut: { file: number; at: number } | null): void {
  fs.cpSync(src, dst, { recursive: true });
  const pcaps = fs
    .readdirSync(path.join(dst, 'pcap'))
    .map((f) => path.join(dst, 'pcap', f))
    .sort();
  const bytes = pcaps.map((f) => fs.readFileSync(f));
  for (const e of edits) {
    const b = bytes[e.file % bytes.length];
    if (b.length > 24) b[24 + (e.at % (b.length - 24))] = e.value;
  }
  if (cut) {
    const k = cut.file % bytes.length;
    bytes[k] = bytes[k].subarray(0, cut.at % (bytes[k].length + 1));
  }
  pcaps.forEach((f, k) => fs.writeFileSync(f, bytes[k]));
}

/** What every result must be, damaged input or not. */
function checkWellFormed(r: AnalysisResult): void {
  assert.ok(Number.isFinite(r.stats.packets) && r.stats.packets >= 0);
  assert.equal(r.stats.connections, r.connections.length);
  for (const f of r.findings) {
    assert.equal(typeof f.code, 'string');
    assert.ok(['error', 'warning', 'info'].includes(f.severity), f.severity);
    assert.ok(f.message.length > 0);
  }
  const ids = new Set(r.connections.map((c) => c.id));
  assert.equal(ids.size, r.connections.length, 'connection ids are unique');
  for (const c of r.connections) {
    for (const h of c.hops) {
      assert.ok(h.ref.point >= 0 && h.ref.point < r.lanes.length, `hop lane ${h.ref.point}`);
      assert.ok(Number.isInteger(h.ref.n) && h.ref.n >= 1);
      if (h.sameAs !== undefined) assert.ok(h.sameAs >= 0 && h.sameAs < c.hops.length);
    }
  }
  // Serialisable as the CLI prints it and the webview receives it (this builds every hop).
  JSON.parse(JSON.stringify(r));
}

describe('analysis of damaged captures (fuzz)', function () {
  this.timeout(120000);
  let tmp: string;
  before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-analysis-fuzz-'))));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('finishes with a well-formed result whatever bytes the packets hold', async function () {
    assert.ok(samples.length >= 5, `samples: ${samples.join(', ')}`);
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...samples),
        fc.array(edit, { minLength: 1, maxLength: 80 }),
        fc.option(fc.record({ file: fc.nat(), at: fc.nat() }), { freq: 4 }),
        async (name, edits, cut) => {
          const dir = path.join(tmp, `run-${run++}`);
          damage(path.join(samplesDir, name), dir, edits, cut);
          try {
            checkWellFormed(await analyzeCapture(dir));
          } finally {
            fs.rmSync(dir, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
