// The work count of a same-runner A/B: once per side, not per pair, on the first block's stacks
// after its trials (warm, as a run's count is), the base first. A count that fails leaves the
// timings standing: a note says why the work was not compared.

import { messageOf } from "../errors.js";
import type { RunningStack } from "../stack/stack.js";
import { workCount } from "../work/count.js";
import { workLine } from "../work/summary.js";
import type { PairRun } from "./pair-run.js";
import type { Side } from "./schedule.js";

/** Counts each side's work on its running stack, when the head's plan has the count on. */
export async function countWorkBoth(r: PairRun, stacks: Partial<Record<Side, RunningStack>>): Promise<void> {
  for (const side of ["base", "head"] as const) {
    const s = r.sides[side];
    const stack = stacks[side];
    if (!s.plan.work || !stack) continue;
    r.hooks.onPhase?.(r.name, "work");
    const log = (l: string) => r.hooks.log(`[${r.name}] [${side}] ${l}`);
    log(`work count: ${s.plan.work.chunks} chunks of ${s.plan.work.chunkRequests} requests, one at a time`);
    try {
      const record = await workCount(stack, s.plan, s.plan.work, {
        postgresBin: s.binaries.postgresBin,
        log,
        signal: r.hooks.signal,
      });
      r.works[side] = record;
      log(`work count: ${workLine(record)} (${record.seconds.toFixed(1)} s)`);
    } catch (err) {
      r.hooks.signal?.throwIfAborted();
      const message = `The work count of the ${side} failed, so the database work was not compared: ${messageOf(err)}`;
      log(`warning: ${message}`);
      r.notes.push(message);
    }
  }
}
