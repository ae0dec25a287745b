import autocannon from "autocannon";
import type { LoadPlan } from "../config/plan.js";
import { checkSocketRoom, openFileCount, openFileLimit, socketLimitError } from "./fd-limit.js";
import { phaseAt } from "./phases.js";
import { phaseRecorders } from "./recorder.js";
import { startTicker } from "./ticker.js";
import type { LoadHooks, LoadOutcome } from "./types.js";

/**
 * Closed-loop load (a fixed number of connections) with autocannon. Each response's latency
 * (fractional ms, from autocannon's `response` event) goes into our own µs histogram for the
 * phase in which it completed.
 */
export function runClosedLoop(url: string, load: LoadPlan, hooks: LoadHooks = {}): Promise<LoadOutcome> {
  const { schedule, total, recorderFor, outcome } = phaseRecorders(load);
  checkSocketRoom(load.connections);

  return new Promise((resolve, reject) => {
    let settled = false;
    let okTotal = 0;
    const t0 = performance.now();
    // Closed loop: every connection always has a request out, so only a response is progress.
    let lastProgress = t0;
    const elapsed = () => (performance.now() - t0) / 1000;
    const instance = autocannon(closedLoopOptions(url, load, total), () => undefined);
    instance.on("response", (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      lastProgress = performance.now();
      const r = recorderFor(phaseAt(elapsed(), schedule));
      if (!r) return;
      r.recordResponse(statusCode, responseTime);
      if (statusCode >= 200 && statusCode < 300) okTotal++;
    });
    instance.on("reqError", (err: NodeJS.ErrnoException) => {
      if (err.code === "EMFILE" || err.code === "ENFILE") {
        finish(socketLimitError(load.connections, openFileLimit(), openFileCount(), err.code));
        return;
      }
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
      else resolve(outcome());
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
      lastProgress: () => lastProgress,
      requestTimeoutSeconds: load.timeoutSeconds,
      stalled: hooks.stalled,
    });
    const warmupTimer = setTimeout(() => hooks.onMeasureStart?.(), load.warmupSeconds * 1000);
    // The last trial ends between ticks: finish exactly on time.
    const endTimer = setTimeout(() => endMeasure(hooks, finish), total * 1000);
  });
}

function closedLoopOptions(url: string, load: LoadPlan, total: number): autocannon.Options {
  return {
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
  } as autocannon.Options;
}

/** The last trial has ended: a last liveness check, then the outcome (or the check's error). */
function endMeasure(hooks: LoadHooks, finish: (err?: unknown) => void): void {
  try {
    hooks.check?.();
    hooks.onMeasureEnd?.();
    finish();
  } catch (err) {
    finish(err);
  }
}
