import type { MetricSummary, Summary, Trial } from "../result/types.js";
import { median, medianInterval } from "./quantiles.js";

export function summarizeMetric(values: number[]): MetricSummary {
  const ci = medianInterval(values);
  return { median: median(values), ci, values: [...values] };
}

/** Medians across trials with order-statistic intervals; percentiles are never averaged. */
export function summarizeTrials(trials: readonly Trial[]): Summary {
  const pick = (f: (t: Trial) => number) => summarizeMetric(trials.map(f));
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
  };
}
