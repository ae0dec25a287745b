import { describe, expect, it } from "vitest";
import { planLooks } from "../../src/ab/looks.js";
import { replaySequential } from "../../src/ab/sequential.js";
import { errorRateOf } from "../../src/compare/error-rate.js";
import { DEFAULT_GATE } from "../../src/compare/gate.js";
import { headlineOf, isDecided } from "../../src/compare/metrics.js";
import { type AbPair, compareAbPairs } from "../../src/compare/pairs.js";
import { metricAlpha, minUnits } from "../../src/compare/risk.js";
import { decide } from "../../src/compare/rule.js";
import { ASSUMED_RUN_SD, PRIOR_RUNS } from "../../src/compare/stored.js";
import type { HistoryPoint, Trial } from "../../src/result/types.js";
import { studentTQuantile } from "../../src/stats/distributions.js";
import { compareWithBaseline } from "../../src/verdict/stored.js";
import { around, result, trial } from "../support/results.js";

const gate = { ...DEFAULT_GATE, p99: 0.1, throughput: -0.05, errorRate: 0.01 };
const metric = (c: ReturnType<typeof compareAbPairs>, m: string) => c.metrics.find((x) => x.metric === m)!;

describe("decide (badness: positive is worse)", () => {
  it("regression: the estimate beyond the limit and the interval excluding no change on the worse side", () => {
    expect(decide(0.15, 0.02, 0.3, 0.1)).toBe("regression");
    // The whole interval need not be beyond the limit: that rule needed a change far larger than the limit.
    expect(decide(0.12, 0.001, 0.25, 0.1)).toBe("regression");
  });
  it("inconclusive: beyond the limit but the interval includes no change", () => {
    expect(decide(0.15, -0.01, 0.3, 0.1)).toBe("inconclusive");
  });
  it("a significant change within the limit is not a regression", () => {
    expect(decide(0.05, 0.01, 0.09, 0.1)).toBe("pass");
    expect(decide(0.08, 0.01, 0.15, 0.1)).toBe("inconclusive");
  });
  it("pass: the worse end of the interval within the limit", () => {
    expect(decide(0.0, -0.05, 0.1, 0.1)).toBe("pass");
    expect(decide(0.0, -0.05, 0.1001, 0.1)).toBe("inconclusive");
  });
  it("improvement mirrors regression", () => {
    expect(decide(-0.15, -0.3, -0.02, 0.1)).toBe("improvement");
    expect(decide(-0.15, -0.3, 0.01, 0.1)).toBe("pass");
  });
  it("nothing is decided when the interval has not reached the level asked for", () => {
    expect(decide(0.5, 0.4, 0.6, 0.1, false)).toBe("inconclusive");
    expect(decide(0, -0.01, 0.01, 0.1, false)).toBe("inconclusive");
  });
});

describe("error split", () => {
  it("splits α over the tested metrics, stacks and looks", () => {
    expect(metricAlpha({ alpha: 0.05, stacks: 1, looks: 1 })).toBeCloseTo(0.025);
    expect(metricAlpha({ alpha: 0.05, stacks: 2, looks: 3 })).toBeCloseTo(0.05 / 12);
  });
  it("knows the fewest units an exact signed-rank interval needs", () => {
    expect(minUnits(0.025)).toBe(6); // 2^-6 = 0.0156
    expect(minUnits(0.05 / 6)).toBe(7); // 2^-7 = 0.0078
    expect(minUnits(0.0625)).toBe(4);
  });
});

describe("Student's t", () => {
  it("matches tabulated quantiles", () => {
    expect(studentTQuantile(0.975, 4)).toBeCloseTo(2.7764, 3);
    expect(studentTQuantile(0.975, 19)).toBeCloseTo(2.093, 3);
    expect(studentTQuantile(0.995, 1)).toBeCloseTo(63.657, 2);
    expect(studentTQuantile(0.025, 10)).toBeCloseTo(-2.2281, 3);
  });
});

