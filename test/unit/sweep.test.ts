import { describe, expect, it } from "vitest";
import { type SweepLimits, type SweepPoint, sweepSequence, sweepStep } from "../../src/sweep/rules.js";

const limits: SweepLimits = { maxWorkers: 16, budgetSeconds: 120, noise: 0.08, p99Noise: 0.17 };
const pt = (workers: number, throughput: number, p99 = 40, seconds = 8): SweepPoint => ({
  workers,
  throughput,
  p99,
  seconds,
});

/** Runs the sweep over a constructed throughput curve (workers → req/s), as the engine would. */
function sweepOver(curve: (w: number) => { throughput: number; p99?: number }, l = limits) {
  const points: SweepPoint[] = [];
  let elapsed = 0;
  for (;;) {
    const step = sweepStep(points, l, elapsed);
    if ("chosen" in step) return { ...step, tried: points.map((p) => p.workers) };
    const m = curve(step.next);
    points.push(pt(step.next, m.throughput, m.p99 ?? 40));
    elapsed += 8;
  }
}

describe("the worker sweep", () => {
  it("tries 1, 2, 3, 4, then about ×1.5, up to the bound", () => {
    expect(sweepSequence(16)).toEqual([1, 2, 3, 4, 6, 8, 12, 16]);
    expect(sweepSequence(5)).toEqual([1, 2, 3, 4]);
    expect(sweepSequence(1)).toEqual([1]);
  });
  it("stops at the knee: the first count that does not beat the best by more than the noise, and uses the best", () => {
    // Rises until 6 workers, flat after.
    const knee = sweepOver((w) => ({ throughput: Math.min(w, 6) * 500 }));
    expect(knee.tried).toEqual([1, 2, 3, 4, 6, 8]);
    expect(knee.chosen).toBe(6);
    expect(knee.reason).toMatch(/8 workers did not raise throughput by more than 8% over 6/);
    // A small gain within the noise is not a gain worth raising the count further for; the best
    // count measured (the highest throughput) is used.
    const flat = sweepOver((w) => ({ throughput: 1000 * (1 + 0.05 * w) }));
    expect(flat.tried).toEqual([1, 2]);
    expect(flat.chosen).toBe(2);
  });
  it("stops when P99 gets worse, and keeps the better count", () => {
    const r = sweepOver((w) => ({ throughput: w * 1000, p99: w >= 4 ? 80 : 40 }));
    expect(r.tried).toEqual([1, 2, 3, 4]);
    expect(r.chosen).toBe(4);
    expect(r.reason).toMatch(/P99 got worse at 4 workers/);
  });
  it("respects the upper bound and the time budget", () => {
    const bound = sweepOver((w) => ({ throughput: w * 1000 }), { ...limits, maxWorkers: 4 });
    expect(bound.tried).toEqual([1, 2, 3, 4]);
    expect(bound.chosen).toBe(4);
    expect(bound.reason).toMatch(/upper bound of 4 workers/);
    const budget = sweepOver((w) => ({ throughput: w * 1000 }), { ...limits, budgetSeconds: 20 });
    expect(budget.tried).toEqual([1, 2]);
    expect(budget.reason).toMatch(/time budget of 20 s/);
  });
  it("a count that serves nothing ends the sweep without being chosen", () => {
    const r = sweepOver((w) => ({ throughput: w >= 3 ? 0 : w * 1000, p99: w >= 3 ? Number.NaN : 40 }));
    expect(r.chosen).toBe(2);
  });
});
