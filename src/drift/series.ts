// Pure: the series of main's baselines that drift is looked for in, taken from a data-branch
// history file or from a Result (a baseline's `history` and the baseline itself).

import type { BranchHistory } from "../baseline/branch-data.js";
import type { ResultDocument, StackResult } from "../result/types.js";

export type MetricName = "throughput" | "p50" | "p99" | "instructions" | WorkSeries;
/** The work counts (docs/work.md) that are series: the ones the work gate judges. */
export type WorkSeries = "statements" | "rows" | "pages" | "connections";
export const WORK_SERIES: readonly WorkSeries[] = ["statements", "rows", "pages", "connections"];
export type SeriesKind = "timing" | "count";

export const METRICS: readonly MetricName[] = ["throughput", "p50", "p99", "instructions", ...WORK_SERIES];

export const METRIC_KIND: Record<MetricName, SeriesKind> = {
  throughput: "timing",
  p50: "timing",
  p99: "timing",
  instructions: "count",
  statements: "count",
  rows: "count",
  pages: "count",
  connections: "count",
};

export const METRIC_LABEL: Record<MetricName, string> = {
  throughput: "throughput",
  p50: "P50",
  p99: "P99",
  instructions: "instructions per request",
  statements: "SQL statements per request",
  rows: "rows per request",
  pages: "pages per request",
  connections: "connections per request",
};

export interface SeriesPoint {
  sha: string;
  createdAt: string;
  value: number;
}

export interface StackSeries {
  stack: string;
  /** Where the points were read (a file, or branch:path). */
  source: string;
  series: Record<MetricName, SeriesPoint[]>;
  /** Why points were left out (another environment, another cost fingerprint), for the reader. */
  notes: string[];
}

const usable = (v: number | undefined): v is number => typeof v === "number" && Number.isFinite(v) && v > 0;

function empty(): Record<MetricName, SeriesPoint[]> {
  return { throughput: [], p50: [], p99: [], instructions: [], statements: [], rows: [], pages: [], connections: [] };
}

/**
 * The entries of a data-branch history as series. Timings only of the newest timed entry's
 * environment (another runner or stack file is not the same series: its step is not drift); counts
 * only of the newest cost record's fingerprint (the same runtime, valgrind and canned CPU).
 */
export function seriesFromBranch(h: BranchHistory, source: string): StackSeries {
  const series = empty();
  const notes: string[] = [];
  const timed = h.entries.filter((e) => e.result.trials.length > 0);
  const env = timed.at(-1)?.result.environment.id;
  const sameEnv = timed.filter((e) => e.result.environment.id === env);
  if (sameEnv.length < timed.length) {
    notes.push(
      `${timed.length - sameEnv.length} of ${timed.length} timed baselines left out: another environment (runner, versions or stack file) than the newest.`,
    );
  }
  for (const e of sameEnv) addTimings(series, e.sha, e.createdAt, e.result);
  const costed = h.entries.filter((e) => e.result.cost && usable(e.result.cost.perRequest));
  const print = JSON.stringify(costed.at(-1)?.result.cost?.fingerprint);
  const sameCost = costed.filter((e) => JSON.stringify(e.result.cost?.fingerprint) === print);
  if (sameCost.length < costed.length) {
    notes.push(
      `${costed.length - sameCost.length} of ${costed.length} cost records left out: another cost fingerprint (valgrind, runtime or CPU) than the newest.`,
    );
  }
  for (const e of sameCost) {
    series.instructions.push({ sha: e.sha, createdAt: e.createdAt, value: e.result.cost!.perRequest });
  }
  addWork(series, notes, h.entries);
  return { stack: h.stack, source, series, notes };
}

/**
 * The work counts of the entries counted on the same data as the newest (its PostgreSQL major and
 * dataHash): another schema, seed or setup is a different series, not drift.
 */
function addWork(series: Record<MetricName, SeriesPoint[]>, notes: string[], entries: BranchHistory["entries"]): void {
  const counted = entries.filter((e) => e.result.work);
  const key = (e: (typeof counted)[number]) => `${e.result.work!.postgresMajor}/${e.result.work!.dataHash}`;
  const newest = counted.at(-1);
  const same = newest ? counted.filter((e) => key(e) === key(newest)) : [];
  if (same.length < counted.length) {
    notes.push(
      `${counted.length - same.length} of ${counted.length} work counts left out: another schema, seed, setup or PostgreSQL major than the newest.`,
    );
  }
  for (const e of same) {
    for (const m of WORK_SERIES) {
      const v = e.result.work!.perRequest[m];
      if (usable(v ?? undefined)) series[m].push({ sha: e.sha, createdAt: e.createdAt, value: v as number });
    }
  }
}

function addTimings(series: Record<MetricName, SeriesPoint[]>, sha: string, createdAt: string, r: StackResult): void {
  const values: Record<"throughput" | "p50" | "p99", number> = {
    throughput: r.summary.throughput.median,
    p50: r.summary.latency.p50.median,
    p99: r.summary.latency.p99.median,
  };
  for (const m of ["throughput", "p50", "p99"] as const) {
    if (usable(values[m])) series[m].push({ sha, createdAt, value: values[m] });
  }
}

/** A Result's stack as series: the history it carries (timings only), then the Result itself. */
export function seriesFromResult(doc: ResultDocument, stack: StackResult, source: string): StackSeries {
  const series = empty();
  for (const p of stack.history ?? []) {
    for (const m of ["throughput", "p50", "p99"] as const) {
      if (usable(p[m])) series[m].push({ sha: p.sha, createdAt: p.createdAt, value: p[m] });
    }
  }
  if (stack.trials.length > 0) addTimings(series, doc.commit?.sha ?? "unknown", doc.createdAt, stack);
  const notes = [
    "A Result carries at most 20 earlier baselines, with timings only: instructions per request need the data branch (baseline-store: branch).",
  ];
  return { stack: stack.stack.name, source, series, notes };
}
