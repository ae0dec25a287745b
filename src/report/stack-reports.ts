// Pure: a Result document's stacks as the reports draw them, each with the verdict and baseline it
// carries (`reports[]`, written by `ab --json` and the Action in gate mode), if any.

import type { Comparison } from "../compare/metrics.js";
import type { ResultDocument } from "../result/types.js";
import type { StackReport } from "./markdown.js";

export function stackReportsOf(doc: ResultDocument): StackReport[] {
  return doc.results.map((r) => {
    const saved = doc.reports?.find((x) => x.stack === r.stack.name);
    return {
      result: r,
      comparison: (saved?.comparison as Comparison | undefined) ?? null,
      baseline: saved?.baseline ?? null,
      baselineLabel: saved?.baselineLabel ?? null,
      ...(saved?.workBaselineLabel ? { workBaselineLabel: saved.workBaselineLabel } : {}),
      ...(saved?.trend ? { trend: saved.trend } : {}),
    };
  });
}
