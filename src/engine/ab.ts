import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { addWorktree, removeWorktree } from "../ab/git.js";
import type { AbPlan } from "../ab/plan.js";
import { abBlocks, type Side } from "../ab/schedule.js";
import { type Comparison, compareAbPairs } from "../compare/verdict.js";
import { applyOverrides } from "../config/cli-plan.js";
import type { RunPlan, StackPlan } from "../config/plan.js";
import { loadStackFile, resolveStackPath } from "../config/stack-file.js";
import { UserError } from "../errors.js";
import { buildEnvironment, machineFacts } from "../result/environment.js";
import type { StackResult, Trial } from "../result/types.js";
import { requireBinaries } from "../stack/binaries.js";
import { ensurePythonEnv, type PythonEnv } from "../stack/python-env.js";
import { unprivilegedUser } from "../stack/run-user.js";
import { bringUp, type RunningStack } from "../stack/stack.js";
import { componentVersions, nginxSupportsErrorFlag } from "../stack/versions.js";
import { summarizeTrials } from "../stats/summary.js";
import { type EngineHooks, measure, needsOf } from "./run.js";

export interface AbOutcome {
  base: StackResult;
  head: StackResult;
  comparison: Comparison;
  pairs: number;
  notes: string[];
}

interface SideSetup {
  side: Side;
  plan: StackPlan;
  python: PythonEnv | undefined;
  versions: Record<string, string>;
}

/**
 * Same-runner A/B: both sides' stacks up side by side (each with its own database), trials
 * interleaved ABBA/BAAB, both restarted between blocks, the whole run bounded by --max-time.
 */
