import { describe, expect, it } from "vitest";
import { CAPACITY_DEFAULTS, capacityStep, type Probe, probePasses } from "../../src/capacity/search.js";

const limits = { sloP99Ms: 50, ...CAPACITY_DEFAULTS };

/** Runs the search against a constructed service: P99 within the SLO up to `knee` req/s, far above it beyond. */
function searchOver(closed: number, knee: number, l = limits) {
  const probes: Probe[] = [];
  for (;;) {
    const step = capacityStep(closed, probes, l);
    if ("capacity" in step) return { ...step, probes };
    const ok = step.next <= knee;
    const achieved = ok ? step.next : knee;
    const p99 = ok ? 10 : 900;
    probes.push({
      rate: step.next,
      achieved,
      p99,
      errors: 0,
      pass: probePasses(step.next, achieved, p99, 0, l.sloP99Ms),
    });
  }
}

describe("capacity at an SLO", () => {
  it("a probe passes only within the SLO, with no errors, serving what was asked", () => {
    expect(probePasses(1000, 1000, 49, 0, 50)).toBe(true);
    expect(probePasses(1000, 1000, 51, 0, 50)).toBe(false);
    expect(probePasses(1000, 1000, 10, 1, 50)).toBe(false);
    expect(probePasses(1000, 900, 10, 0, 50)).toBe(false); // fell behind
    expect(probePasses(1000, 1000, Number.NaN, 0, 50)).toBe(false);
  });
  it("brackets the knee within the resolution and answers the highest rate that passed", () => {
    const r = searchOver(2500, 2200);
    expect(r.capacity).toBeLessThanOrEqual(2200);
    expect(r.capacity).toBeGreaterThanOrEqual(2200 * (1 - CAPACITY_DEFAULTS.resolution) - 10);
    expect(r.probes.length).toBeLessThanOrEqual(CAPACITY_DEFAULTS.maxProbes);
    expect(r.reason).toMatch(/bracketed within 5%/);
  });
  it("respects the probe bound and the ceiling", () => {
    const few = searchOver(2500, 2200, { ...limits, maxProbes: 2 });
    expect(few.probes).toHaveLength(2);
    expect(few.reason).toMatch(/2 probes/);
    const easy = searchOver(1000, 1e9);
    expect(easy.capacity).toBe(1250);
    expect(easy.reason).toMatch(/ceiling/);
  });
  it("a service that never keeps the SLO has capacity 0, found by halving", () => {
    const r = searchOver(1000, 0.5);
    expect(r.capacity).toBe(0);
    expect(r.probes.every((p) => !p.pass)).toBe(true);
  });
});
