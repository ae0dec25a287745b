import type * as hdr from "hdr-histogram-js";
import type { LoadPlan } from "../config/plan.js";
import type { ErrorCounts, Trial } from "../result/types.js";
import { latencyStats, newHistogram } from "../stats/histogram.js";
import { responsesAboveP99 } from "../stats/tail.js";
import { type Phase, type Schedule, totalSeconds } from "./phases.js";
import type { LoadOutcome } from "./types.js";

/** Records one phase of load: every response's latency and every error, sorted by kind. */
export class PhaseRecorder {
  readonly histogram = newHistogram();
  /** Open loop only: latency from the moment a request was actually written, which hides stalls. */
  uncorrected: hdr.Histogram | undefined;
  ok = 0;
  non2xx = 0;
  connection = 0;
  timeouts = 0;

  recordResponse(statusCode: number, latencyMs: number): void {
    if (statusCode >= 200 && statusCode < 300) {
      this.ok++;
      this.histogram.recordValue(Math.max(1, Math.round(latencyMs * 1000)));
    } else {
      this.non2xx++;
    }
  }

  recordUncorrected(latencyMs: number): void {
    this.uncorrected ??= newHistogram();
    this.uncorrected.recordValue(Math.max(1, Math.round(latencyMs * 1000)));
  }

  recordError(timeout: boolean): void {
    if (timeout) this.timeouts++;
    else this.connection++;
  }

  /** Adds another recorder's responses and errors (another thread's share of the same phase): exact. */
  add(other: PhaseRecorder): void {
    this.ok += other.ok;
    this.non2xx += other.non2xx;
    this.connection += other.connection;
    this.timeouts += other.timeouts;
    this.histogram.add(other.histogram);
    if (other.uncorrected) {
      this.uncorrected ??= newHistogram();
      this.uncorrected.add(other.uncorrected);
    }
  }

  get errors(): ErrorCounts {
    return {
      connection: this.connection,
      timeouts: this.timeouts,
      non2xx: this.non2xx,
      total: this.connection + this.timeouts + this.non2xx,
    };
  }

  /** P99 so far in ms, for the live progress line. */
  currentP99(): number {
    return this.histogram.totalCount === 0 ? Number.NaN : this.histogram.getValueAtPercentile(99) / 1000;
  }

  toTrial(index: number, seconds: number): Trial {
    const errors = this.errors;
    const attempted = this.ok + errors.total;
    return {
      index,
      seconds,
      requests: this.ok,
      throughput: this.ok / seconds,
      latency: latencyStats(this.histogram),
      ...(this.uncorrected ? { latencyUncorrected: latencyStats(this.uncorrected) } : {}),
      errors,
      errorRate: attempted === 0 ? 0 : errors.total / attempted,
      tail: { p99: responsesAboveP99(this.ok) },
    };
  }
}

/** One recorder for the warmup and one per trial, and the lookup from a phase to its recorder. */
export function phaseRecorders(load: Pick<LoadPlan, "warmupSeconds" | "durationSeconds" | "trials">) {
  const schedule: Schedule = {
    warmupSeconds: load.warmupSeconds,
    durationSeconds: load.durationSeconds,
    trials: load.trials,
  };
  const warmup = new PhaseRecorder();
  const trials = Array.from({ length: load.trials }, () => new PhaseRecorder());
  const { warmupSeconds, durationSeconds } = schedule;
  return {
    schedule,
    total: totalSeconds(schedule),
    /** The measured trials' recorders, in order (another thread's are added to them). */
    trials,
    recorderFor: (phase: Phase): PhaseRecorder | undefined =>
      phase.kind === "warmup" ? warmup : phase.kind === "trial" ? trials[phase.index] : undefined,
    /** The recorder of the moment `seconds` into the run: phaseAt's rule without a Phase object per response. */
    recorderAt: (seconds: number): PhaseRecorder | undefined =>
      seconds < warmupSeconds ? warmup : trials[Math.floor((seconds - warmupSeconds) / durationSeconds)],
    /** `seconds`: how long each trial lasted, when they were not timed (load.total-requests). */
    outcome: (seconds?: readonly number[], threads = 1): LoadOutcome => ({
      trials: trials.map((r, i) => r.toTrial(i, seconds?.[i] ?? load.durationSeconds)),
      histograms: trials.map((r) => r.histogram),
      threads,
    }),
  };
}

export type PhaseRecorders = ReturnType<typeof phaseRecorders>;
