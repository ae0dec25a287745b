import { existsSync } from "node:fs";
import { relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { type LoadOverrides, parseLoadOverrides, RUN_OPTIONS } from "../config/cli-plan.js";
import { parseDuration } from "../config/duration.js";
import { UserError } from "../errors.js";
import { isCommit, repoRoot, resolveCommit } from "./git.js";

/** The fewest pairs measured before the first look (the first look also waits until the exact test can decide). */
export const AB_DEFAULT_MIN_PAIRS = 8;
/** The most pairs: the last planned look. Chosen from bench/gate-power (see the README). */
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
export function withAbWindows(o: LoadOverrides): LoadOverrides {
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
  overrides: LoadOverrides;
  /** --trials: pairs measured at least. */
  minPairs: number;
  /** --max-pairs: pairs measured at most, when the verdict stays undecided. */
  maxPairs: number;
  maxTimeSeconds: number;
  jsonOut: string | null;
  install: boolean;
}

/** `loadgate ab <base-ref> [<head-ref>] [stack...] [flags]` → AbPlan. A second positional that names a commit and not a path is the head. */
export async function planAb(argv: string[], cwd: string): Promise<AbPlan> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof AB_OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: AB_OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UserError(`${(err as Error).message.replace(/\. To specify.*$/s, "")}. See "loadgate ab --help".`);
  }
  const { values, positionals } = parsed;
  if (positionals.length === 0)
    throw new UserError("loadgate ab needs a base ref: loadgate ab main [head-ref] stacks/my-app");
  const root = await repoRoot(cwd);
  const [baseRef, ...rest] = positionals;
  const baseSha = await resolveCommit(root, baseRef, "base ref");
  let headRef: string | null = null;
  if (rest.length > 0 && !existsSync(resolve(cwd, rest[0])) && (await isCommit(root, rest[0]))) headRef = rest.shift()!;
  const headSha = headRef ? await resolveCommit(root, headRef, "head ref") : null;
  if (rest.length === 0)
    throw new UserError("loadgate ab needs at least one stack (a folder with stack.yml, or the file).");
  const stackPaths = rest.map((p) => {
    const abs = resolve(cwd, p);
    const rel = relative(root, abs);
    if (rel.startsWith("..")) throw new UserError(`${p}: the stack must be inside the repository (${root}).`);
    return rel;
  });
  const overrides = withAbWindows(parseLoadOverrides({ ...values, trials: undefined }));
  const { minPairs, maxPairs } = parsePairs(values.trials, values["max-pairs"]);
  let maxTime = AB_DEFAULT_MAX_TIME;
  if (values["max-time"] !== undefined) {
    maxTime = parseDuration(values["max-time"]);
    if (!(maxTime > 0))
      throw new UserError(
        `--max-time: expected a duration above zero (900, 900s, 15m), got ${JSON.stringify(values["max-time"])}.`,
      );
  }
  return {
    root,
    baseRef,
    baseSha,
    headRef,
    headSha,
    stackPaths,
    overrides,
    minPairs,
    maxPairs,
    maxTimeSeconds: maxTime,
    jsonOut: values.json ? resolve(cwd, values.json) : null,
    install: values.install ?? false,
  };
}

export const AB_OPTIONS = { ...RUN_OPTIONS, "max-time": { type: "string" }, "max-pairs": { type: "string" } } as const;

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
