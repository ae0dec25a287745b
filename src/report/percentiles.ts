// Pure: the figures every percentile chart draws (Mermaid, SVG, terminal), taken from a Result in one place.

import type { StackResult } from "../result/types.js";

/** The percentiles a Result holds per trial and in its summary, in the order the charts draw them. */
export const PERCENTILES = [
  { key: "p50", label: "P50" },
  { key: "p90", label: "P90" },
  { key: "p99", label: "P99" },
  { key: "p999", label: "P99.9" },
] as const;

export type PercentileKey = (typeof PERCENTILES)[number]["key"];

/**
 * A stack's latency by percentile: per percentile the median across its trials (ms), the figure the
 * tables show and the verdicts judge. NaN where no trial had the value (a trial with no 2xx response).
 */
export function percentileValues(r: StackResult): number[] {
  return PERCENTILES.map((p) => r.summary.latency[p.key].median);
}

/** Whether a Result has timed trials to chart (a cost-only or capacity Result has none). */
export function hasLatency(r: StackResult | null | undefined): r is StackResult {
  return r !== null && r !== undefined && r.trials.length > 0 && percentileValues(r).some(Number.isFinite);
}

/** The side of a comparison a series stands for: the baseline (base) or the measured run (head). */
export type Side = "base" | "head";

export interface PercentileChartData {
  labels: string[];
  series: { side: Side; values: number[] }[];
}

/**
 * The series of a percentile chart: the head and, when there is one with latencies, the base (base
 * first). Percentiles that either side lacks are left out, so every series has a value at every label.
 */
export function percentileChartData(
  head: StackResult,
  base: StackResult | null | undefined,
): PercentileChartData | undefined {
  if (!hasLatency(head)) return undefined;
  const h = percentileValues(head);
  const b = hasLatency(base) ? percentileValues(base) : undefined;
  const keep = PERCENTILES.map((_, i) => Number.isFinite(h[i]) && (b === undefined || Number.isFinite(b[i])));
  if (!keep.some(Boolean)) return undefined;
  const pick = <T>(v: readonly T[]) => v.filter((_, i) => keep[i]);
  return {
    labels: pick(PERCENTILES.map((p) => p.label as string)),
    series: [...(b ? [{ side: "base" as const, values: pick(b) }] : []), { side: "head" as const, values: pick(h) }],
  };
}
