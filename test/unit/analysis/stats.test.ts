import * as assert from 'node:assert/strict';
import { chiSquareGoodnessOfFit, gammaQ } from '../../../src/core/analysis/stats';

describe('analysis: chi-square goodness of fit', function () {
  it('matches known chi-square tail probabilities', function () {
    // Chi-square survival function = Q(df/2, x/2); textbook table values.
    assert.ok(Math.abs(gammaQ(0.5, 3.841 / 2) - 0.05) < 1e-3, 'df 1, 3.841 -> 0.05');
    assert.ok(Math.abs(gammaQ(1, 9.21 / 2) - 0.01) < 1e-3, 'df 2, 9.21 -> 0.01');
    assert.ok(Math.abs(gammaQ(5, 18.307 / 2) - 0.05) < 1e-3, 'df 10, 18.307 -> 0.05');
    assert.equal(gammaQ(2, 0), 1);
  });

  it('judges counts against weights and says when the sample is too small', function () {
    const fair = chiSquareGoodnessOfFit([52, 48], [1, 1]);
    assert.ok(fair.valid && fair.pValue > 0.5);
    const skew = chiSquareGoodnessOfFit([85, 15], [1, 1]);
    assert.ok(skew.pValue < 1e-9);
    assert.equal(skew.statistic, 49);
    const weighted = chiSquareGoodnessOfFit([300, 100], [3, 1]);
    assert.ok(weighted.pValue > 0.9, 'wrr 3:1 honoured');
    assert.equal(chiSquareGoodnessOfFit([3, 1], [1, 1]).valid, false);
  });
});
