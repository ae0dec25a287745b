import type { MetricVerdict } from "../compare/verdict.js";

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

export function formatPercent(fraction: number, signed = true): string {
  if (!Number.isFinite(fraction)) return "–";
  const v = (fraction * 100).toFixed(1);
  return signed && fraction > 0 ? `+${v}%` : `${v}%`;
}

/** A metric's value: req/s, ms, or a share for the error rate. */
export function formatMetric(metric: string, v: number): string {
  if (metric === "throughput") return formatRps(v);
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
  if (m.metric === "errorRate") return `${m.change >= 0 ? "+" : ""}${(m.change * 100).toFixed(2)} pp`;
  return `${formatPercent(m.change)} (${formatPercent(m.ci.lo)} … ${formatPercent(m.ci.hi)})`;
}

/** The interval's real coverage, and the level asked for when it falls short of it. */
export function formatConfidence(m: MetricVerdict): string {
  if (m.metric === "errorRate") return "–";
  const got = `${(m.ci.confidence * 100).toFixed(1)}%`;
  return m.ci.confidence + 1e-9 < m.requested ? `${got} (< ${(m.requested * 100).toFixed(1)}% asked)` : got;
}

export function formatLimit(m: MetricVerdict): string {
  if (m.threshold === null) return "not gated";
  if (m.metric === "errorRate") return `< ${formatShare(m.threshold)}`;
  return formatPercent(m.threshold);
}
