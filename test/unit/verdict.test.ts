import { describe, expect, it } from "vitest";
import { compareAbPairs, compareWithBaseline, decide, headlineOf } from "../../src/compare/verdict.js";
import { around, result, trial } from "../support/results.js";

const gate = { p99: 0.1, throughput: -0.05 };

describe("decide", () => {
  it("regression only when the whole interval is beyond the limit", () => {
    expect(decide(0.12, 0.2, 0.1)).toBe("regression");
    expect(decide(0.05, 0.15, 0.1)).toBe("inconclusive");
    expect(decide(-0.02, 0.04, 0.1)).toBe("pass");
    expect(decide(-0.3, -0.15, 0.1)).toBe("improvement");
  });
});

describe("compareWithBaseline", () => {
  it("the same numbers pass", () => {
    const c = compareWithBaseline(result(around(1000, 20)), result(around(1000, 20)), gate);
    expect(c.headline).toBe("pass");
    expect(c.metrics.find((m) => m.metric === "p99")!.verdict).toBe("pass");
    expect(c.notes.join(" ")).toMatch(/history has 0 baseline/);
  });
  it("P99 30% higher is a regression; throughput 20% lower too", () => {
    const c = compareWithBaseline(result(around(1000, 20)), result(around(800, 26)), gate);
    expect(c.headline).toBe("regression");
    const p99 = c.metrics.find((m) => m.metric === "p99")!;
    expect(p99.change).toBeCloseTo(0.3, 1);
    expect(p99.ci.lo).toBeGreaterThan(0.1);
    expect(c.metrics.find((m) => m.metric === "throughput")!.verdict).toBe("regression");
  });
  it("a change near the threshold is inconclusive", () => {
    const c = compareWithBaseline(result(around(1000, 20)), result(around(1000, 22)), gate);
    expect(c.metrics.find((m) => m.metric === "p99")!.verdict).toBe("inconclusive");
    expect(c.headline).toBe("inconclusive");
  });
  it("a much faster head is an improvement", () => {
    const c = compareWithBaseline(result(around(1000, 20)), result(around(1300, 12)), gate);
    expect(c.headline).toBe("improvement");
  });
  it("another environment is not compared: no-baseline with the reason", () => {
    const c = compareWithBaseline(result(around(1000, 20)), result(around(1000, 20), { postgresql: "16.4" }), gate);
    expect(c.headline).toBe("no-baseline");
    expect(c.reason).toContain("postgresql 15.18 → 16.4");
  });
  it("a noisy history widens the interval", () => {
    const history = [900, 1100, 950, 1050, 1000].map((t, i) => ({
      sha: `s${i}`,
      createdAt: "2026-01-01",
      throughput: t,
      p50: 5,
      p99: 20 * (t / 1000),
    }));
    const base = result(around(1000, 20));
    const head = result(around(1000, 21));
    const without = compareWithBaseline(base, head, gate).metrics.find((m) => m.metric === "p99")!;
    const withHistory = compareWithBaseline(base, head, gate, history).metrics.find((m) => m.metric === "p99")!;
    expect(withHistory.ci.hi - withHistory.ci.lo).toBeGreaterThan(without.ci.hi - without.ci.lo);
  });
});

describe("compareAbPairs", () => {
  it("pairs with a consistent 20% slowdown are a regression", () => {
    const pairs = Array.from({ length: 8 }, (_, i) => ({
      base: trial(i, 1000 + i * 7, 20 + (i % 3)),
      head: trial(i, (1000 + i * 7) * 0.8, (20 + (i % 3)) * 1.25),
    }));
    const c = compareAbPairs(pairs, gate);
    expect(c.headline).toBe("regression");
    expect(c.method).toBe("same-runner-ab");
  });
  it("A/A pairs with noise pass", () => {
    const noise = [0.02, -0.015, 0.01, -0.02, 0.005, -0.01, 0.015, -0.005];
    const pairs = noise.map((n, i) => ({ base: trial(i, 1000, 20), head: trial(i, 1000 * (1 + n), 20 * (1 - n)) }));
    expect(compareAbPairs(pairs, gate).headline).toBe("pass");
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
          verdict: "regression",
        },
      ]),
    ).toBe("pass");
  });
});
