// The statistics behind the probe's judgement: did the observed spread of
// connections over real servers plausibly come from the expected shares?
// Pearson's chi-square goodness-of-fit test (p from the chi-square distribution)
// and, for two servers, the exact binomial test. Below the usual validity limit
// (an expected count under 5 in some cell) no verdict is given.

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7, n = 9). */
export function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Regularized upper incomplete gamma Q(s, x) = Γ(s, x) / Γ(s). */
export function gammaQ(s: number, x: number): number {
  if (x <= 0) return 1;
  if (x < s + 1) {
    // Series for P(s, x), then Q = 1 - P.
    let sum = 1 / s;
    let term = sum;
    for (let n = 1; n < 1000; n++) {
      term *= x / (s + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return Math.max(0, 1 - sum * Math.exp(-x + s * Math.log(x) - logGamma(s)));
  }
  // Continued fraction for Q (modified Lentz).
  const tiny = 1e-300;
  let b = x + 1 - s;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - s);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return Math.min(1, Math.exp(-x + s * Math.log(x) - logGamma(s)) * h);
}

/** P(X ≥ x) for X ~ chi-square with `df` degrees of freedom. */
export function chiSquareSurvival(x: number, df: number): number {
  return gammaQ(df / 2, x / 2);
}

export interface TestResult {
  test: 'chi-square' | 'binomial';
  statistic?: number;
  df?: number;
  pValue: number;
}

/** Pearson's chi-square of observed counts against expected shares (shares sum to 1). */
export function chiSquareTest(observed: number[], shares: number[]): TestResult {
  const n = observed.reduce((a, b) => a + b, 0);
  let stat = 0;
  let cells = 0;
  observed.forEach((o, i) => {
    const e = n * shares[i];
    if (e > 0) {
      stat += ((o - e) * (o - e)) / e;
      cells++;
    } else if (o > 0) stat = Infinity; // something landed where nothing was expected
  });
  const df = Math.max(1, cells - 1);
  return { test: 'chi-square', statistic: stat, df, pValue: Number.isFinite(stat) ? chiSquareSurvival(stat, df) : 0 };
}

function logChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/** Exact two-sided binomial test: P of outcomes no more likely than `k` successes in `n` at rate `p`. */
export function binomialTest(k: number, n: number, p: number): TestResult {
  if (p <= 0 || p >= 1) return { test: 'binomial', pValue: (p <= 0 ? k === 0 : k === n) ? 1 : 0 };
  const logP = (i: number): number => logChoose(n, i) + i * Math.log(p) + (n - i) * Math.log(1 - p);
  const observed = logP(k);
  let total = 0;
  for (let i = 0; i <= n; i++) {
    const lp = logP(i);
    // Relative tolerance so that ties (symmetric outcomes) count as "as extreme".
    if (lp <= observed + 1e-7) total += Math.exp(lp);
  }
  return { test: 'binomial', pValue: Math.min(1, total) };
}

/** Smallest expected count a cell may have for the test to be trusted. */
export const MIN_EXPECTED = 5;