function history(values: number[], p99 = 20): HistoryPoint[] {
  return values.map((t, i) => ({
    sha: `s${i}`,
    createdAt: "2026-01-01",
    throughput: t,
    p50: 5,
    p99: (p99 * 1000) / t,
  }));
}

const quiet = (n: number) => history(Array.from({ length: n }, (_, i) => 1000 * (1 + ((i % 5) - 2) * 0.004)));

describe("compareWithBaseline", () => {
  it("the same numbers pass when the limits are wider than the run-to-run spread", () => {
    const c = compareWithBaseline(
      result(around(1000, 20)),
      result(around(1000, 20)),
      { ...gate, p99: 0.3, throughput: -0.2 },
      quiet(19),
    );
    expect(c.headline).toBe("pass");
    expect(metric(c, "throughput").n).toBe(20);
    expect(c.notes.join(" ")).toMatch(/mean of 20 baselines/);
  });
  it("a prediction interval: the spread pooled with the assumed one, √(1 + 1/h), Student's t", () => {
    const pts = [900, 1100, 950, 1050, 1000];
    const c = compareWithBaseline(result(around(1000, 20)), result(around(1000, 20)), gate, history(pts.slice(0, 4)));
    const tp = metric(c, "throughput");
    const logs = pts.map(Math.log);
    const m = logs.reduce((a, b) => a + b) / logs.length;
    const ss = logs.reduce((a, v) => a + (v - m) ** 2, 0);
    const df = 4 + PRIOR_RUNS;
    const sd = Math.sqrt((ss + PRIOR_RUNS * ASSUMED_RUN_SD.throughput ** 2) / df);
    const half = studentTQuantile(1 - 0.025, df) * sd * Math.sqrt(1 + 1 / 5);
    expect(Math.log(1 + tp.ci.hi) - Math.log(1 + tp.change)).toBeCloseTo(half, 6);
    expect(tp.ci.confidence).toBeCloseTo(0.95, 9);
    expect(tp.requested).toBeCloseTo(0.95, 9);
  });
  it("without enough history only a large change is decided, and the note says the spread is assumed", () => {
    const small = compareWithBaseline(result(around(1000, 20)), result(around(900, 22)), gate);
    expect(small.headline).toBe("inconclusive");
    expect(small.notes.join(" ")).toMatch(/fewer than 5: the run-to-run spread is mostly assumed/);
    const large = compareWithBaseline(result(around(1000, 20)), result(around(500, 40)), gate);
    expect(large.headline).toBe("regression");
  });
  it("a 25% drop against a long quiet history is a regression; the same drop without history is not decided", () => {
    const c = compareWithBaseline(result(around(1000, 20)), result(around(750, 26)), gate, quiet(19));
    expect(metric(c, "throughput").verdict).toBe("regression");
    expect(c.headline).toBe("regression");
    const early = compareWithBaseline(result(around(1000, 20)), result(around(750, 20)), gate);
    expect(metric(early, "throughput").verdict).toBe("inconclusive");
  });
  it("a noisy history widens the interval", () => {
    const base = result(around(1000, 20));
    const head = result(around(1000, 21));
    const quiet = metric(compareWithBaseline(base, head, gate, history([990, 1010, 1000, 995, 1005])), "p99");
    const noisy = metric(compareWithBaseline(base, head, gate, history([800, 1200, 900, 1100, 1000])), "p99");
    expect(noisy.ci.hi - noisy.ci.lo).toBeGreaterThan(quiet.ci.hi - quiet.ci.lo);
  });
  it("another environment is not compared: no-baseline with the reason", () => {
    const c = compareWithBaseline(result(around(1000, 20)), result(around(1000, 20), { postgresql: "16.4" }), gate);
    expect(c.headline).toBe("no-baseline");
    expect(c.reason).toContain("postgresql 15.18 → 16.4");
  });
  it("a trial that served nothing is never dropped: throughput is a regression", () => {
    const head = result(around(1000, 20));
    for (const i of [1, 3]) {
      head.trials[i] = {
        ...head.trials[i],
        requests: 0,
        throughput: 0,
        errors: { connection: 0, timeouts: 0, non2xx: 500, total: 500 },
        errorRate: 1,
      };
    }
    const c = compareWithBaseline(result(around(1000, 20)), head, gate, history([990, 1010, 1000, 995, 1005]));
    expect(metric(c, "throughput").verdict).toBe("regression");
    expect(metric(c, "errorRate").verdict).toBe("regression");
    expect(c.headline).toBe("regression");
    expect(c.notes.join(" ")).toMatch(/2 of 5 trials served no successful response/);
  });
  it("an error rate above the gate's limit is a regression of its own", () => {
    const head = result(around(1000, 20));
    head.trials = head.trials.map((t) => ({
      ...t,
      errors: { connection: 0, timeouts: 0, non2xx: t.requests / 50, total: t.requests / 50 },
    }));
    const c = compareWithBaseline(result(around(1000, 20)), head, gate, history([990, 1010, 1000, 995, 1005]));
    const er = metric(c, "errorRate");
    expect(er.current).toBeCloseTo(1 / 51, 6);
    expect(er.verdict).toBe("regression");
    expect(metric(c, "throughput").verdict).not.toBe("regression");
    expect(c.headline).toBe("regression");
  });
});

