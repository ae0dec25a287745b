// Pure: the verdict on the app's instructions per request (two cost records, one limit), and its row in a comparison.

import type { Gate } from "../compare/gate.js";
import { type MetricVerdict, pct } from "../compare/metrics.js";
import { decide } from "../compare/rule.js";
import type { CostFingerprint, CostRecord } from "../result/types.js";
import { normalQuantile } from "../stats/distributions.js";
import { twoSampleShift } from "../stats/rank-tests.js";
import { jitRuntime } from "./callgrind.js";

/**
 * The spread of a run's per-request count from one fresh cost run to the next, as a fraction: the
 * chunks of one run are replicates of that run only, so their interval is widened by this much
 * (√2 × it, for two runs). bench/cost-power measured an SD of 0.013% over 20 fresh runs on a 2-CPU
 * VM; 0.1% is about 8 times that.
 */
export const ASSUMED_COST_RUN_SD = 0.001;

/** The chunks may wander by at most this share of the limit before the cost gate stands down (a JIT). */
export const MAX_SPREAD_SHARE_OF_LIMIT = 0.5;

/** Fields of two fingerprints that differ (empty: the counts can be compared). */
export function fingerprintDifferences(a: CostFingerprint, b: CostFingerprint): string[] {
  const diffs: string[] = [];
  if (a.arch !== b.arch) diffs.push(`arch ${a.arch} → ${b.arch}`);
  if (a.guestCpu !== b.guestCpu) diffs.push(`CPU seen under valgrind ${a.guestCpu} → ${b.guestCpu}`);
  if (a.valgrind !== b.valgrind) diffs.push(`${a.valgrind} → ${b.valgrind}`);
  for (const k of new Set([...Object.keys(a.versions), ...Object.keys(b.versions)])) {
    if (a.versions[k] !== b.versions[k]) diffs.push(`${k} ${a.versions[k] ?? "none"} → ${b.versions[k] ?? "none"}`);
  }
  return diffs;
}

/**
 * Base against head on their chunk counts: the Hodges–Lehmann shift of the log counts with the exact
 * Mann–Whitney interval at 1 − 2α, widened on each side by z(1 − α)·√2·ASSUMED_COST_RUN_SD for the
 * run-to-run spread the chunks of one run cannot show; then the same rule as every metric. When
 * either side's chunks wander by more than half the limit (a JIT, a timer-driven server), the row
 * is shown but not gated: timing decides, and a note says why.
 */
export function costVerdict(
  base: CostRecord,
  head: CostRecord,
  limit: number,
  alpha: number,
): { verdict: MetricVerdict; notes: string[] } {
  const notes: string[] = [];
  const a = base.chunks.filter((v) => v > 0).map(Math.log);
  const b = head.chunks.filter((v) => v > 0).map(Math.log);
  const shift = twoSampleShift(a, b, 1 - 2 * alpha);
  const widen = normalQuantile(1 - alpha) * Math.SQRT2 * ASSUMED_COST_RUN_SD;
  const lo = shift.lo - widen;
  const hi = shift.hi + widen;
  const spread = Math.max(base.spread, head.spread);
  let gated = true;
  if (spread > limit * MAX_SPREAD_SHARE_OF_LIMIT) {
    gated = false;
    const jit = jitRuntime([...base.processes, ...head.processes].map((p) => p.command));
    notes.push(
      `The app's instruction count wanders by ${pct(spread, 2)} from chunk to chunk${jit ? ` (${jit} compiles at run time)` : ""}, more than half the cost limit (${pct(limit, 1)}): the cost row is shown but not gated, and timing decides. Raise the cost limit, warm up longer (cost.warmup) or count more requests per chunk (cost.chunk-requests).`,
    );
  }
  const reached = shift.confidence >= 1 - 2 * alpha - 1e-9;
  const verdict = decide(shift.estimate, lo, hi, Math.log(1 + limit), reached);
  return {
    verdict: {
      metric: "cost",
      gated,
      threshold: gated ? limit : null,
      baseline: base.perRequest,
      current: head.perRequest,
      change: Math.exp(shift.estimate) - 1,
      ci: { lo: Math.exp(lo) - 1, hi: Math.exp(hi) - 1, confidence: shift.confidence },
      requested: 1 - 2 * alpha,
      n: b.length,
      verdict,
    },
    notes,
  };
}

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
