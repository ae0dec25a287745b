import type { LoadPlan } from "../config/plan.js";
import { autoThreads } from "./auto-threads.js";
import { CountedTrials } from "./counted.js";
import { checkSocketRoom, openFileCount, openFileLimit, socketLimitError } from "./fd-limit.js";
import { HttpConnection, type OutgoingRequest, requestBuffer } from "./http-connection.js";
import type { Phase, Schedule } from "./phases.js";
import { type PhaseRecorder, type PhaseRecorders, phaseRecorders } from "./recorder.js";
import type { Share } from "./share.js";
import { runThreads } from "./threads.js";
import { startTicker } from "./ticker.js";
import type { LoadHooks, LoadOutcome } from "./types.js";

/**
 * Drives load with loadgate's own lean HTTP/1.1 connections.
 * Closed loop (rate null): each connection sends its next request as soon as the last one answered;
 * a response counts in the phase in which it completed.
 * Open loop (rate R): request i is due at t0 + i/R; due requests wait for a free connection, and
 * latency runs from the due time (corrected for coordinated omission), with the latency from the
 * actual write kept as "uncorrected"; a response counts in the phase in which it was due.
 * Trials of a fixed number of requests (load.total-requests, closed loop): a response counts in the
 * trial in which it was sent, and the run ends when the last one is answered (src/load/counted.ts).
 * Threads (load.threads > 1): the same, each worker thread with its share of the connections and,
 * open loop, of the schedule (src/load/threads.ts); "auto" first finds the count (auto-threads.ts).
 * Trials of a fixed count run in one thread (the plan refuses threads with them).
 */
export function runLoad(url: string, load: LoadPlan, hooks: LoadHooks = {}): Promise<LoadOutcome> {
  checkSocketRoom(load.connections);
  if (load.threads === "auto") return autoThreads(url, load, hooks, runLoad);
  if (load.threads > 1) return runThreads(url, { ...load, threads: load.threads }, hooks);
  const phases = phaseRecorders(load);
  return runShare(url, load, hooks, ONE_SHARE(load), performance.now(), phases).then((seconds) =>
    phases.outcome(seconds, 1),
  );
}

/** The whole load as one thread's share. */
const ONE_SHARE = (load: LoadPlan): Share => ({ index: 0, of: 1, connections: load.connections });

/**
 * Runs one thread's share of the load from `t0` (this thread's clock) into `phases`. The main thread
 * (one thread) also runs the ticker; a worker thread gives `status`, which reports the run to the
 * main thread instead (load-worker.ts). Resolves with each trial's seconds when the trials were a
 * fixed count of requests (they last as long as they take), else undefined.
 */
export function runShare(
  url: string,
  load: LoadPlan,
  hooks: LoadHooks,
  share: Share,
  t0: number,
  phases: PhaseRecorders,
  status?: (run: Run) => void,
): Promise<number[] | undefined> {
  const target = targetOf(url, load);
  return new Promise((resolve, reject) => {
    const run = newRun(load, phases, t0, share);
    const end = settlement(run, hooks, () => resolve(run.counted?.seconds(performance.now())), reject);
    run.connections = openConnections(run, load, share, target, end, () => endMeasure(run, hooks, end));
    const pump = openLoopPump(run);
    run.reaper = startReaper(run);
    if (status) status(run);
    else run.ticker = tickerOf(run, load, hooks, end);
    run.warmupTimer = setTimeout(
      () => hooks.onMeasureStart?.(),
      Math.max(0, t0 + load.warmupSeconds * 1000 - performance.now()),
    );
    if (!run.counted) {
      run.endTimer = setTimeout(() => endMeasure(run, hooks, end), Math.max(0, run.endAt - performance.now()));
    }
    if (run.open) pump();
    else for (const c of run.connections) c.kick();
  });
}

function tickerOf(run: Run, load: LoadPlan, hooks: LoadHooks, end: Settle): NodeJS.Timeout {
  return startTicker({
    t0: run.t0,
    schedule: run.schedule,
    recorderFor: run.recorderFor,
    okTotal: () => run.okTotal,
    check: hooks.check,
    onProgress: hooks.onProgress,
    fail: end.fail,
    lastProgress: () => run.lastProgress,
    requestTimeoutSeconds: load.timeoutSeconds,
    stalled: hooks.stalled,
    counted: run.counted,
  });
}

/** Where to connect, and each request's bytes, built once. */
interface Target {
  host: string;
  port: number;
  buffers: { buffer: Buffer; noBody: boolean; close: boolean }[];
}

