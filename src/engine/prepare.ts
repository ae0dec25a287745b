import { join } from "node:path";
import type { Histogram } from "hdr-histogram-js";
import { passEnvOf } from "../child-env.js";
import type { LoadPlan, RunPlan, StackPlan } from "../config/plan.js";
import { buildEnvironment, machineFacts } from "../result/environment.js";
import type { CpuAccount, Environment, Placement, StackResult, Trial } from "../result/types.js";
import { ensureAppSetup } from "../stack/app-setup.js";
import { type Binaries, requireBinaries } from "../stack/binaries.js";
import { ensurePythonEnv, type PythonEnv } from "../stack/python-env.js";
import { unprivilegedUser } from "../stack/run-user.js";
import {
  bringUp,
  type DatabaseTemplate,
  type RunningStack,
  type StackContext,
  seedDatabaseTemplate,
} from "../stack/stack.js";
import { componentVersions, nginxSupportsErrorFlag } from "../stack/versions.js";
import { summarizeTrials } from "../stats/summary.js";
import { tailWarning } from "../stats/tail.js";

/**
 * What the app and its setup commands start from: the run's allowlisted environment and the
 * variables the stack file's app.pass-env names (src/child-env.ts), never the whole environment.
 */
export function appBaseEnv(run: RunPlan, s: StackPlan): Record<string, string> {
  return { ...run.baseEnv, ...passEnvOf(s.spec.app.passEnv, run.hostEnv) };
}

export function needsOf(stacks: readonly StackPlan[]) {
  return {
    postgres: stacks.some((s) => s.spec.database !== null),
    pgbouncer: stacks.some((s) => s.spec.pooler !== null),
    nginx: stacks.some((s) => s.spec.proxy !== null),
    valgrind: stacks.some((s) => s.gate.cost !== null),
  };
}

/** A stack with everything it needs installed and its components' versions read. */
export interface PreparedStack {
  plan: StackPlan;
  binaries: Binaries;
  python: PythonEnv | undefined;
  versions: Record<string, string>;
}

/** What preparing a stack may need beyond its log: app.setup runs a command, which Ctrl-C must stop. */
export interface PrepareOptions {
  signal?: AbortSignal;
  onComponent?: StackContext["onComponent"];
}

/**
 * Finds (or installs) the binaries and the Python environment one stack needs, runs its app.setup
 * (unless cached), and reads the components' versions.
 */
export async function prepareStack(
  run: RunPlan,
  s: StackPlan,
  log: (line: string) => void,
  o: PrepareOptions = {},
): Promise<PreparedStack> {
  const binaries = requireBinaries(needsOf([s]), run.binarySearch, run.install, log);
  const python = s.spec.app.python
    ? await ensurePythonEnv({
        cacheDir: run.cacheDir,
        requirements: s.spec.app.python.requirements,
        interpreter: s.spec.app.python.interpreter,
        install: run.install,
        log,
        noDeps: s.spec.app.python.noDeps,
        trusted: run.trustedRun,
        env: run.hostEnv,
      })
    : undefined;
  await ensureAppSetup(s.spec, {
    // A default-branch run keeps its own markers: it never skips app.setup on another run's word.
    cacheDir: run.trustedRun ? join(run.cacheDir, "default-branch") : run.cacheDir,
    tmpDir: run.tmpDir,
    baseEnv: appBaseEnv(run, s),
    python,
    user: unprivilegedUser(),
    log: (line) => log(`[${s.spec.name}] ${line}`),
    signal: o.signal,
    onComponent: o.onComponent,
  });
  const versions = await componentVersions(binaries, {
    postgres: s.spec.database !== null,
    pgbouncer: s.spec.pooler !== null,
    nginx: s.spec.proxy !== null,
    python: python ? join(python.bin, "python") : undefined,
  });
  versions.loadgate = run.toolVersion;
  return { plan: s, binaries, python, versions };
}

export interface StartOptions {
  log: (line: string) => void;
  signal?: AbortSignal;
  cpus?: string;
  onComponent?: StackContext["onComponent"];
  /** A seeded data directory (seedTemplate's `dir`): PostgreSQL starts from a copy of it instead of seeding. */
  databaseTemplate?: string;
}

