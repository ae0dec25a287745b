// Pure: a Result against a stored baseline of the default branch → the whole comparison: which kind
// of comparison the two Results allow (timings, the cost alone, the absolute limits alone, none), every
// row (timings, error rate, SLOs, cost, capacity) and the notes.

import { addCapacity } from "../capacity/verdict.js";
import { absoluteOnly } from "../compare/absolute.js";
import { environmentDifferences } from "../compare/environment.js";
import { errorRateOver } from "../compare/error-rate.js";
import type { Gate } from "../compare/gate.js";
import { type Comparison, headlineOf, type MetricVerdict, sortRows } from "../compare/metrics.js";
import { DEFAULT_RISK, metricAlpha, type Risk, riskNote, testedCount } from "../compare/risk.js";
import { sloCount } from "../compare/slo.js";
import { storedNotes, storedTimingRows } from "../compare/stored.js";
import { addCost, fingerprintDifferences } from "../cost/verdict.js";
import type { HistoryPoint, StackResult } from "../result/types.js";
import { addWork } from "../work/verdict.js";

/**
 * Compares a Result with a stored baseline: this run's median against the medians of main's runs
 * (see src/compare/stored.ts for the interval), the error rate, the SLOs, and the cost and capacity
 * when their gates are on. Results from different environments compare only what does not depend
 * on the machine: the absolute limits, or the cost when the fingerprints match.
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
  if (envDiffs.length > 0 || !timed) return withoutTimings(baseline, current, gate, risk, envDiffs);
  const alpha = metricAlpha({ ...risk, looks: 1 }, testedCount(gate));
  const { metrics, notes } = storedTimingRows(baseline, current, gate, history, alpha);
  addCost(metrics, notes, baseline.cost, current.cost, gate, alpha);
  addCapacity(metrics, notes, baseline.capacity, current.capacity, gate);
  addWork(metrics, notes, baseline.work, current.work, gate);
  sortRows(metrics);
  notes.push(...storedNotes(baseline, current, gate, history, risk, alpha));
  return { headline: headlineOf(metrics), method: "stored-baseline", metrics, notes };
}

/**
 * No baseline at all: the absolute limits (SLOs, the error rate) and the work ceilings ("<4"
 * statements per request), which need none.
 */
export function withoutBaseline(current: StackResult, gate: Gate, risk: Risk, reason: string): Comparison {
  const c = absoluteOnly(current, gate, risk, reason);
  const metrics: MetricVerdict[] = [];
  addWork(metrics, [], undefined, current.work, gate);
  if (metrics.length === 0) return c;
  if (c.metrics.length === 0) {
    const notes = [`No comparison with a baseline (${reason}): only the ceilings on the database work were checked.`];
    return { headline: headlineOf(metrics), method: "absolute", metrics, notes };
  }
  const all = sortRows([...c.metrics, ...metrics]);
  return { ...c, headline: headlineOf(all), metrics: all };
}

/** The timings cannot be compared (another environment, or a cost-only side): what can be, or no-baseline. */
function withoutTimings(
  baseline: StackResult,
  current: StackResult,
  gate: Gate,
  risk: Risk,
  envDiffs: string[],
): Comparison {
  return withWorkRows(comparableParts(baseline, current, gate, risk, envDiffs), baseline, current, gate, envDiffs);
}

/**
 * The work rows where the timings could not be compared: the counts do not depend on the machine,
 * so a baseline from another runner still judges them (on the same PostgreSQL major and data).
 */
function withWorkRows(
  c: Comparison,
  baseline: StackResult,
  current: StackResult,
  gate: Gate,
  envDiffs: string[],
): Comparison {
  const metrics: MetricVerdict[] = [];
  const notes: string[] = [];
  addWork(metrics, notes, baseline.work, current.work, gate);
  if (metrics.length === 0) return c.metrics.length === 0 ? c : { ...c, notes: [...c.notes, ...notes] };
  if (c.metrics.length === 0) {
    const timed = baseline.trials.length > 0 && current.trials.length > 0;
    const untimed = current.trials.length === 0 ? "this run" : "the baseline";
    const intro = timed
      ? `Timings were not compared: ${c.reason ?? ""}. The database work was: its counts do not depend on the machine.`
      : `Only the database work was compared: ${untimed} has no timed trials (a work count or cost run alone, loadgate work or cost).${envDiffs.length > 0 ? " It was measured in another environment, which the counts do not depend on." : ""}`;
    return { headline: headlineOf(metrics), method: "stored-baseline", metrics, notes: [intro, ...notes] };
  }
  const all = sortRows([...c.metrics, ...metrics]);
  return { ...c, headline: headlineOf(all), metrics: all, notes: [...c.notes, ...notes] };
}

/** What the timings' absence leaves to compare: the absolute limits, the cost, or no-baseline. */
function comparableParts(
  baseline: StackResult,
  current: StackResult,
  gate: Gate,
  risk: Risk,
  envDiffs: string[],
): Comparison {
  const timed = baseline.trials.length > 0 && current.trials.length > 0;
  const reason =
    envDiffs.length > 0
      ? `the baseline was measured in another environment (${envDiffs.join("; ")}), so comparing would mislead`
      : `${timed ? "" : "one side has no timed trials (a cost run or work count alone) and "}there is no cost run on both sides to compare`;
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
  if (!costOnly) return { headline: "no-baseline", method: "stored-baseline", metrics: [], reason, notes: [] };
  if (envDiffs.length > 0 && timed) {
    costOnly.notes.unshift(
      `Timings were not compared: the baseline was measured in another environment (${envDiffs.join("; ")}). The cost gate was: instruction counts do not depend on the machine beyond what its fingerprint records.`,
    );
  }
  return costOnly;
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
