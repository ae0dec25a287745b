// Pure: Result × baseline Result → per-metric verdicts. No I/O, no environment.

import type { CapacityGate, Slo } from "../config/stack-spec.js";
import type { CapacityRecord, CostRecord, HistoryPoint, StackResult, Trial } from "../result/types.js";
import { studentTQuantile } from "../stats/distributions.js";
import { mean, median, stdev } from "../stats/quantiles.js";
import { pairedShift, type ShiftEstimate, twoSampleShift } from "../stats/rank-tests.js";

import { costVerdict, fingerprintDifferences } from "./cost.js";
import { decide, type Verdict } from "./rule.js";
import { sloCount, sloVerdicts } from "./slo.js";

export { decide, type Verdict };
export type Headline = Verdict | "no-baseline";
export type MetricName =
  | "throughput"
  | "throughputSlo"
  | "p50"
  | "p90"
  | "p99"
  | "p99Slo"
  | "p999"
  | "errorRate"
  | "cost"
  | "capacity";

export const METRIC_LABELS: Record<MetricName, string> = {
  throughput: "Throughput (req/s)",
  p50: "P50 (ms)",
  p90: "P90 (ms)",
  p99: "P99 (ms)",
  p999: "P99.9 (ms)",
  p99Slo: "P99 SLO (ms)",
  throughputSlo: "Throughput SLO (req/s)",
  errorRate: "Error rate",
  cost: "App instructions per request",
  capacity: "Capacity within the P99 SLO (req/s)",
};

export interface Gate {
  /** How much P99 may grow, as a fraction (0.10 for "+10%"); null: not gated relatively. */
  p99: number | null;
  /** How much throughput may drop, as a negative fraction (-0.05 for "-5%"); null: not gated relatively. */
  throughput: number | null;
  /** Absolute SLOs judged on this run alone; absent: none. */
  slo?: Slo;
  /** The highest share of failed or non-2xx responses this run may have (0.01 for "<1%"). */
  errorRate: number;
  /** How much the app's instructions per request may grow (0.01 for "+1%"); null or absent: no cost gate. */
  cost?: number | null;
  /** Capacity at the SLO: a drop allowed against the baseline, or a floor; null or absent: none. */
  capacity?: CapacityGate | null;
}

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
export function testedCount(gate: Partial<Pick<Gate, "cost" | "p99" | "throughput" | "slo">>, timed = true): number {
  const relative = (gate.p99 !== null ? 1 : 0) + (gate.throughput !== null ? 1 : 0);
  return (timed ? relative + sloCount(gate.slo) : 0) + (gate.cost != null ? 1 : 0);
}

/** Whether a metric has a relative limit in this gate. */
function relativelyGated(gate: Gate, metric: MetricName): boolean {
  return (metric === "throughput" && gate.throughput !== null) || (metric === "p99" && gate.p99 !== null);
}

/** One-sided α for one tested metric of one stack at one look; `tested` metrics share it (default throughput and P99). */
export function metricAlpha(r: Risk, tested: number = TESTED_METRICS.length): number {
  return r.alpha / (Math.max(1, tested) * Math.max(1, r.stacks) * Math.max(1, r.looks));
}

export interface MetricVerdict {
  metric: MetricName;
  gated: boolean;
  /** Signed threshold as a fraction (+0.10 for P99, -0.05 for throughput, 0.01 for the error rate); null when not gated. */
  threshold: number | null;
  baseline: number;
  current: number;
  /** Estimated relative change (current / baseline − 1); for the error rate, the difference of the rates. */
  change: number;
  /** The interval of the change and the coverage it really has (two-sided). */
  ci: { lo: number; hi: number; confidence: number };
  /** The two-sided coverage the rule asked for (1 − 2·α_each). */
  requested: number;
  /** How many independent units the interval rests on (trials, blocks of pairs, or main's baselines). */
  n: number;
  verdict: Verdict;
}

