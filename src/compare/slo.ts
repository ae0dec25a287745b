// Pure: absolute SLOs ("<50ms" for P99, ">1000/s" for throughput) judged on this run alone.

import { studentTQuantile } from "../stats/distributions.js";
import { mean, median, stdev } from "../stats/quantiles.js";
import type { Slo } from "./gate.js";
import type { MetricVerdict } from "./metrics.js";
import { decide } from "./rule.js";

/** How many SLOs a gate sets (each is a tested metric sharing the false-alarm rate). */
export function sloCount(slo: Slo | undefined): number {
  return (slo?.p99Ms != null ? 1 : 0) + (slo?.throughput != null ? 1 : 0);
}

/**
 * The SLO rows. `units` are this run's independent measurements of each metric (a trial's P99 and
 * throughput; in a same-runner A/B, the geometric mean of a block's head trials). Per SLO, in log
 * space relative to the SLO: the units' mean with a one-sample Student's t interval at the metric's
 * α, judged by the same rule as a relative threshold with the limit at the SLO itself (limit 0):
 * regression (a breach) when the estimate is past the SLO and the whole interval is too; pass when
 * the whole interval is inside; inconclusive when it straddles the SLO. One unit has no interval:
 * it is judged on its value.
 */
export function sloVerdicts(
  units: { p99: readonly number[]; throughput: readonly number[] },
  slo: Slo | undefined,
  alpha: number,
): MetricVerdict[] {
  const rows: MetricVerdict[] = [];
  if (slo?.throughput != null) rows.push(oneSlo("throughputSlo", units.throughput, slo.throughput, alpha));
  if (slo?.p99Ms != null) rows.push(oneSlo("p99Slo", units.p99, slo.p99Ms, alpha));
  return rows;
}

function oneSlo(
  metric: "p99Slo" | "throughputSlo",
  values: readonly number[],
  target: number,
  alpha: number,
): MetricVerdict {
  const ok = values.filter((v) => Number.isFinite(v) && v > 0);
  const n = ok.length;
  const logs = ok.map((v) => Math.log(v / target));
  const estimate = n > 0 ? mean(logs) : Number.NaN;
  const half = n >= 2 ? studentTQuantile(1 - alpha, n - 1) * (stdev(logs) / Math.sqrt(n)) : 0;
  const lo = estimate - half;
  const hi = estimate + half;
  // Badness: P99 above its SLO is bad, throughput below its SLO is.
  const worse = metric === "p99Slo";
  let verdict = decide(worse ? estimate : -estimate, worse ? lo : -hi, worse ? hi : -lo, 0, n > 0);
  // Inside the SLO with room to spare is simply a pass: there is no baseline to improve on.
  if (verdict === "improvement") verdict = "pass";
  // A unit that served nothing is as far below a throughput SLO as it can be.
  if (metric === "throughputSlo" && ok.length < values.length) verdict = "regression";
  if (metric === "p99Slo" && n === 0) verdict = "inconclusive";
  return {
    metric,
    gated: true,
    threshold: target,
    baseline: Number.NaN,
    current: n > 0 ? median(ok) : metric === "throughputSlo" ? 0 : Number.NaN,
    change: Math.exp(estimate) - 1,
    ci: { lo: Math.exp(lo) - 1, hi: Math.exp(hi) - 1, confidence: n >= 2 ? 1 - 2 * alpha : 1 },
    requested: n >= 2 ? 1 - 2 * alpha : 1,
    n,
    verdict,
  };
}
