// Pure: the bounded search for capacity at an SLO: the highest open-loop rate at which P99 stays
// within the SLO with no failed request. "Increased throughput is only useful while latency is
// within an acceptable range": this is that number.

import { STACK_DEFAULTS } from "../config/stack-spec.js";

export interface Probe {
  /** Requests per second asked for (open loop). */
  rate: number;
  /** Requests per second served (successful responses). */
  achieved: number;
  p99: number;
  errors: number;
  pass: boolean;
}

export interface CapacityLimits {
  sloP99Ms: number;
  /** The search starts from the closed-loop throughput; it never asks for more than this × it. */
  ceilingFactor: number;
  /** Stop when the bracket [highest pass, lowest fail] is narrower than this share of its top. */
  resolution: number;
  maxProbes: number;
}

export const CAPACITY_DEFAULTS: Omit<CapacityLimits, "sloP99Ms"> = {
  ceilingFactor: 1.25,
  resolution: 0.05,
  maxProbes: STACK_DEFAULTS.capacityMaxProbes,
};

/**
 * A probe passes when its P99 is within the SLO, no request failed, and the stack served what was
 * asked (at least 95% of the rate: an open-loop client that falls behind measures less than it asks).
 */
export function probePasses(rate: number, achieved: number, p99: number, errors: number, sloP99Ms: number): boolean {
  return Number.isFinite(p99) && p99 <= sloP99Ms && errors === 0 && achieved >= 0.95 * rate;
}

export type CapacityStep = { next: number } | { capacity: number; reason: string };

/**
 * After the probes so far, the next rate to try (bisection between the highest rate that passed and
 * the lowest that failed, starting from the closed-loop throughput `closed`), or the answer.
 */
export function capacityStep(closed: number, probes: readonly Probe[], limits: CapacityLimits): CapacityStep {
  const passed = probes.filter((p) => p.pass).map((p) => p.rate);
  const failed = probes.filter((p) => !p.pass).map((p) => p.rate);
  const lo = passed.length ? Math.max(...passed) : 0;
  const ceiling = Math.max(1, closed * limits.ceilingFactor);
  const hi = failed.length ? Math.min(...failed) : ceiling;
  if (probes.length === 0) return { next: roundRate(Math.max(1, closed * 0.8)) };
  if (passed.length > 0 && !failed.length && lo >= ceiling - 1e-9) {
    return {
      capacity: lo,
      reason: `passed at ${Math.round(ceiling)} req/s, the search's ceiling (${limits.ceilingFactor} × the closed-loop throughput)`,
    };
  }
  if (hi - lo <= limits.resolution * hi) {
    return {
      capacity: lo,
      reason: `bracketed within ${Math.round(limits.resolution * 100)}%: passes at ${Math.round(lo)}, fails at ${Math.round(hi)} req/s`,
    };
  }
  if (probes.length >= limits.maxProbes) {
    return {
      capacity: lo,
      reason: `${limits.maxProbes} probes: passes at ${Math.round(lo)}, fails at ${Math.round(hi)} req/s`,
    };
  }
  // Nothing passed yet: halve downwards; else bisect (or step to the ceiling when nothing failed).
  const next = passed.length === 0 ? hi / 2 : failed.length === 0 ? ceiling : (lo + hi) / 2;
  if (next < 1) return { capacity: 0, reason: `even ${Math.round(hi)} req/s broke the SLO of ${limits.sloP99Ms} ms` };
  return { next: roundRate(next) };
}

function roundRate(r: number): number {
  return r >= 100 ? Math.round(r / 10) * 10 : Math.max(1, Math.round(r));
}
