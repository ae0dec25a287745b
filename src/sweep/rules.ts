// Pure: the study's method for choosing a worker count. Start at one worker and raise the count
// until throughput stops improving by more than the noise (or P99 gets worse), within an upper
// bound and a time budget; use the best count seen.

export interface SweepPoint {
  workers: number;
  throughput: number;
  p99: number;
  /** Wall seconds this point took (bringing the stack up and down included). */
  seconds: number;
}

export interface SweepLimits {
  maxWorkers: number;
  budgetSeconds: number;
  /** Throughput must grow by more than this share to count as an improvement. */
  noise: number;
  /** P99 worse than the best point's by more than this share stops the sweep. */
  p99Noise: number;
}

/**
 * The noise a sweep point must beat: throughput and P99 of one short trial on a fresh stack vary by
 * about this much (bench/noise.mjs: throughput CV 7.8%, P99 10.7% between fresh stacks on a 2-CPU
 * VM; the stored runs of bench/gate-power: P99 16.1%).
 */
export const SWEEP_NOISE = 0.08;
export const SWEEP_P99_NOISE = 0.17;

/** The counts tried, in order: 1, 2, 3, 4, then 6, 8, 12, 16, 24, 32, … (powers of two and the halves between), up to max. */
export function sweepSequence(max: number): number[] {
  const out: number[] = [];
  const next = (w: number) => (w < 4 ? w + 1 : (w & (w - 1)) === 0 ? (w * 3) / 2 : (w * 4) / 3);
  for (let w = 1; w <= Math.max(1, max); w = next(w)) out.push(w);
  return out;
}

export type SweepStep = { next: number } | { chosen: number; reason: string };

/** The point with the highest throughput; between equal ones, the fewer workers. */
export function bestPoint(points: readonly SweepPoint[]): SweepPoint {
  return points.reduce((b, p) => (p.throughput > b.throughput ? p : b));
}

/** What to do after the points measured so far (in sequence order), `elapsed` seconds into the sweep. */
export function sweepStep(points: readonly SweepPoint[], limits: SweepLimits, elapsed: number): SweepStep {
  const seq = sweepSequence(limits.maxWorkers);
  if (points.length === 0) return { next: seq[0] };
  const last = points[points.length - 1];
  const before = points.slice(0, -1);
  const done = (reason: string): SweepStep => ({ chosen: bestPoint(points).workers, reason });
  if (before.length > 0) {
    const prior = bestPoint(before);
    if (!(last.throughput > prior.throughput * (1 + limits.noise))) {
      return done(
        `${last.workers} workers did not raise throughput by more than ${Math.round(limits.noise * 100)}% over ${prior.workers}`,
      );
    }
    if (last.p99 > prior.p99 * (1 + limits.p99Noise)) {
      return done(
        `P99 got worse at ${last.workers} workers (${last.p99.toFixed(1)} ms against ${prior.p99.toFixed(1)} ms at ${prior.workers})`,
      );
    }
  }
  const next = seq.find((w) => w > last.workers);
  if (next === undefined) return done(`reached the upper bound of ${limits.maxWorkers} workers`);
  if (elapsed + last.seconds > limits.budgetSeconds) {
    return done(`the time budget of ${limits.budgetSeconds} s would be exceeded by another point`);
  }
  return { next };
}
