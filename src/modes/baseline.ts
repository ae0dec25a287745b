// Mode: store a baseline. Each stack's Result is stored with its history (the previous baseline's,
// plus the previous baseline itself), unless its requests failed beyond its error-rate limit: a run
// made of errors is no baseline. Shared by `loadgate run --save-baseline` and the Action's mode: baseline.

import { nextHistory } from "../baseline/history.js";
import type { BaselineStore } from "../baseline/store.js";
import { errorRateOf, errorRateOver } from "../compare/error-rate.js";
import type { Gate } from "../compare/gate.js";
import type { ResultDocument, StackResult } from "../result/types.js";

export interface Stored {
  /** Per stack refused: why (its error rate over its limit). */
  refused: { stack: string; reason: string }[];
  /** Per stack saved: where, and how many earlier baselines its history holds. */
  saved: { stack: string; key: string; history: number; result: StackResult }[];
}

/** Why a stack's Result may not become a baseline; undefined when it may. */
export function baselineRefusal(r: StackResult, gate: Gate): string | undefined {
  if (!errorRateOver(r, gate)) return undefined;
  const rate = errorRateOf(r.trials);
  return `${(rate * 100).toFixed(2)}% of its requests failed, over its error-rate limit of ${(gate.errorRate * 100).toFixed(2)}%`;
}

/**
 * Stores each stack of `doc` that may be stored (`gates[i]` is `doc.results[i]`'s). Every previous
 * baseline is read before the first is written, so a store that reads and writes one file keeps the
 * history of every stack.
 */
export async function storeBaselines(
  doc: ResultDocument,
  gates: readonly Gate[],
  store: BaselineStore,
  sha: string,
): Promise<Stored> {
  const out: Stored = { refused: [], saved: [] };
  const previous = await Promise.all(doc.results.map((r) => store.restore(r.stack.name, r.environment.id)));
  for (const [i, r] of doc.results.entries()) {
    const reason = baselineRefusal(r, gates[i]);
    if (reason) {
      out.refused.push({ stack: r.stack.name, reason });
      continue;
    }
    const prev = previous[i];
    const prevResult = prev?.doc.results.find((x) => x.stack.name === r.stack.name);
    const sameEnv = prevResult?.environment.id === r.environment.id;
    const history = sameEnv ? nextHistory(prevResult, prev?.doc.commit?.sha, prev?.doc.createdAt ?? "") : [];
    const result = { ...r, history };
    const key = await store.save(r.stack.name, r.environment.id, sha, { ...doc, results: [result] });
    if (key) out.saved.push({ stack: r.stack.name, key, history: history.length, result });
  }
  return out;
}
