// Pure statistics over small samples of per-trial values.

export function sorted(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** Median; the mean of the two middle values for an even count. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = sorted(values);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Sample standard deviation (n - 1). */
export function stdev(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (values.length - 1));
}

/** Coefficient of variation (sample SD / mean). */
export function cv(values: readonly number[]): number {
  const m = mean(values);
  return m === 0 ? Number.NaN : stdev(values) / m;
}

/** P(X <= k) for X ~ Binomial(n, 1/2). */
export function binomialHalfCdf(k: number, n: number): number {
  let total = 0;
  let term = 0.5 ** n; // C(n,0)/2^n
  for (let i = 0; i <= k; i++) {
    total += term;
    term = (term * (n - i)) / (i + 1);
  }
  return total;
}

export interface Interval {
  lo: number;
  hi: number;
  /** The interval's actual coverage probability (order-statistic intervals are discrete). */
  confidence: number;
}

/**
 * Distribution-free confidence interval for the median from order statistics:
 * [x(k), x(n+1-k)] covers the population median with probability 1 - 2·P(Bin(n,½) ≤ k-1).
 * We take the narrowest such interval whose coverage is at least `level`; with too few
 * values for that (n < 6 at 95%), the widest one, [min, max], and its real, lower coverage.
 */
export function medianInterval(values: readonly number[], level = 0.95): Interval {
  const n = values.length;
  if (n === 0) return { lo: Number.NaN, hi: Number.NaN, confidence: 0 };
  const s = sorted(values);
  if (n === 1) return { lo: s[0], hi: s[0], confidence: 0 };
  let best = 1;
  for (let k = 1; k <= Math.floor(n / 2); k++) {
    const coverage = 1 - 2 * binomialHalfCdf(k - 1, n);
    if (coverage >= level) best = k;
    else break;
  }
  const confidence = 1 - 2 * binomialHalfCdf(best - 1, n);
  return { lo: s[best - 1], hi: s[n - best], confidence };
}
