// The same-runner A/B driver: both sides' stacks up side by side (each with its own database),
// trials interleaved ABBA/BAAB, both restarted between blocks, looked at after planned blocks until
// decided, the whole run bounded by --max-time. Each block is: restart, warm, measure, record, look.

import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { capacityLimitsOf, measureCapacity } from "../capacity/run.js";
import type { Gate } from "../compare/gate.js";
import { type Comparison, isDecided } from "../compare/metrics.js";
import type { AbPair } from "../compare/pairs.js";
import { DEFAULT_ALPHA, testedCount } from "../compare/risk.js";
import { applyOverrides } from "../config/apply.js";
import type { RunPlan, StackPlan } from "../config/plan.js";
import { loadStackFile, resolveStackPath } from "../config/stack-file.js";
import { costRun } from "../cost/run.js";
import type { EngineHooks } from "../engine/hooks.js";
import { measure, watching } from "../engine/measure.js";
import { type PreparedStack, prepareStack, seedTemplate, startStack } from "../engine/prepare.js";
import { assertServes } from "../engine/serves-nothing.js";
import { UserError } from "../errors.js";
import { machineFacts } from "../result/environment.js";
import type { StackResult, Trial } from "../result/types.js";
import { appLogTail, type RunningStack } from "../stack/stack.js";
import { addCpuAccounts } from "../stats/cpu-shares.js";
import { sweepWorkers } from "../sweep/run.js";
import { withCapacityRow, withCostRow, withWorkRows } from "../verdict/ab.js";
import { addWorktree, removeWorktree } from "./git.js";
import { PAIRS_PER_BLOCK, planLooks } from "./looks.js";
import type { PairRun } from "./pair-run.js";
import type { AbPlan } from "./plan.js";
import { abResult } from "./result.js";
import { blockOrder, type Side } from "./schedule.js";
import { isLook, verdictAt } from "./sequential.js";
import { countWorkBoth } from "./work.js";

export interface AbOutcome {
  base: StackResult;
  head: StackResult;
  /** The head's final gate, which judged the pairs. */
  gate: Gate;
  comparison: Comparison;
  pairs: number;
  /** Every pair with its block, so the comparison can be recomputed (and replayed by bench/gate-power). */
  pairList: AbPair[];
  notes: string[];
}

/** Same-runner A/B of every stack of the plan, between two worktrees (or the base and the working tree). */
export async function runAb(ab: AbPlan, run: RunPlan, hooks: EngineHooks): Promise<AbOutcome[]> {
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
      const { base, head } = sidePlans(ab, baseDir, headDir, rel);
      outcomes.push(await runOnePair(ab, run, base, head, hooks, started));
    }
    return outcomes;
  } finally {
    for (const w of worktrees) await removeWorktree(ab.root, w);
    rmSync(workDir, { recursive: true, force: true });
  }
}

/**
 * Each side's plan from its own stack file; both get the head's load, the head's cost counting and the
 * head's work count, so only the code differs.
 */
function sidePlans(ab: AbPlan, baseDir: string, headDir: string, rel: string): Record<Side, StackPlan> {
  const headSpec = loadStackFile(resolveStackPath(join(headDir, rel)));
  let baseSpec: ReturnType<typeof loadStackFile>;
  try {
    baseSpec = loadStackFile(resolveStackPath(join(baseDir, rel)));
  } catch (err) {
    throw new UserError(`In the base (${ab.baseRef}): ${(err as Error).message}`);
  }
  const head = applyOverrides(headSpec, ab.overrides);
  const baseOwn = applyOverrides(baseSpec, ab.overrides);
  const { warmupRequests, chunks, chunkRequests } = headSpec.cost;
  const base: StackPlan = {
    ...baseOwn,
    load: head.load,
    work: head.work,
    spec: { ...baseOwn.spec, cost: { ...baseOwn.spec.cost, warmupRequests, chunks, chunkRequests } },
  };
  return { base, head };
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
): Promise<AbOutcome> {
  const t00 = Date.now();
  const sides: Record<Side, PreparedStack> = {
    base: await prepareStack(run, basePlan, hooks.log, hooks),
    head: await prepareStack(run, headPlan, hooks.log, hooks),
  };
  const r = newPairRun(ab, run, hooks, sides);
  try {
    hooks.onPhase?.(r.name, "up");
    await seedBoth(r);
    await sweepOnBase(r);
    await costBoth(r);
    r.setupSeconds = (Date.now() - t00) / 1000;
    await runBlocks(r, started);
    await capacityBoth(r);
  } finally {
    for (const t of Object.values(r.templates)) t?.dispose();
  }
  const comparison = finalComparison(r);
  return {
    base: abResult(r, "base"),
    head: abResult(r, "head"),
    gate: r.sides.head.plan.gate,
    comparison,
    pairs: r.pairs.length,
    pairList: r.pairs,
    notes: r.notes,
  };
}