describe("errorRateOf", () => {
  it("counts errors over all attempts; nothing at all is a full failure", () => {
    const t = (requests: number, errors: number): Trial => ({
      ...trial(0, requests / 10, 10),
      requests,
      errors: { connection: errors, timeouts: 0, non2xx: 0, total: errors },
    });
    expect(errorRateOf([t(90, 10), t(100, 0)])).toBeCloseTo(0.05);
    expect(errorRateOf([t(0, 0)])).toBe(1);
  });
});

/** A seeded generator (a linear congruential one) and normal noise from it. */
function rng(seed: number) {
  let s = seed >>> 0;
  const u = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

/** One block of two pairs with the noise measured on the project's 2-CPU machine: 5.8% per window, 2.6% per instance. */
function noisyBlock(gauss: () => number, block: number, drop: number, window = 0.058, instance = 0.026): AbPair[] {
  const ib = gauss() * instance;
  const ih = gauss() * instance;
  return [0, 1].map(() => {
    const tb = 1000 * Math.exp(ib + gauss() * window);
    const th = 1000 * (1 - drop) * Math.exp(ih + gauss() * window);
    return {
      base: trial(0, tb, (20 * 1000) / tb),
      head: trial(0, th, (20 * 1000) / th),
      block,
    };
  });
}

describe("compareAbPairs", () => {
  it("blocks with a consistent 20% slowdown are a regression", () => {
    const pairs = Array.from({ length: 16 }, (_, i) => ({
      base: trial(i, 1000 + i * 7, 20 + (i % 3)),
      head: trial(i, (1000 + i * 7) * 0.8, (20 + (i % 3)) * 1.25),
      block: Math.floor(i / 2),
    }));
    const c = compareAbPairs(pairs, gate);
    expect(c.headline).toBe("regression");
    expect(c.method).toBe("same-runner-ab");
    expect(metric(c, "throughput").n).toBe(8);
  });
  it("the block is the unit: 16 pairs in 2 blocks cannot decide anything, and say so", () => {
    const pairs = Array.from({ length: 16 }, (_, i) => ({
      base: trial(i, 1000, 20),
      head: trial(i, 700, 30),
      block: Math.floor(i / 8),
    }));
    const c = compareAbPairs(pairs, gate);
    expect(metric(c, "throughput").verdict).toBe("inconclusive");
    expect(metric(c, "throughput").ci.confidence).toBeLessThan(metric(c, "throughput").requested);
    expect(c.notes.join(" ")).toMatch(/16 pairs in 2 blocks.*needs 6 blocks/);
  });
  it("A/A blocks with small noise pass", () => {
    const noise = [0.02, -0.015, 0.01, -0.02, 0.005, -0.01, 0.015, -0.005, 0.01, -0.01, 0.0, 0.004];
    const pairs = noise.map((n, i) => ({
      base: trial(i, 1000, 20),
      head: trial(i, 1000 * (1 + n), 20 * (1 - n)),
      block: Math.floor(i / 2),
    }));
    expect(compareAbPairs(pairs, gate).headline).toBe("pass");
  });
  it("a head that served nothing is a regression, never a pass", () => {
    const pairs = Array.from({ length: 8 }, (_, i) => ({
      base: trial(i, 1000, 20),
      head: {
        ...trial(i, 0, 0),
        requests: 0,
        errors: { connection: 0, timeouts: 0, non2xx: 3000, total: 3000 },
        errorRate: 1,
      },
      block: Math.floor(i / 2),
    }));
    const c = compareAbPairs(pairs, gate);
    expect(c.headline).toBe("regression");
    expect(metric(c, "throughput").verdict).toBe("regression");
    expect(metric(c, "errorRate").verdict).toBe("regression");
  });
});

describe("planLooks", () => {
  it("starts looking when the exact test can decide and spreads the looks to the maximum", () => {
    const p = planLooks(8, 24);
    expect(p.blocks).toEqual([7, 10, 12]);
    expect(p.alphaEach).toBeCloseTo(0.05 / 6);
    expect(2 ** -p.blocks[0]).toBeLessThanOrEqual(p.alphaEach);
  });
  it("fewer looks when the range is short; more stacks need more blocks", () => {
    expect(planLooks(16, 16).blocks).toEqual([8]);
    expect(planLooks(8, 24, 2).blocks[0]).toBe(8);
  });
});

describe("the sequential stopping rule on synthetic pairs", () => {
  const plan = planLooks(8, 24);
  const runs = (drop: number, seeds: number) => {
    let regressions = 0;
    let blocks = 0;
    for (let seed = 1; seed <= seeds; seed++) {
      const gauss = rng(seed);
      const r = replaySequential((b) => noisyBlock(gauss, b, drop), plan, gate);
      if (r.comparison.headline === "regression") regressions++;
      blocks += r.blocks;
    }
    return { regressions, blocks: blocks / seeds };
  };
  it("keeps A/A false alarms within the stated level over many seeds", () => {
    const { regressions } = runs(0, 400);
    // The stated level is 5% one-sided for the run (all metrics, all looks); allow sampling error.
    expect(regressions / 400).toBeLessThanOrEqual(0.05);
  });
  it("stops at the first look when the shift is large", () => {
    const { regressions, blocks } = runs(0.3, 50);
    expect(regressions).toBe(50);
    expect(blocks).toBe(plan.blocks[0]);
  });
  it("is decided once a regression is found, or when every gated metric is decided", () => {
    const gauss = rng(7);
    const pairs = Array.from({ length: 12 }, (_, b) => noisyBlock(gauss, b, 0.3)).flat();
    expect(isDecided(compareAbPairs(pairs, gate))).toBe(true);
  });
});

describe("headlineOf", () => {
  it("ignores ungated metrics", () => {
    expect(
      headlineOf([
        {
          metric: "p50",
          gated: false,
          threshold: null,
          baseline: 1,
          current: 2,
          change: 1,
          ci: { lo: 1, hi: 1, confidence: 1 },
          requested: 0.95,
          n: 5,
          verdict: "regression",
        },
      ]),
    ).toBe("pass");
  });
});

describe("A/B pair flags", () => {
  it("--min-pairs is the fewest pairs, --max-pairs the most; defaults 8 and 24", async () => {
    const { parsePairs } = await import("../../src/ab/plan.js");
    expect(parsePairs(undefined, undefined)).toEqual({ minPairs: 8, maxPairs: 24 });
    expect(parsePairs("30", undefined)).toEqual({ minPairs: 30, maxPairs: 30 });
    expect(parsePairs("4", "40")).toEqual({ minPairs: 4, maxPairs: 40 });
    expect(() => parsePairs("10", "6")).toThrow("--max-pairs 6 is below --min-pairs 10");
    expect(() => parsePairs("1.5", undefined)).toThrow(
      '--min-pairs: a number of A/B pairs, a whole number from 2 to 200, got "1.5"',
    );
  });
});
