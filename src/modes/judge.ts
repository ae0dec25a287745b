// Mode: judge. Each Result against its stored baseline, or by its absolute limits alone (the SLOs,
// the error rate) when there is none. Shared by `loadgate run --baseline` and the Action's
// compare: baseline; the store decides where baselines come from.

import type { BaselineStore, StoredBaseline } from "../baseline/store.js";
import { errorRateOver } from "../compare/error-rate.js";
import { GATED_WORK, type Gate } from "../compare/gate.js";
import type { Comparison } from "../compare/metrics.js";
import { DEFAULT_RISK } from "../compare/risk.js";
import { sloCount } from "../compare/slo.js";
import type { BaselineAge } from "../report/markdown.js";
import type { ResultDocument, StackResult } from "../result/types.js";
import { compareWithBaseline, withoutBaseline } from "../verdict/stored.js";
import { newerWorkBaseline, workBaselineNote } from "../work/baseline.js";

export interface Judged {
  result: StackResult;
  comparison: Comparison;
  /** The stored baseline's entry for this stack; null when there is none. */
  baseline: StackResult | null;
  stored: StoredBaseline | undefined;
  /** The work rows' baseline commit (short), when they compared with another baseline than the timings. */
  workBaselineLabel?: string;
}

/**
 * Whether a run has anything to judge: a baseline to compare with, SLOs (which decide without one),
 * or an error rate over its limit (a run whose requests failed measured errors, not the service).
 */
/** A work count with a ceiling ("<4" per request) is judged without a baseline. */
const hasWorkCeiling = (g: Gate) => Object.values(g.work ?? {}).some((l) => l?.kind === "below");

export function hasVerdicts(results: readonly StackResult[], gates: readonly Gate[], baseline: boolean): boolean {
  return (
    baseline || gates.some((g) => sloCount(g.slo) > 0 || hasWorkCeiling(g)) || overErrorRate(results, gates).length > 0
  );
}

/** The stacks whose failed requests are over their gate's error rate. */
export function overErrorRate(results: readonly StackResult[], gates: readonly Gate[]): string[] {
  return results.filter((r, i) => errorRateOver(r, gates[i])).map((r) => r.stack.name);
}

/** Each result judged by its own gate (`gates[i]` is `results[i]`'s), against the store's newest comparable baseline. */
export async function judgeAll(
  results: readonly StackResult[],
  gates: readonly Gate[],
  store: BaselineStore,
  missingReason: (stack: string) => string,
): Promise<Judged[]> {
  const judged: Judged[] = [];
  const risk = { ...DEFAULT_RISK, stacks: results.length };
  for (const [i, r] of results.entries()) {
    const stored = await store.restore(r.stack.name, r.environment.id);
    const timing = stored?.doc.results.find((x) => x.stack.name === r.stack.name) ?? null;
    const { baseline, note, workBaselineLabel } = await withNewestWork(store, r, gates[i], stored, timing);
    const comparison = baseline
      ? compareWithBaseline(baseline, r, gates[i], baseline.history ?? [], risk)
      : withoutBaseline(r, gates[i], risk, missingReason(r.stack.name));
    if (note) comparison.notes.push(note);
    judged.push({ result: r, comparison, baseline, stored, ...(workBaselineLabel ? { workBaselineLabel } : {}) });
  }
  return judged;
}

/**
 * The baseline to judge with: this environment's (the store's restore), its work count replaced by the
 * newest baseline's of any environment when that one is newer or the only comparable count (the counts
 * do not depend on the machine: src/work/baseline.ts), with a note saying so.
 */
async function withNewestWork(
  store: BaselineStore,
  r: StackResult,
  gate: Gate,
  stored: StoredBaseline | undefined,
  timing: StackResult | null,
): Promise<{ baseline: StackResult | null; note?: string; workBaselineLabel?: string }> {
  // Only a count this run has and a growth limit judges can gain from another baseline.
  const growth = GATED_WORK.some((m) => gate.work?.[m]?.kind === "growth" && r.work?.perRequest[m] != null);
  // Without this environment's baseline, restore already gave the newest of any environment.
  if (!store.newest || !r.work || !growth || !timing || timing.environment.id !== r.environment.id)
    return { baseline: timing };
  const newest = await store.newest(r.stack.name);
  const entry = newest?.doc.results.find((x) => x.stack.name === r.stack.name);
  const timingEntry = stored ? { result: timing, doc: stored.doc } : null;
  const pick = newerWorkBaseline(r, timingEntry, newest && entry ? { result: entry, doc: newest.doc } : null);
  if (!pick) return { baseline: timing };
  return {
    baseline: { ...timing, work: pick.result.work },
    note: workBaselineNote(r, timingEntry, pick),
    workBaselineLabel: pick.doc.commit?.sha.slice(0, 7) ?? "newest stored",
  };
}

/** How old a stored baseline is, for the line under the table; `warn` is told when it is older than the limit. */
export function baselineAgeOf(
  doc: ResultDocument,
  limitSeconds: number | null,
  warn: (line: string) => void,
  now = Date.now(),
): BaselineAge {
  const at = Date.parse(doc.createdAt);
  const ageSeconds = Number.isNaN(at) ? Number.NaN : Math.max(0, (now - at) / 1000);
  if (limitSeconds !== null && ageSeconds > limitSeconds) {
    warn(
      `The stored baseline (${doc.commit?.sha.slice(0, 7) ?? "unknown commit"}, ${doc.createdAt}) is older than max-baseline-age.`,
    );
  }
  return { sha: doc.commit?.sha ?? null, createdAt: doc.createdAt, ageSeconds, limitSeconds };
}