export interface Comparison {
  headline: Headline;
  /** Which comparison decided: trials of a stored baseline, or pairs measured side by side. */
  method: "stored-baseline" | "same-runner-ab" | "absolute";
  metrics: MetricVerdict[];
  /** Why there is no verdict (headline no-baseline). */
  reason?: string;
  notes: string[];
  /** Same-runner A/B only: how the sequential run went. */
  sequential?: SequentialInfo;
}

export interface SequentialInfo {
  pairs: number;
  blocks: number;
  /** Block counts at which the verdict was looked at (planned), and how many looks were taken. */
  plannedLooks: number[];
  looksTaken: number;
  stoppedBecause: "decided" | "max-pairs" | "max-time";
  /** Wall time: before the first block (installs, seeding the databases), and each block's (restarts, warmup, trials). */
  seconds?: { setup: number; blocks: number[] };
}

const higherIsWorse = (m: MetricName) => m !== "throughput";

/** The headline: any regression fails; else any inconclusive; else any improvement; else pass. Gated metrics only. */
export function headlineOf(metrics: readonly MetricVerdict[]): Verdict {
  const gated = metrics.filter((m) => m.gated).map((m) => m.verdict);
  if (gated.includes("regression")) return "regression";
  if (gated.includes("inconclusive")) return "inconclusive";
  if (gated.includes("improvement")) return "improvement";
  return "pass";
}

/** The headline over all stacks: a regression anywhere fails the whole set. */
export function overallHeadline(headlines: readonly Headline[]): Headline {
  for (const h of ["regression", "no-baseline", "inconclusive", "improvement"] as const)
    if (headlines.includes(h)) return h;
  return "pass";
}

/** A sequential comparison may stop: a gated metric regressed, or every gated metric is decided. */
export function isDecided(c: Comparison): boolean {
  const gated = c.metrics.filter((m) => m.gated);
  if (gated.length === 0) return false;
  if (gated.some((m) => m.verdict === "regression")) return true;
  return gated.every((m) => m.verdict === "pass" || m.verdict === "improvement");
}

function pick(t: Trial, m: "throughput" | "p50" | "p90" | "p99" | "p999"): number {
  return m === "throughput" ? t.throughput : t.latency[m];
}

/** A trial's value can be compared on a log scale only when it served something. */
const usable = (v: number | null | undefined): v is number => typeof v === "number" && v > 0 && Number.isFinite(v);

/** Differences between the environments of two Results that make them incomparable. */
export function environmentDifferences(a: StackResult, b: StackResult): string[] {
  if (a.environment.id === b.environment.id) return [];
  const diffs = factDifferences(a, b);
  return diffs.length ? diffs : ["environment id differs"];
}

/** Every difference between the two environments' facts, whether or not their ids match. */
export function factDifferences(a: StackResult, b: StackResult): string[] {
  const ea = a.environment;
  const eb = b.environment;
  const diffs: string[] = [];
  if (ea.baselineKey !== eb.baselineKey)
    diffs.push(`baseline key ${ea.baselineKey ?? "none"} → ${eb.baselineKey ?? "none"}`);
  if (ea.cpuModel !== eb.cpuModel) diffs.push(`CPU ${ea.cpuModel} → ${eb.cpuModel}`);
  if (ea.logicalCores !== eb.logicalCores) diffs.push(`cores ${ea.logicalCores} → ${eb.logicalCores}`);
  if (Math.round(ea.memoryBytes / 2 ** 30) !== Math.round(eb.memoryBytes / 2 ** 30)) diffs.push("memory size");
  if (ea.os !== eb.os) diffs.push(`OS ${ea.os} → ${eb.os}`);
  if (ea.stackFileHash !== eb.stackFileHash) diffs.push("the stack file changed");
  for (const k of new Set([...Object.keys(ea.versions), ...Object.keys(eb.versions)])) {
    if (ea.versions[k] !== eb.versions[k]) diffs.push(`${k} ${ea.versions[k] ?? "none"} → ${eb.versions[k] ?? "none"}`);
  }
  return diffs;
}

