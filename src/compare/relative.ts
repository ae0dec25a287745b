// Pure: a relative change with its interval, judged against the gate's relative limit.

import type { Trial } from "../result/types.js";
import { median } from "../stats/quantiles.js";
import type { ShiftEstimate } from "../stats/rank-tests.js";
import type { Gate } from "./gate.js";
import type { MetricName, MetricVerdict } from "./metrics.js";
import { decide } from "./rule.js";

export type TimedMetric = "throughput" | "p50" | "p90" | "p99" | "p999";

export function pick(t: Trial, m: TimedMetric): number {
  return m === "throughput" ? t.throughput : t.latency[m];
}

/** A trial's value can be compared on a log scale only when it served something. */
export const usable = (v: number | null | undefined): v is number =>
  typeof v === "number" && v > 0 && Number.isFinite(v);

/** Whether a metric has a relative limit in this gate. */
export function relativelyGated(gate: Gate, metric: MetricName): boolean {
  return (metric === "throughput" && gate.throughput !== null) || (metric === "p99" && gate.p99 !== null);
}

/** Trials that served no successful response: they cannot be left out, so they decide throughput alone. */
export function servedNothing(gate: Gate, baseTrials: readonly Trial[], head: readonly Trial[]): MetricVerdict {
  const empty = head.filter((t) => t.requests === 0 || !(t.throughput > 0)).length;
  return {
    metric: "throughput",
    gated: true,
    threshold: gate.throughput ?? 0,
    baseline: median(baseTrials.map((t) => t.throughput)),
    current: median(head.map((t) => t.throughput)),
    change: -1,
    ci: { lo: -1, hi: -1, confidence: 1 },
    requested: 1,
    n: empty,
    verdict: "regression",
  };
}

/** The row of one timed metric from its log-shift estimate and interval, by the one decision rule. */
export function verdictFor(
  metric: TimedMetric,
  gated: boolean,
  gate: Gate,
  baseline: number,
  current: number,
  shift: ShiftEstimate & { requested: number; n: number },
): MetricVerdict {
  const change = Math.exp(shift.estimate) - 1;
  const lo = Math.exp(shift.lo) - 1;
  const hi = Math.exp(shift.hi) - 1;
  const worse = metric !== "throughput";
  // A metric with no relative limit is shown, not gated: the limit only matters when gated.
  const limit = (metric === "throughput" ? Math.abs(gate.throughput ?? 0) : gate.p99) ?? 0;
  // Limits are relative changes; in log space a −5% limit is ln(0.95) away, a +10% one ln(1.1).
  const logLimit = worse ? Math.log(1 + limit) : -Math.log(1 - Math.min(limit, 0.999));
  const bad = worse ? shift.estimate : -shift.estimate;
  const badLo = worse ? shift.lo : -shift.hi;
  const badHi = worse ? shift.hi : -shift.lo;
  const reached = shift.confidence >= shift.requested - 1e-9;
  return {
    metric,
    gated,
    threshold: gated ? (metric === "throughput" ? gate.throughput : gate.p99) : null,
    baseline,
    current,
    change,
    ci: { lo, hi, confidence: shift.confidence },
    requested: shift.requested,
    n: shift.n,
    verdict: decide(bad, badLo, badHi, logLimit, reached),
  };
}

/** Each trial as one unit of this run, for the SLOs. */
export function trialUnits(trials: readonly Trial[]): { p99: number[]; throughput: number[] } {
  return { p99: trials.map((t) => t.latency.p99), throughput: trials.map((t) => t.throughput) };
}

export function sloNote(n: number, units: string): string {
  return n >= 2
    ? `SLOs are judged on this run alone: the mean of its ${n} ${units}' log values with a Student's t interval, a breach only when the whole interval is past the SLO.`
    : `SLOs are judged on this run alone: with one of its ${units} there is no interval, so the value decides.`;
}
