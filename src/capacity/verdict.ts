// Pure: the capacity row, one bounded search per side judged against the capacity gate.

import type { Gate } from "../compare/gate.js";
import type { MetricVerdict } from "../compare/metrics.js";
import type { Verdict } from "../compare/rule.js";
import type { CapacityRecord } from "../result/types.js";

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
