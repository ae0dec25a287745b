// Pure: the error-rate row, a limit on this run's share of failed requests.

import type { StackResult, Trial } from "../result/types.js";
import type { Gate } from "./gate.js";
import type { MetricVerdict } from "./metrics.js";

/** The overall error rate of a set of trials: failed and non-2xx responses over all attempts. */
export function errorRateOf(trials: readonly Trial[]): number {
  let errors = 0;
  let attempts = 0;
  for (const t of trials) {
    errors += t.errors.total;
    attempts += t.errors.total + t.requests;
  }
  return attempts === 0 ? 1 : errors / attempts;
}

/** Whether a run's failed requests are over the gate's limit: its latency and throughput are then made of errors. */
export function errorRateOver(current: StackResult, gate: Pick<Gate, "errorRate">): boolean {
  return current.trials.length > 0 && errorRateOf(current.trials) > gate.errorRate;
}

/** The error-rate row: this run's rate against its limit; `base` null when there is no baseline. */
export function errorRateVerdict(base: readonly Trial[] | null, head: readonly Trial[], limit: number): MetricVerdict {
  const baseline = base ? errorRateOf(base) : Number.NaN;
  const current = errorRateOf(head);
  return {
    metric: "errorRate",
    gated: true,
    threshold: limit,
    baseline,
    current,
    change: current - baseline,
    ci: { lo: current, hi: current, confidence: 1 },
    requested: 1,
    n: head.length,
    verdict: current > limit ? "regression" : "pass",
  };
}
