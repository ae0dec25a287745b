import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Histogram } from "hdr-histogram-js";
import { addWorktree, removeWorktree } from "../ab/git.js";
import { PAIRS_PER_BLOCK, planLooks } from "../ab/looks.js";
import type { AbPlan } from "../ab/plan.js";
import { blockOrder, type Side } from "../ab/schedule.js";
import { isLook, verdictAt } from "../ab/sequential.js";
import {
  type AbPair,
  addCapacity,
  addCost,
  type Comparison,
  DEFAULT_ALPHA,
  type Gate,
  headlineOf,
  isDecided,
  METRIC_ORDER,
  metricAlpha,
  type SequentialInfo,
  testedCount,
} from "../compare/verdict.js";
import { applyOverrides } from "../config/cli-plan.js";
import type { RunPlan, StackPlan } from "../config/plan.js";
import { loadStackFile, resolveStackPath } from "../config/stack-file.js";
import { UserError } from "../errors.js";
import { buildEnvironment, machineFacts } from "../result/environment.js";
import type { CapacityRecord, CostRecord, StackResult, SweepRecord, Trial } from "../result/types.js";
import type { DatabaseTemplate, RunningStack } from "../stack/stack.js";
import { capacityLimitsOf, measureCapacity } from "./capacity.js";
import { costRun } from "./cost.js";
import { type PreparedStack, prepareStack, seedTemplate, stackInfo, stackResult, startStack } from "./prepare.js";
import { appLogTail, type EngineHooks, measure } from "./run.js";
import { assertServes } from "./serves-nothing.js";
import { sweepWorkers } from "./sweep.js";

