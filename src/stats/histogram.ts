// Pure: latency histograms and what is read from them. HdrHistograms merge exactly, so the
// measured trials of a stack pool into one histogram whose percentiles are those of all the
// responses together; percentiles themselves are never averaged.

import * as hdr from "hdr-histogram-js";
import type { LatencyStats, PooledSummary } from "../result/types.js";

/** Microsecond HdrHistogram (3 significant digits, up to 10 minutes). autocannon's own percentiles are whole ms. */
export function newHistogram(): hdr.Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 600_000_000,
    numberOfSignificantValueDigits: 3,
    bitBucketSize: 64,
    useWebAssembly: false,
  });
}

/** Percentiles, max, mean and SD in ms (µs resolution) of a µs histogram; NaN for an empty one. */
export function latencyStats(h: hdr.Histogram): LatencyStats {
  if (h.totalCount === 0) {
    return {
      p50: Number.NaN,
      p90: Number.NaN,
      p99: Number.NaN,
      p999: Number.NaN,
      max: Number.NaN,
      mean: Number.NaN,
      stdev: Number.NaN,
    };
  }
  const ms = (us: number) => Math.round(us) / 1000;
  return {
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    max: ms(h.maxValue),
    mean: ms(h.mean),
    stdev: ms(h.stdDeviation),
  };
}

/** One histogram holding every value of the given ones (which are left untouched). */
export function mergeHistograms(histograms: readonly hdr.Histogram[]): hdr.Histogram {
  const merged = newHistogram();
  for (const h of histograms) merged.add(h);
  return merged;
}

/**
 * Percentiles of all the measured trials' responses together (exact: the histograms merge).
 * Undefined without histograms (a Result read from a file has none).
 */
export function pooledSummary(histograms: readonly hdr.Histogram[] | undefined): PooledSummary | undefined {
  if (!histograms || histograms.length === 0) return undefined;
  const merged = mergeHistograms(histograms);
  const { p50, p90, p99, p999, max } = latencyStats(merged);
  const pooled = { trials: histograms.length, requests: merged.totalCount, latency: { p50, p90, p99, p999, max } };
  merged.destroy();
  return pooled;
}
