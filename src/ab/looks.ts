// Pure: when a sequential same-runner A/B looks at its verdict, and at what level.

import { DEFAULT_ALPHA, metricAlpha, minUnits, TESTED_METRICS } from "../compare/risk.js";

/** Pairs per block: ABBA (or BAAB) on one pair of instances, then both stacks restart. */
export const PAIRS_PER_BLOCK = 2;
/** Planned looks at most; the one-sided α is split evenly over them (Bonferroni over looks). */
export const MAX_LOOKS = 3;

export interface LookPlan {
  /** Block counts after which the verdict is computed; the run stops at the first decided one. */
  blocks: number[];
  /** One-sided α per tested metric, stack and look. */
  alphaEach: number;
  /** The smallest block count at which the exact interval can decide at alphaEach. */
  minDecidable: number;
}

/**
 * Plans the looks of a sequential A/B between `minPairs` and `maxPairs`. A look before the exact
 * signed-rank interval can reach its level would spend α for nothing, so the first look is at the
 * smallest block count that can decide; the others are spread evenly up to the maximum. Each
 * look's tests run at α / (metrics × stacks × looks), so the chance of any false alarm over all
 * looks stays within α whatever the stopping does (a union bound; no normality needed).
 */
export function planLooks(
  minPairs: number,
  maxPairs: number,
  stacks = 1,
  alpha = DEFAULT_ALPHA,
  tested: number = TESTED_METRICS.length,
): LookPlan {
  const maxBlocks = Math.max(1, Math.ceil(maxPairs / PAIRS_PER_BLOCK));
  const minBlocks = Math.min(maxBlocks, Math.max(1, Math.ceil(minPairs / PAIRS_PER_BLOCK)));
  let looks = MAX_LOOKS;
  for (;;) {
    const alphaEach = metricAlpha({ alpha, stacks, looks }, tested);
    const minDecidable = minUnits(alphaEach);
    const first = Math.min(maxBlocks, Math.max(minBlocks, minDecidable));
    const span = maxBlocks - first;
    const count = Math.min(looks, span + 1);
    if (count < looks) {
      looks = count;
      continue;
    }
    const blocks =
      count === 1 ? [maxBlocks] : Array.from({ length: count }, (_, i) => first + Math.round((span * i) / (count - 1)));
    return { blocks, alphaEach, minDecidable };
  }
}
