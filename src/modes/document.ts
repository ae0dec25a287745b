// The Result document of a run: built here, once, for every command and mode that writes one.

import type { StackReport } from "../report/markdown.js";
import type { ResultDocument, StackResult } from "../result/types.js";
import { SCHEMA_VERSION } from "../result/types.js";
import { VERSION } from "../version.js";

/** A Result document of this run around `results`, with what else the caller knows (commit, pull request, verdicts). */
export function resultDocument(results: StackResult[], extra: Partial<ResultDocument> = {}): ResultDocument {
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: "loadgate", version: VERSION },
    createdAt: new Date().toISOString(),
    ...extra,
    results,
  };
}

/** The verdicts a document carries (`reports[]`), so a later `loadgate report` or mode: report shows them again. */
export function savedReports(reports: readonly StackReport[]): NonNullable<ResultDocument["reports"]> {
  return reports.map((s) => ({
    stack: s.result.stack.name,
    baselineLabel: s.baselineLabel,
    ...(s.workBaselineLabel ? { workBaselineLabel: s.workBaselineLabel } : {}),
    baseline: s.baseline,
    comparison: s.comparison,
  }));
}
