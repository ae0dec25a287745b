import { describe, expect, it } from "vitest";
import { binomialHalfCdf, cv, mean, median, medianInterval, stdev } from "../../src/stats/quantiles.js";

describe("median, mean, stdev", () => {
  it("handles odd and even counts", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(Number.isNaN(median([]))).toBe(true);
  });
  it("computes the sample standard deviation", () => {
    expect(mean([2, 4, 4, 4, 5, 5, 7, 9])).toBe(5);
    expect(stdev([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(2.138, 3);
    expect(cv([10, 10, 10])).toBe(0);
  });
});

describe("binomialHalfCdf", () => {
  it("matches known binomial values", () => {
    expect(binomialHalfCdf(0, 5)).toBeCloseTo(1 / 32, 12);
    expect(binomialHalfCdf(2, 5)).toBeCloseTo(0.5, 12);
    expect(binomialHalfCdf(5, 10)).toBeCloseTo(0.623046875, 12);
  });
});

describe("medianInterval", () => {
  it("uses min and max with their real coverage when n is too small for 95%", () => {
    const ci = medianInterval([5, 1, 4, 2, 3]);
    expect(ci).toEqual({ lo: 1, hi: 5, confidence: 1 - 2 / 32 });
  });
  it("narrows to the order statistics that keep 95% coverage", () => {
    const values = Array.from({ length: 20 }, (_, i) => i + 1);
    const ci = medianInterval(values);
    // For n = 20 the 95% distribution-free interval is [x(6), x(15)] (coverage 0.9586).
    expect(ci.lo).toBe(6);
    expect(ci.hi).toBe(15);
    expect(ci.confidence).toBeCloseTo(0.9586, 4);
  });
  it("covers the true median about 95% of the time on a known distribution", () => {
    // Exponential(1): median ln 2. A seeded LCG keeps the test deterministic.
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    let covered = 0;
    const runs = 2000;
    for (let r = 0; r < runs; r++) {
      const sample = Array.from({ length: 15 }, () => -Math.log(1 - rand()));
      const ci = medianInterval(sample);
      if (ci.lo <= Math.LN2 && Math.LN2 <= ci.hi) covered++;
    }
    const expected = medianInterval(Array.from({ length: 15 }, (_, i) => i)).confidence;
    expect(covered / runs).toBeGreaterThan(expected - 0.02);
    expect(covered / runs).toBeLessThan(expected + 0.02);
  });
});
