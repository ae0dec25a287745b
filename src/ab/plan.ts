import { existsSync } from "node:fs";
import { relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { type LoadOverrides, parseLoadOverrides, RUN_OPTIONS } from "../config/cli-plan.js";
import { UserError } from "../errors.js";
import { isCommit, repoRoot, resolveCommit } from "./git.js";

export const AB_DEFAULT_PAIRS = 8;
export const AB_DEFAULT_MAX_TIME = 1800;

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
  pairs: number;
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
    throw new UserError(`${(err as Error).message.replace(/\. To specify.*$/s, "")}. See "loadgate --help".`);
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
  const overrides = parseLoadOverrides({ ...values, trials: undefined });
  const pairs = values.trials === undefined ? AB_DEFAULT_PAIRS : Number(values.trials);
  if (!Number.isInteger(pairs) || pairs < 2 || pairs > 200) {
    throw new UserError(
      `--trials: the number of A/B pairs, a whole number from 2 to 200, got ${JSON.stringify(values.trials)}.`,
    );
  }
  const maxTime = values["max-time"] === undefined ? AB_DEFAULT_MAX_TIME : Number(values["max-time"]);
  if (!(maxTime > 0))
    throw new UserError(`--max-time: expected seconds above zero, got ${JSON.stringify(values["max-time"])}.`);
  return {
    root,
    baseRef,
    baseSha,
    headRef,
    headSha,
    stackPaths,
    overrides,
    pairs,
    maxTimeSeconds: maxTime,
    jsonOut: values.json ? resolve(cwd, values.json) : null,
    install: values.install ?? false,
  };
}

export const AB_OPTIONS = { ...RUN_OPTIONS, "max-time": { type: "string" } } as const;
