// Pure: same-runner A/B pairs → the timing rows, the error rate and the SLOs.

import type { Trial } from "../result/types.js";
import { mean, median } from "../stats/quantiles.js";
import { pairedShift } from "../stats/rank-tests.js";
import { errorRateVerdict } from "./error-rate.js";
import type { Gate } from "./gate.js";
import { type Comparison, headlineOf, type MetricVerdict, pct, sortRows } from "./metrics.js";
import { pick, relativelyGated, servedNothing, sloNote, type TimedMetric, usable, verdictFor } from "./relative.js";
import { DEFAULT_RISK, metricAlpha, minUnits, type Risk, riskNote, testedCount } from "./risk.js";
import { sloCount, sloVerdicts } from "./slo.js";

/** One same-runner A/B pair; pairs of one block were measured on the same pair of instances. */
export interface AbPair {
  base: Trial;
  head: Trial;
  block: number;
}

/** One metric's row: per block the mean of its pairs' log ratios, Hodges–Lehmann with the exact signed-rank interval. */
function pairedRow(
  metric: TimedMetric,
  pairs: readonly AbPair[],
  blockIds: readonly number[],
  gate: Gate,
  alpha: number,
): MetricVerdict | undefined {
  const gated = relativelyGated(gate, metric);
  const a = gated ? alpha : 0.025;
  const values: number[] = [];
  for (const b of blockIds) {
    const ratios = pairs
      .filter((p) => p.block === b && usable(pick(p.base, metric)) && usable(pick(p.head, metric)))
      .map((p) => Math.log(pick(p.head, metric)) - Math.log(pick(p.base, metric)));
    if (ratios.length > 0) values.push(mean(ratios));
  }
  if (values.length === 0) return undefined;
  const ok = pairs.filter((p) => usable(pick(p.base, metric)) && usable(pick(p.head, metric)));
  const shift = pairedShift(values, 1 - 2 * a);
  return verdictFor(
    metric,
    gated,
    gate,
    median(ok.map((p) => pick(p.base, metric))),
    median(ok.map((p) => pick(p.head, metric))),
    { ...shift, requested: 1 - 2 * a, n: values.length },
  );
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
    const sides = { base: pairs.map((p) => p.base), head: pairs.map((p) => p.head) };
    metrics.push(servedNothing(gate, sides.base, sides.head));
    notes.push(`The head served no successful response in ${emptyHead} of ${pairs.length} trials.`);
  }
  for (const metric of ["throughput", "p99", "p50", "p90", "p999"] as const) {
    if (metric === "throughput" && emptyHead > 0) continue;
    const row = pairedRow(metric, pairs, blockIds, gate, alpha);
    if (row) metrics.push(row);
  }
  metrics.push(
    errorRateVerdict(
      pairs.map((p) => p.base),
      pairs.map((p) => p.head),
      gate.errorRate,
    ),
  );
  metrics.push(...sloVerdicts(blockUnits(pairs, blockIds), gate.slo, alpha));
  sortRows(metrics);
  notes.push(...pairNotes(pairs.length, blockIds.length, gate, risk, alpha));
  return { headline: headlineOf(metrics), method: "same-runner-ab", metrics, notes };
}

function pairNotes(pairs: number, blocks: number, gate: Gate, risk: Risk, alpha: number): string[] {
  const notes: string[] = [];
  if (sloCount(gate.slo) > 0) notes.push(sloNote(blocks, "blocks (the head's trials, geometric mean per block)"));
  const need = minUnits(alpha);
  if (blocks < need) {
    notes.push(
      `${pairs} pairs in ${blocks} blocks: the exact interval over ${blocks} blocks reaches at most ${pct(1 - 2 * 2 ** -blocks)}, short of the ${pct(1 - 2 * alpha)} asked for, so no timing row is decided (the cost and work counts decide on their own); that needs ${need} blocks (${2 * need} pairs).`,
    );
  }
  notes.push(riskNote(risk, alpha, testedCount(gate)));
  return notes;
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
