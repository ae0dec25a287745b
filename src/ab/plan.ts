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
  };
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
  /** --trials: pairs measured at least. */
  minPairs: number;
  /** --max-pairs: pairs measured at most, when the verdict stays undecided. */
  maxPairs: number;
  maxTimeSeconds: number;
  jsonOut: string | null;
  install: boolean;
}

function pairCount(flag: string, raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isInteger(n) || n < 2 || n > 200) {
    throw new UserError(`${flag}: a number of A/B pairs, a whole number from 2 to 200, got ${JSON.stringify(raw)}.`);
  }
  return n;
}

/** --trials (the fewest pairs) and --max-pairs (the most); the maximum is raised to the minimum when below it. */
export function parsePairs(
  trials: string | undefined,
  maxPairs: string | undefined,
): { minPairs: number; maxPairs: number } {
  const min = trials === undefined ? AB_DEFAULT_MIN_PAIRS : pairCount("--trials", trials);
  const max = maxPairs === undefined ? Math.max(min, AB_DEFAULT_MAX_PAIRS) : pairCount("--max-pairs", maxPairs);
  if (max < min) {
    throw new UserError(
      `--max-pairs ${max} is below --trials ${min} (the fewest pairs): give a --max-pairs of at least ${min}.`,
    );
  }
  return { minPairs: min, maxPairs: max };
}

/** The plan of an A/B from what the CLI or the Action resolved: the A/B windows and the time bound defaulted here, once. */
export function abPlanOf(
  p: Omit<AbPlan, "maxTimeSeconds" | "minPairs" | "maxPairs"> & {
    pairs: { minPairs: number; maxPairs: number };
    maxTimeSeconds: number | null;
  },
): AbPlan {
  const { pairs, ...rest } = p;
  return Object.freeze({
    ...rest,
    ...pairs,
    overrides: withAbWindows(p.overrides),
    maxTimeSeconds: p.maxTimeSeconds ?? AB_DEFAULT_MAX_TIME,
  });
}
