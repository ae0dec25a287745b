// Mode: same-runner A/B. Both commits measured side by side on this machine until decided; shared
// by `loadgate ab` and the Action's compare: merge-base / both (against the pull request's merge base).

import { relative } from "node:path";
import { isCommit, mergeBase, repoRoot } from "../ab/git.js";
import { AB_DEFAULT_MAX_PAIRS, AB_DEFAULT_MIN_PAIRS, type AbPlan, abPlanOf } from "../ab/plan.js";
import { type AbOutcome, runAb } from "../ab/run.js";
import type { BaselineStore } from "../baseline/store.js";
import type { Overrides } from "../config/overrides.js";
import type { RunPlan } from "../config/plan.js";
import { UserError } from "../errors.js";
import { formatPercent } from "../report/format.js";
import type { StackReport } from "../report/markdown.js";
import { withBaselineKey } from "../result/environment.js";
import { compareWithBaseline } from "../verdict/stored.js";
import type { ModeIo } from "./io.js";
import { baselineAgeOf } from "./judge.js";

export type { AbOutcome };

/** Runs the A/B; each head's Result is put under the baseline key when there is one. */
export async function abMode(ab: AbPlan, run: RunPlan, baselineKey: string | null, io: ModeIo): Promise<AbOutcome[]> {
  io.log(ab.windowNote);
  const outcomes = await runAb(ab, run, io);
  return outcomes.map((o) => ({ ...o, head: withBaselineKey(o.head, baselineKey) }));
}

/** The comment's and the document's view of each stack's A/B: the head against the base, labelled. */
export function abReports(outcomes: readonly AbOutcome[], baselineLabel: string): StackReport[] {
  return outcomes.map((o) => ({ result: o.head, comparison: o.comparison, baseline: o.base, baselineLabel }));
}

/** What the Action knows when it measures a change against its base. */
export interface MergeBaseRequest {
  workspace: string;
  /** The pull request's or the merge queue's base commit; undefined: the event has none. */
  baseSha: string | undefined;
  /** What the base is, for messages: "the pull request's base commit". */
  baseWhat: string;
  /** The setting that asked for the A/B, for messages: "Input compare: merge-base". */
  askedBy: string;
  eventName: string;
  stackFiles: string[];
  overrides: Overrides;
  maxPairs: number | null;
  maxTimeSeconds: number | null;
  install: boolean;
}

/** The A/B plan of a change against the merge base of its base commit and HEAD (which must be in the checkout). */
export async function mergeBasePlan(q: MergeBaseRequest): Promise<AbPlan> {
  if (q.baseSha === undefined) {
    throw new UserError(
      `${q.askedBy} needs a pull_request or merge_group event (it measures the change against its base); this is a ${q.eventName || "unknown"} event.`,
    );
  }
  const root = await repoRoot(q.workspace);
  if (!q.baseSha || !(await isCommit(root, q.baseSha))) {
    throw new UserError(
      `${q.askedBy.replace(/^Input /, "")}: ${q.baseWhat} ${q.baseSha.slice(0, 12) || "(unknown)"} is not in this checkout, which is too shallow to find the merge base. Check out with full history: actions/checkout with fetch-depth: 0.`,
    );
  }
  const base = await mergeBase(root, q.baseSha, "HEAD");
  const minPairs = q.overrides.trials ?? AB_DEFAULT_MIN_PAIRS;
  return abPlanOf({
    root,
    baseRef: base.slice(0, 7),
    baseSha: base,
    headRef: null,
    headSha: null,
    stackPaths: q.stackFiles.map((f) => relative(root, f)),
    overrides: q.overrides,
    // Without a max-pairs input, trials above the default raise it, as --min-pairs does (planAction
    // refuses a max-pairs below trials).
    pairs: { minPairs, maxPairs: q.maxPairs ?? Math.max(AB_DEFAULT_MAX_PAIRS, minPairs) },
    windowNames: { duration: "input duration", warmup: "input warmup" },
    maxTimeSeconds: q.maxTimeSeconds,
    jsonOut: null,
    install: q.install,
  });
}

/**
 * compare: both: each head also against the newest stored baseline, for information (the A/B decided):
 * a line under the table, and the stored baseline's age.
 */
export async function withTrends(
  reports: StackReport[],
  outcomes: readonly AbOutcome[],
  store: BaselineStore,
  maxAgeSeconds: number | null,
  io: ModeIo,
): Promise<StackReport[]> {
  for (const [i, o] of outcomes.entries()) {
    const stored = await store.restore(o.head.stack.name, o.head.environment.id);
    const b = stored?.doc.results.find((x) => x.stack.name === o.head.stack.name);
    if (!b || !stored) {
      reports[i].trend = "no stored baseline yet";
      continue;
    }
    reports[i].baselineAge = baselineAgeOf(stored.doc, maxAgeSeconds, io.warn);
    const c = compareWithBaseline(b, o.head, o.gate, b.history ?? []);
    const m = (name: string) => c.metrics.find((x) => x.metric === name);
    const p99 = m("p99");
    const tp = m("throughput");
    reports[i].trend =
      c.headline === "no-baseline"
        ? `not comparable (${c.reason})`
        : `P99 ${p99 ? formatPercent(p99.change) : "–"}, throughput ${tp ? formatPercent(tp.change) : "–"} against the stored baseline ${stored.doc.commit?.sha.slice(0, 7) ?? ""} (for information; the A/B decided)`;
  }
  return reports;
}
