// The Action's drift report after a baseline run: a warning annotation per stack with a new change
// point, a section of the job summary, the output `drift` (none / found), and with drift: issue one
// issue per stack, opened or updated.

import * as core from "@actions/core";
import * as github from "@actions/github";
import { type ActionPlan, OUTPUTS } from "../config/action-plan.js";
import { messageOf } from "../errors.js";
import { type CommentApi, commentAuthor } from "../github/comment.js";
import { upsertIssue } from "../github/issue.js";
import { type DriftFinding, driftIssue, driftMarker, driftSummary } from "../report/drift-finding.js";

export async function reportDrift(plan: ActionPlan, findings: readonly DriftFinding[]): Promise<void> {
  for (const f of findings) {
    if (f.line) core.warning(f.line, { title: `loadgate: performance stepped on the default branch (${f.stack})` });
  }
  if (findings.length > 0) await core.summary.addRaw(driftSummary(findings)).write();
  const found = findings.filter((f) => f.found.length > 0);
  core.setOutput(OUTPUTS.drift, found.length > 0 ? "found" : "none");
  if (plan.drift === "issue" && found.length > 0) await driftIssues(plan, found);
}

/** One issue per stack with a new change point; a token that may not write issues warns, never fails the run. */
async function driftIssues(plan: ActionPlan, found: readonly DriftFinding[]): Promise<void> {
  if (!plan.token) {
    core.warning("drift: issue: no github-token, so no issue was opened (the job summary has the finding).");
    return;
  }
  const octokit = github.getOctokit(plan.token, { baseUrl: plan.apiUrl });
  const api: CommentApi = {
    paginate: (route, params) => octokit.paginate(route, params),
    request: (route, params) => octokit.request(route, params),
  };
  const runUrl = `${plan.run.serverUrl}/${plan.event.repository.owner}/${plan.event.repository.repo}/actions/runs/${plan.run.runId}`;
  try {
    const author = await commentAuthor(api);
    for (const f of found) {
      const issue = driftIssue(f, { sha: plan.event.sha, runUrl });
      const outcome = await upsertIssue(api, plan.event.repository, driftMarker(f.stack), issue, author);
      core.info(`Drift issue ${outcome.action} for ${f.stack}: ${outcome.url}`);
    }
  } catch (err) {
    const status = (err as { status?: number }).status;
    core.warning(
      status === 403
        ? "drift: issue: GitHub refused to write the issue (HTTP 403): the job needs permissions: issues: write. The job summary has the finding."
        : `drift: issue: the issue was not written: ${messageOf(err)}`,
    );
  }
}
