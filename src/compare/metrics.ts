// Pure: what a comparison says, row by row, and the headline it comes to.

import type { Verdict } from "./rule.js";

export type { Verdict };
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
  | "capacity"
  | "statements"
  | "rows"
  | "pages"
  | "connections";

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
  statements: "SQL statements per request",
  rows: "Rows per request",
  pages: "Shared buffer pages per request",
  connections: "Connections opened per request",
};

/** The order rows are shown in. */
export const METRIC_ORDER: MetricName[] = [
  "throughput",
  "throughputSlo",
  "p99",
  "p99Slo",
  "cost",
  "capacity",
  "statements",
  "rows",
  "pages",
  "connections",
  "errorRate",
  "p50",
  "p90",
  "p999",
];

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
  /**
   * A work count against a ceiling ("<4" per request): `threshold` is the ceiling and `change`
   * (with its interval) the distance from it, current / ceiling − 1. Absent: a relative limit.
   */
  absolute?: boolean;
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

/** Sorts rows into METRIC_ORDER, in place. */
export function sortRows(metrics: MetricVerdict[]): MetricVerdict[] {
  return metrics.sort((x, y) => METRIC_ORDER.indexOf(x.metric) - METRIC_ORDER.indexOf(y.metric));
}

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

export const pct = (x: number, d = 1) => `${(x * 100).toFixed(d)}%`;
