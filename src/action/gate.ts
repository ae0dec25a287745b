// The Action's mode: gate, wired to its inputs: the same-runner A/B against the merge base
// (compare: merge-base, both) or the newest stored baseline (compare: baseline).

import * as core from "@actions/core";
import type { BaselineStore } from "../baseline/store.js";
import type { ActionPlan } from "../config/action-plan.js";
import { abMode, abReports, mergeBasePlan, withTrends } from "../modes/ab.js";
import { baselineAgeOf, judgeAll } from "../modes/judge.js";
import type { StackReport } from "../report/markdown.js";
import type { StackResult } from "../result/types.js";
import type { ActionIo } from "./io.js";

export interface Gated {
  reports: StackReport[];
  results: StackResult[];
  decidedBy: string;
}

/** compare: merge-base / both: the pull request (or the merge queue's commit) against its base, measured side by side here. */
export async function abGate(plan: ActionPlan, io: ActionIo, store: BaselineStore): Promise<Gated> {
  const pr = plan.event.pullRequest;
  const ab = await mergeBasePlan({
    workspace: plan.workspace,
    baseSha: pr?.baseSha ?? plan.event.mergeGroup?.baseSha,
    baseWhat: pr ? "the pull request's base commit" : "the merge queue's base commit",
    askedBy: `Input compare: ${plan.compare}`,
    eventName: plan.event.name,
    stackFiles: plan.stacks.map((s) => s.spec.file),
    overrides: plan.overrides,
    maxPairs: plan.ab.maxPairs,
    maxTimeSeconds: plan.ab.maxTimeSeconds,
    install: plan.install,
  });
  const outcomes = await abMode(ab, { ...plan.runtime, install: plan.install }, plan.baselineKey, io).finally(
    io.endGroup,
  );
  let reports = abReports(outcomes, `merge base ${ab.baseRef}`);
  if (plan.compare === "both") reports = await withTrends(reports, outcomes, store, plan.maxBaselineAgeSeconds, io);
  const pairs = outcomes.map((o) => o.pairs).join(", ");
  return {
    reports,
    results: outcomes.map((o) => o.head),
    decidedBy: `decided by same-runner A/B against the merge base ${ab.baseRef} (${pairs} interleaved pairs, both sides measured in this job)`,
  };
}

/** compare: baseline: each stack against the newest stored baseline of the default branch, or its absolute limits alone. */
export async function storedGate(
  plan: ActionPlan,
  results: StackResult[],
  io: ActionIo,
  store: BaselineStore,
): Promise<StackReport[]> {
  const gates = plan.target ? [plan.target.gate] : plan.stacks.map((s) => s.gate);
  const judged = await judgeAll(
    results,
    gates,
    store,
    (stack) => `no baseline of ${stack} is stored yet: push to the default branch (mode: baseline) to create one`,
  );
  return judged.map(({ result, comparison, baseline, stored, workBaselineLabel }) => {
    core.info(`${result.stack.name}: ${comparison.headline}${stored ? ` (baseline ${stored.source})` : ""}`);
    return {
      result,
      comparison,
      baseline,
      baselineLabel: stored?.doc.commit?.sha.slice(0, 7) ?? (stored ? "stored" : null),
      ...(workBaselineLabel ? { workBaselineLabel } : {}),
      baselineAge: stored ? baselineAgeOf(stored.doc, plan.maxBaselineAgeSeconds, io.warn) : undefined,
    };
  });
}
