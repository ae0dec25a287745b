// Pure: the sequential A/B stopping rule, shared by the engine and by the benchmark's replay.

import type { Gate } from "../compare/gate.js";
import { type Comparison, isDecided } from "../compare/metrics.js";
import { type AbPair, compareAbPairs } from "../compare/pairs.js";
import { DEFAULT_ALPHA } from "../compare/risk.js";
import type { LookPlan } from "./looks.js";

/** The verdict at a look: every test at the plan's per-look level. */
export function verdictAt(
  pairs: readonly AbPair[],
  plan: LookPlan,
  gate: Gate,
  stacks = 1,
  alpha = DEFAULT_ALPHA,
): Comparison {
  return compareAbPairs(pairs, gate, { alpha, stacks, looks: plan.blocks.length });
}

/** Whether the run looks after `blocksDone` blocks. */
export function isLook(blocksDone: number, plan: LookPlan): boolean {
  return plan.blocks.includes(blocksDone);
}

/**
 * Runs the stopping rule over blocks drawn one at a time (each a list of pairs with the same block
 * number): looks at the planned block counts and stops at the first decided look, or at the last.
 * The engine does the same with measured blocks; the benchmark replays measured blocks through this.
 */
export function replaySequential(
  drawBlock: (block: number) => AbPair[],
  plan: LookPlan,
  gate: Gate,
  stacks = 1,
  alpha = DEFAULT_ALPHA,
): { comparison: Comparison; blocks: number } {
  const pairs: AbPair[] = [];
  const last = plan.blocks[plan.blocks.length - 1];
  for (let b = 1; b <= last; b++) {
    pairs.push(...drawBlock(b - 1));
    if (!isLook(b, plan)) continue;
    const comparison = verdictAt(pairs, plan, gate, stacks, alpha);
    if (isDecided(comparison) || b === last) return { comparison, blocks: b };
  }
  throw new Error("unreachable: the last planned look always returns");
}
