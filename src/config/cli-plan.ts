import { mkdtempSync, rmdirSync } from "node:fs";
import { cpus, homedir, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_COST_LIMIT } from "../compare/cost.js";
import { UserError } from "../errors.js";
import { parseBaselineKey } from "../result/environment.js";
import { binarySearch } from "../stack/binaries.js";
import { SWEEP_DEFAULT_BUDGET, SWEEP_NOISE, SWEEP_P99_NOISE } from "../sweep/sweep.js";
import { ERROR_RATE_FORM, parseDuration, parseErrorRate, parsePercent } from "./duration.js";
import type { LoadPlan, RunPlan, StackPlan, TargetPlan } from "./plan.js";
import { loadStackFile, resolveStackPath } from "./stack-file.js";
import { DEFAULT_GATE, STACK_DEFAULTS, type StackSpec } from "./stack-spec.js";

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
  "max-error-rate": { type: "string" },
  cost: { type: "boolean" },
  "cost-limit": { type: "string" },
  "sweep-time": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

export interface LoadOverrides {
  client?: "native" | "autocannon";
  durationSeconds?: number;
  warmupSeconds?: number;
  trials?: number;
  connections?: number;
  rate?: number;
  /** A count, or "auto": the sweep chooses (see src/sweep/sweep.ts). */
  workers?: number | "auto";
  /** --sweep-time: the sweep's time budget in seconds. */
  sweepSeconds?: number;
  /** --max-error-rate, a fraction (0.01 for "1%"); overrides the stack file's gate.error-rate. */
  maxErrorRate?: number;
  /** --cost: count the app's instructions per request too (the cost run), at the stack's or the default limit; false (the Action's `cost: false`) turns it off. */
  cost?: boolean;
  /** --cost-limit "+2%": the cost gate's limit as a fraction (turns the cost run on). */
  costLimit?: number;
}

function number(
  flag: string,
  value: string | undefined,
  opts: { integer?: boolean; min: number; max?: number },
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  const ok =
    value.trim() !== "" &&
    Number.isFinite(n) &&
    (!opts.integer || Number.isInteger(n)) &&
    n >= opts.min &&
    (opts.max === undefined || n <= opts.max);
  if (!ok) {
    const kind = opts.integer ? "a whole number" : "a number";
    const range = opts.max === undefined ? `≥ ${opts.min}` : `from ${opts.min} to ${opts.max}`;
    throw new UserError(`--${flag}: expected ${kind} ${range}, got ${JSON.stringify(value)}.`);
  }
  return n;
}

/** Seconds for --duration/--warmup: a number, or the stack file's forms ("5s", "500ms", "2m"). */
function seconds(flag: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = parseDuration(value);
  if (!(n >= min) || (min === 0 && n === 0 && flag === "duration")) {
    throw new UserError(
      `--${flag}: expected seconds (e.g. 10, 10s, 500ms, 2m)${flag === "duration" ? " above zero" : ""}, got ${JSON.stringify(value)}.`,
    );
  }
  if (flag === "duration" && n === 0)
    throw new UserError(`--duration: must be above zero, got ${JSON.stringify(value)}.`);
  return n;
}

/** --max-error-rate: "1%" (or the stack file's "<1%") as a fraction. */
function errorRate(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = parseErrorRate(value.trim(), "N%");
  if (Number.isNaN(n))
    throw new UserError(`--${flag}: expected ${ERROR_RATE_FORM["N%"]}, got ${JSON.stringify(value)}.`);
  return n;
}

export function parseLoadOverrides(values: Record<string, string | boolean | undefined>): LoadOverrides {
  const workers = values.workers as string | undefined;
  const client = values.client as string | undefined;
  if (client !== undefined && client !== "native" && client !== "autocannon") {
    throw new UserError(`--client: expected native or autocannon, got ${JSON.stringify(client)}.`);
  }
  if (client === "autocannon" && values.rate !== undefined) {
    throw new UserError(
      "--client autocannon: open-loop load (--rate) needs the native client; autocannon's rate limit is bursty.",
    );
  }
  return {
    client: client as LoadOverrides["client"],
    durationSeconds: seconds("duration", values.duration as string | undefined, 0),
    warmupSeconds: seconds("warmup", values.warmup as string | undefined, 0),
    trials: number("trials", values.trials as string | undefined, { integer: true, min: 1, max: 1000 }),
    connections: number("connections", values.connections as string | undefined, { integer: true, min: 1, max: 10000 }),
    rate: number("rate", values.rate as string | undefined, { min: 0.001 }),
    workers: workers === "auto" ? "auto" : number("workers", workers, { integer: true, min: 1, max: 512 }),
    sweepSeconds: seconds("sweep-time", values["sweep-time"] as string | undefined, 1),
    maxErrorRate: errorRate("max-error-rate", values["max-error-rate"] as string | undefined),
    cost: values.cost === true ? true : undefined,
    costLimit: costLimit(values["cost-limit"] as string | undefined),
  };
}

