import type { LoadPlan } from "../config/plan.js";
import { checkSocketRoom, openFileCount, openFileLimit, socketLimitError } from "./fd-limit.js";
import { HttpConnection, requestBuffer } from "./http-connection.js";
import { phaseAt } from "./phases.js";
import { phaseRecorders } from "./recorder.js";
import { startTicker } from "./ticker.js";
import type { LoadHooks, LoadOutcome } from "./types.js";

/**
 * Drives load with loadgate's own lean HTTP/1.1 connections.
 * Closed loop (rate null): each connection sends its next request as soon as the last one answered;
 * a response counts in the phase in which it completed.
 * Open loop (rate R): request i is due at t0 + i/R; due requests wait for a free connection, and
 * latency runs from the due time (corrected for coordinated omission), with the latency from the
 * actual write kept as "uncorrected"; a response counts in the phase in which it was due.
 */
export function runLoad(url: string, load: LoadPlan, hooks: LoadHooks = {}): Promise<LoadOutcome> {
  const target = new URL(url);
  const host = target.hostname.replace(/^\[|\]$/g, "");
  const port = Number(target.port || 80);
  const buffers = load.requests.map((r) => ({ buffer: requestBuffer(target.host, r), noBody: r.method === "HEAD" }));
  const { schedule, total, recorderFor, outcome } = phaseRecorders(load);
  const open = load.rate !== null;
  const intervalMs = open ? 1000 / load.rate! : 0;
  const timeoutMs = load.timeoutSeconds * 1000;

  checkSocketRoom(load.connections);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const endAt = t0 + total * 1000;
    let stopped = false;
    let settled = false;
    let sent = 0;
    let scheduled = 0;
    const backlog: number[] = [];
    let okTotal = 0;
    // The watchdog's clock: the last completed response, or the last moment nothing was outstanding.
    let lastProgress = t0;
    let pumpTimer: NodeJS.Timeout | undefined;
    let drainTimer: NodeJS.Timeout | undefined;

    const nextRequest = () => buffers[sent++ % buffers.length];
    const connections = Array.from(
      { length: load.connections },
      () =>
        new HttpConnection(host, port, {
          next: () => {
            if (stopped) return undefined;
            if (!open) return { ...nextRequest(), startedAt: performance.now() };
            const due = backlog.shift();
            return due === undefined ? undefined : { ...nextRequest(), startedAt: due };
          },
          onResponse: (status, startedAt, sentAt, endedAt) => {
            lastProgress = endedAt;
            const at = open ? startedAt : endedAt;
            const rec = recorderFor(phaseAt((at - t0) / 1000, schedule));
            if (!rec) return;
            rec.recordResponse(status, endedAt - startedAt);
            if (status >= 200 && status < 300) {
              okTotal++;
              if (open) rec.recordUncorrected(endedAt - sentAt);
            }
            if (stopped && open && connections.every((c) => !c.inFlight)) complete();
          },
          onError: (timeout) => {
            recorderFor(phaseAt((performance.now() - t0) / 1000, schedule))?.recordError(timeout);
          },
          onSocketLimit: (code) => fail(socketLimitError(load.connections, openFileLimit(), openFileCount(), code)),
        }),
    );

    const pump = () => {
      if (stopped) return;
      const now = performance.now();
      for (let due = t0 + scheduled * intervalMs; due <= now && due < endAt; due = t0 + scheduled * intervalMs) {
        backlog.push(due);
        scheduled++;
      }
      for (const c of connections) {
        if (backlog.length === 0) break;
        if (!c.inFlight) c.kick();
      }
      const next = t0 + scheduled * intervalMs;
      if (next < endAt) pumpTimer = setTimeout(pump, Math.max(0, next - performance.now()));
    };

    const cleanup = () => {
      settled = true;
      stopped = true;
      clearInterval(ticker);
      clearInterval(reaper);
      clearTimeout(endTimer);
      clearTimeout(warmupTimer);
      clearTimeout(pumpTimer);
      clearTimeout(drainTimer);
      hooks.signal?.removeEventListener("abort", onAbort);
      for (const c of connections) c.close();
    };
    const complete = () => {
      if (settled) return;
      cleanup();
      resolve(outcome());
    };
    const fail = (err: unknown) => {
      if (settled) return;
      cleanup();
      reject(err);
    };
    const onAbort = () => fail(hooks.signal?.reason ?? new Error("aborted"));
    hooks.signal?.addEventListener("abort", onAbort);

    // Requests that wait longer than the timeout are abandoned and counted as timeouts.
    // Open loop: a due request still waiting for a connection after the timeout is a timeout too.
    const expireBacklog = (olderThan: number) => {
      while (backlog.length > 0 && backlog[0] < olderThan) {
        const due = backlog.shift()!;
        recorderFor(phaseAt((due - t0) / 1000, schedule))?.recordError(true);
      }
    };
    const reaper = setInterval(() => {
      const now = performance.now();
      for (const c of connections) if (c.waitingFor(now) > timeoutMs) c.timeout();
      expireBacklog(now - timeoutMs);
      if (backlog.length === 0 && connections.every((c) => !c.busy)) lastProgress = now;
    }, 100);

    const ticker = startTicker({
      t0,
      schedule,
      recorderFor,
      okTotal: () => okTotal,
      check: hooks.check,
      onProgress: hooks.onProgress,
      fail: fail,
      lastProgress: () => lastProgress,
      requestTimeoutSeconds: load.timeoutSeconds,
      stalled: hooks.stalled,
    });

    const warmupTimer = setTimeout(() => hooks.onMeasureStart?.(), load.warmupSeconds * 1000);
    const endTimer = setTimeout(() => {
      try {
        hooks.check?.();
      } catch (err) {
        fail(err);
        return;
      }
      hooks.onMeasureEnd?.();
      stopped = true;
      clearTimeout(pumpTimer);
      // Due requests that never got a connection: the load was more than the service could take.
      expireBacklog(Number.POSITIVE_INFINITY);
      // Closed loop: what completes after the end belongs to no trial. Open loop: requests due
      // inside the last trial still count; give them up to their timeout.
      if (!open || connections.every((c) => !c.inFlight)) complete();
      else drainTimer = setTimeout(complete, timeoutMs + 100);
    }, total * 1000);

    if (open) pump();
    else for (const c of connections) c.kick();
  });
}
