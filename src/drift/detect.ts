// Pure: change points per series, with the minimum effect per kind of series, the commits around
// each, the level before and after, and the size with an interval.

import { median } from "../stats/quantiles.js";
import { twoSampleShift } from "../stats/rank-tests.js";
import { eDivisive, MIN_SEGMENT } from "./e-divisive.js";
import { METRIC_KIND, type MetricName, type SeriesKind, type SeriesPoint, type StackSeries } from "./series.js";

/**
 * The smallest step reported, as a fraction of the level before it. A significant step smaller
 * than this is real but not worth a warning.
 * - Timings 5% (throughput, P50) and 10% (P99): the per-pull-request gate's default limits, so
 *   drift is reported in the gate's own units ("five changes of +3% each"). The run-to-run spread of
 *   a run's median measured on the 2-CPU VM is 9% and 17% (src/compare/stored.ts, ASSUMED_RUN_SD):
 *   the median of 4+ runs on each side carries about half of it, so a step below these limits
 *   would be the noise of a short series or a VM changing state (two states 15% apart were seen).
 * - Counts (instructions per request) 1%: the cost gate's default limit, 77 times the measured A/A
 *   SD of 0.013% (bench/cost-power, docs/benchmarks.md), so a 1% step in a count is certain.
 */
/*
 * - Work counts (docs/work.md): statements and connections per request 2% (they are exact where the
 *   app is deterministic: a step is the app asking for more); rows and pages per request 10% (they
 *   follow the tables the timed trials grew, by however much each run's throughput allowed).
 */
export const MIN_EFFECT: Record<MetricName, number> = {
  throughput: 0.05,
  p50: 0.05,
  p99: 0.1,
  instructions: 0.01,
  statements: 0.02,
  rows: 0.1,
  pages: 0.1,
  connections: 0.02,
};

/** Fewest points a series needs: a change point needs MIN_SEGMENT on each side. */
export const MIN_POINTS = 2 * MIN_SEGMENT;

/** Confidence of the interval around each step's size. */
export const STEP_CONFIDENCE = 0.95;

export interface ChangePoint {
  metric: MetricName;
  /** Index of the first point of the new level. */
  index: number;
  /** The last commit of the old level and the first of the new. */
  before: { sha: string; createdAt: string };
  after: { sha: string; createdAt: string };
  /** Medians of the segments on either side (between the neighbouring change points). */
  levelBefore: number;
  levelAfter: number;
  /** Relative size (after / before − 1): Hodges–Lehmann on the logs, with the exact Mann–Whitney interval. */
  change: { estimate: number; lo: number; hi: number; confidence: number };
  /** The permutation p-value of the split. */
  p: number;
  /** Throughput down, or a timing or count up. */
  worse: boolean;
}

export interface SeriesDrift {
  metric: MetricName;
  kind: SeriesKind;
  points: SeriesPoint[];
  minEffect: number;
  changePoints: ChangePoint[];
  /** Set when the series is too short to look in. */
  tooFew?: string;
}

/**
 * Change points of one series: significant splits (E-divisive on the logs, so steps are relative),
 * then those below the minimum effect, or whose interval includes no change, dropped.
 */
export function detectSeries(metric: MetricName, points: readonly SeriesPoint[]): SeriesDrift {
  const base = { metric, kind: METRIC_KIND[metric], points: [...points], minEffect: MIN_EFFECT[metric] };
  if (points.length < MIN_POINTS) {
    return {
      ...base,
      changePoints: [],
      tooFew: `${points.length} point(s); a change point needs ${MIN_SEGMENT} on each side (${MIN_POINTS} in all)`,
    };
  }
  const logs = points.map((p) => Math.log(p.value));
  const splits = eDivisive(logs);
  let kept = splits;
  // Dropping a step merges its segments, which changes its neighbours' sizes: drop the smallest first, then re-measure.
  for (;;) {
    const steps = kept.map((s, i) => ({ s, c: describe(metric, points, logs, kept, i) }));
    const small = steps.filter((x) => !reportable(x.c));
    if (small.length === 0) return { ...base, changePoints: steps.map((x) => x.c) };
    const smallest = small.reduce((a, b) => (Math.abs(b.c.change.estimate) < Math.abs(a.c.change.estimate) ? b : a));
    // (The smallest of those that fail goes first: its removal may lift a neighbour above the bar.)
    kept = kept.filter((s) => s !== smallest.s);
  }
}

/** A step is reported when it reaches the minimum effect and its interval excludes "no change". */
function reportable(c: ChangePoint): boolean {
  return Math.abs(c.change.estimate) >= MIN_EFFECT[c.metric] && (c.change.lo > 0 || c.change.hi < 0);
}

function describe(
  metric: MetricName,
  points: readonly SeriesPoint[],
  logs: readonly number[],
  splits: readonly { at: number; p: number }[],
  i: number,
): ChangePoint {
  const at = splits[i].at;
  const from = i > 0 ? splits[i - 1].at : 0;
  const to = i + 1 < splits.length ? splits[i + 1].at : points.length;
  const left = logs.slice(from, at);
  const right = logs.slice(at, to);
  const shift = twoSampleShift(left, right, STEP_CONFIDENCE);
  const estimate = Math.expm1(shift.estimate);
  return {
    metric,
    index: at,
    before: { sha: points[at - 1].sha, createdAt: points[at - 1].createdAt },
    after: { sha: points[at].sha, createdAt: points[at].createdAt },
    levelBefore: median(points.slice(from, at).map((p) => p.value)),
    levelAfter: median(points.slice(at, to).map((p) => p.value)),
    change: { estimate, lo: Math.expm1(shift.lo), hi: Math.expm1(shift.hi), confidence: shift.confidence },
    p: splits[i].p,
    worse: metric === "throughput" ? estimate < 0 : estimate > 0,
  };
}

export interface StackDrift {
  stack: string;
  source: string;
  notes: string[];
  series: SeriesDrift[];
}

/** Every series of a stack that has points. */
export function detectStack(s: StackSeries): StackDrift {
  const series = (Object.keys(s.series) as MetricName[])
    .filter((m) => s.series[m].length > 0)
    .map((m) => detectSeries(m, s.series[m]));
  return { stack: s.stack, source: s.source, notes: s.notes, series };
}

/**
 * The change points that are new with the newest point: found now, but not (within one point of
 * the same place) when the series ended one point earlier. A change point first shows once
 * MIN_SEGMENT points follow it, so this is what a baseline run on main reports once, not every time.
 */
export function newChangePoints(s: StackSeries): ChangePoint[] {
  const out: ChangePoint[] = [];
  for (const m of Object.keys(s.series) as MetricName[]) {
    const pts = s.series[m];
    if (pts.length < MIN_POINTS) continue;
    const now = detectSeries(m, pts).changePoints;
    const before = detectSeries(m, pts.slice(0, -1)).changePoints;
    for (const c of now) if (!before.some((b) => Math.abs(b.index - c.index) <= 1)) out.push(c);
  }
  return out;
}
