import { describe, expect, it } from "vitest";
import { mannWhitneyCdf, pairedShift, signedRankCdf, twoSampleShift } from "../../src/stats/rank-tests.js";

describe("exact null distributions", () => {
  it("Mann–Whitney U for m = n = 5 matches the table (P(U ≤ 2) = 0.0079)", () => {
    const cdf = mannWhitneyCdf(5, 5);
    expect(cdf).toHaveLength(26);
    expect(cdf[0]).toBeCloseTo(1 / 252, 10);
    expect(cdf[2]).toBeCloseTo(4 / 252, 10);
    expect(cdf[25]).toBeCloseTo(1, 12);
  });
  it("Wilcoxon signed rank for n = 5: smallest one-sided p is 2^-5", () => {
    const cdf = signedRankCdf(5);
    expect(cdf[0]).toBeCloseTo(1 / 32, 12);
    expect(cdf[15]).toBeCloseTo(1, 12);
    // n = 10, P(W ≤ 8) = 0.02441 (standard table: critical value 8 at α = 0.05 two-sided)
    expect(signedRankCdf(10)[8]).toBeCloseTo(25 / 1024, 6);
  });
});

describe("Hodges–Lehmann shifts", () => {
  it("recovers a known shift between two samples", () => {
    const a = [10, 11, 12, 13, 14];
    const b = a.map((x) => x + 5);
    const s = twoSampleShift(a, b);
    expect(s.estimate).toBe(5);
    expect(s.lo).toBeLessThanOrEqual(5);
    expect(s.hi).toBeGreaterThanOrEqual(5);
    expect(s.confidence).toBeGreaterThanOrEqual(0.95);
  });
  it("paired: Walsh-average median and an interval that excludes 0 for a consistent shift", () => {
    const s = pairedShift([0.1, 0.12, 0.09, 0.11, 0.1, 0.13]);
    expect(s.estimate).toBeCloseTo(0.11, 10); // 11th of the 21 Walsh averages
    expect(s.lo).toBeGreaterThan(0);
    expect(s.confidence).toBeGreaterThanOrEqual(0.95);
  });
  it("paired with 5 pairs at 95%: the full range, with its true coverage 1 - 2/32", () => {
    const s = pairedShift([1, 2, 3, 4, 5]);
    expect(s.lo).toBe(1);
    expect(s.hi).toBe(5);
    expect(s.confidence).toBeCloseTo(1 - 2 / 32, 10);
  });
});
