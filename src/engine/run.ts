import { join } from "node:path";
import type { LoadPlan, RunPlan, StackPlan, TargetPlan } from "../config/plan.js";
import { StackError, UserError } from "../errors.js";
import { type LoadHooks, type LoadOutcome, type Progress, runClosedLoop } from "../load/closed-loop.js";
import { type CpuSnapshot, cpuSnapshot } from "../load/cpu.js";
import { runLoad } from "../load/driver.js";
import { applyPlacement } from "../load/placement.js";
import { buildEnvironment, machineFacts } from "../result/environment.js";
import type { CpuAccount, Placement, StackResult } from "../result/types.js";
import { type Binaries, requireBinaries } from "../stack/binaries.js";
import { tcpOpen } from "../stack/probes.js";
import { ensurePythonEnv, type PythonEnv } from "../stack/python-env.js";
import { unprivilegedUser } from "../stack/run-user.js";
import { bringUp, type StackContext } from "../stack/stack.js";
import { componentVersions, nginxSupportsErrorFlag } from "../stack/versions.js";
import { cpuAccount, loadGeneratorWarning } from "../stats/cpu-shares.js";
import { summarizeTrials } from "../stats/summary.js";

export type PhaseName = "install" | "up" | "warmup" | "trials" | "down";

export interface EngineHooks {
  log: (line: string) => void;
  /** Called as each stack enters a phase, so the Action can fold each into its own log group. */
  onPhase?: (stack: string, phase: PhaseName) => void;
  onProgress?: (stack: string, p: Progress) => void;
  onComponent?: StackContext["onComponent"];
  signal?: AbortSignal;
}

export function needsOf(stacks: readonly StackPlan[]) {
  return {
    postgres: stacks.some((s) => s.spec.database !== null),
    pgbouncer: stacks.some((s) => s.spec.pooler !== null),
    nginx: stacks.some((s) => s.spec.proxy !== null),
  };
}

/** loadgate's own client (closed or open loop), or autocannon for comparison. */
export function drive(url: string, load: LoadPlan, hooks: LoadHooks): Promise<LoadOutcome> {
  return load.client === "autocannon" && load.rate === null
    ? runClosedLoop(url, load, hooks)
    : runLoad(url, load, hooks);
}

/** Measures with CPU snapshots at the start and end of the measured trials. */
export async function measure(
  url: string,
  load: LoadPlan,
  components: () => readonly { name: string; pid: number }[],
  hooks: LoadHooks,
  cores: number,
): Promise<{ outcome: LoadOutcome; cpu: CpuAccount | null }> {
  let start: CpuSnapshot | undefined;
  let end: CpuSnapshot | undefined;
  const outcome = await drive(url, load, {
    ...hooks,
    onMeasureStart: () => {
      start = cpuSnapshot(components());
      hooks.onMeasureStart?.();
    },
    onMeasureEnd: () => {
      end = cpuSnapshot(components());
    },
  });
  // With no warmup the start timer fires at 0 s, after the load began: close enough, and never missing.
  return { outcome, cpu: start && end ? cpuAccount(start, end, cores) : null };
}

function warningsFor(cpu: CpuAccount | null, trials: StackResult["trials"]): string[] {
  const warnings: string[] = [];
  const w = cpu ? loadGeneratorWarning(cpu) : undefined;
  if (w) warnings.push(w);
  const errors = trials.reduce((a, t) => a + t.errors.total, 0);
  if (errors > 0) {
    const e = trials.reduce(
      (a, t) => ({
        connection: a.connection + t.errors.connection,
        timeouts: a.timeouts + t.errors.timeouts,
        non2xx: a.non2xx + t.errors.non2xx,
      }),
      { connection: 0, timeouts: 0, non2xx: 0 },
    );
    warnings.push(
      `${errors} failed requests in the measured trials (connection errors ${e.connection}, timeouts ${e.timeouts}, non-2xx ${e.non2xx}).`,
    );
  }
  return warnings;
}

