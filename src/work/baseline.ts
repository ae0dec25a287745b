// Pure: which stored baseline the work rows compare with. The timings compare only with a baseline
// of this environment; the counts do not depend on the machine, so they compare with the newest
// baseline of the default branch from any runner when it is newer than this environment's (or this
// environment's has no comparable count), on the same PostgreSQL major and data.

import type { ResultDocument, StackResult } from "../result/types.js";
import { workDifferences } from "./verdict.js";

/** A stored baseline's entry for the stack, with its document (commit, when it was measured). */
export interface StoredEntry {
  result: StackResult;
  doc: ResultDocument;
}

/** Whether `b`'s work count can be compared with this run's. */
const comparable = (b: StackResult, head: StackResult) =>
  Boolean(b.work && head.work && workDifferences(b.work, head.work).length === 0);

const at = (e: StoredEntry) => Date.parse(e.doc.createdAt);
const sha = (e: StoredEntry) => e.doc.commit?.sha.slice(0, 7) ?? "unknown";

/**
 * The newest baseline, when the work rows should compare with it instead of the timing baseline: it is
 * another stored Result, comparable with this run's count, and newer than the timing baseline or the
 * timing baseline's count is not comparable.
 */
export function newerWorkBaseline(
  head: StackResult,
  timing: StoredEntry | null,
  newest: StoredEntry | null,
): StoredEntry | undefined {
  if (!newest || !comparable(newest.result, head)) return undefined;
  if (!timing) return newest;
  const same = sha(newest) === sha(timing) && newest.doc.createdAt === timing.doc.createdAt;
  if (same) return undefined;
  return !comparable(timing.result, head) || at(newest) > at(timing) ? newest : undefined;
}

/** The note under the table when the work rows compared with another baseline than the timings. */
export function workBaselineNote(head: StackResult, timing: StoredEntry | null, newest: StoredEntry): string {
  const from = `the newest baseline of the default branch, commit ${sha(newest)} (measured ${newest.doc.createdAt}, environment ${newest.result.environment.id})`;
  if (!timing) return `The database work was compared with ${from}: its counts do not depend on the machine.`;
  const why = comparable(timing.result, head)
    ? "it is newer than this runner's"
    : "this runner's has no count comparable with this run's";
  return `The database work was compared with ${from}, not with this runner's baseline (commit ${sha(timing)}) that the timings compared with: ${why}, and the counts do not depend on the machine.`;
}
