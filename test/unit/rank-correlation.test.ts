import { describe, expect, it } from "vitest";
import { averageRanks, spearman } from "../../src/stats/rank-correlation.js";

describe("averageRanks", () => {
  it("ranks from 1, ties sharing the mean of the ranks they span", () => {
    expect(averageRanks([30, 10, 20])).toEqual([3, 1, 2]);
    expect(averageRanks([31, 32, 32, 33])).toEqual([1, 2.5, 2.5, 4]);
    expect(averageRanks([5, 5, 5])).toEqual([2, 2, 2]);
    expect(averageRanks([2, 1, 2, 1, 3])).toEqual([3.5, 1.5, 3.5, 1.5, 5]);
  });
});

describe("spearman", () => {
  it("is 1 for the same order and −1 for the opposite, whatever the values", () => {
    expect(spearman([1, 2, 3, 4], [10, 200, 3000, 40000])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
  });

  it("equals 1 − 6 Σd² / (n (n² − 1)) without ties", () => {
    const x = [86, 97, 99, 100, 101, 103, 106, 110, 112, 113];
    const y = [0, 20, 28, 27, 50, 29, 7, 17, 6, 12];
    // Ranks of y: 1, 6, 8, 7, 10, 9, 3, 5, 2, 4; d = 0, −4, −5, −3, −5, −3, 4, 3, 7, 6; Σd² = 194.
    expect(spearman(x, y)).toBeCloseTo(1 - (6 * 194) / (10 * 99), 12);
  });

  it("handles ties as Pearson's correlation of the average ranks", () => {
    // Ranks 1, 2.5, 2.5, 4 against 1, 2, 3, 4: covariance 4.5, variances 4.5 and 5 → √0.9.
    expect(spearman([31, 32, 32, 33], [1, 2, 3, 4])).toBeCloseTo(Math.sqrt(0.9), 12);
    expect(spearman([1, 1, 2, 2], [1, 1, 2, 2])).toBeCloseTo(1, 12);
    expect(spearman([1, 1, 2, 2], [2, 2, 1, 1])).toBeCloseTo(-1, 12);
  });

  it("is NaN with no order to compare: fewer than two pairs, one side all ties, a value not finite", () => {
    expect(spearman([], [])).toBeNaN();
    expect(spearman([1], [2])).toBeNaN();
    expect(spearman([3, 3, 3], [1, 2, 3])).toBeNaN();
    expect(spearman([1, 2, Number.NaN], [1, 2, 3])).toBeNaN();
    expect(() => spearman([1, 2], [1])).toThrow(/2 values against 1/);
  });
});