function newPairRun(ab: AbPlan, run: RunPlan, hooks: EngineHooks, sides: Record<Side, PreparedStack>): PairRun {
  const gate = sides.head.plan.gate;
  const looks = planLooks(ab.minPairs, ab.maxPairs, ab.stackPaths.length, DEFAULT_ALPHA, testedCount(gate));
  const r: PairRun = {
    ab,
    run,
    hooks,
    name: sides.head.plan.spec.name,
    facts: machineFacts(),
    sides,
    templates: {},
    trials: { base: [], head: [] },
    histograms: { base: [], head: [] },
    pairs: [],
    looks,
    notes: [],
    costs: {},
    capacities: {},
    works: {},
    cpus: {},
    blockTimes: [],
    setupSeconds: 0,
    looksTaken: 0,
    stoppedBecause: "max-pairs",
  };
  const maxBlocks = looks.blocks[looks.blocks.length - 1];
  if (looks.minDecidable > maxBlocks) {
    r.notes.push(
      `--max-pairs ${ab.maxPairs} is too few to decide anything: the exact test needs ${looks.minDecidable} blocks (${looks.minDecidable * PAIRS_PER_BLOCK} pairs) at this level.`,
    );
  }
  return r;
}

const sideHooks = (r: PairRun, side: Side) => ({
  log: (l: string) => r.hooks.log(`[${side}] ${l}`),
  signal: r.hooks.signal,
  onComponent: r.hooks.onComponent,
});

/** Seed each side's database once; every restart starts from a copy of it. */
async function seedBoth(r: PairRun): Promise<void> {
  for (const side of ["base", "head"] as const) {
    if (!r.sides[side].plan.spec.database) continue;
    r.templates[side] = await seedTemplate(r.run, r.sides[side], sideHooks(r, side));
  }
}

/** workers: auto: one sweep, on the base; both sides are then measured with its count. */
async function sweepOnBase(r: PairRun): Promise<void> {
  const { base, head } = r.sides;
  if (!head.plan.sweep && !base.plan.sweep) return;
  r.hooks.onPhase?.(r.name, "sweep");
  const basePrepared = { ...base, plan: { ...base.plan, sweep: base.plan.sweep ?? head.plan.sweep } };
  const sweep = await sweepWorkers(r.run, basePrepared, r.hooks, { databaseTemplate: r.templates.base?.dir });
  r.sweep = sweep;
  for (const side of ["base", "head"] as const) {
    r.sides[side] = { ...r.sides[side], plan: { ...r.sides[side].plan, workers: sweep.chosen, sweep: null } };
  }
  r.notes.push(
    `workers: auto: the sweep on the base chose ${sweep.chosen} workers (${sweep.reason}); the head used the same count.`,
  );
}

/** The cost runs: one per side, each on its own fresh stack (from the side's seeded database). */
async function costBoth(r: PairRun): Promise<void> {
  if (r.sides.head.plan.gate.cost == null) return;
  r.hooks.onPhase?.(r.name, "cost");
  for (const side of ["base", "head"] as const) {
    r.costs[side] = await costRun(r.run, r.sides[side], r.hooks, {
      label: `${side}`,
      databaseTemplate: r.templates[side]?.dir,
    });
  }
}

/** Capacity at the SLO: one search per side, each on a fresh stack from the side's database copy. */
async function capacityBoth(r: PairRun): Promise<void> {
  if (!r.sides.head.plan.gate.capacity) return;
  r.hooks.onPhase?.(r.name, "capacity");
  for (const side of ["base", "head"] as const) {
    r.capacities[side] = await measureCapacity(
      r.run,
      r.sides[side],
      r.hooks,
      capacityLimitsOf(r.sides.head.plan.spec),
      {
        label: side,
        databaseTemplate: r.templates[side]?.dir,
      },
    );
  }
}

/**
 * The timing verdict at a look, with the cost row (measured once, before the blocks) when the cost gate
 * is on and the work rows (counted once, in the first block) when both sides counted.
 */
function judge(r: PairRun): Comparison {
  const gate = r.sides.head.plan.gate;
  const c = verdictAt(r.pairs, r.looks, gate, r.ab.stackPaths.length);
  return withWorkRows(withCostRow(c, gate, r.costs, r.ab.stackPaths.length), gate, r.works);
}

/** Blocks until decided, the most pairs, or --max-time; a look after each planned block count. */
async function runBlocks(r: PairRun, started: number): Promise<void> {
  const maxBlocks = r.looks.blocks[r.looks.blocks.length - 1];
  for (let b = 0; b < maxBlocks; b++) {
    const elapsed = (Date.now() - started) / 1000;
    if (b > 0 && elapsed + (r.blockTimes.at(-1) ?? 0) > r.ab.maxTimeSeconds) {
      r.stoppedBecause = "max-time";
      r.notes.push(
        `Stopped after ${r.pairs.length} pairs: --max-time ${r.ab.maxTimeSeconds} s would be exceeded by another block.`,
      );
      return;
    }
    const t0 = Date.now();
    await runBlock(r, b, maxBlocks);
    r.blockTimes.push((Date.now() - t0) / 1000);
    if (!isLook(b + 1, r.looks)) continue;
    r.looksTaken++;
    r.comparison = judge(r);
    r.hooks.log(
      `[${r.name}] look ${r.looksTaken}/${r.looks.blocks.length} after ${r.pairs.length} pairs: ${r.comparison.headline}`,
    );
    if (isDecided(r.comparison)) {
      r.stoppedBecause = "decided";
      return;
    }
  }
}