/** Brings each stack up in turn, measures it, and always brings it down. */
export async function runStacks(plan: RunPlan, hooks: EngineHooks): Promise<StackResult[]> {
  const binaries: Binaries = requireBinaries(needsOf(plan.stacks), plan.binarySearch, plan.install, hooks.log);
  // Prepare every Python environment before the first stack starts, so a missing one fails fast.
  const pythonEnvs = new Map<StackPlan, PythonEnv>();
  for (const s of plan.stacks) {
    if (!s.spec.app.python) continue;
    const { requirements, interpreter } = s.spec.app.python;
    hooks.onPhase?.(s.spec.name, "install");
    pythonEnvs.set(s, await ensurePythonEnv(plan.cacheDir, requirements, interpreter, plan.install, hooks.log));
  }
  const placement = applyPlacement(plan.pin);
  const results: StackResult[] = [];
  for (const s of plan.stacks) {
    hooks.signal?.throwIfAborted();
    results.push(await runOneStack(plan, s, binaries, pythonEnvs.get(s), placement, hooks));
  }
  return results;
}

async function runOneStack(
  plan: RunPlan,
  s: StackPlan,
  binaries: Binaries,
  python: PythonEnv | undefined,
  placement: Placement,
  hooks: EngineHooks,
): Promise<StackResult> {
  const log = (line: string) => hooks.log(`[${s.spec.name}] ${line}`);
  const versions = await componentVersions(binaries, {
    postgres: s.spec.database !== null,
    pgbouncer: s.spec.pooler !== null,
    nginx: s.spec.proxy !== null,
    python: python ? join(python.bin, "python") : undefined,
  });
  versions.loadgate = plan.toolVersion;
  hooks.onPhase?.(s.spec.name, "up");
  log("bringing the stack up");
  const stack = await bringUp(s, {
    binaries,
    user: unprivilegedUser(),
    tmpDir: plan.tmpDir,
    baseEnv: plan.baseEnv,
    python,
    nginxSupportsErrorFlag: nginxSupportsErrorFlag(versions.nginx),
    log,
    signal: hooks.signal,
    cpus: placement.pinned ? placement.stack : undefined,
    onComponent: hooks.onComponent,
  });
  const facts = machineFacts();
  let measured: Awaited<ReturnType<typeof measure>>;
  try {
    const mode = s.load.rate === null ? `${s.load.connections} connections` : `${s.load.rate} req/s open loop`;
    log(
      `load: ${mode} → ${stack.url}; warmup ${s.load.warmupSeconds} s, ${s.load.trials} × ${s.load.durationSeconds} s`,
    );
    hooks.onPhase?.(s.spec.name, "warmup");
    measured = await measure(
      stack.url,
      s.load,
      () => stack.components.map((c) => ({ name: c.name, pid: c.pid })),
      {
        check: () => stack.assertAlive(),
        onProgress: (p) => hooks.onProgress?.(s.spec.name, p),
        signal: hooks.signal,
        onMeasureStart: () => hooks.onPhase?.(s.spec.name, "trials"),
      },
      facts.logicalCores,
    );
  } catch (err) {
    hooks.onPhase?.(s.spec.name, "down");
    await stack.down(true).catch((downErr) => log(String(downErr instanceof Error ? downErr.message : downErr)));
    throw err;
  }
  hooks.onPhase?.(s.spec.name, "down");
  log("bringing the stack down");
  await stack.down();
  const { trials } = measured.outcome;
  if (trials.every((t) => t.requests === 0)) {
    throw new StackError(
      `${s.spec.name}: no successful response in any trial (errors: ${trials.reduce((a, t) => a + t.errors.total, 0)}).`,
    );
  }
  return {
    stack: { name: s.spec.name, file: s.spec.file, webserver: s.spec.app.webserver, framework: s.spec.app.framework },
    workers: s.workers,
    environment: buildEnvironment({ ...facts, versions, stackFileHash: s.spec.fileHash }),
    load: {
      target: "nginx" in stack.ports ? "nginx" : "app",
      mode: s.load.rate === null ? "closed-loop" : "open-loop",
      connections: s.load.connections,
      rate: s.load.rate,
      warmupSeconds: s.load.warmupSeconds,
      durationSeconds: s.load.durationSeconds,
      trials: s.load.trials,
    },
    trials,
    summary: summarizeTrials(trials),
    cpu: measured.cpu,
    placement,
    warnings: warningsFor(measured.cpu, trials),
  };
}

