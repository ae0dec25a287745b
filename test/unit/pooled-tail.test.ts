import type { Histogram } from "hdr-histogram-js";
import { describe, expect, it } from "vitest";
import { stackResult } from "../../src/engine/prepare.js";
import { PhaseRecorder } from "../../src/load/recorder.js";
import { formatMs } from "../../src/report/format.js";
import { pooledLine, renderMarkdown } from "../../src/report/markdown.js";
import { runReport, runTable } from "../../src/report/terminal.js";
import { parseResultDocument } from "../../src/result/read.js";
import type { StackResult, Trial } from "../../src/result/types.js";
import { latencyStats, mergeHistograms, newHistogram, pooledSummary } from "../../src/stats/histogram.js";
import { median } from "../../src/stats/quantiles.js";
import { summarizeTrials } from "../../src/stats/summary.js";
import { MIN_RESPONSES_FOR_P99, responsesAboveP99, tailWarning } from "../../src/stats/tail.js";
import { around, result, trial } from "../support/results.js";

/** A µs histogram holding `count` copies of each value. */
function histogram(...groups: [us: number, count: number][]): Histogram {
  const h = newHistogram();
  for (const [us, count] of groups) h.recordValueWithCount(us, count);
  return h;
}

/** Deterministic pseudo-random latencies (µs), log-normal-ish, so buckets differ between trials. */
function latencies(seed: number, n: number): number[] {
  let x = seed;
  const next = () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
  return Array.from({ length: n }, () => Math.round(800 * Math.exp(1.2 * (next() + next() + next() - 1.5))));
}

describe("pooled percentiles", () => {
  it("equal the percentiles of the union of the trials' responses", () => {
    const a = latencies(1, 5000);
    const b = latencies(2, 3000).map((v) => v * 2);
    const ha = histogram(...a.map((v): [number, number] => [v, 1]));
    const hb = histogram(...b.map((v): [number, number] => [v, 1]));
    const union = histogram(...[...a, ...b].map((v): [number, number] => [v, 1]));
    const pooled = pooledSummary([ha, hb]);
    const u = latencyStats(union);
    expect(pooled).toEqual({
      trials: 2,
      requests: 8000,
      latency: { p50: u.p50, p90: u.p90, p99: u.p99, p999: u.p999, max: u.max },
    });
    // And within the histogram's 3 significant digits of the exact order statistic.
    const all = [...a, ...b].sort((x, y) => x - y);
    const exactP99 = all[Math.ceil(0.99 * all.length) - 1] / 1000;
    expect(Math.abs(pooled!.latency.p99 - exactP99) / exactP99).toBeLessThan(0.001);
    // The inputs are left as they were.
    expect(ha.totalCount).toBe(5000);
    expect(hb.totalCount).toBe(3000);
    expect(mergeHistograms([ha, hb]).totalCount).toBe(8000);
  });

  it("differ from the median of the trials' P99s when one trial holds the tail", () => {
    // Trial 1: 40 of 1,000 responses at 2 ms, so its P99 is 2 ms; trials 2 and 3: all at 1 ms.
    // (Below 2,048 µs the histogram is exact to the µs.)
    const hs = [histogram([1000, 960], [2000, 40]), histogram([1000, 1000]), histogram([1000, 1000])];
    const perTrial = hs.map((h) => latencyStats(h).p99);
    expect(perTrial).toEqual([2, 1, 1]);
    expect(median(perTrial)).toBe(1);
    // Pooled: 40 of 3,000 (1.3%) are at 2 ms, so the P99 of all responses is 2 ms.
    expect(pooledSummary(hs)?.latency.p99).toBe(2);
    expect(pooledSummary(hs)?.latency.p50).toBe(1);
  });

  it("are absent without histograms", () => {
    expect(pooledSummary(undefined)).toBeUndefined();
    expect(pooledSummary([])).toBeUndefined();
    const trials = [trial(0, 1000, 10), trial(1, 1000, 12)];
    expect(summarizeTrials(trials)).not.toHaveProperty("pooled");
    expect(summarizeTrials(trials, [histogram([1000, 10])]).pooled?.requests).toBe(10);
  });

  it("come from the recorders' histograms through stackResult", () => {
    const recorders = [new PhaseRecorder(), new PhaseRecorder()];
    for (let i = 0; i < 3000; i++) recorders[0].recordResponse(200, 1 + (i % 100) / 100);
    for (let i = 0; i < 3000; i++) recorders[1].recordResponse(200, 2);
    recorders[1].recordResponse(500, 1);
    const trials = recorders.map((r, i) => r.toTrial(i, 10));
    expect(trials[0].tail).toEqual({ p99: 30 });
    const r = stackResultOf(
      trials,
      recorders.map((x) => x.histogram),
    );
    expect(r.summary.pooled).toMatchObject({ trials: 2, requests: 6000, latency: { p50: 1.99, p99: 2, max: 2 } });
    expect(r.warnings).toEqual(["given"]);
  });
});

function stackResultOf(trials: Trial[], histograms?: Histogram[]): StackResult {
  const base = result(around(1000, 10, trials.length));
  return stackResult({
    stack: base.stack,
    workers: base.workers,
    environment: base.environment,
    target: "nginx",
    load: {
      connections: 10,
      rate: null,
      warmupSeconds: 1,
      durationSeconds: 10,
      trials: trials.length,
    } as Parameters<typeof stackResult>[0]["load"],
    trials,
    histograms,
    cpu: null,
    placement: base.placement,
    warnings: ["given"],
  });
}

