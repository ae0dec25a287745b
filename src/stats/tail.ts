// Pure: how many responses a trial's P99 rests on, and the warning when too few.
//
// A P99 is an order statistic: its precision is set by how many responses lie above it,
// about 1% of the trial's responses. With fewer than 20 above it, one slow response more or
// less moves the P99 visibly, and trial-to-trial spread in P99 is mostly sampling noise.

import type { Trial } from "../result/types.js";

/** A trial's P99 should rest on at least this many responses above it (so ≥ 2,000 responses). */
export const MIN_RESPONSES_ABOVE_P99 = 20;
/** Responses a trial needs for MIN_RESPONSES_ABOVE_P99 above its P99. */
export const MIN_RESPONSES_FOR_P99 = MIN_RESPONSES_ABOVE_P99 * 100;

/**
 * Responses above the P99 of `requests` responses: requests − ceil(0.99 × requests), where
 * ceil(0.99 × requests) is the rank HdrHistogram reads the P99 at (= floor(requests / 100)).
 * Derived from the count, not from the histogram's buckets: responses that share the P99's
 * bucket still count as above the rank, which is what the estimate's precision depends on.
 */
export function responsesAboveP99(requests: number): number {
  if (!(requests > 0)) return 0;
  return requests - Math.ceil((requests * 99) / 100);
}

function tailOf(t: Trial): number {
  return t.tail?.p99 ?? responsesAboveP99(t.requests);
}

const count = (n: number) => Math.round(n).toLocaleString("en-US");

/**
 * One warning for a stack (or an A/B side) when any measured trial's P99 rests on fewer than
 * MIN_RESPONSES_ABOVE_P99 responses: names the trial with the fewest and the duration that
 * would give each trial MIN_RESPONSES_FOR_P99 at that trial's throughput. Null when all are
 * enough. Trials without any successful response are left to the error warnings.
 */
export function tailWarning(trials: readonly Trial[]): string | null {
  const short = trials.filter((t) => t.requests > 0 && tailOf(t) < MIN_RESPONSES_ABOVE_P99);
  if (short.length === 0) return null;
  const worst = short.reduce((a, t) => (t.requests < a.requests ? t : a));
  const above = tailOf(worst);
  const seconds = Math.ceil(MIN_RESPONSES_FOR_P99 / worst.throughput);
  const others =
    short.length > 1 ? ` (${short.length} of ${trials.length} trials had under ${count(MIN_RESPONSES_FOR_P99)})` : "";
  return (
    `Trial ${worst.index + 1} had ${count(worst.requests)} successful responses: its P99 rests on ${count(above)} ` +
    `response${above === 1 ? "" : "s"} above it${others}, too few for a stable P99. ` +
    `At ${count(worst.throughput)} req/s a trial needs ≥ ${seconds} s for ≥ ${count(MIN_RESPONSES_FOR_P99)} responses: ` +
    `use --duration ${seconds} or more (stack file: load.duration; Action: duration).`
  );
}
