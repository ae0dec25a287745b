import type { Histogram } from "hdr-histogram-js";
import type { Trial } from "../result/types.js";
import type { Phase } from "./phases.js";

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
  /**
   * The error to stop with when no response completed for `seconds` (the watchdog, see
   * stallLimitSeconds) while requests were outstanding: the stack names its app and log.
   */
  stalled?: (seconds: number, requestTimeoutSeconds: number) => Error;
  signal?: AbortSignal;
}

export interface LoadOutcome {
  trials: Trial[];
  /** Each measured trial's µs histogram of successful responses, in the order of `trials`, for pooling. */
  histograms: Histogram[];
  /** The worker threads that sent the load (1: the main thread alone). */
  threads: number;
}
