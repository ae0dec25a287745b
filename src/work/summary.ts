// Pure: the chunks' counts → the per-request counts (median per count) and their spread.

import type { WorkCounts, WorkMetric } from "../result/types.js";
import { median } from "../stats/quantiles.js";

export const WORK_METRICS: readonly WorkMetric[] = [
  "statements",
  "control",
  "nested",
  "rows",
  "pages",
  "transactions",
  "connections",
  "serverConnections",
  "responseBytes",
];

/** Per count the median of the chunks (null where not counted) and max − min (0: the chunks agree, exact). */
export function summarize(chunks: readonly WorkCounts[]): {
  perRequest: WorkCounts;
  spread: Partial<Record<WorkMetric, number>>;
} {
  const perRequest = {} as Record<WorkMetric, number | null>;
  const spread: Partial<Record<WorkMetric, number>> = {};
  for (const m of WORK_METRICS) {
    const values = chunks.map((c) => c[m]).filter((v): v is number => v !== null);
    if (values.length === 0) {
      perRequest[m] = null;
      continue;
    }
    perRequest[m] = median(values);
    spread[m] = Math.max(...values) - Math.min(...values);
  }
  return { perRequest: { ...perRequest, responseBytes: perRequest.responseBytes ?? 0 }, spread };
}

const fmt = (v: number | null) => (v === null ? "–" : Number.isInteger(v) ? String(v) : v.toFixed(2));

/** One log line: the headline counts per request. */
export function workLine(w: { perRequest: WorkCounts }): string {
  const p = w.perRequest;
  return `per request ${fmt(p.statements)} statements (+${fmt(p.control)} transaction control), ${fmt(p.rows)} rows, ${fmt(p.pages)} pages, ${fmt(p.connections)} connections, ${fmt(p.responseBytes)} response bytes`;
}
