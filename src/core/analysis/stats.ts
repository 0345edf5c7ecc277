// Goodness of fit for the distribution of connections over real servers: Pearson's
// chi-square with its p-value from the regularized upper incomplete gamma function
// (series for x < a+1, continued fraction otherwise — the standard numerical recipe).

function logGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9).
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Q(a, x) = Γ(a, x) / Γ(a). */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 500; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return 1 - sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
  }
  // Lentz's continued fraction.
  let b = x + 1 - a;
  let c = 1 / 1e-300;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 500; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
}

export interface ChiSquareResult {
  statistic: number;
  df: number;
  pValue: number;
  expected: number[];
  /** False when some expected count is below 5: the test cannot tell. */
  valid: boolean;
}

/** Pearson's chi-square test of `observed` counts against proportions `weights`. */
export function chiSquareGoodnessOfFit(observed: number[], weights: number[]): ChiSquareResult {
  const n = observed.reduce((a, b) => a + b, 0);
  const wsum = weights.reduce((a, b) => a + b, 0);
  const expected = weights.map((w) => (wsum > 0 ? (n * w) / wsum : 0));
  let statistic = 0;
  for (let i = 0; i < observed.length; i++) {
    if (expected[i] > 0) statistic += (observed[i] - expected[i]) ** 2 / expected[i];
    else if (observed[i] > 0) statistic = Infinity;
  }
  const df = Math.max(1, expected.filter((e) => e > 0).length - 1);
  const pValue = Number.isFinite(statistic) ? gammaQ(df / 2, statistic / 2) : 0;
  return { statistic, df, pValue, expected, valid: expected.every((e) => e === 0 || e >= 5) };
}