/** `--target`: measures a service that is already running; no stack is started or stopped. */
export async function runTarget(plan: RunPlan, target: TargetPlan, hooks: EngineHooks): Promise<StackResult> {
  const url = new URL(target.url);
  const port = Number(url.port || 80);
  if (!(await tcpOpen(port, 2000, url.hostname.replace(/^\[|\]$/g, "")))) {
    throw new UserError(`--target ${target.url}: nothing accepts connections on ${url.host}. Start the service first.`);
  }
  const placement = applyPlacement(plan.pin);
  const facts = machineFacts();
  const name = `${url.host}${url.pathname}`;
  const measured = await measure(
    `${url.protocol}//${url.host}`,
    target.load,
    () => [],
    { onProgress: (p) => hooks.onProgress?.(name, p), signal: hooks.signal },
    facts.logicalCores,
  );
  const { trials } = measured.outcome;
  return {
    stack: { name, file: target.url, webserver: "external", framework: "" },
    workers: null,
    environment: buildEnvironment({
      ...facts,
      versions: { node: process.version, loadgate: plan.toolVersion },
      stackFileHash: "",
    }),
    load: {
      target: target.url,
      mode: target.load.rate === null ? "closed-loop" : "open-loop",
      connections: target.load.connections,
      rate: target.load.rate,
      warmupSeconds: target.load.warmupSeconds,
      durationSeconds: target.load.durationSeconds,
      trials: target.load.trials,
    },
    trials,
    summary: summarizeTrials(trials),
    cpu: measured.cpu,
    placement,
    warnings: warningsFor(measured.cpu, trials),
  };
}

/**
 * `loadgate up`: brings one stack up, announces its URL, and keeps it up until the signal aborts
 * (Ctrl-C) or a component dies; then brings it down. For benchmarks against --target and for debugging.
 */
export async function holdStack(plan: RunPlan, hooks: EngineHooks & { onReady: (url: string) => void }): Promise<void> {
  const s = plan.stacks[0];
  const binaries = requireBinaries(needsOf([s]), plan.binarySearch, plan.install, hooks.log);
  const python = s.spec.app.python
    ? await ensurePythonEnv(
        plan.cacheDir,
        s.spec.app.python.requirements,
        s.spec.app.python.interpreter,
        plan.install,
        hooks.log,
      )
    : undefined;
  const placement = applyPlacement(false);
  const versions = await componentVersions(binaries, {
    postgres: false,
    pgbouncer: false,
    nginx: s.spec.proxy !== null,
  });
  const stack = await bringUp(s, {
    binaries,
    user: unprivilegedUser(),
    tmpDir: plan.tmpDir,
    baseEnv: plan.baseEnv,
    python,
    nginxSupportsErrorFlag: nginxSupportsErrorFlag(versions.nginx),
    log: (l) => hooks.log(`[${s.spec.name}] ${l}`),
    signal: hooks.signal,
    cpus: plan.pin ? placement.stack : undefined,
    onComponent: hooks.onComponent,
  });
  let failure: unknown;
  try {
    hooks.onReady(`${stack.url}${s.spec.load.requests[0]?.path ?? "/"}`);
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        try {
          stack.assertAlive();
        } catch (err) {
          failure = err;
          clearInterval(timer);
          resolve();
        }
      }, 500);
      hooks.signal?.addEventListener("abort", () => {
        clearInterval(timer);
        resolve();
      });
    });
  } finally {
    await stack.down(failure !== undefined);
  }
  if (failure) throw failure;
}