/** With a baseline key the ids match across machines: say what the key let through. */
function keyNote(baseline: StackResult, current: StackResult): string | undefined {
  const key = current.environment.baselineKey;
  if (key === undefined || baseline.environment.id !== current.environment.id) return undefined;
  const diffs = factDifferences(baseline, current);
  if (diffs.length === 0) return undefined;
  return `Compared under baseline key ${key}, which stands for these differences from the baseline's environment: ${diffs.join("; ")}. The interval does not include what they change.`;
}

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

const pct = (x: number, d = 1) => `${(x * 100).toFixed(d)}%`;

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

/** The error-rate row: this run's rate against its limit; `base` null when there is no baseline. */
function errorRateVerdict(base: readonly Trial[] | null, head: readonly Trial[], limit: number): MetricVerdict {
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

/** Trials that served no successful response: they cannot be left out, so they decide throughput alone. */
function servedNothing(gate: Gate, baseTrials: readonly Trial[], head: readonly Trial[]): MetricVerdict {
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

/**
 * Compares a Result with a stored baseline from the default branch: this run's median against the
 * medians of main's runs (the stored baseline and the history it carries), with a prediction
 * interval that includes run-to-run spread: s · √(1 + 1/h) · t(h − 1 + PRIOR_RUNS), s the SD of
 * the h log medians pooled with the documented ASSUMED_RUN_SD counted as PRIOR_RUNS runs. A short
 * history cannot show the spread, so the assumption decides at first and fades as main's history
 * grows; a note says which.
 */
export function compareWithBaseline(
  baseline: StackResult,
  current: StackResult,
  gate: Gate,
  history: readonly HistoryPoint[] = [],
  risk: Risk = DEFAULT_RISK,
): Comparison {
  const envDiffs = environmentDifferences(baseline, current);
  const timed = baseline.trials.length > 0 && current.trials.length > 0;
  if (envDiffs.length > 0 || !timed) {
    const reason =
      envDiffs.length > 0
        ? `the baseline was measured in another environment (${envDiffs.join("; ")}), so comparing would mislead`
        : `${timed ? "" : "one side has no timed trials (a cost-only run) and "}there is no cost run on both sides to compare`;
    // Absolute SLOs need no baseline: they decide on this run when the baseline cannot.
    if (
      current.trials.length > 0 &&
      (sloCount(gate.slo) > 0 || errorRateOver(current, gate)) &&
      !(gate.cost != null && baseline.cost && current.cost)
    ) {
      return absoluteOnly(current, gate, risk, reason);
    }
    // Timings compare only on the same machine; instruction counts compare wherever their fingerprints match.
    const costOnly = costOnlyComparison(baseline, current, gate, risk);
    if (costOnly) {
      if (envDiffs.length > 0 && timed) {
        costOnly.notes.unshift(
          `Timings were not compared: the baseline was measured in another environment (${envDiffs.join("; ")}). The cost gate was: instruction counts do not depend on the machine beyond what its fingerprint records.`,
        );
      }
      return costOnly;
    }
    return { headline: "no-baseline", method: "stored-baseline", metrics: [], reason, notes: [] };
  }
  const alpha = metricAlpha({ ...risk, looks: 1 }, testedCount(gate));
  const notes: string[] = [];
  const h = history.length + 1;
  const measuredSpread = h >= MIN_HISTORY;
  const metrics: MetricVerdict[] = [];
  const emptyTrials = current.trials.filter((t) => !(t.throughput > 0)).length;
  if (emptyTrials > 0) {
    metrics.push(servedNothing(gate, baseline.trials, current.trials));
    notes.push(
      `${emptyTrials} of ${current.trials.length} trials served no successful response: throughput is a regression whatever the other trials show.`,
    );
  }
  for (const metric of ["throughput", "p99", "p50"] as const) {
    if (metric === "throughput" && emptyTrials > 0) continue;
    const gated = relativelyGated(gate, metric);
    const a = gated ? alpha : 0.025;
    const cur = current.trials.map((t) => pick(t, metric)).filter(usable);
    const points = [
      ...history.map((p) => p[metric]),
      metric === "throughput" ? baseline.summary.throughput.median : baseline.summary.latency[metric].median,
    ].filter(usable);
    if (cur.length === 0 || points.length === 0) continue;
    const logs = points.map(Math.log);
    const center = mean(logs);
    const estimate = Math.log(median(cur)) - center;
    const n = logs.length;
    // The assumed spread counts as PRIOR_RUNS earlier runs: it decides while main's history is short
    // and fades as the history grows (a conjugate prior on the variance; Student's t on the pooled df).
    const df = n - 1 + PRIOR_RUNS;
    const spread = Math.sqrt(((n - 1) * stdev(logs) ** 2 + PRIOR_RUNS * ASSUMED_RUN_SD[metric] ** 2) / df);
    const half = studentTQuantile(1 - a, df) * spread * Math.sqrt(1 + 1 / n);
    metrics.push(
      verdictFor(metric, gated, gate, Math.exp(center), median(cur), {
        estimate,
        lo: estimate - half,
        hi: estimate + half,
        confidence: 1 - 2 * a,
        requested: 1 - 2 * a,
        n,
      }),
    );
  }
  for (const metric of ["p90", "p999"] as const) {
    const a = baseline.trials.map((t) => pick(t, metric)).filter(usable);
    const b = current.trials.map((t) => pick(t, metric)).filter(usable);
    if (a.length === 0 || b.length === 0) continue;
    const s = twoSampleShift(a.map(Math.log), b.map(Math.log), 0.95);
    metrics.push(verdictFor(metric, false, gate, median(a), median(b), { ...s, requested: 0.95, n: b.length }));
  }
  metrics.push(errorRateVerdict(baseline.trials, current.trials, gate.errorRate));
  metrics.push(...sloVerdicts(trialUnits(current.trials), gate.slo, alpha));
  addCost(metrics, notes, baseline.cost, current.cost, gate, alpha);
  addCapacity(metrics, notes, baseline.capacity, current.capacity, gate);
  metrics.sort((x, y) => ORDER.indexOf(x.metric) - ORDER.indexOf(y.metric));
  if (sloCount(gate.slo) > 0) notes.push(sloNote(current.trials.length, "trials"));
  const keyed = keyNote(baseline, current);
  if (keyed) notes.push(keyed);
  notes.push(
    measuredSpread
      ? `Compared with the mean of ${h} baselines of the default branch: a prediction interval from their spread, pooled with an assumed spread worth ${PRIOR_RUNS} runs (Student's t on ${h - 1 + PRIOR_RUNS} degrees of freedom).`
      : `Main has ${h} baseline(s), fewer than ${MIN_HISTORY}: the run-to-run spread is mostly assumed (${pct(ASSUMED_RUN_SD.throughput, 0)} for throughput, ${pct(ASSUMED_RUN_SD.p99, 0)} for P99, measured on a 2-CPU VM), so only large changes are decided. Use compare: merge-base for small ones.`,
    riskNote(risk, alpha, testedCount(gate)),
    "The interval assumes main's run medians vary roughly normally; an outlier run breaks that (bench/gate-power on a 2-CPU VM: one run in 12 had a P99 70% above the rest, and 9% of A/A comparisons were false alarms). compare: merge-base does not depend on it.",
  );
  return { headline: headlineOf(metrics), method: "stored-baseline", metrics, notes };
}

/** The order rows are shown in. */
export const METRIC_ORDER: MetricName[] = [
  "throughput",
  "throughputSlo",
  "p99",
  "p99Slo",
  "cost",
  "capacity",
  "errorRate",
  "p50",
  "p90",
  "p999",
];
const ORDER = METRIC_ORDER;

/** Each trial as one unit of this run, for the SLOs. */
function trialUnits(trials: readonly Trial[]): { p99: number[]; throughput: number[] } {
  return { p99: trials.map((t) => t.latency.p99), throughput: trials.map((t) => t.throughput) };
}

function sloNote(n: number, units: string): string {
  return n >= 2
    ? `SLOs are judged on this run alone: the mean of its ${n} ${units}' log values with a Student's t interval, a breach only when the whole interval is past the SLO.`
    : `SLOs are judged on this run alone: with one of its ${units} there is no interval, so the value decides.`;
}

/** Whether a run's failed requests are over the gate's limit: its latency and throughput are then made of errors. */
export function errorRateOver(current: StackResult, gate: Pick<Gate, "errorRate">): boolean {
  return current.trials.length > 0 && errorRateOf(current.trials) > gate.errorRate;
}

/**
 * A run with no comparable baseline, gated by its absolute limits alone: the SLOs and the error
 * rate. Without SLOs the error rate alone decides when it is over its limit (a run whose requests
 * failed is not measured, whatever the baseline); within it there is nothing to decide: the headline
 * is no-baseline, with the reason.
 */
export function absoluteOnly(current: StackResult, gate: Gate, risk: Risk, reason: string): Comparison {
  const tested = sloCount(gate.slo);
  if ((tested === 0 && !errorRateOver(current, gate)) || current.trials.length === 0) {
    return { headline: "no-baseline", method: "stored-baseline", metrics: [], reason, notes: [] };
  }
  const alpha = metricAlpha({ ...risk, looks: 1 }, Math.max(1, tested));
  const metrics: MetricVerdict[] = [
    ...(tested > 0 ? sloVerdicts(trialUnits(current.trials), gate.slo, alpha) : []),
    errorRateVerdict(null, current.trials, gate.errorRate),
  ];
  metrics.sort((x, y) => ORDER.indexOf(x.metric) - ORDER.indexOf(y.metric));
  return {
    headline: headlineOf(metrics),
    method: "absolute",
    metrics,
    notes:
      tested > 0
        ? [
            `No comparison with a baseline (${reason}): only the absolute limits were checked.`,
            sloNote(current.trials.length, "trials"),
            riskNote(risk, alpha, tested),
          ]
        : [
            `No comparison with a baseline (${reason}), and the error rate is over its limit: the latency and throughput of a service that fails this many requests do not describe it, so the run fails whatever a baseline would say.`,
          ],
  };
}

/**
 * The cost row, when the cost gate is on: base and head counts compared when both have a cost run
 * with the same fingerprint; otherwise a note says why there is no row.
 */
export function addCost(
  metrics: MetricVerdict[],
  notes: string[],
  base: CostRecord | undefined,
  head: CostRecord | undefined,
  gate: Pick<Gate, "cost">,
  alpha: number,
): void {
  if (gate.cost == null) return;
  if (!head) {
    notes.push("The cost gate is on but this run has no cost run.");
    return;
  }
  if (!base) {
    notes.push("The cost gate is on but the baseline has no cost run: the cost is compared from the next baseline on.");
    return;
  }
  const diffs = fingerprintDifferences(base.fingerprint, head.fingerprint);
  if (diffs.length > 0) {
    notes.push(`Instruction counts were not compared: ${diffs.join("; ")}.`);
    return;
  }
  const c = costVerdict(base, head, gate.cost, alpha);
  metrics.push(c.verdict);
  notes.push(...c.notes);
}

/**
 * The capacity row, when the capacity gate is on: one search per side, so like the error rate it is
 * a limit on this run, not a change with an interval. A floor (">800/s") needs no baseline; a drop
 * ("-10%") compares with the baseline's capacity at the same SLO.
 */
export function addCapacity(
  metrics: MetricVerdict[],
  notes: string[],
  base: CapacityRecord | undefined,
  head: CapacityRecord | undefined,
  gate: Pick<Gate, "capacity">,
): void {
  const g = gate.capacity;
  if (!g) return;
  if (!head) {
    notes.push("The capacity gate is on but this run has no capacity search.");
    return;
  }
  const comparable = base && base.sloP99Ms === head.sloP99Ms ? base : undefined;
  const change = comparable
    ? comparable.rate > 0
      ? head.rate / comparable.rate - 1
      : head.rate > 0
        ? 1
        : 0
    : Number.NaN;
  let verdict: Verdict;
  if (g.kind === "floor") {
    verdict = head.rate > g.rate ? "pass" : "regression";
  } else {
    if (!comparable) {
      notes.push(
        base
          ? `Capacity was not compared: the baseline's SLO was ${base.sloP99Ms} ms, this run's ${head.sloP99Ms} ms.`
          : "The capacity gate is on but the baseline has no capacity search: it is compared from the next baseline on.",
      );
      return;
    }
    verdict = change < g.limit ? "regression" : change > -g.limit ? "improvement" : "pass";
  }
  metrics.push({
    metric: "capacity",
    gated: true,
    threshold: g.kind === "floor" ? g.rate : g.limit,
    baseline: comparable?.rate ?? Number.NaN,
    current: head.rate,
    change,
    ci: { lo: change, hi: change, confidence: 1 },
    requested: 1,
    n: 1,
    verdict,
  });
  notes.push(
    `Capacity within P99 ≤ ${head.sloP99Ms} ms is one bounded search per side (it brackets the rate within 5%), judged against the limit without an interval: keep a drop limit of 10% or more.`,
  );
}

/** A comparison of the cost alone (a cost-only run, or timings from another machine); undefined when there is none to make. */
function costOnlyComparison(
  baseline: StackResult,
  current: StackResult,
  gate: Gate,
  risk: Risk,
): Comparison | undefined {
  if (gate.cost == null || !baseline.cost || !current.cost) return undefined;
  if (fingerprintDifferences(baseline.cost.fingerprint, current.cost.fingerprint).length > 0) return undefined;
  const alpha = metricAlpha({ ...risk, looks: 1 }, 1);
  const metrics: MetricVerdict[] = [];
  const notes: string[] = [];
  addCost(metrics, notes, baseline.cost, current.cost, gate, alpha);
  notes.push(riskNote(risk, alpha, 1));
  if (!metrics.some((m) => m.gated)) {
    // The cost row stood down and there are no timings to decide instead.
    notes.push(
      "Nothing was gated: with no timed trials to compare, a count that wanders cannot decide. Compare timed runs (run, ab) instead.",
    );
    return { headline: "inconclusive", method: "stored-baseline", metrics, notes };
  }
  return { headline: headlineOf(metrics), method: "stored-baseline", metrics, notes };
}

function riskNote(risk: Risk, alpha: number, tested: number): string {
  const parts = [`${tested} tested metric${tested === 1 ? "" : "s"}`];
  if (risk.stacks > 1) parts.push(`${risk.stacks} stacks`);
  if (risk.looks > 1) parts.push(`${risk.looks} planned looks`);
  return `False-alarm rate ${pct(risk.alpha, 0)} (one-sided) split over ${parts.join(" × ")}: each interval is at ${pct(1 - 2 * alpha)} (${pct(alpha, 2)} on each side).`;
}

/** One same-runner A/B pair; pairs of one block were measured on the same pair of instances. */
export interface AbPair {
  base: Trial;
  head: Trial;
  block: number;
}

/**
 * Same-runner A/B. Pairs of one block share their instances, so the unit is the block: per metric
 * the mean of its pairs' log ratios ln(head/base). Blocks are independent (both stacks restart
 * between blocks), so the Hodges–Lehmann estimate with the exact Wilcoxon signed-rank interval over
 * blocks is honest; with n blocks the smallest one-sided level it can reach is 2^-n.
 */
export function compareAbPairs(pairs: readonly AbPair[], gate: Gate, risk: Risk = DEFAULT_RISK): Comparison {
  const alpha = metricAlpha(risk, testedCount(gate));
  const metrics: MetricVerdict[] = [];
  const notes: string[] = [];
  const blockIds = [...new Set(pairs.map((p) => p.block))];
  const emptyHead = pairs.filter((p) => !(p.head.throughput > 0)).length;
  if (emptyHead > 0) {
    metrics.push(
      servedNothing(
        gate,
        pairs.map((p) => p.base),
        pairs.map((p) => p.head),
      ),
    );
    notes.push(`The head served no successful response in ${emptyHead} of ${pairs.length} trials.`);
  }
  for (const metric of ["throughput", "p99", "p50", "p90", "p999"] as const) {
    if (metric === "throughput" && emptyHead > 0) continue;
    const gated = relativelyGated(gate, metric);
    const a = gated ? alpha : 0.025;
    const values: number[] = [];
    for (const b of blockIds) {
      const ratios = pairs
        .filter((p) => p.block === b && usable(pick(p.base, metric)) && usable(pick(p.head, metric)))
        .map((p) => Math.log(pick(p.head, metric)) - Math.log(pick(p.base, metric)));
      if (ratios.length > 0) values.push(mean(ratios));
    }
    if (values.length === 0) continue;
    const ok = pairs.filter((p) => usable(pick(p.base, metric)) && usable(pick(p.head, metric)));
    const shift = pairedShift(values, 1 - 2 * a);
    metrics.push(
      verdictFor(
        metric,
        gated,
        gate,
        median(ok.map((p) => pick(p.base, metric))),
        median(ok.map((p) => pick(p.head, metric))),
        { ...shift, requested: 1 - 2 * a, n: values.length },
      ),
    );
  }
  metrics.push(
    errorRateVerdict(
      pairs.map((p) => p.base),
      pairs.map((p) => p.head),
      gate.errorRate,
    ),
  );
  metrics.push(...sloVerdicts(blockUnits(pairs, blockIds), gate.slo, alpha));
  metrics.sort((x, y) => ORDER.indexOf(x.metric) - ORDER.indexOf(y.metric));
  const blocks = blockIds.length;
  if (sloCount(gate.slo) > 0) notes.push(sloNote(blocks, "blocks (the head's trials, geometric mean per block)"));
  const need = minUnits(alpha);
  if (blocks < need) {
    notes.push(
      `${pairs.length} pairs in ${blocks} blocks: the exact interval over ${blocks} blocks reaches at most ${pct(1 - 2 * 2 ** -blocks)}, short of the ${pct(1 - 2 * alpha)} asked for, so nothing is decided; that needs ${need} blocks (${2 * need} pairs).`,
    );
  }
  notes.push(riskNote(risk, alpha, testedCount(gate)));
  return { headline: headlineOf(metrics), method: "same-runner-ab", metrics, notes };
}

/** The head's trials of each block as one unit (a block's trials share their instances): geometric means. */
function blockUnits(pairs: readonly AbPair[], blockIds: readonly number[]): { p99: number[]; throughput: number[] } {
  const geo = (xs: number[]) => (xs.some((x) => !(x > 0)) ? 0 : Math.exp(mean(xs.map(Math.log))));
  const of = (b: number) => pairs.filter((p) => p.block === b).map((p) => p.head);
  return {
    p99: blockIds.map((b) => geo(of(b).map((t) => t.latency.p99))),
    throughput: blockIds.map((b) => geo(of(b).map((t) => t.throughput))),
  };
}

/** The fewest independent units for which the exact signed-rank interval reaches one-sided level α: 2^-n ≤ α. */
export function minUnits(alpha: number): number {
  return Math.max(1, Math.ceil(Math.log2(1 / alpha) - 1e-12));
}

function verdictFor(
  metric: "throughput" | "p50" | "p90" | "p99" | "p999",
  gated: boolean,
  gate: Gate,
  baseline: number,
  current: number,
  shift: ShiftEstimate & { requested: number; n: number },
): MetricVerdict {
  const change = Math.exp(shift.estimate) - 1;
  const lo = Math.exp(shift.lo) - 1;
  const hi = Math.exp(shift.hi) - 1;
  const worse = higherIsWorse(metric);
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
