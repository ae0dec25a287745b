// The Action's drift report after a baseline run: a warning annotation per stack with a new change
// point, a section of the job summary, and the output `drift` (none / found).

import * as core from "@actions/core";
import { OUTPUTS } from "../config/action-plan.js";
import { type DriftFinding, driftSummary } from "../drift/finding.js";

export async function reportDrift(findings: readonly DriftFinding[]): Promise<void> {
  for (const f of findings) {
    if (f.line) core.warning(f.line, { title: `loadgate: performance stepped on the default branch (${f.stack})` });
  }
  if (findings.length > 0) await core.summary.addRaw(driftSummary(findings)).write();
  core.setOutput(OUTPUTS.drift, findings.some((f) => f.found.length > 0) ? "found" : "none");
}
