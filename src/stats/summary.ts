import type { Histogram } from "hdr-histogram-js";
import type { MetricSummary, Summary, Trial } from "../result/types.js";
import { pooledSummary } from "./histogram.js";
import { median, medianInterval } from "./quantiles.js";

/**
 * Median and interval over the trials that have the value: a trial with no successful response
 * has no latency (NaN, written as null), which must not scramble the sort. `values` keeps them all.
 */
export function summarizeMetric(values: number[]): MetricSummary {
  const known = values.filter(Number.isFinite);
  const ci = medianInterval(known);
  return { median: median(known), ci, values: [...values] };
}

/**
 * Medians across trials with order-statistic intervals; percentiles are never averaged. With the
 * trials' histograms (in the order of `trials`), also the pooled percentiles of all their responses.
 */
export function summarizeTrials(trials: readonly Trial[], histograms?: readonly Histogram[]): Summary {
  const pick = (f: (t: Trial) => number) => summarizeMetric(trials.map(f));
  const pooled = pooledSummary(histograms);
  return {
    throughput: pick((t) => t.throughput),
    latency: {
      p50: pick((t) => t.latency.p50),
      p90: pick((t) => t.latency.p90),
      p99: pick((t) => t.latency.p99),
      p999: pick((t) => t.latency.p999),
      max: pick((t) => t.latency.max),
    },
    errorRate: pick((t) => t.errorRate),
    errors: trials.reduce((a, t) => a + t.errors.total, 0),
    ...(pooled ? { pooled } : {}),
  };
}
