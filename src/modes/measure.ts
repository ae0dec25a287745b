// Mode: measure. Each stack prepared, then in turn measured (after the worker sweep when workers:
// auto), with its cost run and capacity search when its gate has them; or a --target measured; or
// (`loadgate cost`, `loadgate work`) only the cost run or the work count. Shared by `loadgate
// run|cost|work` and the Action; side effects only through the hooks.

import { capacityLimitsOf, measureCapacity } from "../capacity/run.js";
import type { RunPlan } from "../config/plan.js";
import { WORK_DEFAULTS } from "../config/stack-spec.js";
import { costRun } from "../cost/run.js";
import type { EngineHooks } from "../engine/hooks.js";
import { needsOf, type PreparedStack, prepareStack, seedTemplate, untimedResult } from "../engine/prepare.js";
import { measureStack } from "../engine/stack-run.js";
import { runTarget } from "../engine/target.js";
import { workOnlyResult } from "../engine/work-only.js";
import { checkSocketRoom } from "../load/fd-limit.js";
import { applyPlacement } from "../load/placement.js";
import { withBaselineKey } from "../result/environment.js";
import type { Placement, ResultDocument, StackResult, SweepRecord } from "../result/types.js";
import { requireBinaries } from "../stack/binaries.js";
import { sweepWorkers } from "../sweep/run.js";

/** The plan's stacks (or its target) measured, each Result under the plan's baseline key when it has one. */
export async function measureAll(plan: RunPlan, hooks: EngineHooks): Promise<StackResult[]> {
  const results = plan.target ? [await runTarget(plan, plan.target, hooks)] : await runStacks(plan, hooks);
  // --baseline-key: baselines are compared and saved under the key, not the machine.
  return results.map((r) => withBaselineKey(r, plan.baselineKey));
}

/** Brings each stack up in turn, measures it, and always brings it down. */
export async function runStacks(plan: RunPlan, hooks: EngineHooks): Promise<StackResult[]> {
  // Connections that do not fit `ulimit -n` are refused before anything starts (and again at the load).
  if (!plan.costOnly) for (const s of plan.stacks) checkSocketRoom(s.load.connections);
  // Everything missing, for all stacks, in one error (or one apt-get with --install).
  requireBinaries(needsOf(plan.stacks), plan.binarySearch, plan.install, hooks.log);
  // Prepare every stack (binaries, Python environments) before the first starts, so a missing one fails fast.
  const prepared: PreparedStack[] = [];
  for (const s of plan.stacks) {
    hooks.onPhase?.(s.spec.name, "install");
    prepared.push(await prepareStack(plan, s, hooks.log, hooks));
  }
  const placement = applyPlacement(plan.costOnly || plan.workOnly ? false : plan.pin);
  const results: StackResult[] = [];
  for (const p of prepared) {
    hooks.signal?.throwIfAborted();
    results.push(
      plan.costOnly
        ? await costOnlyResult(plan, p, placement, hooks)
        : plan.workOnly
          ? await workOnlyResult(plan, p, placement, hooks)
          : await oneStack(plan, p, placement, hooks),
    );
  }
  return results;
}

/**
 * `loadgate work`: the work count only. A stack file's `work: false` is overridden with the default
 * size (the count is what was asked for); workers: auto runs one worker (nothing is timed to sweep by).
 */
export function workOnlyPlan(plan: RunPlan): RunPlan {
  return {
    ...plan,
    workOnly: true,
    stacks: plan.stacks.map((s) => ({ ...s, sweep: null, work: s.work ?? { ...WORK_DEFAULTS } })),
  };
}

/**
 * One stack: the sweep (workers: auto), the timed trials, then the cost run and the capacity search its
 * gate asks for. A stack that starts more than once seeds its database once: every start is a copy.
 */
async function oneStack(plan: RunPlan, p: PreparedStack, placement: Placement, hooks: EngineHooks) {
  const starts = 1 + Number(p.plan.sweep !== null) + Number(p.plan.gate.cost !== null) + Number(!!p.plan.gate.capacity);
  const template =
    starts > 1 && p.plan.spec.database
      ? await seedTemplate(plan, p, { log: (l) => hooks.log(`[${p.plan.spec.name}] ${l}`), ...hooksOf(hooks) })
      : undefined;
  try {
    const databaseTemplate = template?.dir;
    let chosen = p;
    let sweep: SweepRecord | undefined;
    if (p.plan.sweep) {
      hooks.onPhase?.(p.plan.spec.name, "sweep");
      sweep = await sweepWorkers(plan, p, hooks, { databaseTemplate });
      chosen = { ...p, plan: { ...p.plan, workers: sweep.chosen, sweep: null } };
    }
    const r = await measureStack(plan, chosen, placement, hooks, databaseTemplate);
    if (sweep) r.sweep = sweep;
    if (p.plan.gate.cost !== null) {
      hooks.onPhase?.(p.plan.spec.name, "cost");
      r.cost = await costRun(plan, chosen, hooks, { databaseTemplate });
    }
    if (p.plan.gate.capacity) {
      hooks.onPhase?.(p.plan.spec.name, "capacity");
      r.capacity = await measureCapacity(plan, chosen, hooks, capacityLimitsOf(p.plan.spec), { databaseTemplate });
    }
    return r;
  } finally {
    template?.dispose();
  }
}

const hooksOf = (hooks: EngineHooks) => ({ signal: hooks.signal, onComponent: hooks.onComponent });

/** `loadgate cost`: a Result entry with the cost run and no timed trials. */
async function costOnlyResult(
  plan: RunPlan,
  p: PreparedStack,
  placement: Placement,
  hooks: EngineHooks,
): Promise<StackResult> {
  hooks.onPhase?.(p.plan.spec.name, "cost");
  const cost = await costRun(plan, p, hooks);
  return { ...untimedResult(p, placement), cost };
}

/**
 * workers: auto against a baseline: both sides use one count, so a stack whose baseline has a
 * result for it runs with the baseline's count instead of sweeping again (its Result says so).
 */
export function withBaselineWorkers(plan: RunPlan, baseline: ResultDocument, log: (line: string) => void): RunPlan {
  return {
    ...plan,
    stacks: plan.stacks.map((s) => {
      const b = baseline.results.find((r) => r.stack.name === s.spec.name);
      if (!s.sweep || !b?.workers) return s;
      log(`[${s.spec.name}] workers: auto: ${b.workers}, the baseline's count (both sides use one count)`);
      return { ...s, workers: b.workers, sweep: null };
    }),
  };
}

/** The sweep record of a stack that took its count from the baseline instead of sweeping. */
export function markReusedWorkers(results: StackResult[], asked: RunPlan): void {
  for (const r of results) {
    const s = asked.stacks.find((x) => x.spec.name === r.stack.name);
    if (s?.sweep && !r.sweep && r.workers !== null) {
      r.sweep = {
        points: [],
        chosen: r.workers,
        reason: "the baseline's count",
        seconds: 0,
        reusedFrom: "the baseline",
      };
    }
  }
}
