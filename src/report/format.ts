import type { MetricVerdict } from "../compare/metrics.js";
import type { LoadSettings, StackResult } from "../result/types.js";

/**
 * A whole number from a Result (a count, an index, a number of CPUs or seconds): digits formatted
 * here, whatever the file held, so that no text from a file is printed where a number belongs.
 */
export function formatInt(n: unknown): string {
  return typeof n === "number" && Number.isFinite(n) ? String(Math.round(n)) : "–";
}

/** A setting such as a rate or a number of seconds: up to three decimals, formatted here. */
export function formatNumber(n: unknown): string {
  return typeof n === "number" && Number.isFinite(n) ? String(Math.round(n * 1000) / 1000) : "–";
}

/** Milliseconds with microsecond resolution shown to a sensible precision. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return "–";
  if (ms < 10) return ms.toFixed(2);
  if (ms < 100) return ms.toFixed(1);
  return ms.toFixed(0);
}

export function formatRps(rps: number): string {
  if (!Number.isFinite(rps)) return "–";
  return rps >= 100 ? Math.round(rps).toString() : rps.toFixed(1);
}

export function formatPercent(fraction: number, signed = true, digits = 1): string {
  if (!Number.isFinite(fraction)) return "–";
  const v = (fraction * 100).toFixed(digits);
  return signed && fraction > 0 ? `+${v}%` : `${v}%`;
}

/** An age: "45 s", "12 min", "5.0 h", "9.8 days". */
export function formatAge(seconds: number): string {
  if (!Number.isFinite(seconds)) return "–";
  if (seconds < 120) return `${Math.max(0, Math.round(seconds))} s`;
  if (seconds < 2 * 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} days`;
}

/** "measured 2026-11-20 08:12 UTC, 9.8 days ago" for a Result's createdAt; undefined when it is not a time. */
export function formatMeasured(createdAt: string, ageSeconds: number): string | undefined {
  const at = Date.parse(createdAt);
  if (Number.isNaN(at)) return undefined;
  return `measured ${new Date(at).toISOString().slice(0, 16).replace("T", " ")} UTC, ${formatAge(ageSeconds)} ago`;
}

/** An instruction count: "865.3k", "1.204M". */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return "–";
  if (n >= 1e9) return `${(n / 1e9).toFixed(3)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(3)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return n.toFixed(0);
}

/** The work counts a comparison may gate (their values are counts per request). */
const WORK_ROWS = new Set(["statements", "rows", "pages", "connections"]);
export const isWorkRow = (metric: string) => WORK_ROWS.has(metric);

/** A count per request: whole numbers as they are, others to two decimals. */
export function formatPerRequest(v: unknown): string {
  if (typeof v !== "number" || !Number.isFinite(v)) return "–";
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

/** A relative change of a count, which may start from zero. */
function formatGrowth(f: number): string {
  if (f === Number.POSITIVE_INFINITY) return "from 0";
  return formatPercent(f);
}

/** A work row's change: against the baseline with the chunks' range, or the distance from its ceiling. */
function formatWorkChange(m: MetricVerdict): string {
  if (m.absolute) return `${formatPercent(m.change)} vs ceiling`;
  const range = m.ci.lo === m.ci.hi ? "exact" : `${formatGrowth(m.ci.lo)} … ${formatGrowth(m.ci.hi)}`;
  return `${formatGrowth(m.change)} (${range})`;
}

/** A metric's value: req/s, ms, a share for the error rate, or a count of instructions. */
export function formatMetric(metric: string, v: number): string {
  if (isWorkRow(metric)) return formatPerRequest(v);
  if (metric === "cost") return formatCount(v);
  if (metric === "capacity") return formatRps(v);
  if (metric === "throughput" || metric === "throughputSlo") return formatRps(v);
  if (metric === "errorRate") return formatShare(v);
  return formatMs(v);
}

/** A share like 0.0123 as "1.23%" (small error rates need the digits). */
export function formatShare(fraction: number): string {
  if (!Number.isFinite(fraction)) return "–";
  return `${(fraction * 100).toFixed(fraction < 0.1 ? 2 : 1)}%`;
}

/** "−9.8% (−14.1% … −5.2%)"; the error rate is a limit on this run, not a change with an interval. */
export function formatChange(m: MetricVerdict): string {
  if (m.metric === "errorRate") {
    // With no baseline there is no change, only this run's rate against its limit.
    if (!Number.isFinite(m.change)) return "–";
    return `${m.change >= 0 ? "+" : ""}${(m.change * 100).toFixed(2)} pp`;
  }
  if (m.metric === "capacity") return formatPercent(m.change);
  if (isWorkRow(m.metric)) return formatWorkChange(m);
  if (m.metric === "p99Slo" || m.metric === "throughputSlo") {
    // Against a fixed value: the distance from the SLO, and the interval in the metric's own unit.
    const at = (f: number) => formatMetric(m.metric, (m.threshold ?? Number.NaN) * (1 + f));
    const unit = m.metric === "p99Slo" ? "ms" : "req/s";
    return m.n >= 2
      ? `${formatPercent(m.change)} vs SLO (${at(m.ci.lo)} … ${at(m.ci.hi)} ${unit})`
      : `${formatPercent(m.change)} vs SLO`;
  }
  // Instruction counts move by tenths of a percent: show two decimals.
  const d = m.metric === "cost" ? 2 : 1;
  return `${formatPercent(m.change, true, d)} (${formatPercent(m.ci.lo, true, d)} … ${formatPercent(m.ci.hi, true, d)})`;
}

/** The interval's real coverage, and the level asked for when it falls short of it. */
export function formatConfidence(m: MetricVerdict): string {
  if (m.metric === "errorRate" || m.metric === "capacity") return "–";
  // Counts: the rule is exact where the chunks agree, the chunks' range otherwise; no coverage to show.
  if (isWorkRow(m.metric)) return m.ci.lo === m.ci.hi ? "exact" : "chunks' range";
  if ((m.metric === "p99Slo" || m.metric === "throughputSlo") && m.n < 2) return "–";
  const got = `${(m.ci.confidence * 100).toFixed(1)}%`;
  return m.ci.confidence + 1e-9 < m.requested ? `${got} (< ${(m.requested * 100).toFixed(1)}% asked)` : got;
}

export function formatLimit(m: MetricVerdict): string {
  if (m.threshold === null) return "not gated";
  if (m.metric === "errorRate") return `< ${formatShare(m.threshold)}`;
  if (m.metric === "capacity" && m.threshold > 0) return `> ${formatRps(m.threshold)}/s`;
  if (m.metric === "p99Slo") return `< ${formatMs(m.threshold)} ms`;
  if (m.metric === "throughputSlo") return `> ${formatRps(m.threshold)}/s`;
  if (m.absolute) return `< ${formatPerRequest(m.threshold)} per request`;
  return formatPercent(
    m.threshold,
    true,
    m.metric === "cost" && m.threshold * 100 !== Math.round(m.threshold * 100) ? 2 : 1,
  );
}

/** The latencies a per-trial table may show, in its column order. */
export type TrialLatency = "p50" | "p90" | "p99" | "p999" | "max";

/**
 * A per-trial table's rows for one side: side, trial, throughput, the latencies asked for, errors;
 * then the pooled percentiles of all its responses when the Result has them.
 */
export function trialRows(side: string, r: StackResult, latencies: readonly TrialLatency[]): string[][] {
  const rows = r.trials.map((t) => [
    side,
    formatInt(t.index + 1),
    formatRps(t.throughput),
    ...latencies.map((k) => formatMs(t.latency[k])),
    formatInt(t.errors.total),
  ]);
  const pooled = r.summary.pooled;
  if (pooled) rows.push([side, "pooled", "", ...latencies.map((k) => formatMs(pooled.latency[k])), ""]);
  return rows;
}

/** The measured trials of a load: "5 × 10 s", or "100,000 requests in 1 trial" (load.total-requests). */
export function trialsText(load: Pick<LoadSettings, "trials" | "durationSeconds" | "totalRequests">): string {
  if (load.totalRequests === undefined) return `${formatInt(load.trials)} × ${formatNumber(load.durationSeconds)} s`;
  return `${formatInt(load.totalRequests)} requests in ${formatInt(load.trials)} trial${load.trials === 1 ? "" : "s"}`;
}