/** --cost-limit: "+1%" (or "1%") as a fraction. */
function costLimit(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = parsePercent(/^\d/.test(value.trim()) ? `+${value.trim()}` : value);
  if (!(n > 0)) {
    throw new UserError(
      `--cost-limit: expected a percentage above zero like "+1%" (how much the app's instructions per request may grow), got ${JSON.stringify(value)}.`,
    );
  }
  return n;
}

export function applyOverrides(spec: StackSpec, o: LoadOverrides): StackPlan {
  const load: LoadPlan = {
    requests: spec.load.requests,
    connections: o.connections ?? spec.load.connections,
    rate: o.rate ?? spec.load.rate,
    warmupSeconds: o.warmupSeconds ?? spec.load.warmupSeconds,
    durationSeconds: o.durationSeconds ?? spec.load.durationSeconds,
    trials: o.trials ?? spec.load.trials,
    timeoutSeconds: spec.load.timeoutSeconds,
    client: o.client ?? "native",
  };
  const wanted = o.workers ?? spec.app.workers;
  // "auto": the sweep chooses before the measured trials; until then the app would start with one.
  const workers = wanted === "auto" ? 1 : wanted;
  const sweep =
    wanted === "auto"
      ? {
          maxWorkers: 4 * cpus().length,
          budgetSeconds: o.sweepSeconds ?? SWEEP_DEFAULT_BUDGET,
          noise: SWEEP_NOISE,
          p99Noise: SWEEP_P99_NOISE,
        }
      : null;
  // On with --cost, --cost-limit or the stack file's gate.cost; the Action's `cost: false` turns it off.
  const costOn = o.cost !== false && (o.cost === true || o.costLimit !== undefined || spec.gate.cost !== null);
  return {
    spec,
    workers,
    sweep,
    load,
    gate: {
      ...spec.gate,
      errorRate: o.maxErrorRate ?? spec.gate.errorRate,
      cost: costOn ? (o.costLimit ?? spec.gate.cost ?? DEFAULT_COST_LIMIT) : null,
    },
  };
}

/** Defaults for --target runs, the same as a stack file's. */
export const TARGET_DEFAULTS = {
  connections: STACK_DEFAULTS.connections,
  warmupSeconds: STACK_DEFAULTS.warmupSeconds,
  durationSeconds: STACK_DEFAULTS.durationSeconds,
  trials: STACK_DEFAULTS.trials,
  timeoutSeconds: STACK_DEFAULTS.timeoutSeconds,
};

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])$/;

/** `--target URL`: an already running service on this machine. */
export function planTarget(raw: string, o: LoadOverrides, positionals: string[]): TargetPlan {
  if (o.cost === true || o.costLimit !== undefined) {
    throw new UserError(
      "--cost with --target: the cost run starts the app itself under valgrind, so it needs a stack file, not a running service.",
    );
  }
  if (positionals.length > 0) {
    throw new UserError(
      `--target measures a running service: give either stacks (${positionals.join(" ")}) or --target, not both.`,
    );
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UserError(`--target: ${JSON.stringify(raw)} is not a URL; expected e.g. http://127.0.0.1:8080/path.`);
  }
  if (url.protocol !== "http:") {
    throw new UserError(
      `--target: only http:// URLs are supported, got ${url.protocol}// (measure the service behind TLS termination).`,
    );
  }
  if (!LOOPBACK.test(url.hostname)) {
    throw new UserError(
      `--target: ${url.hostname} is not this machine. loadgate only sends load to loopback addresses (127.0.0.1, ::1, localhost).`,
    );
  }
  const load: LoadPlan = {
    requests: [{ path: `${url.pathname}${url.search}`, method: "GET", headers: {} }],
    connections: o.connections ?? TARGET_DEFAULTS.connections,
    rate: o.rate ?? null,
    warmupSeconds: o.warmupSeconds ?? TARGET_DEFAULTS.warmupSeconds,
    durationSeconds: o.durationSeconds ?? TARGET_DEFAULTS.durationSeconds,
    trials: o.trials ?? TARGET_DEFAULTS.trials,
    timeoutSeconds: TARGET_DEFAULTS.timeoutSeconds,
    client: o.client ?? "native",
  };
  return { url: url.toString(), load, gate: { ...DEFAULT_GATE, errorRate: o.maxErrorRate ?? DEFAULT_GATE.errorRate } };
}

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
  let parsed: ReturnType<typeof parseArgs<{ options: typeof RUN_OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: RUN_OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UserError(
      `${(err as Error).message.replace(/\. To specify.*$/s, "")}. See "loadgate ${command} --help".`,
    );
  }
  const { values, positionals } = parsed;
  const overrides = parseLoadOverrides(values);
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

/** The parts of a RunPlan that come from the process's environment rather than from flags. */
export function runtimeOf(io: Io, toolVersion: string): RunPlan {
  const baseEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(io.env)) if (v !== undefined && !k.startsWith("INPUT_")) baseEnv[k] = v;
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
    cacheDir: cacheDirFrom(io.env),
    tmpDir: io.env.RUNNER_TEMP || tmpdir(),
    baseEnv,
    toolVersion,
  };
}