export interface AbOutcome {
  base: StackResult;
  head: StackResult;
  comparison: Comparison;
  pairs: number;
  /** Every pair with its block, so the comparison can be recomputed (and replayed by bench/gate-power). */
  pairList: AbPair[];
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
  gateOf?: (s: StackPlan) => Gate,
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
      // The cost run's counting (warmup, chunks) is the head's too; each side keeps its own command.
      const baseOwn = applyOverrides(baseSpec, ab.overrides);
      const basePlan: StackPlan = {
        ...baseOwn,
        load: headPlan.load,
        spec: {
          ...baseOwn.spec,
          cost: {
            ...baseOwn.spec.cost,
            warmupRequests: headSpec.cost.warmupRequests,
            chunks: headSpec.cost.chunks,
            chunkRequests: headSpec.cost.chunkRequests,
          },
        },
      };
      outcomes.push(await runOnePair(ab, run, basePlan, headPlan, hooks, started, gateOf?.(headPlan) ?? headPlan.gate));
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

/** Brings both sides up at once; when one fails, the other is stopped before the failure is thrown. */
async function upBoth(up: (side: Side) => Promise<RunningStack>): Promise<Record<Side, RunningStack>> {
  const settled = await Promise.allSettled([up("base"), up("head")]);
  const [base, head] = settled;
  if (base.status === "fulfilled" && head.status === "fulfilled") return { base: base.value, head: head.value };
  await downAll(
    {
      base: base.status === "fulfilled" ? base.value : undefined,
      head: head.status === "fulfilled" ? head.value : undefined,
    },
    true,
  ).catch(() => undefined);
  throw base.status === "rejected" ? base.reason : (head as PromiseRejectedResult).reason;
}

async function runOnePair(
  ab: AbPlan,
  run: RunPlan,
  basePlan: StackPlan,
  headPlan: StackPlan,
  hooks: EngineHooks,
  started: number,
  gate: Gate,
): Promise<AbOutcome> {
  const t00 = Date.now();
  const sides: Record<Side, PreparedStack> = {
    base: await prepareStack(run, basePlan, hooks.log, hooks),
    head: await prepareStack(run, headPlan, hooks.log, hooks),
  };
  const name = headPlan.spec.name;
  const label: Record<Side, string> = {
    base: `the base (${ab.baseRef})`,
    head: `the head (${ab.headRef ?? "working tree"})`,
  };
  // Seed each side's database once; every restart starts from a copy of it.
  const templates: Partial<Record<Side, DatabaseTemplate>> = {};
  const trials: Record<Side, Trial[]> = { base: [], head: [] };
  const histograms: Record<Side, Histogram[]> = { base: [], head: [] };
  const pairs: AbPair[] = [];
  const load = headPlan.load;
  const rewarm = Math.min(1, load.warmupSeconds);
  const notes: string[] = [];
  const facts = machineFacts();
  const looks = planLooks(ab.minPairs, ab.maxPairs, ab.stackPaths.length, DEFAULT_ALPHA, testedCount(gate));
  const costs: Partial<Record<Side, CostRecord>> = {};
  let sweep: SweepRecord | undefined;
  const capacities: Partial<Record<Side, CapacityRecord>> = {};
  /** The timing verdict at a look, with the cost row (measured once, before the blocks) when the cost gate is on. */
  const judge = (): Comparison => {
    const c = verdictAt(pairs, looks, gate, ab.stackPaths.length);
    if (gate.cost == null) return c;
    const alphaCost = metricAlpha({ alpha: DEFAULT_ALPHA, stacks: ab.stackPaths.length, looks: 1 }, testedCount(gate));
    addCost(c.metrics, c.notes, costs.base, costs.head, gate, alphaCost);
    c.metrics.sort((x, y) => METRIC_ORDER.indexOf(x.metric) - METRIC_ORDER.indexOf(y.metric));
    c.headline = headlineOf(c.metrics);
    return c;
  };
  const maxBlocks = looks.blocks[looks.blocks.length - 1];
  if (looks.minDecidable > maxBlocks) {
    notes.push(
      `--max-pairs ${ab.maxPairs} is too few to decide anything: the exact test needs ${looks.minDecidable} blocks (${looks.minDecidable * PAIRS_PER_BLOCK} pairs) at this level.`,
    );
  }
  let comparison: Comparison | undefined;
  let looksTaken = 0;
  let stoppedBecause: SequentialInfo["stoppedBecause"] = "max-pairs";
  const blockTimes: number[] = [];
  let setupSeconds = 0;
  try {
    hooks.onPhase?.(name, "up");
    for (const side of ["base", "head"] as const) {
      if (!sides[side].plan.spec.database) continue;
      templates[side] = await seedTemplate(run, sides[side], {
        log: (l) => hooks.log(`[${side}] ${l}`),
        signal: hooks.signal,
        onComponent: hooks.onComponent,
      });
    }
    const up = (side: Side) =>
      startStack(run, sides[side], {
        log: (l) => hooks.log(`[${side}] ${l}`),
        signal: hooks.signal,
        onComponent: hooks.onComponent,
        databaseTemplate: templates[side]?.dir,
      });
    if (sides.head.plan.sweep || sides.base.plan.sweep) {
      // workers: auto: one sweep, on the base; both sides are then measured with its count.
      hooks.onPhase?.(name, "sweep");
      const basePrepared = {
        ...sides.base,
        plan: { ...sides.base.plan, sweep: sides.base.plan.sweep ?? sides.head.plan.sweep },
      };
      sweep = await sweepWorkers(run, basePrepared, hooks, { databaseTemplate: templates.base?.dir });
      for (const side of ["base", "head"] as const) {
        sides[side] = { ...sides[side], plan: { ...sides[side].plan, workers: sweep.chosen, sweep: null } };
      }
      notes.push(
        `workers: auto: the sweep on the base chose ${sweep.chosen} workers (${sweep.reason}); the head used the same count.`,
      );
    }
    if (gate.cost != null) {
      // The cost runs: one per side, each on its own fresh stack (from the side's seeded database).
      hooks.onPhase?.(name, "cost");
      for (const side of ["base", "head"] as const) {
        costs[side] = await costRun(run, sides[side], hooks, {
          label: `${side}`,
          databaseTemplate: templates[side]?.dir,
        });
      }
    }
    setupSeconds = (Date.now() - t00) / 1000;
    for (let b = 0; b < maxBlocks; b++) {
      const elapsed = (Date.now() - started) / 1000;
      if (b > 0 && elapsed + (blockTimes.at(-1) ?? 0) > ab.maxTimeSeconds) {
        stoppedBecause = "max-time";
        notes.push(
          `Stopped after ${pairs.length} pairs: --max-time ${ab.maxTimeSeconds} s would be exceeded by another block.`,
        );
        break;
      }
      const t0 = Date.now();
      const order = blockOrder(b);
      hooks.onPhase?.(name, "up");
      const stacks: Partial<Record<Side, RunningStack>> = {};
      try {
        Object.assign(stacks, await upBoth(up));
        hooks.onPhase?.(name, "warmup");
        for (const side of [order[0], order[1]]) {
          const s = stacks[side]!;
          await measure(
            s.url,
            { ...load, warmupSeconds: 0, durationSeconds: load.warmupSeconds || 1, trials: 1 },
            () => [],
            { check: () => s.assertAlive(), stalled: (n, t) => s.stoppedAnswering(n, t), signal: hooks.signal },
            facts.logicalCores,
          );
        }
        hooks.onPhase?.(name, "trials");
        const measured: Partial<Record<Side, Trial>>[] = [];
        for (const [i, side] of order.entries()) {
          const s = stacks[side]!;
          const { outcome } = await measure(
            s.url,
            { ...load, warmupSeconds: rewarm, trials: 1 },
            () => [],
            {
              check: () => s.assertAlive(),
              stalled: (n, t) => s.stoppedAnswering(n, t),
              onProgress: (p) => hooks.onProgress?.(`${name} ${side}`, p),
              signal: hooks.signal,
            },
            facts.logicalCores,
          );
          const t: Trial = { ...outcome.trials[0], index: trials[side].length };
          assertServes(
            [t],
            label[side],
            appLogTail(s),
            load.requests.map((r) => `${r.method} ${r.path}`),
          );
          trials[side].push(t);
          histograms[side].push(outcome.histograms[0]);
          const pairIndex = Math.floor(i / 2);
          measured[pairIndex] = { ...measured[pairIndex], [side]: t };
          hooks.log(
            `[${name}] block ${b + 1}/${maxBlocks} ${side}: ${t.throughput.toFixed(0)} req/s, P99 ${t.latency.p99.toFixed(2)} ms`,
          );
        }
        for (const m of measured) if (m.base && m.head) pairs.push({ base: m.base, head: m.head, block: b });
      } catch (err) {
        hooks.onPhase?.(name, "down");
        await downAll(stacks, true).catch(() => undefined);
        throw err;
      }
      hooks.onPhase?.(name, "down");
      await downAll(stacks, false);
      blockTimes.push((Date.now() - t0) / 1000);
      if (isLook(b + 1, looks)) {
        looksTaken++;
        comparison = judge();
        hooks.log(
          `[${name}] look ${looksTaken}/${looks.blocks.length} after ${pairs.length} pairs: ${comparison.headline}`,
        );
        if (isDecided(comparison)) {
          stoppedBecause = "decided";
          break;
        }
      }
    }
    if (gate.capacity) {
      // Capacity at the SLO: one search per side, each on a fresh stack from the side's database copy.
      hooks.onPhase?.(name, "capacity");
      for (const side of ["base", "head"] as const) {
        capacities[side] = await measureCapacity(run, sides[side], hooks, capacityLimitsOf(headPlan.spec), {
          label: side,
          databaseTemplate: templates[side]?.dir,
        });
      }
    }
  } finally {
    for (const t of Object.values(templates)) t?.dispose();
  }
  // Stopped by --max-time between planned looks: this is the run's last look (it takes the place
  // of the remaining ones, so no more than the planned number of looks is ever taken).
  const blocksDone = blockTimes.length;
  if (!comparison || (stoppedBecause === "max-time" && !isLook(blocksDone, looks))) {
    looksTaken++;
    comparison = judge();
  }
  if (gate.capacity) {
    addCapacity(comparison.metrics, comparison.notes, capacities.base, capacities.head, gate);
    comparison.metrics.sort((x, y) => METRIC_ORDER.indexOf(x.metric) - METRIC_ORDER.indexOf(y.metric));
    comparison.headline = headlineOf(comparison.metrics);
  }
  comparison.sequential = {
    pairs: pairs.length,
    blocks: blocksDone,
    plannedLooks: looks.blocks,
    looksTaken,
    stoppedBecause,
    seconds: { setup: setupSeconds, blocks: blockTimes },
  };
  comparison.notes.unshift(
    `${pairs.length} pairs in ${blocksDone} blocks (${stoppedBecause === "decided" ? "stopped as soon as decided" : stoppedBecause === "max-time" ? "stopped by --max-time" : "the most allowed, --max-pairs"}; looks planned after ${looks.blocks.map((n) => n * PAIRS_PER_BLOCK).join(", ")} pairs, ${looksTaken} taken).`,
    ...notes,
  );
  const toResult = (side: Side): StackResult => ({
    ...stackResult({
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
      histograms: histograms[side],
      cpu: null,
      placement: { pinned: false, loadGenerator: "all", stack: "all" },
      warnings: [],
    }),
    ...(costs[side] ? { cost: costs[side] } : {}),
    ...(capacities[side] ? { capacity: capacities[side] } : {}),
    ...(sweep ? { sweep: side === "base" ? sweep : { ...sweep, reusedFrom: "the base (same-runner A/B)" } } : {}),
  });
  return {
    base: toResult("base"),
    head: toResult("head"),
    comparison,
    pairs: pairs.length,
    pairList: pairs,
    notes,
  };
}
