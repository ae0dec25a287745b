import type { CountedTrials } from "./counted.js";
import { type Phase, phaseAt, type Schedule, totalSeconds } from "./phases.js";
import type { Progress } from "./types.js";
import { stalledError, stallLimitSeconds } from "./watchdog.js";

/** What the progress line reads of a phase: a recorder, or (threads) the threads' recorders together. */
export interface PhaseProgress {
  readonly errors: { total: number };
  /** P99 so far in ms. */
  currentP99(): number;
}

/**
 * Once a second: runs the liveness check (a dead component aborts the load), the progress watchdog
 * (no response for stallLimitSeconds while requests are outstanding aborts it too) and reports progress
 * (requests per second over the last tick, errors and P99 so far in the current phase).
 */
export function startTicker(o: {
  t0: number;
  schedule: Schedule;
  recorderFor: (phase: Phase) => PhaseProgress | undefined;
  okTotal: () => number;
  check?: () => void;
  onProgress?: (p: Progress) => void;
  fail: (err: unknown) => void;
  /** The watchdog: the moment of the last progress (a completed response, or nothing outstanding). */
  lastProgress: () => number;
  requestTimeoutSeconds: number;
  stalled?: (seconds: number, requestTimeoutSeconds: number) => Error;
  /** Trials of a fixed number of requests: their phase and the run's length come from the count. */
  counted?: CountedTrials | null;
}): NodeJS.Timeout {
  const stallLimit = stallLimitSeconds(o.requestTimeoutSeconds);
  const total = totalSeconds(o.schedule);
  let lastOk = 0;
  let lastTick = o.t0;
  return setInterval(() => {
    try {
      o.check?.();
    } catch (err) {
      o.fail(err);
      return;
    }
    const now = performance.now();
    if (now - o.lastProgress() > stallLimit * 1000) {
      o.fail(o.stalled?.(stallLimit, o.requestTimeoutSeconds) ?? stalledError(stallLimit, o.requestTimeoutSeconds));
      return;
    }
    const elapsed = (now - o.t0) / 1000;
    const phase = o.counted ? o.counted.phaseAt(now) : phaseAt(elapsed, o.schedule);
    const rec = o.recorderFor(phase);
    const ok = o.okTotal();
    if (rec) {
      o.onProgress?.({
        elapsedSeconds: elapsed,
        totalSeconds: o.counted ? o.counted.estimateSeconds(now, o.schedule.warmupSeconds) : total,
        phase,
        rps: ((ok - lastOk) * 1000) / (now - lastTick),
        errors: rec.errors.total,
        p99: rec.currentP99(),
      });
    }
    lastOk = ok;
    lastTick = now;
  }, 1000);
}
