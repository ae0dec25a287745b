// The load over several worker threads (load.threads > 1): each thread runs its share of the
// connections and, open loop, of the schedule (share.ts) with its own recorders; the main thread
// keeps the clock's hooks (warmup end, measure end), the liveness check, the watchdog and the
// progress line, and adds the threads' trials up exactly when they are done. Whatever ends the run
// (done, an error, Ctrl-C) terminates every thread before the promise settles.

import { Worker } from "node:worker_threads";
import type { LoadPlan } from "../config/plan.js";
import { StackError, UserError } from "../errors.js";
import type { Phase } from "./phases.js";
import { phaseRecorders } from "./recorder.js";
import { addWire, sharesOf } from "./share.js";
import type { StartMessage, StatusMessage, WorkerMessage, WorkerStart } from "./thread-messages.js";
import { type PhaseProgress, startTicker } from "./ticker.js";
import type { LoadHooks, LoadOutcome } from "./types.js";

/**
 * The worker: the bundle's dist/load-worker.js beside cli.js or main.js; from the source (tests,
 * scripts under tsx), the .ts file through tsx's loader, registered in the thread before the import.
 */
function workerSource(): { source: string | URL; eval: boolean } {
  const here = import.meta.url;
  if (!here.endsWith(".ts")) return { source: new URL("./load-worker.js", here), eval: false };
  const file = JSON.stringify(new URL("./load-worker.ts", here).href);
  return { source: `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${file}); });`, eval: true };
}

let live = 0;

/** Load worker threads of this process still running (0 once every run has settled). */
export function liveLoadThreads(): number {
  return live;
}

/** The error a thread reported, as the class the CLI turns into its exit code. */
function errorOf(m: { name: string; message: string }): Error {
  if (m.name === "UserError") return new UserError(m.message);
  if (m.name === "StackError") return new StackError(m.message);
  return new Error(m.message);
}

export async function runThreads(
  url: string,
  load: LoadPlan & { threads: number },
  hooks: LoadHooks,
): Promise<LoadOutcome> {
  const { source, eval: isCode } = workerSource();
  const workers = sharesOf(load.connections, load.threads).map((share) => {
    const data: WorkerStart = { url, load, share };
    const w = new Worker(source, { workerData: data, eval: isCode });
    live++;
    w.once("exit", () => live--);
    return w;
  });
  try {
    // The clock starts once every thread is loaded, so a thread's start-up is not charged to the service.
    await whenReady(workers, hooks.signal);
  } catch (err) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw err;
  }
  return drive(workers, load, hooks);
}

/** Resolves when every thread has said it is ready; rejects when one fails first or the run is aborted. */
function whenReady(workers: readonly Worker[], signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    let ready = 0;
    const onAbort = () => reject(signal?.reason ?? new Error("aborted"));
    signal?.addEventListener("abort", onAbort, { once: true });
    for (const w of workers) {
      w.once("message", (m: WorkerMessage) => {
        if (m.kind !== "ready")
          reject(m.kind === "error" ? errorOf(m) : new Error(`load thread: ${m.kind} before ready`));
        else if (++ready === workers.length) {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        }
      });
      w.once("error", reject);
      w.once("exit", (code) => reject(new Error(`a load thread stopped before the load began (exit code ${code}).`)));
    }
  });
}

/** Starts every thread on one clock and settles with their trials added up, or with the first failure. */
function drive(workers: readonly Worker[], load: LoadPlan, hooks: LoadHooks): Promise<LoadOutcome> {
  const phases = phaseRecorders(load);
  const statuses: (StatusMessage | undefined)[] = workers.map(() => undefined);
  const sent = workers.map(() => false);
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const timers: NodeJS.Timeout[] = [];
    let settled = false;
    let done = 0;
    // Settles once every thread has sent its trials and the main thread's clock has ended the measure.
    let ended = false;
    const settleIfDone = () => {
      if (ended && done === workers.length) finish(() => resolve(phases.outcome(undefined, workers.length)));
    };
    const finish = (then: () => void) => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      hooks.signal?.removeEventListener("abort", onAbort);
      // Every thread ends before the run settles: nothing of this run is left sending.
      void Promise.all(workers.map((w) => w.terminate())).then(then, then);
    };
    const fail = (err: unknown) => finish(() => reject(err));
    const onAbort = () => fail(hooks.signal?.reason ?? new Error("aborted"));
    hooks.signal?.addEventListener("abort", onAbort);
    workers.forEach((w, i) => {
      w.on("message", (m: WorkerMessage) => {
        if (m.kind === "status") statuses[i] = m;
        else if (m.kind === "error") fail(errorOf(m));
        else if (m.kind === "done") {
          for (const [k, wire] of m.trials.entries()) addWire(phases.trials[k], wire);
          sent[i] = true;
          done++;
          settleIfDone();
        }
      });
      w.on("error", fail);
      // A thread that has sent its trials may end by itself (nothing left in its event loop).
      w.on("exit", (code) => {
        if (!sent[i]) fail(new Error(`load thread ${i + 1} of ${workers.length} stopped early (exit code ${code}).`));
      });
      w.postMessage({ kind: "start", t0EpochMs: performance.timeOrigin + t0 } satisfies StartMessage);
    });
    timers.push(tickerOver(statuses, t0, load, hooks, fail, phases.schedule));
    timers.push(setTimeout(() => hooks.onMeasureStart?.(), load.warmupSeconds * 1000));
    const onEnd = () => {
      ended = measureEnd(hooks, fail);
      settleIfDone();
    };
    timers.push(setTimeout(onEnd, phases.total * 1000));
  });
}

/** The last trial has ended (the threads stop by their own clocks): the last check, the CPU snapshot. */
function measureEnd(hooks: LoadHooks, fail: (err: unknown) => void): boolean {
  try {
    hooks.check?.();
  } catch (err) {
    fail(err);
    return false;
  }
  hooks.onMeasureEnd?.();
  return true;
}

/** The main thread's ticker over the threads' latest statuses: errors add up, the live P99 is the highest thread's. */
function tickerOver(
  statuses: readonly (StatusMessage | undefined)[],
  t0: number,
  load: LoadPlan,
  hooks: LoadHooks,
  fail: (err: unknown) => void,
  schedule: ReturnType<typeof phaseRecorders>["schedule"],
): NodeJS.Timeout {
  const known = () => statuses.filter((s): s is StatusMessage => s !== undefined);
  const recorderFor = (phase: Phase): PhaseProgress | undefined => {
    const k = phase.kind === "warmup" ? 0 : phase.kind === "trial" ? phase.index + 1 : -1;
    if (k < 0) return undefined;
    const rows = known().map((s) => s.phases[k]);
    const p99s = rows.map((r) => r.p99).filter((p) => !Number.isNaN(p));
    const p99 = p99s.length === 0 ? Number.NaN : Math.max(...p99s);
    return { errors: { total: rows.reduce((a, r) => a + r.errors, 0) }, currentP99: () => p99 };
  };
  return startTicker({
    t0,
    schedule,
    recorderFor,
    okTotal: () => known().reduce((a, s) => a + s.okTotal, 0),
    check: hooks.check,
    onProgress: hooks.onProgress,
    fail,
    // The watchdog: progress in any thread is progress (until a thread's first status: the start).
    lastProgress: () => Math.max(t0, ...known().map((s) => s.lastProgressEpochMs - performance.timeOrigin)),
    requestTimeoutSeconds: load.timeoutSeconds,
    stalled: hooks.stalled,
  });
}
