// Input baseline-store: the Actions cache, or the history on the data branch (written only from the default branch).

import * as core from "@actions/core";
import { BranchBaselineStore } from "../baseline/branch-store.js";
import { CacheBaselineStore } from "../baseline/cache-store.js";
import type { BaselineStore } from "../baseline/store.js";
import type { ActionPlan } from "../config/action-plan.js";
import { untrustedReason } from "../config/event.js";

export function storeFor(plan: ActionPlan): BaselineStore {
  const log = (l: string) => core.info(l);
  if (plan.baselineStore === "cache") return new CacheBaselineStore(plan.workspace, log);
  const why = untrustedReason(plan.event);
  return new BranchBaselineStore({
    repoDir: plan.workspace,
    branch: plan.baselineBranch,
    writeRefused: why === null ? null : `${why}: only the default branch's baselines are kept.`,
    tmpDir: plan.runnerTemp,
    log,
  });
}
