import { type Phase, phaseAt, type Schedule, totalSeconds } from "./phases.js";
import type { PhaseRecorder } from "./recorder.js";
import type { Progress } from "./types.js";

/**
 * Once a second: runs the liveness check (a dead component aborts the load) and reports progress
 * (requests per second over the last tick, errors and P99 so far in the current phase).
 */
export function startTicker(o: {
  t0: number;
  schedule: Schedule;
  recorderFor: (phase: Phase) => PhaseRecorder | undefined;
  okTotal: () => number;
  check?: () => void;
  onProgress?: (p: Progress) => void;
  fail: (err: unknown) => void;
}): NodeJS.Timeout {
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
    const elapsed = (now - o.t0) / 1000;
    const phase = phaseAt(elapsed, o.schedule);
    const rec = o.recorderFor(phase);
    const ok = o.okTotal();
    if (rec) {
      o.onProgress?.({
        elapsedSeconds: elapsed,
        totalSeconds: total,
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
