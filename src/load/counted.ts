// Trials of a fixed number of requests (load.total-requests), as ApacheBench's -n: after the timed
// warmup, the total is sent in `trials` equal shares back to back. A request belongs to the trial
// that was open when it was sent (its latency is recorded there, whenever it is answered); a trial
// lasts from its first request to the next trial's first, the last one until the last answer.

import type { Phase } from "./phases.js";

export class CountedTrials {
  private sent = 0;
  /** When each trial's first request was sent (performance.now()). */
  private readonly starts: number[] = [];

  constructor(
    readonly total: number,
    readonly trials: number,
    /** performance.now() at which the warmup ends and counting starts. */
    private readonly measureFrom: number,
  ) {}

  /** A request is about to be sent at `now`: true to send it, false once the whole total has been sent. */
  take(now: number): boolean {
    if (now < this.measureFrom) return true;
    if (this.sent >= this.total) return false;
    const k = this.starts.length;
    if (k < this.trials && this.sent === Math.floor((k * this.total) / this.trials)) this.starts.push(now);
    this.sent++;
    return true;
  }

  get allSent(): boolean {
    return this.sent >= this.total;
  }

  /** The phase of a request sent at `at` (or of an error seen then). */
  phaseAt(at: number): Phase {
    let i = this.starts.length - 1;
    while (i >= 0 && this.starts[i] > at) i--;
    return at < this.measureFrom || i < 0 ? { kind: "warmup" } : { kind: "trial", index: i };
  }

  /** Seconds each trial lasted, the last one until `end` (the last answer). */
  seconds(end: number): number[] {
    return this.starts.map((s, i) => ((this.starts[i + 1] ?? end) - s) / 1000);
  }

  /** Seconds the run will take at the pace so far (for the progress line). */
  estimateSeconds(now: number, warmupSeconds: number): number {
    if (this.sent === 0 || now <= this.measureFrom) return warmupSeconds;
    return warmupSeconds + ((now - this.measureFrom) / 1000) * (this.total / this.sent);
  }
}
