// Hop summaries write TCP flags as tcpdump does: its letters, in its order (F S R P . U E W).
import * as assert from 'node:assert/strict';
import { flagLetters } from '../../../src/core/analysis/hops';

describe('analysis: TCP flag letters in hop summaries', function () {
  it('uses tcpdump order and letters, ECN and URG included', function () {
    const cases: Array<[number, string]> = [
      [0x02, 'S'],
      [0x12, 'S.'],
      [0x52, 'S.E'],
      [0xc2, 'SEW'],
      [0x03, 'FS'],
      [0x11, 'F.'],
      [0x14, 'R.'],
      [0x18, 'P.'],
      [0x38, 'P.U'],
      [0xf8, 'P.UEW'],
      [0x00, 'none'],
    ];
    for (const [bits, want] of cases) assert.equal(flagLetters(bits), want, `0x${bits.toString(16)}`);
  });
});