function targetOf(url: string, load: LoadPlan): Target {
  const target = new URL(url);
  return {
    host: target.hostname.replace(/^\[|\]$/g, ""),
    port: Number(target.port || 80),
    // No keep-alive: the server is told to close, and the client closes after each answer either way.
    buffers: load.requests.map((r) => ({
      buffer: requestBuffer(target.host, load.keepalive ? r : { ...r, headers: { connection: "close", ...r.headers } }),
      noBody: r.method === "HEAD",
      close: !load.keepalive,
    })),
  };
}

/**
 * One run's state, shared by its stages: the connections' callbacks, the open loop's pump, the
 * reaper, the ticker and the teardown. Every field is set from the start, so its shape never changes.
 */
export interface Run {
  readonly t0: number;
  /** When the last trial ends; no request is due after it. */
  readonly endAt: number;
  readonly open: boolean;
  /** Open loop: this thread's requests are due at t0 + offsetMs + k × intervalMs (every `of`-th of the whole schedule). */
  readonly intervalMs: number;
  readonly offsetMs: number;
  readonly timeoutMs: number;
  readonly schedule: Schedule;
  readonly recorderFor: (phase: Phase) => PhaseRecorder | undefined;
  readonly recorderAt: (seconds: number) => PhaseRecorder | undefined;
  /** Open loop: the due times of requests still waiting for a free connection, oldest first. */
  readonly backlog: number[];
  /** Trials of a fixed number of requests (load.total-requests); null: timed trials. */
  readonly counted: CountedTrials | null;
  connections: HttpConnection[];
  stopped: boolean;
  settled: boolean;
  okTotal: number;
  /** The watchdog's clock: the last completed response, or the last moment nothing was outstanding. */
  lastProgress: number;
  ticker: NodeJS.Timeout | undefined;
  reaper: NodeJS.Timeout | undefined;
  warmupTimer: NodeJS.Timeout | undefined;
  endTimer: NodeJS.Timeout | undefined;
  pumpTimer: NodeJS.Timeout | undefined;
  drainTimer: NodeJS.Timeout | undefined;
}

function newRun(load: LoadPlan, phases: PhaseRecorders, t0: number, share: Share): Run {
  const open = load.rate !== null;
  const gap = open ? 1000 / load.rate! : 0;
  return {
    t0,
    endAt: t0 + phases.total * 1000,
    open,
    intervalMs: gap * share.of,
    offsetMs: gap * share.index,
    timeoutMs: load.timeoutSeconds * 1000,
    schedule: phases.schedule,
    recorderFor: phases.recorderFor,
    recorderAt: phases.recorderAt,
    backlog: [],
    counted:
      load.totalRequests === null || open
        ? null
        : new CountedTrials(load.totalRequests, load.trials, t0 + load.warmupSeconds * 1000),
    connections: [],
    stopped: false,
    settled: false,
    okTotal: 0,
    lastProgress: t0,
    ticker: undefined,
    reaper: undefined,
    warmupTimer: undefined,
    endTimer: undefined,
    pumpTimer: undefined,
    drainTimer: undefined,
  };
}

/** How a run ends: `complete` with the outcome, or `fail`; either once, and either stops everything. */
interface Settle {
  complete: () => void;
  fail: (err: unknown) => void;
}

function settlement(run: Run, hooks: LoadHooks, resolve: () => void, reject: (err: unknown) => void): Settle {
  const cleanup = () => {
    run.settled = true;
    run.stopped = true;
    clearInterval(run.ticker);
    clearInterval(run.reaper);
    clearTimeout(run.endTimer);
    clearTimeout(run.warmupTimer);
    clearTimeout(run.pumpTimer);
    clearTimeout(run.drainTimer);
    hooks.signal?.removeEventListener("abort", onAbort);
    for (const c of run.connections) c.close();
  };
  const complete = () => {
    if (run.settled) return;
    cleanup();
    resolve();
  };
  const fail = (err: unknown) => {
    if (run.settled) return;
    cleanup();
    reject(err);
  };
  const onAbort = () => fail(hooks.signal?.reason ?? new Error("aborted"));
  hooks.signal?.addEventListener("abort", onAbort);
  return { complete, fail };
}

/**
 * The hot path: `next` and `onResponse` run once per request. Their callbacks are made once per
 * connection; what never changes during the run is read from locals, not from `run`. Nothing is
 * allocated per request: each connection's request is one object, refilled.
 */
