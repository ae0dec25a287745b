// Pure: Result × baseline Result → per-metric verdicts. No I/O, no environment.

import type { HistoryPoint, StackResult } from "../result/types.js";
import { median, stdev } from "../stats/quantiles.js";
import { pairedShift, type ShiftEstimate, twoSampleShift } from "../stats/rank-tests.js";

export type Verdict = "pass" | "regression" | "improvement" | "inconclusive";
export type Headline = Verdict | "no-baseline";
export type MetricName = "throughput" | "p50" | "p90" | "p99" | "p999";

export const METRIC_LABELS: Record<MetricName, string> = {
  throughput: "Throughput (req/s)",
  p50: "P50 (ms)",
  p90: "P90 (ms)",
  p99: "P99 (ms)",
  p999: "P99.9 (ms)",
};

export interface Gate {
  /** How much P99 may grow, as a fraction (0.10 for "+10%"). */
  p99: number;
  /** How much throughput may drop, as a negative fraction (-0.05 for "-5%"). */
  throughput: number;
}

export interface MetricVerdict {
  metric: MetricName;
  gated: boolean;
  /** Signed threshold as a fraction (+0.10 for P99, -0.05 for throughput); null when not gated. */
  threshold: number | null;
  baseline: number;
  current: number;
  /** Estimated relative change (current / baseline − 1). */
  change: number;
  ci: { lo: number; hi: number; confidence: number };
  verdict: Verdict;
}

export interface Comparison {
  headline: Headline;
  /** Which comparison decided: trials of a stored baseline, or pairs measured side by side. */
  method: "stored-baseline" | "same-runner-ab";
  metrics: MetricVerdict[];
  /** Why there is no verdict (headline no-baseline). */
  reason?: string;
  notes: string[];
}

const higherIsWorse = (m: MetricName) => m !== "throughput";

/**
 * Pure decision rule. `badness` bounds are the change expressed so that positive is worse;
 * `limit` is the allowed worsening (> 0). Regression only when the whole interval is beyond the
 * limit; inconclusive when it straddles it; improvement when the whole interval is better by more
 * than the limit; pass otherwise.
 */
export function decide(badLo: number, badHi: number, limit: number): Verdict {
  if (badLo > limit) return "regression";
  if (badHi >= limit) return "inconclusive";
  if (badHi < -limit) return "improvement";
  return "pass";
}

/** The headline: any regression fails; else any inconclusive; else any improvement; else pass. Gated metrics only. */
export function headlineOf(metrics: readonly MetricVerdict[]): Verdict {
  const gated = metrics.filter((m) => m.gated).map((m) => m.verdict);
  if (gated.includes("regression")) return "regression";
  if (gated.includes("inconclusive")) return "inconclusive";
  if (gated.includes("improvement")) return "improvement";
  return "pass";
}

function valuesOf(r: StackResult, m: MetricName): number[] {
  return r.trials
    .map((t) => (m === "throughput" ? t.throughput : t.latency[m]))
    .filter((v) => v > 0 && Number.isFinite(v));
}

/** Differences between the environments of two Results that make them incomparable. */
export function environmentDifferences(a: StackResult, b: StackResult): string[] {
  if (a.environment.id === b.environment.id) return [];
  const ea = a.environment;
  const eb = b.environment;
  const diffs: string[] = [];
  if (ea.cpuModel !== eb.cpuModel) diffs.push(`CPU ${ea.cpuModel} → ${eb.cpuModel}`);
  if (ea.logicalCores !== eb.logicalCores) diffs.push(`cores ${ea.logicalCores} → ${eb.logicalCores}`);
  if (Math.round(ea.memoryBytes / 2 ** 30) !== Math.round(eb.memoryBytes / 2 ** 30)) diffs.push("memory size");
  if (ea.os !== eb.os) diffs.push(`OS ${ea.os} → ${eb.os}`);
  if (ea.stackFileHash !== eb.stackFileHash) diffs.push("the stack file changed");
  for (const k of new Set([...Object.keys(ea.versions), ...Object.keys(eb.versions)])) {
    if (ea.versions[k] !== eb.versions[k]) diffs.push(`${k} ${ea.versions[k] ?? "none"} → ${eb.versions[k] ?? "none"}`);
  }
  return diffs.length ? diffs : ["environment id differs"];
}

/** With fewer than this many past baselines the run-to-run spread is unknown, and we say so. */
export const MIN_HISTORY = 5;

/** Widens a log-shift interval by the run-to-run spread seen in main's history (SD of log medians). */
function widen(s: ShiftEstimate, runSd: number, z: number): ShiftEstimate {
  const lo = s.estimate - Math.hypot(s.estimate - s.lo, z * runSd);
  const hi = s.estimate + Math.hypot(s.hi - s.estimate, z * runSd);
  return { ...s, lo, hi };
}

