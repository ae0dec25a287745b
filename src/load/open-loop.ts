import { Agent, request } from "node:http";
import type { LoadPlan } from "../config/plan.js";
import type { LoadHooks, LoadOutcome } from "./closed-loop.js";
import { type Phase, phaseAt, totalSeconds } from "./phases.js";
import { PhaseRecorder } from "./recorder.js";

/**
 * Open-loop load at a uniform rate. Request i is due at t0 + i/rate whether or not earlier ones
 * have answered; at most `connections` are in flight and the rest wait for a connection. Latency
 * is measured from the due time, so a stall is charged to every request it delayed (no
 * coordinated omission); the latency from the actual write is kept beside it as "uncorrected".
 * autocannon's rate limit is a per-second budget and its correction assumes a 1 ms interval, so
 * it is not used here.
 */
export function runOpenLoop(url: string, load: LoadPlan, hooks: LoadHooks = {}): Promise<LoadOutcome> {
  const rate = load.rate!;
  const target = new URL(url);
  const schedule = { warmupSeconds: load.warmupSeconds, durationSeconds: load.durationSeconds, trials: load.trials };
  const total = totalSeconds(schedule);
  const warmup = new PhaseRecorder();
  const trials = Array.from({ length: load.trials }, () => new PhaseRecorder());
  const recorderFor = (phase: Phase) =>
    phase.kind === "warmup" ? warmup : phase.kind === "trial" ? trials[phase.index] : undefined;
  const agent = new Agent({ keepAlive: true, maxSockets: load.connections, maxFreeSockets: load.connections });
  const intervalMs = 1000 / rate;
  const timeoutMs = load.timeoutSeconds * 1000;

  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let sent = 0;
    let inFlight = 0;
    let okTotal = 0;
    let lastOk = 0;
    let lastTick = t0;
    let stopped = false;
    let settled = false;
    let pumpTimer: NodeJS.Timeout | undefined;
    let measureEndFired = false;

    const send = (dueAt: number) => {
      const rec = recorderFor(phaseAt((dueAt - t0) / 1000, schedule));
      const r = load.requests[sent % load.requests.length];
      let writtenAt = dueAt;
      inFlight++;
      let done = false;
      const finish = () => {
        if (done) return false;
        done = true;
        inFlight--;
        if (stopped && inFlight === 0) complete();
        return true;
      };
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: r.path,
          method: r.method,
          headers: r.body ? { ...r.headers, "content-length": Buffer.byteLength(r.body) } : r.headers,
        },
        (res) => {
          res.on("data", () => undefined);
          res.on("end", () => {
            if (!finish()) return;
            const now = performance.now();
            const status = res.statusCode ?? 0;
            rec?.recordResponse(status, now - dueAt);
            if (status >= 200 && status < 300) {
              rec?.recordUncorrected(now - writtenAt);
              okTotal++;
            }
          });
        },
      );
      req.on("socket", () => {
        writtenAt = performance.now();
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error("request timed out")));
      req.on("error", (err) => {
        if (finish()) rec?.recordError(err.message === "request timed out");
      });
      req.end(r.body);
      sent++;
    };

    const pump = () => {
      if (stopped) return;
      const now = performance.now();
      const end = t0 + total * 1000;
      for (let due = t0 + sent * intervalMs; due <= now && due < end; due = t0 + sent * intervalMs) send(due);
      const next = t0 + sent * intervalMs;
      if (next >= end) return;
      pumpTimer = setTimeout(pump, Math.max(0, next - performance.now()));
    };

    const complete = () => {
      if (settled) return;
      settled = true;
      clearInterval(ticker);
      clearTimeout(endTimer);
      clearTimeout(drainTimer);
      clearTimeout(pumpTimer);
      hooks.signal?.removeEventListener("abort", onAbort);
      agent.destroy();
      resolve({ trials: trials.map((r, i) => r.toTrial(i, load.durationSeconds)) });
    };
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      stopped = true;
      clearInterval(ticker);
      clearTimeout(endTimer);
      clearTimeout(drainTimer);
      clearTimeout(pumpTimer);
      hooks.signal?.removeEventListener("abort", onAbort);
      agent.destroy();
      reject(err);
    };
    const onAbort = () => fail(hooks.signal?.reason ?? new Error("aborted"));
    hooks.signal?.addEventListener("abort", onAbort);

    let drainTimer: NodeJS.Timeout | undefined;
    const warmupTimer = setTimeout(() => hooks.onMeasureStart?.(), load.warmupSeconds * 1000);
    const endTimer = setTimeout(() => {
      clearTimeout(warmupTimer);
      try {
        hooks.check?.();
      } catch (err) {
        fail(err);
        return;
      }
      measureEndFired = true;
      hooks.onMeasureEnd?.();
      stopped = true;
      clearTimeout(pumpTimer);
      if (inFlight === 0) complete();
      // Requests still in flight had their timeout; give them that long, no more.
      else drainTimer = setTimeout(complete, timeoutMs + 100);
    }, total * 1000);
    const ticker = setInterval(() => {
      try {
        hooks.check?.();
      } catch (err) {
        fail(err);
        return;
      }
      const now = performance.now();
      const e = (now - t0) / 1000;
      const phase = phaseAt(e, schedule);
      const rec = recorderFor(phase);
      if (rec) {
        hooks.onProgress?.({
          elapsedSeconds: e,
          totalSeconds: total,
          phase,
          rps: ((okTotal - lastOk) * 1000) / (now - lastTick),
          errors: rec.errors.total,
          p99: rec.currentP99(),
        });
      }
      lastOk = okTotal;
      lastTick = now;
    }, 1000);
    void measureEndFired;
    pump();
  });
}