describe("responses above the P99", () => {
  it("is requests minus the rank HdrHistogram reads the P99 at", () => {
    for (const n of [1, 99, 100, 101, 199, 200, 1210, 1999, 2000, 2001, 123_457]) {
      // Values 1..n µs, each once: the P99 value is its rank, so those above it are n − P99.
      const h = newHistogram();
      for (let v = 1; v <= Math.min(n, 2000); v++) h.recordValue(v);
      if (n <= 2000) expect(responsesAboveP99(n), `n = ${n}`).toBe(n - h.getValueAtPercentile(99));
      expect(responsesAboveP99(n)).toBe(Math.floor(n / 100));
    }
    expect(responsesAboveP99(0)).toBe(0);
  });
});

describe("P99 tail warning", () => {
  const withRequests = (index: number, requests: number, seconds = 10): Trial => ({
    ...trial(index, requests / seconds, 10),
    seconds,
    requests,
    tail: { p99: responsesAboveP99(requests) },
  });

  it("is null when every trial has at least 2,000 responses", () => {
    expect(MIN_RESPONSES_FOR_P99).toBe(2000);
    expect(tailWarning([withRequests(0, 2000), withRequests(1, 50_000)])).toBeNull();
    expect(tailWarning([])).toBeNull();
  });

  it("names the trial with the fewest responses and the duration for 2,000", () => {
    const w = tailWarning([withRequests(0, 2500), withRequests(1, 1210), withRequests(2, 3000)]);
    expect(w).toBe(
      "Trial 2 had 1,210 successful responses: its P99 rests on 12 responses above it, too few for a stable P99. " +
        "At 121 req/s a trial needs ≥ 17 s for ≥ 2,000 responses: use --duration 17 or more (stack file: load.duration; Action: duration).",
    );
  });

  it("just below the threshold, and counts the short trials", () => {
    const w = tailWarning([withRequests(0, 1999), withRequests(1, 1500), withRequests(2, 2000)]);
    expect(w).toMatch(
      /^Trial 2 had 1,500 successful responses: its P99 rests on 15 responses above it \(2 of 3 trials/,
    );
    expect(w).toMatch(/At 150 req\/s a trial needs ≥ 14 s/);
    expect(tailWarning([withRequests(0, 150)])).toMatch(/rests on 1 response above it/);
  });

  it("derives the count from requests for trials recorded without it, and skips trials without responses", () => {
    const old = { ...trial(0, 50, 10), requests: 500 };
    expect(old.tail).toBeUndefined();
    expect(tailWarning([old])).toMatch(/rests on 5 responses/);
    expect(tailWarning([{ ...trial(0, 0, 10), requests: 0 }])).toBeNull();
  });

  it("reaches the stack's warnings once through stackResult (so A/B sides get it too)", () => {
    const r = stackResultOf([withRequests(0, 800), withRequests(1, 900)]);
    expect(r.warnings).toHaveLength(2);
    expect(r.warnings[0]).toBe("given");
    expect(r.warnings[1]).toMatch(/^Trial 1 had 800 .* \(2 of 2 trials/);
    expect(r.summary).not.toHaveProperty("pooled");
  });
});

describe("Results with and without pooled percentiles", () => {
  const doc = (r: StackResult) =>
    JSON.stringify({ schemaVersion: 1, tool: { name: "loadgate", version: "0" }, createdAt: "", results: [r] });
  const withPooled = (r: StackResult): StackResult => ({
    ...r,
    summary: {
      ...r.summary,
      pooled: { trials: 5, requests: 50_000, latency: { p50: 3, p90: 8, p99: 24.5, p999: 40, max: 60 } },
    },
  });

  it("an older Result without pooled or tail still reads and renders", () => {
    const old = result(around(1000, 20));
    expect(old.summary).not.toHaveProperty("pooled");
    const read = parseResultDocument(doc(old), "old.json");
    expect(read.results[0].summary.pooled).toBeUndefined();
    expect(runTable(read.results)).not.toMatch(/pooled/);
    expect(pooledLine(read.results[0])).toBeUndefined();
  });

  it("a Result with pooled reads; a malformed one names the field", () => {
    const r = withPooled(result(around(1000, 20)));
    expect(parseResultDocument(doc(r), "new.json").results[0].summary.pooled?.latency.p99).toBe(24.5);
    const bad = { ...r, summary: { ...r.summary, pooled: { requests: 1, latency: { p50: "x" } } } };
    expect(() => parseResultDocument(doc(bad as unknown as StackResult), "bad.json")).toThrow(
      /summary\.pooled\.latency\.p50/,
    );
    const badTail = { ...r, trials: [{ ...r.trials[0], tail: {} }] };
    expect(() => parseResultDocument(doc(badTail as unknown as StackResult), "bad.json")).toThrow(
      /trials\[0\]\.tail\.p99/,
    );
  });

  it("shows the pooled P99 beside the median in the terminal and the Markdown", () => {
    const r = withPooled(result(around(1000, 20)));
    const lines = runTable([r]).split("\n");
    expect(lines[0]).toMatch(/P99 \(ms\)\s+P99 pooled \(ms\)\s+Throughput \(req\/s\)/);
    expect(lines[2]).toMatch(/\s(19|20)\.\d\s+24\.5\s+\d+/);
    expect(runReport([r])).toMatch(/P99 pooled: the P99 of all measured responses together/);
    const md = renderMarkdown(
      {
        title: "t",
        headline: "no-baseline",
        decidedBy: "d",
        stacks: [{ result: r, comparison: null, baselineLabel: null, baseline: null }],
      },
      "<!-- m -->",
    );
    expect(md).toContain(
      `P99 of all 5 trials' 50,000 responses pooled: 24.5 ms (median of the trials' P99s: ${formatMs(r.summary.latency.p99.median)} ms; P99.9 pooled: 40.0 ms).`,
    );
    expect(md).toMatch(/\| this PR \| pooled \|\s+\| 3\.00\s+\| 24\.5\s+\| 40\.0\s+\|/);
  });
});
