import type { HistoryPoint, StackResult } from "../result/types.js";

export const HISTORY_LIMIT = 20;

/** Pure: a new baseline's history is the previous baseline's history plus the previous baseline itself. */
export function nextHistory(
  previous: StackResult | undefined,
  previousSha: string | undefined,
  createdAt: string,
): HistoryPoint[] {
  if (!previous) return [];
  // A cost-only baseline (loadgate cost) has no timings to add.
  if (previous.trials.length === 0) return previous.history ?? [];
  const point: HistoryPoint = {
    sha: previousSha ?? "unknown",
    createdAt,
    throughput: previous.summary.throughput.median,
    p50: previous.summary.latency.p50.median,
    p99: previous.summary.latency.p99.median,
  };
  return [...(previous.history ?? []), point].slice(-HISTORY_LIMIT);
}
