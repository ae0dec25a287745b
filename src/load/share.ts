// Pure: how a load is split over worker threads, and how each thread's recorders travel back to the
// main thread and add up there. HdrHistograms add exactly, so the merged trial is the one a single
// thread would have recorded for the same responses.

import * as hdr from "hdr-histogram-js";
import { PhaseRecorder } from "./recorder.js";

/**
 * One thread's part of the load: `connections` of them and, open loop, every `of`-th due request of
 * the schedule starting at the `index`-th, so the threads together keep the one schedule.
 */
export interface Share {
  index: number;
  of: number;
  connections: number;
}

/** The connections dealt out as evenly as they go (the first threads take one more). */
export function sharesOf(connections: number, threads: number): Share[] {
  const base = Math.floor(connections / threads);
  return Array.from({ length: threads }, (_, index) => ({
    index,
    of: threads,
    connections: base + (index < connections % threads ? 1 : 0),
  }));
}

/** A recorder as a message between threads (histograms in HdrHistogram's lossless encoding). */
export interface WireRecorder {
  ok: number;
  non2xx: number;
  connection: number;
  timeouts: number;
  histogram: string;
  uncorrected: string | null;
}

export function toWire(r: PhaseRecorder): WireRecorder {
  return {
    ok: r.ok,
    non2xx: r.non2xx,
    connection: r.connection,
    timeouts: r.timeouts,
    histogram: hdr.encodeIntoCompressedBase64(r.histogram),
    uncorrected: r.uncorrected ? hdr.encodeIntoCompressedBase64(r.uncorrected) : null,
  };
}

function decoded(b64: string): hdr.Histogram {
  return hdr.decodeFromCompressedBase64(b64, 64, false);
}

/** Adds a thread's recorder, as it came over the wire, to the main thread's recorder of the same phase. */
export function addWire(into: PhaseRecorder, w: WireRecorder): void {
  const r = new PhaseRecorder();
  r.ok = w.ok;
  r.non2xx = w.non2xx;
  r.connection = w.connection;
  r.timeouts = w.timeouts;
  const h = decoded(w.histogram);
  r.histogram.add(h);
  if (w.uncorrected !== null) r.uncorrected = decoded(w.uncorrected);
  into.add(r);
}

/**
 * `auto` threads: a thread near one full core sets the pace, not the service (the saturation warning's
 * rule, per thread). `cores` is the load generator's CPU seconds per wall second over all its threads.
 */
export function saturated(cores: number, threads: number, perThread: number): boolean {
  return cores >= perThread * threads;
}
