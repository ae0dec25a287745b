import autocannon from "autocannon";
import type { LoadPlan } from "../config/plan.js";
import type { Trial } from "../result/types.js";
import { type Phase, phaseAt, totalSeconds } from "./phases.js";
import { PhaseRecorder } from "./recorder.js";
import { startTicker } from "./ticker.js";

export interface Progress {
  elapsedSeconds: number;
  totalSeconds: number;
  phase: Phase;
  /** Successful responses per second over the last tick. */
  rps: number;
  /** Errors so far in the current phase. */
  errors: number;
  /** P99 so far in the current phase, ms. */
  p99: number;
}

export interface LoadHooks {
  onProgress?: (p: Progress) => void;
  /** Called when the warmup ends and the first measured trial begins. */
  onMeasureStart?: () => void;
  /** Called when the last measured trial ends. */
  onMeasureEnd?: () => void;
  /** Called every tick; throw to abort the load (a component died). */
  check?: () => void;
  signal?: AbortSignal;
}

export interface LoadOutcome {
  trials: Trial[];
}

/**
 * Closed-loop load (a fixed number of connections) with autocannon. Each response's latency
 * (fractional ms, from autocannon's `response` event) goes into our own µs histogram for the
 * phase in which it completed.
 */
export function runClosedLoop(url: string, load: LoadPlan, hooks: LoadHooks = {}): Promise<LoadOutcome> {
  const schedule = { warmupSeconds: load.warmupSeconds, durationSeconds: load.durationSeconds, trials: load.trials };
  const total = totalSeconds(schedule);
  const warmup = new PhaseRecorder();
  const trials = Array.from({ length: load.trials }, () => new PhaseRecorder());
  const recorderFor = (phase: Phase) =>
    phase.kind === "warmup" ? warmup : phase.kind === "trial" ? trials[phase.index] : undefined;

  return new Promise((resolve, reject) => {
    let settled = false;
    let okTotal = 0;
    const t0 = performance.now();
    const elapsed = () => (performance.now() - t0) / 1000;
    const instance = autocannon(
      {
        url,
        connections: load.connections,
        // A hard bound on the load loop, whatever happens to our own timer.
        duration: Math.ceil(total) + 5,
        timeout: load.timeoutSeconds,
        requests: load.requests.map((r) => ({
          method: r.method as "GET",
          path: r.path,
          headers: r.headers,
          body: r.body,
        })),
        // We keep our own histograms; autocannon's are whole milliseconds.
        skipAggregateResult: true,
      } as autocannon.Options,
      () => undefined,
    );
    instance.on("response", (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      const r = recorderFor(phaseAt(elapsed(), schedule));
      if (!r) return;
      r.recordResponse(statusCode, responseTime);
      if (statusCode >= 200 && statusCode < 300) okTotal++;
    });
    instance.on("reqError", (err: Error) => {
      recorderFor(phaseAt(elapsed(), schedule))?.recordError(err.message === "request timed out");
    });
    const finish = (err?: unknown) => {
      if (settled) return;
      settled = true;
      clearInterval(ticker);
      clearTimeout(endTimer);
      clearTimeout(warmupTimer);
      hooks.signal?.removeEventListener("abort", onAbort);
      instance.stop();
      if (err) reject(err);
      else resolve({ trials: trials.map((r, i) => r.toTrial(i, load.durationSeconds)) });
    };
    const onAbort = () => finish(hooks.signal?.reason ?? new Error("aborted"));
    hooks.signal?.addEventListener("abort", onAbort);
    const ticker = startTicker({
      t0,
      schedule,
      recorderFor,
      okTotal: () => okTotal,
      check: hooks.check,
      onProgress: hooks.onProgress,
      fail: finish,
    });
    const warmupTimer = setTimeout(() => hooks.onMeasureStart?.(), load.warmupSeconds * 1000);
    // The last trial ends between ticks: finish exactly on time.
    const endTimer = setTimeout(() => {
      try {
        hooks.check?.();
        hooks.onMeasureEnd?.();
        finish();
      } catch (err) {
        finish(err);
      }
    }, total * 1000);
  });
}
