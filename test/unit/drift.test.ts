import { describe, expect, it } from "vitest";
import { detectSeries, detectStack, MIN_EFFECT, MIN_POINTS, newChangePoints } from "../../src/drift/detect.js";
import { bestSplit, eDivisive, seededRandom } from "../../src/drift/e-divisive.js";
import { type MetricName, type SeriesPoint, type StackSeries, seriesFromBranch } from "../../src/drift/series.js";
import { formatLevel } from "../../src/report/drift-text.js";
import type { WorkRecord } from "../../src/result/types.js";
import { shaOf, steppedHistory } from "../support/drift-history.js";

/** A series of `levels` (one value per point) with seeded log-normal noise of relative SD `sd`. */
function series(levels: number[], sd: number, seed = 7): SeriesPoint[] {
  const random = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return levels.map((level, i) => ({
    sha: `c${String(i).padStart(2, "0")}${"0".repeat(37)}`,
    createdAt: new Date(Date.UTC(2025, 0, 1 + i)).toISOString(),
    value: level * Math.exp(sd * normal()),
  }));
}

const flat = (n: number, level: number) => Array<number>(n).fill(level);

describe("E-divisive means", () => {
  it("places the best split at a clean step", () => {
    expect(bestSplit([1, 1, 1, 1, 1, 2, 2, 2, 2, 2])?.at).toBe(5);
  });

  it("gives the same answer every time (fixed-seed shuffles)", () => {
    const x = series([...flat(12, 100), ...flat(12, 120)], 0.03).map((p) => Math.log(p.value));
    expect(eDivisive(x)).toEqual(eDivisive(x));
  });
});

describe("detectSeries", () => {
  it("finds one step: its place, its commits, its levels and size with an interval", () => {
    const pts = series([...flat(15, 10), ...flat(15, 11.5)], 0.03);
    const d = detectSeries("p99", pts);
    expect(d.changePoints).toHaveLength(1);
    const c = d.changePoints[0];
    expect(c.index).toBe(15);
    expect(c.before.sha).toBe(pts[14].sha);
    expect(c.after.sha).toBe(pts[15].sha);
    expect(c.levelBefore).toBeCloseTo(10, 0);
    expect(c.levelAfter).toBeCloseTo(11.5, 0);
    expect(c.change.estimate).toBeGreaterThan(0.1);
    expect(c.change.lo).toBeLessThan(0.15);
    expect(c.change.hi).toBeGreaterThan(0.15);
    expect(c.change.lo).toBeGreaterThan(0.05);
    expect(c.worse).toBe(true);
    expect(c.p).toBeLessThanOrEqual(0.01);
  });

  it("finds two steps", () => {
    const d = detectSeries("throughput", series([...flat(12, 1000), ...flat(12, 800), ...flat(12, 1000)], 0.03));
    expect(d.changePoints.map((c) => c.index)).toEqual([12, 24]);
    expect(d.changePoints.map((c) => c.worse)).toEqual([true, false]);
  });

  it("finds none in a flat series", () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      expect(detectSeries("p99", series(flat(30, 10), 0.05, seed)).changePoints).toEqual([]);
    }
  });

  it("takes one outlier for no step", () => {
    const levels = flat(25, 10);
    levels[12] = 30;
    expect(detectSeries("p99", series(levels, 0.03)).changePoints).toEqual([]);
    levels[12] = 10;
    levels[24] = 30;
    expect(detectSeries("p99", series(levels, 0.03)).changePoints).toEqual([]);
  });

  it("says so, without a crash, when the series is too short", () => {
    for (const n of [0, 1, MIN_POINTS - 1]) {
      const d = detectSeries("p50", series(flat(n, 5), 0.01));
      expect(d.changePoints).toEqual([]);
      expect(d.tooFew).toMatch(/point\(s\); a change point needs 4 on each side/);
    }
    expect(detectSeries("p50", series(flat(MIN_POINTS, 5), 0.01)).tooFew).toBeUndefined();
  });

  it("drops a real step below the minimum effect of its kind; a count's 1.5% step is reported", () => {
    // Nearly noise-free, as instructions per request are (SD 0.013%): the 1.5% step is certain.
    const levels = [...flat(12, 1_000_000), ...flat(12, 1_015_000)];
    const counts = detectSeries("instructions", series(levels, 0.00013));
    expect(counts.changePoints).toHaveLength(1);
    expect(counts.changePoints[0].change.estimate).toBeCloseTo(0.015, 3);
    // The same 1.5% in P99 (minimum 10%) is significant but not reported.
    expect(detectSeries("p99", series(levels, 0.00013)).changePoints).toEqual([]);
    expect(MIN_EFFECT.instructions).toBeLessThan(MIN_EFFECT.p99);
  });
});

