// A value that does not exist, such as the latency of a trial that got no successful response, is
// NaN in memory (the types say number, the reports print "–", the statistics skip it). JSON has no
// NaN: JSON.stringify writes null. The reader accepts null exactly where the writer can put it and
// turns it back into NaN, so a Result read from a file is the Result that was written.

type Json = Record<string, unknown>;
type Fail = (field: string, expected: string, found: unknown) => never;

const LATENCY_KEYS = ["p50", "p90", "p99", "p999", "max", "mean", "stdev"] as const;
const SUMMARY_LATENCY_KEYS = ["p50", "p90", "p99", "p999", "max"] as const;

/** `o[key]` must be a number or null (absent when `optional`); null becomes NaN. */
function numberOrNull(o: Json, key: string, at: string, fail: Fail, optional = false): void {
  const v = o[key];
  if (v === null) o[key] = Number.NaN;
  else if (typeof v !== "number" && !(optional && v === undefined)) fail(`${at}.${key}`, "a number or null", v);
}

function latency(o: unknown, at: string, fail: Fail, keys: readonly string[]): void {
  if (o === undefined) return;
  if (typeof o !== "object" || o === null) fail(at, "an object", o);
  // mean and stdev were not always checked; older files may lack them.
  for (const k of keys) numberOrNull(o as Json, k, at, fail, k === "mean" || k === "stdev");
}

function metric(o: unknown, at: string, fail: Fail): void {
  if (o === undefined) return;
  if (typeof o !== "object" || o === null) fail(at, "an object", o);
  const m = o as Json;
  numberOrNull(m, "median", at, fail);
  if (m.ci !== undefined) {
    if (typeof m.ci !== "object" || m.ci === null) fail(`${at}.ci`, "an object", m.ci);
    numberOrNull(m.ci as Json, "lo", `${at}.ci`, fail);
    numberOrNull(m.ci as Json, "hi", `${at}.ci`, fail);
  }
  if (m.values !== undefined) {
    if (!Array.isArray(m.values)) fail(`${at}.values`, "a list", m.values);
    const values = m.values as unknown[];
    for (let i = 0; i < values.length; i++) numberOrNull(values as unknown as Json, String(i), `${at}.values`, fail);
  }
}

/**
 * Checks that the number fields that may have no value hold a number or null, and turns each null
 * into NaN. Mutates the parsed (untrusted, freshly parsed) results in place.
 */
export function restoreNoValues(results: readonly unknown[], fail: Fail): void {
  results.forEach((r, i) => {
    const at = `results[${i}]`;
    const o = r as Json;
    ((o.trials as Json[] | undefined) ?? []).forEach((t, j) => {
      latency(t.latency, `${at}.trials[${j}].latency`, fail, LATENCY_KEYS);
      latency(t.latencyUncorrected, `${at}.trials[${j}].latencyUncorrected`, fail, LATENCY_KEYS);
    });
    if (Array.isArray(o.history)) {
      (o.history as Json[]).forEach((h, j) => {
        for (const k of ["throughput", "p50", "p99"]) numberOrNull(h, k, `${at}.history[${j}]`, fail);
      });
    }
    const summary = o.summary as Json | undefined;
    if (!summary) return;
    metric(summary.throughput, `${at}.summary.throughput`, fail);
    metric(summary.errorRate, `${at}.summary.errorRate`, fail);
    const lat = summary.latency as Json | undefined;
    if (lat !== undefined) {
      if (typeof lat !== "object" || lat === null) fail(`${at}.summary.latency`, "an object", lat);
      for (const k of SUMMARY_LATENCY_KEYS) metric(lat[k], `${at}.summary.latency.${k}`, fail);
    }
    const pooled = summary.pooled as Json | undefined;
    if (pooled && typeof pooled === "object")
      latency(pooled.latency, `${at}.summary.pooled.latency`, fail, SUMMARY_LATENCY_KEYS);
  });
}
