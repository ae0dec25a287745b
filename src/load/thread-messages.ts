// What the main thread and a load worker thread tell each other (src/load/threads.ts, load-worker.ts).

import type { LoadPlan } from "../config/plan.js";
import type { Share, WireRecorder } from "./share.js";

/** What a thread is started with (its workerData): its share of the load. */
export interface WorkerStart {
  url: string;
  load: LoadPlan;
  share: Share;
}

/** The main thread's go, once every thread is ready: the run's start, epoch ms (each thread has its own clock). */
export interface StartMessage {
  kind: "start";
  t0EpochMs: number;
}

/** A thread has loaded and waits for the start. */
export interface ReadyMessage {
  kind: "ready";
}

/** A thread's progress, twice a second: for the live line and the watchdog. */
export interface StatusMessage {
  kind: "status";
  okTotal: number;
  /** Epoch ms of the thread's last progress (watchdog.ts). */
  lastProgressEpochMs: number;
  /** Warmup, then each trial: errors so far and P99 so far (ms). */
  phases: { errors: number; p99: number }[];
}

/** The thread's measured trials, once its share has ended. */
export interface DoneMessage {
  kind: "done";
  trials: WireRecorder[];
}

/** The thread's share failed (the socket limit, ...): the error's class name and message. */
export interface ErrorMessage {
  kind: "error";
  name: string;
  message: string;
}

export type WorkerMessage = ReadyMessage | StatusMessage | DoneMessage | ErrorMessage;