describe("newChangePoints", () => {
  function stack(metric: MetricName, pts: SeriesPoint[]): StackSeries {
    const s: StackSeries = {
      stack: "s",
      source: "x",
      notes: [],
      series: {
        throughput: [],
        p50: [],
        p99: [],
        instructions: [],
        statements: [],
        rows: [],
        pages: [],
        connections: [],
      },
    };
    s.series[metric] = pts;
    return s;
  }

  it("reports a step once, when the newest point makes it show, and not at the next baseline", () => {
    const pts = series([...flat(16, 10), ...flat(8, 12)], 0.02);
    // The step shows once 4 points follow it.
    expect(newChangePoints(stack("p99", pts.slice(0, 19)))).toEqual([]);
    const first = newChangePoints(stack("p99", pts.slice(0, 20)));
    expect(first.map((c) => c.index)).toEqual([16]);
    expect(newChangePoints(stack("p99", pts.slice(0, 21)))).toEqual([]);
    expect(newChangePoints(stack("p99", pts))).toEqual([]);
  });
});

describe("series from a data-branch history", () => {
  it("takes the timings of the newest environment and finds the step with its commits", () => {
    const h = steppedHistory("demo", 16, 10, 1.3);
    // An older baseline from another runner is left out, and said so.
    h.entries.unshift({ ...steppedHistory("demo", 1, 0, 1, "Other CPU").entries[0], sha: "f".repeat(40) });
    const s = seriesFromBranch(h, "file.json");
    expect(s.series.p99).toHaveLength(16);
    expect(s.series.instructions).toEqual([]);
    expect(s.notes.join(" ")).toMatch(/1 of 17 timed baselines left out: another environment/);
    const d = detectStack(s);
    const p99 = d.series.find((x) => x.metric === "p99")!;
    expect(p99.changePoints.map((c) => [c.before.sha, c.after.sha])).toEqual([[shaOf(9), shaOf(10)]]);
    expect(d.series.find((x) => x.metric === "throughput")!.changePoints).toEqual([]);
  });
});

describe("work counts as series", () => {
  /** A work record of `statements` per request (rows and pages follow, connections none). */
  function work(statements: number, dataHash = "d1"): WorkRecord {
    const counts = {
      statements,
      control: 0,
      nested: 0,
      rows: statements,
      pages: statements * 3,
      transactions: 1,
      connections: 0,
      serverConnections: 0,
      responseBytes: 48,
    };
    return {
      chunkRequests: 50,
      chunks: [counts, counts, counts, counts],
      perRequest: counts,
      spread: {},
      statements: [],
      statementsOmitted: 0,
      unavailable: {},
      postgresMajor: 15,
      dataHash,
      seconds: 1,
      warnings: [],
    };
  }

  it("finds the commit where statements per request stepped (an N+1), across runners, on the same data only", () => {
    const h = steppedHistory("demo", 16, 99, 1);
    h.entries.forEach((e, i) => {
      e.result.work = work(i >= 10 ? 11 : 1);
      // Timings from other runners: work counts do not depend on the CPU.
      if (i % 2 === 0) e.result.environment = { ...e.result.environment, id: `other-${i}` };
    });
    // A count on other data (another seed) is another series: left out, and said so.
    h.entries[0].result.work = work(5, "d0");
    const s = seriesFromBranch(h, "file.json");
    expect(s.series.statements).toHaveLength(15);
    expect(s.series.connections).toEqual([]);
    expect(s.notes.join(" ")).toMatch(/1 of 16 work counts left out: another schema, seed, setup or PostgreSQL major/);
    const d = detectStack(s);
    const statements = d.series.find((x) => x.metric === "statements")!;
    expect(statements.changePoints.map((c) => [c.before.sha, c.after.sha])).toEqual([[shaOf(9), shaOf(10)]]);
    expect(statements.changePoints[0].change.estimate).toBeCloseTo(10, 5);
    expect(formatLevel("statements", 11)).toBe("11.00");
  });
});
