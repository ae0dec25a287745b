// Pure: E-divisive means change-point detection (Matteson & James, "A nonparametric approach for
// multiple change point analysis of multivariate data", JASA 2014), the method MongoDB's CI and
// Apache Otava (Datastax's Hunter) run over performance series, with α = 1 (mean distances).
//
// Significance is a permutation test: the best split's statistic against the best splits of the
// same segment shuffled. Not t-based: the run medians stored on this project's 2-CPU VM were not
// normal (two states about 15% apart and one run 70% above the rest, docs/verdicts.md), and the
// permutation test needs only exchangeability under "no change". Its shuffles come from a
// fixed-seed generator, so the same series always gives the same answer (in tests and on main).

/** Fewest points on either side of a change point (C(8, 4) = 70 arrangements: p can reach 0.014). */
export const MIN_SEGMENT = 4;
/** Shuffles per permutation test: p is resolved to 1/200, well under SIGNIFICANCE. */
export const PERMUTATIONS = 199;
/**
 * A split is a change point when its permutation p-value is at most this. 0.01, not 0.05: on flat
 * series at the measured run-to-run spread (bench/drift) 0.05 reported a step in up to 12% of
 * series of 10 to 40 baselines, 0.01 in at most 2%, at nearly the same detection from 20 baselines
 * on (docs/drift.md).
 * The price: a series of about 10 cannot reach it (C(10, 5) = 252 arrangements, a step either way).
 */
export const SIGNIFICANCE = 0.01;

export interface Split {
  /** Index of the first point after the change (within the whole series). */
  at: number;
  /** The energy statistic q̂ of the split. */
  q: number;
  /** Permutation p-value: (1 + shuffles scoring ≥ q) / (1 + PERMUTATIONS). */
  p: number;
}

/** mulberry32: a small seeded generator (deterministic shuffles). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The best split of `x` (every split leaving at least `minSize` points on each side) and its
 * statistic q̂ = (m·k/n)·(2·mean|x−y| − mean|x−x′| − mean|y−y′|), computed for all splits in O(n²)
 * from running sums of the pairwise distances.
 */
export function bestSplit(x: readonly number[], minSize = MIN_SEGMENT): { at: number; q: number } | null {
  const n = x.length;
  if (n < 2 * minSize) return null;
  // leftOf[j] = Σ_{i<j} |x_i − x_j|; row[j] = Σ_i |x_i − x_j|.
  const leftOf = new Float64Array(n);
  const row = new Float64Array(n);
  let total = 0;
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < j; i++) {
      const d = Math.abs(x[i] - x[j]);
      leftOf[j] += d;
      row[i] += d;
      row[j] += d;
      total += d;
    }
  }
  let withinLeft = 0;
  let withinRight = total;
  let best: { at: number; q: number } | null = null;
  for (let t = 1; t < n; t++) {
    // Moving point t−1 from the right side to the left.
    withinLeft += leftOf[t - 1];
    withinRight -= row[t - 1] - leftOf[t - 1];
    const m = t;
    const k = n - t;
    if (m < minSize || k < minSize) continue;
    const between = total - withinLeft - withinRight;
    const e = (2 * between) / (m * k) - withinLeft / ((m * (m - 1)) / 2) - withinRight / ((k * (k - 1)) / 2);
    const q = ((m * k) / n) * e;
    if (!best || q > best.q) best = { at: t, q };
  }
  return best;
}

/** The permutation p-value of a segment's best split. */
export function permutationP(x: readonly number[], q: number, seed: number, minSize = MIN_SEGMENT): number {
  const random = seededRandom(seed);
  const y = [...x];
  let atLeast = 0;
  for (let r = 0; r < PERMUTATIONS; r++) {
    for (let i = y.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [y[i], y[j]] = [y[j], y[i]];
    }
    const s = bestSplit(y, minSize);
    if (s && s.q >= q - 1e-12 * Math.abs(q)) atLeast++;
  }
  return (1 + atLeast) / (1 + PERMUTATIONS);
}

/**
 * The significant change points of `x`, in order: repeatedly the segment whose best split scores
 * highest is tested; a significant split divides it, and the first one that is not ends the search
 * (as in Matteson & James's hierarchical procedure).
 */
export function eDivisive(x: readonly number[], o: { minSize?: number; seed?: number } = {}): Split[] {
  const minSize = o.minSize ?? MIN_SEGMENT;
  const seed = o.seed ?? 0x10ad6a7e;
  const found: Split[] = [];
  let bounds = [0, x.length];
  for (;;) {
    let pick: { start: number; at: number; q: number; part: number[] } | null = null;
    for (let s = 0; s + 1 < bounds.length; s++) {
      const part = x.slice(bounds[s], bounds[s + 1]);
      const b = bestSplit(part, minSize);
      if (b && (!pick || b.q > pick.q)) pick = { start: bounds[s], at: b.at, q: b.q, part };
    }
    if (!pick) break;
    // The seed depends on the segment, not on the order of the search: the same segment, the same shuffles.
    const p = permutationP(pick.part, pick.q, seed ^ (pick.start * 7919 + pick.part.length));
    if (p > SIGNIFICANCE) break;
    found.push({ at: pick.start + pick.at, q: pick.q, p });
    bounds = [...bounds, pick.start + pick.at].sort((a, b) => a - b);
  }
  return found.sort((a, b) => a.at - b.at);
}
