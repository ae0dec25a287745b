// Pure: how the one-sided false-alarm rate of a run is shared out over what it tests.

import type { Gate } from "./gate.js";
import { pct } from "./metrics.js";
import { sloCount } from "./slo.js";

/** The metrics whose change is tested; the one-sided error rate is split between them. */
export const TESTED_METRICS = ["throughput", "p99"] as const;

/**
 * How the one-sided false-alarm rate of a run is shared out (Bonferroni): over the tested metrics,
 * the stacks compared in the run, and the planned looks of a sequential A/B. Each interval is then
 * two-sided at 1 − 2·α_each, so each of its ends errs with at most α_each.
 */
export interface Risk {
  /** One-sided false-alarm rate of the whole run. */
  alpha: number;
  stacks: number;
  looks: number;
}

export const DEFAULT_ALPHA = 0.05;
export const DEFAULT_RISK: Risk = { alpha: DEFAULT_ALPHA, stacks: 1, looks: 1 };

/**
 * How many metrics a comparison tests: throughput and P99 against the baseline and their SLOs (when
 * timed), and the cost when its gate is on.
 */
export function testedCount(gate: Pick<Gate, "cost" | "p99" | "throughput" | "slo">, timed = true): number {
  const relative = (gate.p99 !== null ? 1 : 0) + (gate.throughput !== null ? 1 : 0);
  return (timed ? relative + sloCount(gate.slo) : 0) + (gate.cost != null ? 1 : 0);
}

/** One-sided α for one tested metric of one stack at one look; `tested` metrics share it (default throughput and P99). */
export function metricAlpha(r: Risk, tested: number = TESTED_METRICS.length): number {
  return r.alpha / (Math.max(1, tested) * Math.max(1, r.stacks) * Math.max(1, r.looks));
}

/** The fewest independent units for which the exact signed-rank interval reaches one-sided level α: 2^-n ≤ α. */
export function minUnits(alpha: number): number {
  return Math.max(1, Math.ceil(Math.log2(1 / alpha) - 1e-12));
}

export function riskNote(risk: Risk, alpha: number, tested: number): string {
  const parts = [`${tested} tested metric${tested === 1 ? "" : "s"}`];
  if (risk.stacks > 1) parts.push(`${risk.stacks} stacks`);
  if (risk.looks > 1) parts.push(`${risk.looks} planned looks`);
  return `False-alarm rate ${pct(risk.alpha, 0)} (one-sided) split over ${parts.join(" × ")}: each interval is at ${pct(1 - 2 * alpha)} (${pct(alpha, 2)} on each side).`;
}
