// The Action's decision for one run: the fork guard, then gate (A/B or stored), store a baseline, or
// measure only, each through its mode in src/modes/; what main.ts publishes.

import * as core from "@actions/core";
import type { BaselineStore } from "../baseline/store.js";
import { overallHeadline } from "../compare/metrics.js";
import type { ActionPlan } from "../config/action-plan.js";
import { messageOf, UserError } from "../errors.js";
import { storeBaselines } from "../modes/baseline.js";
import { resultDocument, savedReports } from "../modes/document.js";
import { checkDrift } from "../modes/drift.js";
import { measureAll } from "../modes/measure.js";
import type { DriftFinding } from "../report/drift-finding.js";
import type { RunHeadline, StackReport } from "../report/markdown.js";
import type { ResultDocument } from "../result/types.js";
import { abGate, storedGate } from "./gate.js";
import type { ActionIo } from "./io.js";

/** What the run decided, for the comment and the outputs. */
export interface Decided {
  doc: ResultDocument;
  reports: StackReport[];
  headline: RunHeadline;
  decidedBy: string;
  refused: string[];
  /** A baseline run: the change points the new baselines made appear. */
  drift?: DriftFinding[];
}

/** A fork's pull request on a self-hosted runner runs only with allow-untrusted. */
export function refuseUntrustedFork(plan: ActionPlan): void {
  const pr = plan.event.pullRequest;
  if (pr?.fromFork && plan.event.selfHosted && !plan.allowUntrusted) {
    throw new UserError(
      `Refusing to run pull request #${pr.number} from the fork ${pr.headRepo} on a self-hosted runner: its code (the app, the stack file, its requirements) would run on your machine. Set allow-untrusted: true only if you trust every fork, or run fork pull requests on GitHub-hosted runners.`,
    );
  }
}

/** The mode the plan asks for: gate (A/B or stored), store a baseline, or measure only. */
export async function decide(plan: ActionPlan, io: ActionIo, store: BaselineStore): Promise<Decided> {
  const sideBySide = plan.mode === "gate" && plan.compare !== "baseline";
  if (sideBySide && plan.target) {
    throw new UserError(
      `Input target measures one running service, so it cannot be measured against the merge base side by side: set compare: baseline (against the stored baseline of the default branch).`,
    );
  }
  const ab = sideBySide ? await abGate(plan, io, store) : undefined;
  const results = ab?.results ?? (await measureAll({ ...plan.runtime, ...runParts(plan) }, io).finally(io.endGroup));
  const pr = plan.event.pullRequest;
  const doc = resultDocument(results, {
    commit: { sha: plan.event.sha, ref: plan.event.ref },
    ...(pr
      ? {
          pullRequest: {
            number: pr.number,
            repository: `${plan.event.repository.owner}/${plan.event.repository.repo}`,
          },
        }
      : {}),
  });
  if (plan.mode === "gate") {
    const reports = ab?.reports ?? (await storedGate(plan, results, io, store));
    doc.reports = savedReports(reports);
    const headline = overallHeadline(reports.map((s) => s.comparison?.headline ?? "no-baseline"));
    const decidedBy =
      ab?.decidedBy ??
      (reports.every((s) => s.comparison?.method === "absolute")
        ? "decided by the absolute SLOs alone: no stored baseline of the default branch yet"
        : "decided against the newest stored baseline of the default branch");
    return { doc, reports, headline, decidedBy, refused: [] };
  }
  const reports = results.map((r) => ({ result: r, comparison: null, baseline: null, baselineLabel: null }));
  // Nothing was compared: say what happened, not "no regression".
  if (plan.mode !== "baseline")
    return { doc, reports, headline: "measured", decidedBy: "measured only (no comparison)", refused: [] };
  return {
    doc,
    reports,
    headline: "baseline-stored",
    decidedBy: "stored as the new baseline",
    ...(await storeAndCheck(plan, doc, store)),
  };
}

/** Baseline mode: each stack's Result stored (unless refused), then its series looked at for new change points. */
async function storeAndCheck(
  plan: ActionPlan,
  doc: ResultDocument,
  store: BaselineStore,
): Promise<{ refused: string[]; drift: DriftFinding[] | undefined }> {
  const stored = await storeBaselines(
    doc,
    plan.stacks.map((s) => s.gate).concat(plan.target ? [plan.target.gate] : []),
    store,
    plan.event.sha || "unknown",
  );
  for (const s of stored.saved)
    core.info(`Saved the baseline of ${s.stack} as ${s.key} (history: ${s.history} earlier baselines).`);
  const refused = stored.refused.map(
    (r) => `${r.stack}: ${r.reason}; no baseline stored (see the errors by kind in the summary)`,
  );
  // Looking for drift must not fail the baseline run it follows.
  const drift = await checkDrift(doc, stored, store).catch((err) => {
    core.warning(`loadgate: drift not checked: ${messageOf(err)}`);
    return undefined;
  });
  return { refused, drift };
}

/** The run's own parts of the engine's plan: what to measure, and how. */
function runParts(plan: ActionPlan) {
  return {
    stacks: plan.stacks,
    target: plan.target,
    install: plan.install,
    pin: plan.pin || plan.stacks.some((s) => s.spec.load.pin),
    baselineKey: plan.baselineKey,
  };
}