/** One block: both sides restarted, each warmed, four trials in ABBA or BAAB order, both stopped. */
async function runBlock(r: PairRun, b: number, maxBlocks: number): Promise<void> {
  const order = blockOrder(b);
  r.hooks.onPhase?.(r.name, "up");
  const stacks: Partial<Record<Side, RunningStack>> = {};
  const up = (side: Side) =>
    startStack(r.run, r.sides[side], { ...sideHooks(r, side), databaseTemplate: r.templates[side]?.dir });
  try {
    Object.assign(stacks, await upBoth(up));
    r.hooks.onPhase?.(r.name, "warmup");
    for (const side of [order[0], order[1]]) await warm(r, stacks[side]!);
    r.hooks.onPhase?.(r.name, "trials");
    const measured: Partial<Record<Side, Trial>>[] = [];
    for (const [i, side] of order.entries()) {
      const t = await oneTrial(r, stacks[side]!, side, `block ${b + 1}/${maxBlocks}`);
      const pairIndex = Math.floor(i / 2);
      measured[pairIndex] = { ...measured[pairIndex], [side]: t };
    }
    for (const m of measured) if (m.base && m.head) r.pairs.push({ base: m.base, head: m.head, block: b });
    // Once per side, on the first block's warm stacks: the counts do not change from pair to pair.
    if (b === 0) await countWorkBoth(r, stacks);
  } catch (err) {
    r.hooks.onPhase?.(r.name, "down");
    await downAll(stacks, true).catch(() => undefined);
    throw err;
  }
  r.hooks.onPhase?.(r.name, "down");
  await downAll(stacks, false);
}

/** A fresh instance's warmup: the stack file's warmup (at least 1 s) at the measured load. */
async function warm(r: PairRun, s: RunningStack): Promise<void> {
  const load = r.sides.head.plan.load;
  const window = { ...load, warmupSeconds: 0, durationSeconds: load.warmupSeconds || 1, trials: 1 };
  await measure(s.url, window, () => [], watching(s, r.hooks.signal), r.facts.logicalCores);
}

/** One measured trial of one side, after a short rewarm; a side that serves nothing stops the run (exit 3). */
async function oneTrial(r: PairRun, s: RunningStack, side: Side, where: string): Promise<Trial> {
  const load = r.sides.head.plan.load;
  const rewarm = Math.min(1, load.warmupSeconds);
  const { outcome, cpu } = await measure(
    s.url,
    { ...load, warmupSeconds: rewarm, trials: 1 },
    () => s.components,
    { ...watching(s, r.hooks.signal), onProgress: (p) => r.hooks.onProgress?.(`${r.name} ${side}`, p) },
    r.facts.logicalCores,
  );
  const t: Trial = { ...outcome.trials[0], index: r.trials[side].length };
  const label = side === "base" ? `the base (${r.ab.baseRef})` : `the head (${r.ab.headRef ?? "working tree"})`;
  assertServes(
    [t],
    label,
    appLogTail(s),
    load.requests.map((q) => `${q.method} ${q.path}`),
  );
  r.trials[side].push(t);
  r.histograms[side].push(outcome.histograms[0]);
  if (cpu) r.cpus[side] = addCpuAccounts(r.cpus[side], cpu);
  r.hooks.log(`[${r.name}] ${where} ${side}: ${t.throughput.toFixed(0)} req/s, P99 ${t.latency.p99.toFixed(2)} ms`);
  return t;
}

/**
 * The run's comparison: the last look's, or one more look when --max-time stopped the run between
 * planned looks (it takes the place of the remaining ones, so no more than the planned number of
 * looks is ever taken); with the capacity row and the sequential record.
 */
function finalComparison(r: PairRun): Comparison {
  const blocksDone = r.blockTimes.length;
  let comparison = r.comparison;
  if (!comparison || (r.stoppedBecause === "max-time" && !isLook(blocksDone, r.looks))) {
    r.looksTaken++;
    comparison = judge(r);
  }
  withCapacityRow(comparison, r.sides.head.plan.gate, r.capacities);
  comparison.sequential = {
    pairs: r.pairs.length,
    blocks: blocksDone,
    plannedLooks: r.looks.blocks,
    looksTaken: r.looksTaken,
    stoppedBecause: r.stoppedBecause,
    seconds: { setup: r.setupSeconds, blocks: r.blockTimes },
  };
  const why =
    r.stoppedBecause === "decided"
      ? "stopped as soon as decided"
      : r.stoppedBecause === "max-time"
        ? "stopped by --max-time"
        : "the most allowed, --max-pairs";
  comparison.notes.unshift(
    `${r.pairs.length} pairs in ${blocksDone} blocks (${why}; looks planned after ${r.looks.blocks.map((n) => n * PAIRS_PER_BLOCK).join(", ")} pairs, ${r.looksTaken} taken).`,
    ...r.notes,
  );
  return comparison;
}
