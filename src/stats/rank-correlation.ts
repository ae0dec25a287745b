// Pure: Spearman's rank correlation ρ: Pearson's correlation of the two samples' ranks, where tied
// values share the mean of the ranks they span (the standard treatment of ties; with no ties it equals
// 1 − 6 Σd² / (n (n² − 1))).

/** Ranks from 1 (the smallest value), ties given the mean of the ranks they span. */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const ranks = new Array<number>(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && order[end].v === order[start].v) end++;
    // Positions start … end − 1 hold ranks start + 1 … end: their mean.
    const rank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k].i] = rank;
    start = end;
  }
  return ranks;
}

function pearson(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? Number.NaN : sxy / Math.sqrt(sxx * syy);
}

/**
 * Spearman's ρ of paired samples, from −1 (opposite orders) to 1 (the same order). NaN when there
 * are fewer than two pairs, a value is not finite, or one sample is all ties (no order to compare).
 */
export function spearman(x: readonly number[], y: readonly number[]): number {
  if (x.length !== y.length) throw new Error(`spearman: ${x.length} values against ${y.length}`);
  if (x.length < 2 || ![...x, ...y].every(Number.isFinite)) return Number.NaN;
  return pearson(averageRanks(x), averageRanks(y));
}