/**
 * Seeds the stack's database once into a stopped data directory under run.tmpDir, for startStack's
 * `databaseTemplate`. The caller disposes of it (in a finally) when the last stack using it is down.
 */
export function seedTemplate(
  run: RunPlan,
  p: PreparedStack,
  o: Omit<StartOptions, "databaseTemplate">,
): Promise<DatabaseTemplate> {
  return seedDatabaseTemplate(p.plan, {
    binaries: p.binaries,
    baseEnv: appBaseEnv(run, p.plan),
    python: p.python,
    user: unprivilegedUser(),
    tmpDir: run.tmpDir,
    clusterCache: clusterCacheOf(run),
    log: o.log,
    signal: o.signal,
    cpus: o.cpus,
    onComponent: o.onComponent,
  });
}

/** Fresh PostgreSQL clusters, kept apart for trusted runs as their virtualenvs are. */
const clusterCacheOf = (run: RunPlan) => join(run.cacheDir, run.trustedRun ? "default-branch" : "", "clusters");

/** Brings a prepared stack up. */
export function startStack(run: RunPlan, p: PreparedStack, o: StartOptions): Promise<RunningStack> {
  return bringUp(p.plan, {
    binaries: p.binaries,
    user: unprivilegedUser(),
    tmpDir: run.tmpDir,
    baseEnv: appBaseEnv(run, p.plan),
    python: p.python,
    nginxSupportsErrorFlag: nginxSupportsErrorFlag(p.versions.nginx),
    log: o.log,
    signal: o.signal,
    cpus: o.cpus,
    onComponent: o.onComponent,
    databaseTemplate: o.databaseTemplate,
    clusterCache: clusterCacheOf(run),
    // Test-only fault injection, read here and nowhere else (see startOnFreePort).
    takePortForTest: run.hostEnv.LOADGATE_TEST_TAKE_PORT,
  });
}

/** The Result entry for one stack (or target) from what was measured. */
export function stackResult(r: {
  stack: StackResult["stack"];
  workers: number | null;
  environment: Environment;
  target: string;
  load: LoadPlan;
  trials: Trial[];
  /** The trials' µs histograms, in the order of `trials`, for the pooled percentiles. */
  histograms?: readonly Histogram[];
  cpu: CpuAccount | null;
  placement: Placement;
  warnings: string[];
}): StackResult {
  const tail = tailWarning(r.trials);
  return {
    stack: r.stack,
    workers: r.workers,
    environment: r.environment,
    load: {
      target: r.target,
      mode: r.load.rate === null ? "closed-loop" : "open-loop",
      connections: r.load.connections,
      rate: r.load.rate,
      warmupSeconds: r.load.warmupSeconds,
      durationSeconds: r.load.durationSeconds,
      trials: r.trials.length,
      ...(typeof r.load.threads === "number" ? { threads: r.load.threads } : {}),
      ...(r.load.keepalive ? {} : { keepalive: false as const }),
      ...(r.load.totalRequests === null ? {} : { totalRequests: r.load.totalRequests }),
    },
    trials: r.trials,
    summary: summarizeTrials(r.trials, r.histograms),
    cpu: r.cpu,
    placement: r.placement,
    warnings: tail ? [...r.warnings, tail] : r.warnings,
  };
}

/** A Result entry with no timed trials, for a cost-only run or a capacity search to complete. */
export function untimedResult(p: PreparedStack, placement: Placement): StackResult {
  const s = p.plan;
  return stackResult({
    stack: stackInfo(s),
    workers: s.workers,
    environment: buildEnvironment({ ...machineFacts(), versions: p.versions, stackFileHash: s.spec.fileHash }),
    target: s.spec.proxy ? "nginx" : "app",
    load: { ...s.load, trials: 0 },
    trials: [],
    cpu: null,
    placement,
    warnings: [],
  });
}

/** The Result's stack block from a stack plan. */
export function stackInfo(s: StackPlan): StackResult["stack"] {
  return { name: s.spec.name, file: s.spec.file, webserver: s.spec.app.webserver, framework: s.spec.app.framework };
}