function openConnections(
  run: Run,
  load: LoadPlan,
  share: Share,
  target: Target,
  end: Settle,
  allAnswered: () => void,
): HttpConnection[] {
  const { t0, open, recorderAt, recorderFor, backlog, counted } = run;
  const recorderOf = (at: number) => (counted ? recorderFor(counted.phaseAt(at)) : recorderAt((at - t0) / 1000));
  // Trials of a fixed count: once every request is sent and answered, the measurement is over.
  const countDone = () => {
    if (counted?.allSent && !run.stopped && connections.every((c) => !c.busy)) allAnswered();
  };
  const { host, port, buffers } = target;
  let sent = 0;
  const connections: HttpConnection[] = [];
  const onResponse = (status: number, startedAt: number, sentAt: number, endedAt: number) => {
    run.lastProgress = endedAt;
    const rec = recorderOf(open || counted ? startedAt : endedAt);
    if (rec) {
      rec.recordResponse(status, endedAt - startedAt);
      if (status >= 200 && status < 300) {
        run.okTotal++;
        if (open) rec.recordUncorrected(endedAt - sentAt);
      }
      if (run.stopped && open && connections.every((c) => !c.inFlight)) end.complete();
    }
    if (counted) countDone();
  };
  const onError = (timeout: boolean) => {
    recorderOf(performance.now())?.recordError(timeout);
    if (counted) countDone();
  };
  const onSocketLimit = (code: string) =>
    end.fail(socketLimitError(load.connections, openFileLimit(), openFileCount(), code));
  /** When the next request is due: open loop, its place in the schedule; closed loop, NaN (when it is written). */
  const dueTime = (): number | undefined => {
    if (open) return backlog.shift();
    if (!counted) return Number.NaN;
    const now = performance.now();
    return counted.take(now) ? now : undefined;
  };
  for (let i = 0; i < share.connections; i++) {
    const req: OutgoingRequest = { buffer: buffers[0].buffer, noBody: false, close: false, startedAt: Number.NaN };
    const next = () => {
      const due = run.stopped ? undefined : dueTime();
      if (due === undefined) return undefined;
      const r = buffers[sent++ % buffers.length];
      req.buffer = r.buffer;
      req.noBody = r.noBody;
      req.close = r.close;
      req.startedAt = due;
      return req;
    };
    connections.push(new HttpConnection(host, port, { next, onResponse, onError, onSocketLimit }));
  }
  return connections;
}

/** Open loop: queues the requests that have fallen due, hands them to idle connections, and waits for the next. */
function openLoopPump(run: Run): () => void {
  const { intervalMs, endAt, backlog, connections } = run;
  const t0 = run.t0 + run.offsetMs;
  let scheduled = 0;
  const pump = () => {
    if (run.stopped) return;
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
    if (next < endAt) run.pumpTimer = setTimeout(pump, Math.max(0, next - performance.now()));
  };
  return pump;
}

/** Open loop: a due request still waiting for a connection after the timeout is a timeout too. */
function expireBacklog(run: Run, olderThan: number): void {
  const { backlog } = run;
  while (backlog.length > 0 && backlog[0] < olderThan) {
    const due = backlog.shift()!;
    run.recorderAt((due - run.t0) / 1000)?.recordError(true);
  }
}

/** Requests that wait longer than the timeout are abandoned and counted as timeouts. */
function startReaper(run: Run): NodeJS.Timeout {
  const { connections, backlog, timeoutMs } = run;
  return setInterval(() => {
    const now = performance.now();
    for (const c of connections) if (c.waitingFor(now) > timeoutMs) c.timeout();
    expireBacklog(run, now - timeoutMs);
    if (backlog.length === 0 && connections.every((c) => !c.busy)) run.lastProgress = now;
  }, 100);
}

/** The last trial has ended: stop sending, and settle once what still counts is in. */
function endMeasure(run: Run, hooks: LoadHooks, end: Settle): void {
  try {
    hooks.check?.();
  } catch (err) {
    end.fail(err);
    return;
  }
  hooks.onMeasureEnd?.();
  run.stopped = true;
  clearTimeout(run.pumpTimer);
  // Due requests that never got a connection: the load was more than the service could take.
  expireBacklog(run, Number.POSITIVE_INFINITY);
  // Closed loop: what completes after the end belongs to no trial. Open loop: requests due
  // inside the last trial still count; give them up to their timeout.
  if (!run.open || run.connections.every((c) => !c.inFlight)) end.complete();
  else run.drainTimer = setTimeout(end.complete, run.timeoutMs + 100);
}