const METRICS: MetricName[] = ["throughput", "p99", "p50", "p90", "p999"];

/**
 * Compares a Result with a stored baseline from the default branch. Each metric's change is the
 * Hodges–Lehmann shift of log(per-trial values), with the exact Mann–Whitney interval; the two
 * gated metrics split α (97.5% each). With a history of main's baselines, the interval is widened
 * by the run-to-run spread; without enough history a note says the interval reflects this run's
 * trial spread only.
 */
export function compareWithBaseline(
  baseline: StackResult,
  current: StackResult,
  gate: Gate,
  history: readonly HistoryPoint[] = [],
): Comparison {
  const envDiffs = environmentDifferences(baseline, current);
  if (envDiffs.length > 0) {
    return {
      headline: "no-baseline",
      method: "stored-baseline",
      metrics: [],
      reason: `the baseline was measured in another environment (${envDiffs.join("; ")}), so comparing would mislead`,
      notes: [],
    };
  }
  const notes: string[] = [];
  const useHistory = history.length >= MIN_HISTORY;
  if (!useHistory) {
    notes.push(
      `Main's history has ${history.length} baseline(s) (fewer than ${MIN_HISTORY}): the intervals reflect this run's and the baseline's trial spread only, not run-to-run spread. Treat small changes with care, or use compare: merge-base.`,
    );
  }
  const metrics: MetricVerdict[] = [];
  for (const metric of METRICS) {
    const a = valuesOf(baseline, metric);
    const b = valuesOf(current, metric);
    if (a.length === 0 || b.length === 0) continue;
    const gated = metric === "throughput" || metric === "p99";
    const level = gated ? 0.975 : 0.95;
    let shift = twoSampleShift(a.map(Math.log), b.map(Math.log), level);
    if (useHistory && (metric === "throughput" || metric === "p99" || metric === "p50")) {
      const runSd = stdev(history.map((h) => Math.log(h[metric])));
      shift = widen(shift, runSd, gated ? 2.24 : 1.96);
    }
    metrics.push(verdictFor(metric, gated, gate, median(a), median(b), shift));
  }
  return { headline: headlineOf(metrics), method: "stored-baseline", metrics, notes };
}

/** Same-runner A/B: per metric, the log ratio of each pair; Hodges–Lehmann with the Wilcoxon signed-rank interval. */
export function compareAbPairs(
  pairs: readonly { base: StackResult["trials"][number]; head: StackResult["trials"][number] }[],
  gate: Gate,
): Comparison {
  const metrics: MetricVerdict[] = [];
  const pick = (t: StackResult["trials"][number], m: MetricName) => (m === "throughput" ? t.throughput : t.latency[m]);
  for (const metric of METRICS) {
    const ok = pairs.filter((p) => pick(p.base, metric) > 0 && pick(p.head, metric) > 0);
    if (ok.length === 0) continue;
    const gated = metric === "throughput" || metric === "p99";
    const diffs = ok.map((p) => Math.log(pick(p.head, metric)) - Math.log(pick(p.base, metric)));
    const shift = pairedShift(diffs, gated ? 0.975 : 0.95);
    metrics.push(
      verdictFor(
        metric,
        gated,
        gate,
        median(ok.map((p) => pick(p.base, metric))),
        median(ok.map((p) => pick(p.head, metric))),
        shift,
      ),
    );
  }
  const notes: string[] = [];
  if (pairs.length < 6) {
    notes.push(
      `${pairs.length} pairs: with so few, the exact interval is the full range of the pairs (coverage ${(100 * (1 - 2 / 2 ** pairs.length)).toFixed(1)}%).`,
    );
  }
  return { headline: headlineOf(metrics), method: "same-runner-ab", metrics, notes };
}

function verdictFor(
  metric: MetricName,
  gated: boolean,
  gate: Gate,
  baseline: number,
  current: number,
  shift: ShiftEstimate,
): MetricVerdict {
  const change = Math.exp(shift.estimate) - 1;
  const lo = Math.exp(shift.lo) - 1;
  const hi = Math.exp(shift.hi) - 1;
  const worse = higherIsWorse(metric);
  const limit = metric === "throughput" ? Math.abs(gate.throughput) : metric === "p99" ? gate.p99 : gate.p99;
  const verdict = decide(worse ? lo : -hi, worse ? hi : -lo, limit);
  return {
    metric,
    gated,
    threshold: gated ? (metric === "throughput" ? gate.throughput : gate.p99) : null,
    baseline,
    current,
    change,
    ci: { lo, hi, confidence: shift.confidence },
    verdict,
  };
}
