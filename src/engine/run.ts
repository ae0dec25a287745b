import { join } from "node:path";
import type { RunPlan, StackPlan } from "../config/plan.js";
import { StackError } from "../errors.js";
import { type LoadHooks, runClosedLoop } from "../load/closed-loop.js";
import { buildEnvironment, machineFacts } from "../result/environment.js";
import type { StackResult } from "../result/types.js";
import { type Binaries, requireBinaries } from "../stack/binaries.js";
import { ensurePythonEnv } from "../stack/python-env.js";
import { unprivilegedUser } from "../stack/run-user.js";
import { bringUp, type StackContext } from "../stack/stack.js";
import { componentVersions, nginxSupportsErrorFlag } from "../stack/versions.js";
import { summarizeTrials } from "../stats/summary.js";

export interface EngineHooks {
  log: (line: string) => void;
  onProgress?: (stack: string, p: Parameters<NonNullable<LoadHooks["onProgress"]>>[0]) => void;
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

/** Brings each stack up in turn, measures it, and always brings it down. */
export async function runStacks(plan: RunPlan, hooks: EngineHooks): Promise<StackResult[]> {
  const binaries: Binaries = requireBinaries(needsOf(plan.stacks), plan.binarySearch, plan.install, hooks.log);
  // Prepare every Python environment before the first stack starts, so a missing one fails fast.
  const pythonEnvs = new Map<StackPlan, Awaited<ReturnType<typeof ensurePythonEnv>>>();
  for (const s of plan.stacks) {
    if (!s.spec.app.python) continue;
    pythonEnvs.set(
      s,
      await ensurePythonEnv(
        plan.cacheDir,
        s.spec.app.python.requirements,
        s.spec.app.python.interpreter,
        plan.install,
        hooks.log,
      ),
    );
  }
  const results: StackResult[] = [];
  for (const s of plan.stacks) {
    hooks.signal?.throwIfAborted();
    results.push(await runOneStack(plan, s, binaries, pythonEnvs.get(s), hooks));
  }
  return results;
}

async function runOneStack(
  plan: RunPlan,
  s: StackPlan,
  binaries: Binaries,
  python: Awaited<ReturnType<typeof ensurePythonEnv>> | undefined,
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
    onComponent: hooks.onComponent,
  });
  let trials: StackResult["trials"];
  try {
    log(
      `load: ${s.load.connections} connections → ${stack.url}; warmup ${s.load.warmupSeconds} s, ${s.load.trials} × ${s.load.durationSeconds} s`,
    );
    const outcome = await runClosedLoop(`${stack.url}`, s.load, {
      check: () => stack.assertAlive(),
      onProgress: (p) => hooks.onProgress?.(s.spec.name, p),
      signal: hooks.signal,
    });
    trials = outcome.trials;
  } catch (err) {
    await stack.down(true).catch((downErr) => log(String(downErr instanceof Error ? downErr.message : downErr)));
    throw err;
  }
  log("bringing the stack down");
  await stack.down();
  if (trials.every((t) => t.requests === 0)) {
    throw new StackError(
      `${s.spec.name}: no successful response in any trial (errors: ${trials.reduce((a, t) => a + t.errors.total, 0)}).`,
    );
  }
  const environment = buildEnvironment({ ...machineFacts(), versions, stackFileHash: s.spec.fileHash });
  return {
    stack: { name: s.spec.name, file: s.spec.file, webserver: s.spec.app.webserver, framework: s.spec.app.framework },
    workers: s.workers,
    environment,
    load: {
      target: "nginx" in stack.ports ? "nginx" : "app",
      connections: s.load.connections,
      rate: s.load.rate,
      warmupSeconds: s.load.warmupSeconds,
      durationSeconds: s.load.durationSeconds,
      trials: s.load.trials,
    },
    trials,
    summary: summarizeTrials(trials),
    warnings: [],
  };
}
