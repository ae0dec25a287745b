// Mode: the study. Every built-in stack of the study (or the ones named), one after the other; a
// row whose packages cannot be installed here is skipped with the reason, and the rest go on.

import type { RunPlan, StackPlan } from "../config/plan.js";
import type { EngineHooks } from "../engine/hooks.js";
import { prepareStack } from "../engine/prepare.js";
import { messageOf, UserError } from "../errors.js";
import type { StudyOutcome } from "../report/study-table.js";
import type { StudyRow } from "../study/rows.js";
import { runStacks } from "./measure.js";

export interface StudyRun {
  outcomes: StudyOutcome[];
  /** Seconds spent installing (first runs), not counted in the measured time. */
  installSeconds: number;
  /** Seconds spent bringing stacks up, measuring and bringing them down. */
  measureSeconds: number;
  /** Rows that failed while running (not an install problem): the run exits 3 after the table. */
  failed: string[];
}

/** The first line of an error, for a one-line skip reason. */
function firstLine(err: unknown): string {
  return (
    messageOf(err)
      .split("\n")
      .find((l) => l.trim() !== "") ?? "unknown error"
  );
}

export async function runStudy(
  plan: RunPlan,
  rows: readonly { row: StudyRow; stack: StackPlan }[],
  hooks: EngineHooks,
): Promise<StudyRun> {
  const outcomes: StudyOutcome[] = [];
  const failed: string[] = [];
  let installSeconds = 0;
  let measureSeconds = 0;
  for (const [i, { row, stack }] of rows.entries()) {
    hooks.signal?.throwIfAborted();
    const tag = `[${i + 1}/${rows.length}] ${row.stack}`;
    const t0 = Date.now();
    try {
      await prepareStack(plan, stack, (l) => hooks.log(`${tag}: ${l}`), { signal: hooks.signal });
    } catch (err) {
      installSeconds += (Date.now() - t0) / 1000;
      if (!(err instanceof UserError)) throw err;
      const why = firstLine(err);
      hooks.log(`${tag}: skipped: ${why}`);
      outcomes.push({ row, skipped: why });
      continue;
    }
    installSeconds += (Date.now() - t0) / 1000;
    const t1 = Date.now();
    hooks.log(`${tag}: measuring`);
    try {
      const [result] = await runStacks({ ...plan, stacks: [stack] }, hooks);
      outcomes.push({ row, result });
      hooks.log(
        `${tag}: P99 ${result.summary.latency.p99.median.toFixed(1)} ms, ${result.summary.throughput.median.toFixed(0)} req/s`,
      );
    } catch (err) {
      if (hooks.signal?.aborted) throw err;
      const why = firstLine(err);
      hooks.log(`${tag}: failed: ${messageOf(err)}`);
      outcomes.push({ row, skipped: `failed: ${why}` });
      failed.push(row.stack);
    }
    measureSeconds += (Date.now() - t1) / 1000;
  }
  return { outcomes, installSeconds, measureSeconds, failed };
}
