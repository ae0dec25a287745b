// The Action's publishing: the job summary, the sticky comment, the HTML report artifact, the
// outputs, and the step's failure. Only this file and main.ts decide what the step reports.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import * as core from "@actions/core";
import * as github from "@actions/github";
import type { Headline } from "../compare/metrics.js";
import { type ActionPlan, OUTPUTS } from "../config/action-plan.js";
import { messageOf } from "../errors.js";
import { reportArtifactName, uploadFileArtifact } from "../github/artifact.js";
import { CommentForbiddenError, commentAuthor, upsertComment } from "../github/comment.js";
import { renderHtml } from "../report/html.js";
import {
  commentMarker,
  type HtmlReportLink,
  type ReportInput,
  type RunHeadline,
  renderMarkdown,
} from "../report/markdown.js";
import type { ResultDocument, StackResult } from "../result/types.js";
import { VERSION } from "../version.js";

/** The Result documents a comment reports, each with the name of its file, for the HTML report. */
export type Documents = { source: string; doc: ResultDocument }[];

/**
 * report-artifact: true: the HTML report of `documents`, written to the runner's temp folder and uploaded as
 * an artifact of the run. A failed upload warns and leaves the comment without the link; it fails nothing.
 */
async function uploadHtmlReport(
  plan: ActionPlan,
  documents: Documents,
  stackNames: string[],
): Promise<HtmlReportLink | undefined> {
  const file = join(plan.runnerTemp, reportArtifactName(stackNames));
  writeFileSync(file, renderHtml({ version: VERSION, documents }));
  try {
    const uploaded = await uploadFileArtifact(file, { ...plan.run, ...plan.event.repository });
    core.info(`HTML report uploaded as the artifact ${uploaded.name}${uploaded.url ? `: ${uploaded.url}` : ""}`);
    core.setOutput(OUTPUTS.reportUrl, uploaded.url);
    return uploaded.url ? { name: uploaded.name, url: uploaded.url } : undefined;
  } catch (err) {
    core.warning(
      `The HTML report (${file}) was not uploaded as an artifact: ${messageOf(err)}. The comment goes without the link.`,
    );
    return undefined;
  }
}

/** The summary always; the sticky comment on `pr` as the comment policy says; the HTML report when asked. */
export async function publish(
  plan: ActionPlan,
  input: ReportInput,
  stackNames: string[],
  pr: { number: number } | null,
  documents: Documents,
): Promise<void> {
  const marker = commentMarker(stackNames);
  const htmlReport = plan.reportArtifact ? await uploadHtmlReport(plan, documents, stackNames) : undefined;
  const body = renderMarkdown({ ...input, htmlReport }, marker);
  await core.summary.addRaw(body).write();
  // on-change: a new comment only when the verdict is not pass, but an existing one always follows
  // the verdict (a ❌ turns ✅ once the pull request is fixed).
  const wantComment = pr !== null && plan.comment !== "never";
  const create = plan.comment === "always" || input.headline !== "pass";
  let commentUrl = "";
  if (wantComment && pr) commentUrl = await comment(plan, pr.number, marker, body, create);
  core.setOutput(OUTPUTS.commentUrl, commentUrl);
}

/** Creates or updates the sticky comment; a token that may not write (a fork's) warns instead. Returns its URL. */
async function comment(plan: ActionPlan, issueNumber: number, marker: string, body: string, create: boolean) {
  if (!plan.token) {
    core.warning("No github-token: the comment was not posted (the job summary has the table).");
    return "";
  }
  const octokit = github.getOctokit(plan.token, { baseUrl: plan.apiUrl });
  const api = {
    paginate: (route: string, params: Record<string, unknown>) => octokit.paginate(route, params),
    request: (route: string, params: Record<string, unknown>) => octokit.request(route, params),
  } as Parameters<typeof upsertComment>[0];
  try {
    const { owner, repo } = plan.event.repository;
    const outcome = await upsertComment(api, { owner, repo, issueNumber }, marker, body, {
      author: await commentAuthor(api),
      create,
    });
    core.info(
      outcome.action === "skipped"
        ? "No comment: comment is on-change, the verdict is pass, and there is no earlier comment to update."
        : `Comment ${outcome.action}: ${outcome.url}`,
    );
    return outcome.url;
  } catch (err) {
    if (!(err instanceof CommentForbiddenError)) throw err;
    core.warning(
      `GitHub refused the comment (HTTP ${err.status}): the token cannot write to this pull request, as with a pull request from a fork. The job summary has the table. To comment on fork pull requests, upload the Result and post it from a workflow_run workflow with mode: report (see docs/recipes.md, "Pull requests from forks").`,
    );
    return "";
  }
}

export function setResultOutputs(headline: RunHeadline, results: StackResult[], file: string): void {
  core.setOutput(OUTPUTS.result, file);
  core.setOutput(OUTPUTS.verdict, headline);
  const first = results[0];
  core.setOutput(OUTPUTS.p99, first ? first.summary.latency.p99.median.toFixed(3) : "");
  core.setOutput(OUTPUTS.throughput, first ? first.summary.throughput.median.toFixed(1) : "");
}

/** The step fails on a regression (fail-on-regression) or a missing baseline (fail-on-missing-baseline); inconclusive warns. */
export function decideFailure(plan: ActionPlan, headline: Headline): void {
  if (headline === "regression" && plan.failOnRegression) {
    core.setFailed("loadgate: performance regression beyond the threshold (see the table in the job summary).");
  } else if (headline === "no-baseline" && plan.failOnMissingBaseline) {
    core.setFailed("loadgate: no comparable baseline, and fail-on-missing-baseline is true.");
  } else if (headline === "inconclusive") {
    core.warning(
      "loadgate: inconclusive, the interval straddles a threshold. This does not fail the check; raise trials to decide.",
    );
  }
}
