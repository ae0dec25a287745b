// `loadgate work`: one stack brought up, warmed with its load.warmup (pools fill, caches warm, as
// they are after a run's trials), its work count taken, and brought down. No timed trials.

import type { RunPlan } from "../config/plan.js";
import { machineFacts } from "../result/environment.js";
import type { Placement, StackResult, WorkRecord } from "../result/types.js";
import type { RunningStack } from "../stack/stack.js";
import { workCount } from "../work/count.js";
import { workLine } from "../work/summary.js";
import type { EngineHooks } from "./hooks.js";
import { measure, watching } from "./measure.js";
import { type PreparedStack, startStack, untimedResult } from "./prepare.js";

/** The warmup: load.warmup seconds at the stack's load, recorded nowhere; none when it is 0. */
async function warm(stack: RunningStack, p: PreparedStack, hooks: EngineHooks): Promise<void> {
  const load = p.plan.load;
  if (!(load.warmupSeconds > 0)) return;
  hooks.onPhase?.(p.plan.spec.name, "warmup");
  const window = { ...load, warmupSeconds: 0, durationSeconds: load.warmupSeconds, trials: 1 };
  await measure(stack.url, window, () => [], watching(stack, hooks.signal), machineFacts().logicalCores);
}

/**
 * A Result entry with the work count and no timed trials. A count that fails (a request not answered
 * 2xx, a component that died) fails the command: the count is all it was asked for.
 */
export async function workOnlyResult(
  plan: RunPlan,
  p: PreparedStack,
  placement: Placement,
  hooks: EngineHooks,
): Promise<StackResult> {
  const s = p.plan;
  const name = s.spec.name;
  const log = (line: string) => hooks.log(`[${name}] ${line}`);
  const work = s.work!;
  hooks.onPhase?.(name, "up");
  log("bringing the stack up");
  const stack = await startStack(plan, p, { log, signal: hooks.signal, onComponent: hooks.onComponent });
  let record: WorkRecord;
  try {
    await warm(stack, p, hooks);
    hooks.onPhase?.(name, "work");
    log(`work count: ${work.chunks} chunks of ${work.chunkRequests} requests, one at a time`);
    record = await workCount(stack, s, work, { postgresBin: p.binaries.postgresBin, log, signal: hooks.signal });
    log(`work count: ${workLine(record)} (${record.seconds.toFixed(1)} s)`);
  } catch (err) {
    hooks.onPhase?.(name, "down");
    await stack.down(true).catch((downErr) => log(String(downErr instanceof Error ? downErr.message : downErr)));
    log(`logs kept in ${stack.runDir}`);
    throw err;
  }
  hooks.onPhase?.(name, "down");
  log("bringing the stack down");
  await stack.down();
  return { ...untimedResult(p, placement), work: record };
}
