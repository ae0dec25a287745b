// The plan of a same-runner A/B: which commits, which stacks, how many pairs, how long; shared by
// `loadgate ab` and the Action's compare: merge-base.

import type { Overrides } from "../config/overrides.js";
import { UserError } from "../errors.js";

/** The fewest pairs measured before the first look (the first look also waits until the exact test can decide). */
export const AB_DEFAULT_MIN_PAIRS = 8;
/** The most pairs: the last planned look. Chosen from bench/gate-power (see docs/benchmarks.md). */
export const AB_DEFAULT_MAX_PAIRS = 24;
export const AB_DEFAULT_MAX_TIME = 900;
/**
 * A/B windows: many short windows on fresh instances beat a few long ones (bench/gate-power), so
 * unless --duration / --warmup say otherwise an A/B uses these, not the stack file's load.duration
 * and load.warmup (which suit one long `run`).
 */
export const AB_DEFAULT_WINDOW_SECONDS = 3;
export const AB_DEFAULT_WARMUP_SECONDS = 2;

/** The A/B window defaults under the flags or inputs that were given. */
export function withAbWindows(o: Overrides): Overrides {
  return {
    ...o,
    durationSeconds: o.durationSeconds ?? AB_DEFAULT_WINDOW_SECONDS,
    warmupSeconds: o.warmupSeconds ?? AB_DEFAULT_WARMUP_SECONDS,
    // Timed windows: a stack file's load.total-requests is set aside too.
    totalRequests: null,
  };
}

/**
 * The log line that says which windows the A/B measures and where they come from: the stack files'
 * load.duration and load.warmup are set aside for the A/B's own short windows unless flags or inputs
 * give them.
 */
export function abWindowNote(given: Overrides, source: { duration: string; warmup: string }): string {
  const w = withAbWindows(given);
  const from = (value: number | undefined, name: string, fallback: number) =>
    value === undefined ? `the A/B default ${fallback} s` : `${name} ${value} s`;
  const setAside =
    given.durationSeconds === undefined || given.warmupSeconds === undefined
      ? `; the stack files' load.duration and load.warmup are set aside (give ${source.duration} and ${source.warmup} to change the windows)`
      : "";
  return (
    `A/B windows: ${w.durationSeconds} s measured after ${w.warmupSeconds} s of warmup, each on fresh instances ` +
    `(${from(given.durationSeconds, source.duration, AB_DEFAULT_WINDOW_SECONDS)}, ` +
    `${from(given.warmupSeconds, source.warmup, AB_DEFAULT_WARMUP_SECONDS)})${setAside}.`
  );
}

export interface AbPlan {
  root: string;
  baseRef: string;
  baseSha: string;
  /** null: the working tree (with its uncommitted changes). */
  headRef: string | null;
  headSha: string | null;
  /** Stack folders or files, relative to the repository root. */
  stackPaths: string[];
  /** The flags or inputs, the A/B windows among them, laid over each side's stack file. */
  overrides: Overrides;
  /** --min-pairs (the Action: trials): pairs measured at least. */
  minPairs: number;
  /** --max-pairs: pairs measured at most, when the verdict stays undecided. */
  maxPairs: number;
  maxTimeSeconds: number;
  jsonOut: string | null;
  install: boolean;
  /** The windows measured and where they come from, for the log (abWindowNote). */
  windowNote: string;
}

function pairCount(flag: string, raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isInteger(n) || n < 2 || n > 200) {
    throw new UserError(`${flag}: a number of A/B pairs, a whole number from 2 to 200, got ${JSON.stringify(raw)}.`);
  }
  return n;
}

/** --min-pairs (the fewest pairs) and --max-pairs (the most); the maximum is raised to the minimum when below it. */
export function parsePairs(
  minPairs: string | undefined,
  maxPairs: string | undefined,
  names = { min: "--min-pairs", max: "--max-pairs" },
): { minPairs: number; maxPairs: number } {
  const min = minPairs === undefined ? AB_DEFAULT_MIN_PAIRS : pairCount(names.min, minPairs);
  const max = maxPairs === undefined ? Math.max(min, AB_DEFAULT_MAX_PAIRS) : pairCount(names.max, maxPairs);
  if (max < min) {
    throw new UserError(
      `${names.max} ${max} is below ${names.min} ${min} (the fewest pairs): give a ${names.max} of at least ${min}.`,
    );
  }
  return { minPairs: min, maxPairs: max };
}

/** The plan of an A/B from what the CLI or the Action resolved: the A/B windows and the time bound defaulted here, once. */
export function abPlanOf(
  p: Omit<AbPlan, "maxTimeSeconds" | "minPairs" | "maxPairs" | "windowNote"> & {
    pairs: { minPairs: number; maxPairs: number };
    maxTimeSeconds: number | null;
    /** How the windows are set by whoever planned: flags (the default) or the Action's inputs. */
    windowNames?: { duration: string; warmup: string };
  },
): AbPlan {
  const { pairs, windowNames, ...rest } = p;
  return Object.freeze({
    ...rest,
    ...pairs,
    windowNote: abWindowNote(p.overrides, windowNames ?? { duration: "--duration", warmup: "--warmup" }),
    overrides: withAbWindows(p.overrides),
    maxTimeSeconds: p.maxTimeSeconds ?? AB_DEFAULT_MAX_TIME,
  });
}
