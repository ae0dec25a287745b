// Pure distribution-free interval estimates of a shift, for few trials.

import { sorted } from "./quantiles.js";

/** Exact null distribution of the Mann–Whitney U statistic for sample sizes m, n: P(U ≤ u) for u = 0..m·n. */
export function mannWhitneyCdf(m: number, n: number): number[] {
  // f[i][j][u]: number of arrangements; rolled into a DP over (i, j) with arrays over u.
  const memo = new Map<string, number[]>();
  const counts = (i: number, j: number): number[] => {
    if (i === 0 || j === 0) return [1];
    const key = `${i},${j}`;
    const hit = memo.get(key);
    if (hit) return hit;
    // The largest value belongs to the first sample (adds j to U) or to the second (adds 0).
    const a = counts(i - 1, j);
    const b = counts(i, j - 1);
    const out = new Array(i * j + 1).fill(0);
    a.forEach((c, u) => {
      out[u + j] += c;
    });
    b.forEach((c, u) => {
      out[u] += c;
    });
    memo.set(key, out);
    return out;
  };
  const c = counts(m, n);
  const total = c.reduce((x, y) => x + y, 0);
  let acc = 0;
  return c.map((v) => {
    acc += v;
    return acc / total;
  });
}

/** Exact null distribution of the Wilcoxon signed-rank statistic W+ for n pairs: P(W ≤ w). */
export function signedRankCdf(n: number): number[] {
  const max = (n * (n + 1)) / 2;
  let counts = new Array(max + 1).fill(0);
  counts[0] = 1;
  for (let k = 1; k <= n; k++) {
    const next = [...counts];
    for (let w = k; w <= max; w++) next[w] += counts[w - k];
    counts = next;
  }
  const total = 2 ** n;
  let acc = 0;
  return counts.map((v) => {
    acc += v;
    return acc / total;
  });
}

export interface ShiftEstimate {
  estimate: number;
  lo: number;
  hi: number;
  /** The interval's actual coverage (discrete distributions cannot hit every level). */
  confidence: number;
}

/**
 * Largest k such that [d(k), d(N+1-k)] (1-based order statistics) has coverage ≥ level,
 * given the statistic's CDF: coverage = 1 - 2·P(S ≤ k-1). Falls back to k = 1 (the full range).
 */
function orderStatisticRank(cdf: number[], level: number): { k: number; confidence: number } {
  let k = 1;
  for (let c = 1; c < cdf.length; c++) {
    if (1 - 2 * cdf[c - 1] >= level) k = c;
    else break;
  }
  return { k, confidence: Math.max(0, 1 - 2 * cdf[k - 1]) };
}

/**
 * Hodges–Lehmann shift of `b` over `a` (median of all differences b_j − a_i) with the exact
 * Mann–Whitney interval: for independent samples, such as the trials of two separate runs.
 */
export function twoSampleShift(a: readonly number[], b: readonly number[], level = 0.95): ShiftEstimate {
  const d = sorted(a.flatMap((x) => b.map((y) => y - x)));
  const mid = Math.floor(d.length / 2);
  const estimate = d.length % 2 ? d[mid] : (d[mid - 1] + d[mid]) / 2;
  const { k, confidence } = orderStatisticRank(mannWhitneyCdf(a.length, b.length), level);
  return { estimate, lo: d[k - 1], hi: d[d.length - k], confidence };
}

/**
 * Hodges–Lehmann estimate for paired differences (median of Walsh averages) with the exact
 * Wilcoxon signed-rank interval: for A/B pairs measured side by side.
 */
export function pairedShift(diffs: readonly number[], level = 0.95): ShiftEstimate {
  const walsh: number[] = [];
  for (let i = 0; i < diffs.length; i++) for (let j = i; j < diffs.length; j++) walsh.push((diffs[i] + diffs[j]) / 2);
  const w = sorted(walsh);
  const mid = Math.floor(w.length / 2);
  const estimate = w.length % 2 ? w[mid] : (w[mid - 1] + w[mid]) / 2;
  const { k, confidence } = orderStatisticRank(signedRankCdf(diffs.length), level);
  return { estimate, lo: w[k - 1], hi: w[w.length - k], confidence };
}