export async function runAb(
  ab: AbPlan,
  run: RunPlan,
  hooks: EngineHooks,
  gateOf?: (s: StackPlan) => { p99: number; throughput: number },
): Promise<AbOutcome[]> {
  const workDir = mkdtempSync(join(run.tmpDir, "loadgate-ab-"));
  const worktrees: string[] = [];
  const started = Date.now();
  try {
    const baseDir = join(workDir, "base");
    await addWorktree(ab.root, baseDir, ab.baseSha);
    worktrees.push(baseDir);
    let headDir = ab.root;
    if (ab.headSha) {
      headDir = join(workDir, "head");
      await addWorktree(ab.root, headDir, ab.headSha);
      worktrees.push(headDir);
    }
    const outcomes: AbOutcome[] = [];
    for (const rel of ab.stackPaths) {
      const headSpec = loadStackFile(resolveStackPath(join(headDir, rel)));
      let baseSpec: ReturnType<typeof loadStackFile>;
      try {
        baseSpec = loadStackFile(resolveStackPath(join(baseDir, rel)));
      } catch (err) {
        throw new UserError(`In the base (${ab.baseRef}): ${(err as Error).message}`);
      }
      // Both sides get the head's load, so only the code differs.
      const headPlan = applyOverrides(headSpec, ab.overrides);
      const basePlan: StackPlan = { ...applyOverrides(baseSpec, ab.overrides), load: headPlan.load };
      outcomes.push(await runOnePair(ab, run, basePlan, headPlan, hooks, started, gateOf?.(headPlan) ?? headSpec.gate));
    }
    return outcomes;
  } finally {
    for (const w of worktrees) await removeWorktree(ab.root, w);
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** Stops both sides, always both; the first failure (an orphan, a bound port) is thrown after. */
async function downAll(stacks: Partial<Record<Side, RunningStack>>, keepLogs: boolean): Promise<void> {
  const failures: unknown[] = [];
  for (const s of [stacks.head, stacks.base]) if (s) await s.down(keepLogs).catch((e) => failures.push(e));
  if (failures.length > 0) throw failures[0];
}

async function setup(side: Side, plan: StackPlan, run: RunPlan, hooks: EngineHooks): Promise<SideSetup> {
  const binaries = requireBinaries(needsOf([plan]), run.binarySearch, run.install, hooks.log);
  const python = plan.spec.app.python
    ? await ensurePythonEnv(
        run.cacheDir,
        plan.spec.app.python.requirements,
        plan.spec.app.python.interpreter,
        run.install,
        hooks.log,
      )
    : undefined;
  const versions = await componentVersions(binaries, {
    postgres: plan.spec.database !== null,
    pgbouncer: plan.spec.pooler !== null,
    nginx: plan.spec.proxy !== null,
    python: python ? join(python.bin, "python") : undefined,
  });
  versions.loadgate = run.toolVersion;
  return { side, plan, python, versions };
}

async function up(s: SideSetup, run: RunPlan, hooks: EngineHooks): Promise<RunningStack> {
  const binaries = requireBinaries(needsOf([s.plan]), run.binarySearch, false, hooks.log);
  return bringUp(s.plan, {
    binaries,
    user: unprivilegedUser(),
    tmpDir: run.tmpDir,
    baseEnv: run.baseEnv,
    python: s.python,
    nginxSupportsErrorFlag: nginxSupportsErrorFlag(s.versions.nginx),
    log: (l) => hooks.log(`[${s.side}] ${l}`),
    signal: hooks.signal,
    onComponent: hooks.onComponent,
  });
}

async function runOnePair(
  ab: AbPlan,
  run: RunPlan,
  basePlan: StackPlan,
  headPlan: StackPlan,
  hooks: EngineHooks,
  started: number,
  gate: { p99: number; throughput: number },
): Promise<AbOutcome> {
  const sides = { base: await setup("base", basePlan, run, hooks), head: await setup("head", headPlan, run, hooks) };
  const trials: Record<Side, Trial[]> = { base: [], head: [] };
  const load = headPlan.load;
  const rewarm = Math.min(1, load.warmupSeconds);
  const notes: string[] = [];
  const facts = machineFacts();
  let blockSeconds = 0;
  const blocks = abBlocks(ab.pairs);
  for (const [b, block] of blocks.entries()) {
    const elapsed = (Date.now() - started) / 1000;
    if (b > 0 && elapsed + blockSeconds > ab.maxTimeSeconds) {
      notes.push(
        `Stopped after ${trials.base.length} pairs: --max-time ${ab.maxTimeSeconds} s would be exceeded by another block.`,
      );
      break;
    }
    const t0 = Date.now();
    hooks.onPhase?.(headPlan.spec.name, "up");
    const stacks: Partial<Record<Side, RunningStack>> = {};
    try {
      stacks.base = await up(sides.base, run, hooks);
      stacks.head = await up(sides.head, run, hooks);
      hooks.onPhase?.(headPlan.spec.name, "warmup");
      for (const side of [block.order[0], block.order[1]]) {
        const s = stacks[side]!;
        await measure(
          s.url,
          { ...load, warmupSeconds: 0, durationSeconds: load.warmupSeconds || 1, trials: 1 },
          () => [],
          {
            check: () => s.assertAlive(),
            signal: hooks.signal,
          },
          facts.logicalCores,
        );
      }
      hooks.onPhase?.(headPlan.spec.name, "trials");
      for (const side of block.order) {
        const s = stacks[side]!;
        const { outcome } = await measure(
          s.url,
          { ...load, warmupSeconds: rewarm, trials: 1 },
          () => [],
          {
            check: () => s.assertAlive(),
            onProgress: (p) => hooks.onProgress?.(`${headPlan.spec.name} ${side}`, p),
            signal: hooks.signal,
          },
          facts.logicalCores,
        );
        trials[side].push({ ...outcome.trials[0], index: trials[side].length });
        hooks.log(
          `[${headPlan.spec.name}] block ${b + 1}/${blocks.length} ${side}: ${outcome.trials[0].throughput.toFixed(0)} req/s, P99 ${outcome.trials[0].latency.p99.toFixed(2)} ms`,
        );
      }
    } catch (err) {
      hooks.onPhase?.(headPlan.spec.name, "down");
      await downAll(stacks, true).catch(() => undefined);
      throw err;
    }
    hooks.onPhase?.(headPlan.spec.name, "down");
    await downAll(stacks, false);
    blockSeconds = (Date.now() - t0) / 1000;
  }
  const pairs = trials.base.map((base, i) => ({ base, head: trials.head[i] }));
  const comparison = compareAbPairs(pairs, gate);
  comparison.notes.unshift(...notes);
  const toResult = (s: SideSetup, t: Trial[]): StackResult => ({
    stack: {
      name: s.plan.spec.name,
      file: s.plan.spec.file,
      webserver: s.plan.spec.app.webserver,
      framework: s.plan.spec.app.framework,
    },
    workers: s.plan.workers,
    environment: buildEnvironment({ ...facts, versions: s.versions, stackFileHash: s.plan.spec.fileHash }),
    load: {
      target: s.plan.spec.proxy ? "nginx" : "app",
      mode: load.rate === null ? "closed-loop" : "open-loop",
      connections: load.connections,
      rate: load.rate,
      warmupSeconds: load.warmupSeconds,
      durationSeconds: load.durationSeconds,
      trials: t.length,
    },
    trials: t,
    summary: summarizeTrials(t),
    cpu: null,
    placement: { pinned: false, loadGenerator: "all", stack: "all" },
    warnings: [],
  });
  return {
    base: toResult(sides.base, trials.base),
    head: toResult(sides.head, trials.head),
    comparison,
    pairs: pairs.length,
    notes,
  };
}
