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
import type { RunningStack } from "../stack/stack.js";
import { type PreparedStack, prepareStack, stackInfo, stackResult, startStack } from "./prepare.js";
import { type EngineHooks, measure } from "./run.js";

export interface AbOutcome {
  base: StackResult;
  head: StackResult;
  comparison: Comparison;
  pairs: number;
  notes: string[];
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

async function runOnePair(
  ab: AbPlan,
  run: RunPlan,
  basePlan: StackPlan,
  headPlan: StackPlan,
  hooks: EngineHooks,
  started: number,
  gate: { p99: number; throughput: number },
): Promise<AbOutcome> {
  const sides: Record<Side, PreparedStack> = {
    base: await prepareStack(run, basePlan, hooks.log),
    head: await prepareStack(run, headPlan, hooks.log),
  };
  const up = (side: Side) =>
    startStack(run, sides[side], {
      log: (l) => hooks.log(`[${side}] ${l}`),
      signal: hooks.signal,
      onComponent: hooks.onComponent,
    });
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
      stacks.base = await up("base");
      stacks.head = await up("head");
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
  const toResult = (side: Side): StackResult =>
    stackResult({
      stack: stackInfo(sides[side].plan),
      workers: sides[side].plan.workers,
      environment: buildEnvironment({
        ...facts,
        versions: sides[side].versions,
        stackFileHash: sides[side].plan.spec.fileHash,
      }),
      target: sides[side].plan.spec.proxy ? "nginx" : "app",
      load,
      trials: trials[side],
      cpu: null,
      placement: { pinned: false, loadGenerator: "all", stack: "all" },
      warnings: [],
    });
  return {
    base: toResult("base"),
    head: toResult("head"),
    comparison,
    pairs: pairs.length,
    notes,
  };
}
