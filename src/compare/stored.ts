// Pure: the timing rows of a Result against a stored baseline of the default branch and its history.

import type { HistoryPoint, StackResult } from "../result/types.js";
import { studentTQuantile } from "../stats/distributions.js";
import { mean, median, stdev } from "../stats/quantiles.js";
import { twoSampleShift } from "../stats/rank-tests.js";
import { keyNote } from "./environment.js";
import { errorRateVerdict } from "./error-rate.js";
import type { Gate } from "./gate.js";
import { type MetricVerdict, pct } from "./metrics.js";
import { pick, relativelyGated, servedNothing, sloNote, trialUnits, usable, verdictFor } from "./relative.js";
import { type Risk, riskNote, testedCount } from "./risk.js";
import { sloCount, sloVerdicts } from "./slo.js";

/** With fewer baselines than this (the stored one and its history), the assumed spread outweighs the measured one. */
export const MIN_HISTORY = 5;
/** How many runs of main the assumed run-to-run spread is worth. */
export const PRIOR_RUNS = 4;

/**
 * The run-to-run spread assumed before main's history shows its own: the SD of the log of a run's
 * median across fresh runs, measured on this project's 2-CPU VM (`node bench/noise.mjs`: throughput
 * 7.8%, P99 10.7% over 5 fresh stacks; `bench/gate-power` stored runs: 8.3% and 16.1% over 12),
 * the larger of the two, rounded up.
 */
export const ASSUMED_RUN_SD: Record<"throughput" | "p50" | "p99", number> = { throughput: 0.09, p50: 0.09, p99: 0.17 };

/**
 * One metric's row: this run's median against the medians of main's runs (the stored baseline and
 * the history it carries), with a prediction interval that includes run-to-run spread:
 * s · √(1 + 1/h) · t(h − 1 + PRIOR_RUNS), s the SD of the h log medians pooled with ASSUMED_RUN_SD
 * counted as PRIOR_RUNS runs. The assumption decides while main's history is short and fades as it
 * grows (a conjugate prior on the variance; Student's t on the pooled df).
 */
function predictionRow(
  metric: "throughput" | "p99" | "p50",
  baseline: StackResult,
  current: StackResult,
  gate: Gate,
  history: readonly HistoryPoint[],
  alpha: number,
): MetricVerdict | undefined {
  const gated = relativelyGated(gate, metric);
  const a = gated ? alpha : 0.025;
  const cur = current.trials.map((t) => pick(t, metric)).filter(usable);
  const points = [
    ...history.map((p) => p[metric]),
    metric === "throughput" ? baseline.summary.throughput.median : baseline.summary.latency[metric].median,
  ].filter(usable);
  if (cur.length === 0 || points.length === 0) return undefined;
  const logs = points.map(Math.log);
  const center = mean(logs);
  const estimate = Math.log(median(cur)) - center;
  const n = logs.length;
  const df = n - 1 + PRIOR_RUNS;
  const spread = Math.sqrt(((n - 1) * stdev(logs) ** 2 + PRIOR_RUNS * ASSUMED_RUN_SD[metric] ** 2) / df);
  const half = studentTQuantile(1 - a, df) * spread * Math.sqrt(1 + 1 / n);
  return verdictFor(metric, gated, gate, Math.exp(center), median(cur), {
    estimate,
    lo: estimate - half,
    hi: estimate + half,
    confidence: 1 - 2 * a,
    requested: 1 - 2 * a,
    n,
  });
}

/** The tail percentiles, shown and not gated: the trials of both runs, a two-sample interval at 95%. */
function tailRows(baseline: StackResult, current: StackResult, gate: Gate): MetricVerdict[] {
  const rows: MetricVerdict[] = [];
  for (const metric of ["p90", "p999"] as const) {
    const a = baseline.trials.map((t) => pick(t, metric)).filter(usable);
    const b = current.trials.map((t) => pick(t, metric)).filter(usable);
    if (a.length === 0 || b.length === 0) continue;
    const s = twoSampleShift(a.map(Math.log), b.map(Math.log), 0.95);
    rows.push(verdictFor(metric, false, gate, median(a), median(b), { ...s, requested: 0.95, n: b.length }));
  }
  return rows;
}

/** The timing rows (throughput, P99, P50, P90, P99.9), the error rate and the SLOs, with the notes they need first. */
export function storedTimingRows(
  baseline: StackResult,
  current: StackResult,
  gate: Gate,
  history: readonly HistoryPoint[],
  alpha: number,
): { metrics: MetricVerdict[]; notes: string[] } {
  const metrics: MetricVerdict[] = [];
  const notes: string[] = [];
  const emptyTrials = current.trials.filter((t) => !(t.throughput > 0)).length;
  if (emptyTrials > 0) {
    metrics.push(servedNothing(gate, baseline.trials, current.trials));
    notes.push(
      `${emptyTrials} of ${current.trials.length} trials served no successful response: throughput is a regression whatever the other trials show.`,
    );
  }
  for (const metric of ["throughput", "p99", "p50"] as const) {
    if (metric === "throughput" && emptyTrials > 0) continue;
    const row = predictionRow(metric, baseline, current, gate, history, alpha);
    if (row) metrics.push(row);
  }
  metrics.push(...tailRows(baseline, current, gate));
  metrics.push(errorRateVerdict(baseline.trials, current.trials, gate.errorRate));
  metrics.push(...sloVerdicts(trialUnits(current.trials), gate.slo, alpha));
  return { metrics, notes };
}

/** The notes under a stored-baseline table: SLOs, the baseline key, how the spread was had, the risk. */
export function storedNotes(
  baseline: StackResult,
  current: StackResult,
  gate: Gate,
  history: readonly HistoryPoint[],
  risk: Risk,
  alpha: number,
): string[] {
  const notes: string[] = [];
  const h = history.length + 1;
  if (sloCount(gate.slo) > 0) notes.push(sloNote(current.trials.length, "trials"));
  const keyed = keyNote(baseline, current);
  if (keyed) notes.push(keyed);
  notes.push(
    h >= MIN_HISTORY
      ? `Compared with the mean of ${h} baselines of the default branch: a prediction interval from their spread, pooled with an assumed spread worth ${PRIOR_RUNS} runs (Student's t on ${h - 1 + PRIOR_RUNS} degrees of freedom).`
      : `Main has ${h} baseline(s), fewer than ${MIN_HISTORY}: the run-to-run spread is mostly assumed (${pct(ASSUMED_RUN_SD.throughput, 0)} for throughput, ${pct(ASSUMED_RUN_SD.p99, 0)} for P99, measured on a 2-CPU VM), so only large changes are decided. Use compare: merge-base for small ones.`,
    riskNote(risk, alpha, testedCount(gate)),
    "The interval assumes main's run medians vary roughly normally; an outlier run breaks that (bench/gate-power on a 2-CPU VM: one run in 12 had a P99 70% above the rest, and 9% of A/A comparisons were false alarms). compare: merge-base does not depend on it.",
  );
  return notes;
}
