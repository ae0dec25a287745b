// `loadgate run|cost|up|capacity` argv → the frozen RunPlan, and the parts of every plan that come
// from the machine (binaries, cache and temp folders, the app's environment).

import { mkdtempSync, rmdirSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { baseEnvOf } from "../child-env.js";
import { UserError } from "../errors.js";
import { parseBaselineKey } from "../result/environment.js";
import { applyOverrides, planTarget } from "./apply.js";
import { parseFlags } from "./args.js";
import { binarySearch } from "./binary-search.js";
import { readEvent, untrustedReason } from "./event.js";
import { parseOverrides } from "./overrides.js";
import type { RunPlan } from "./plan.js";
import { loadStackFile, resolveStackPath } from "./stack-file.js";

export const RUN_OPTIONS = {
  duration: { type: "string" },
  warmup: { type: "string" },
  trials: { type: "string" },
  connections: { type: "string" },
  rate: { type: "string" },
  workers: { type: "string" },
  json: { type: "string" },
  baseline: { type: "string" },
  "save-baseline": { type: "string" },
  "baseline-key": { type: "string" },
  install: { type: "boolean" },
  pin: { type: "boolean" },
  target: { type: "string" },
  client: { type: "string" },
  "load-threads": { type: "string" },
  // Declared, not parseArgs' allowNegative (Node ≥ 20.16): engines says Node ≥ 20.
  "no-keepalive": { type: "boolean" },
  "total-requests": { type: "string" },
  "max-error-rate": { type: "string" },
  cost: { type: "boolean" },
  "no-cost": { type: "boolean" },
  "cost-limit": { type: "string" },
  "no-work": { type: "boolean" },
  "p99-threshold": { type: "string" },
  "throughput-threshold": { type: "string" },
  "statements-threshold": { type: "string" },
  "rows-threshold": { type: "string" },
  "pages-threshold": { type: "string" },
  "connections-threshold": { type: "string" },
  "sweep-time": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** `loadgate ab`: the run's flags and the A/B's bounds (--min-pairs, not --trials: an A/B counts pairs). */
export const AB_OPTIONS = {
  ...RUN_OPTIONS,
  "min-pairs": { type: "string" },
  "max-time": { type: "string" },
  "max-pairs": { type: "string" },
} as const;

export interface Io {
  cwd: string;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
}

function cacheDirFrom(env: NodeJS.ProcessEnv): string {
  if (env.LOADGATE_CACHE_DIR) return resolve(env.LOADGATE_CACHE_DIR);
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, "loadgate");
  return join(env.HOME ?? homedir(), ".cache", "loadgate");
}

/**
 * `loadgate run ...` argv → RunPlan. Every mistake is a UserError that names the flag or file (and, for
 * a flag parseArgs refuses, the help of `command`: run, cost, up or capacity, which take the run's flags).
 */
export function planRun(argv: string[], io: Io, toolVersion: string, command = "run"): RunPlan {
  const { values, positionals } = parseFlags(argv, RUN_OPTIONS, command);
  const overrides = parseOverrides(values);
  const target = values.target === undefined ? null : planTarget(values.target, overrides, positionals);
  if (!target && positionals.length === 0) {
    throw new UserError(
      'Give at least one stack: "loadgate run stacks/gunicorn-flask" (a folder with stack.yml, or the file).',
    );
  }
  const stacks = target
    ? []
    : positionals.map((p) => applyOverrides(loadStackFile(resolveStackPath(p, io.cwd)), overrides));
  // Stacks need a run folder; a --target needs none.
  if (stacks.length > 0) checkRunFolder(io);
  const names = new Set<string>();
  for (const s of stacks) {
    if (names.has(s.spec.name))
      throw new UserError(`${s.spec.file}: two stacks are named "${s.spec.name}"; names must differ.`);
    names.add(s.spec.name);
  }
  return Object.freeze({
    ...runtimeOf(io, toolVersion),
    stacks,
    target,
    install: values.install ?? false,
    pin: (values.pin ?? false) || stacks.some((s) => s.spec.load.pin),
    jsonOut: values.json ? resolve(io.cwd, values.json) : null,
    baselineFile: values.baseline ? resolve(io.cwd, values.baseline) : null,
    saveBaseline: values["save-baseline"] ? resolve(io.cwd, values["save-baseline"]) : null,
    baselineKey: baselineKeyFlag(values["baseline-key"]),
  });
}

function baselineKeyFlag(value: string | undefined): string | null {
  if (value === undefined) return null;
  const key = parseBaselineKey(value);
  if (key === null) {
    throw new UserError(
      `--baseline-key: expected a name of 1 to 64 letters, digits, ".", "_" or "-" starting with a letter or digit (e.g. ci-4cpu), got ${JSON.stringify(value)}.`,
    );
  }
  return key;
}

const FOLDER_PROBLEM: Record<string, string> = {
  EROFS: "it is on a read-only file system",
  EACCES: "this user may not write there",
  EPERM: "this user may not write there",
  ENOENT: "it does not exist",
  ENOTDIR: "it is not a folder",
  ENOSPC: "its file system is full",
};

/**
 * The folder every run's files go in (logs, configuration, PostgreSQL's data), checked by making and
 * removing a folder in it, as the run will. A folder that cannot take one is bad input (exit 2),
 * named with the variable that chose it, before anything starts.
 */
export function checkRunFolder(io: Pick<Io, "env">): void {
  const from = io.env.RUNNER_TEMP ? "RUNNER_TEMP" : io.env.TMPDIR ? "TMPDIR" : undefined;
  const folder = io.env.RUNNER_TEMP || tmpdir();
  try {
    rmdirSync(mkdtempSync(join(folder, ".loadgate-check-")));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "";
    const named = from ? `${from}=${folder}` : `${folder} (the system's temporary folder)`;
    throw new UserError(
      `${named}: loadgate cannot create the run's folder there (${code}: ${FOLDER_PROBLEM[code] ?? (err as Error).message}). Each run keeps its logs, configuration files and PostgreSQL's data in a folder under it. ${from ? `Point ${from} at a writable folder with room${from === "RUNNER_TEMP" ? " (or unset it to use TMPDIR, else /tmp)" : ""}` : "Set TMPDIR to a writable folder with room"}.`,
    );
  }
}

/** A GitHub Actions run of the default branch's own code (see event.ts untrustedReason); anything else is not. */
function isTrustedRun(env: NodeJS.ProcessEnv): boolean {
  if (env.GITHUB_ACTIONS !== "true") return false;
  try {
    return untrustedReason(readEvent(env)) === null;
  } catch {
    return false; // an unreadable event payload proves nothing
  }
}

/** The parts of a RunPlan that come from the process's environment rather than from flags. */
export function runtimeOf(io: Io, toolVersion: string): RunPlan {
  const hostEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(io.env)) if (v !== undefined) hostEnv[k] = v;
  return {
    stacks: [],
    target: null,
    install: false,
    pin: false,
    binarySearch: binarySearch(io.env.PATH, io.env.LOADGATE_BIN_PATH),
    jsonOut: null,
    baselineFile: null,
    saveBaseline: null,
    baselineKey: null,
    costOnly: false,
    workOnly: false,
    cacheDir: cacheDirFrom(io.env),
    tmpDir: io.env.RUNNER_TEMP || tmpdir(),
    baseEnv: baseEnvOf(hostEnv),
    hostEnv: Object.freeze(hostEnv),
    trustedRun: isTrustedRun(io.env),
    toolVersion,
  };
}
