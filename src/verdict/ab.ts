// Pure: a same-runner A/B's comparison with the rows measured once per side (the cost, the capacity,
// the work count) added to the timing rows of its pairs.

import { addCapacity } from "../capacity/verdict.js";
import type { Gate } from "../compare/gate.js";
import { type Comparison, headlineOf, sortRows } from "../compare/metrics.js";
import { DEFAULT_ALPHA, metricAlpha, testedCount } from "../compare/risk.js";
import { addCost } from "../cost/verdict.js";
import type { CapacityRecord, CostRecord, WorkRecord } from "../result/types.js";
import { addWork } from "../work/verdict.js";

type Sides<T> = Partial<Record<"base" | "head", T>>;

/** The cost row (one cost run per side, before the blocks) on a look's comparison, when the cost gate is on. */
export function withCostRow(c: Comparison, gate: Gate, costs: Sides<CostRecord>, stacks: number): Comparison {
  if (gate.cost == null) return c;
  const alpha = metricAlpha({ alpha: DEFAULT_ALPHA, stacks, looks: 1 }, testedCount(gate));
  addCost(c.metrics, c.notes, costs.base, costs.head, gate, alpha);
  sortRows(c.metrics);
  c.headline = headlineOf(c.metrics);
  return c;
}

/** The capacity row (one search per side, after the blocks), when the capacity gate is on. */
export function withCapacityRow(c: Comparison, gate: Gate, capacities: Sides<CapacityRecord>): Comparison {
  if (!gate.capacity) return c;
  addCapacity(c.metrics, c.notes, capacities.base, capacities.head, gate);
  sortRows(c.metrics);
  c.headline = headlineOf(c.metrics);
  return c;
}

/**
 * The work rows (one count per side, in the first block), when both sides counted. Exact where the
 * chunks agree, so they take no share of the false-alarm rate (docs/work.md, "The gate").
 */
export function withWorkRows(c: Comparison, gate: Gate, works: Sides<WorkRecord>): Comparison {
  if (!works.head || !works.base) return c;
  addWork(c.metrics, c.notes, works.base, works.head, gate);
  sortRows(c.metrics);
  c.headline = headlineOf(c.metrics);
  return c;
}
