// mode: report with result-file: post what earlier runs measured and decided. One Result (the fork
// recipe) or many (a matrix of jobs, one stack each): one comment, a table per stack and one of them
// all, and the worst verdict.

import { mkdirSync, writeFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import * as core from "@actions/core";
import type { Headline } from "../compare/metrics.js";
import type { ActionPlan } from "../config/action-plan.js";
import { collectResultFiles } from "../github/result-files.js";
import { mergedDocument, type ReadResult, reportsOf, shortName } from "../modes/report.js";
import { readResultFiles } from "../result/read-many.js";
import { decideFailure, publish, setResultOutputs } from "./publish.js";
import { pullRequestForReport } from "./pull-request.js";

export async function reportFromFiles(plan: ActionPlan, specs: string[]): Promise<void> {
  const files = await collectResultFiles(specs, plan.workspace);
  const docs: ReadResult[] = readResultFiles(files);
  const { stacks, headline, compared } = reportsOf(docs);
  const pr = await pullRequestForReport(plan);
  warnAboutNamedPullRequests(plan, docs, pr);
  const wr = plan.event.workflowRun;
  const source = wr
    ? `${pr?.fork ?? wr.headRepo}@${wr.headSha.slice(0, 7)}`
    : docs.length > 1
      ? `${docs.length} earlier jobs`
      : "an earlier run";
  const shas = [...new Set(docs.map(({ doc }) => doc.commit?.sha.slice(0, 7) ?? "unknown"))];
  await publish(
    plan,
    {
      title: docs.length > 1 ? `${docs.length} Results of ${shas.join(", ")}` : `Result of ${shas[0]}`,
      headline,
      stacks,
      decidedBy: pr?.fork
        ? `measured by the workflow run of the fork's pull request (${source}): the figures and verdicts are that run's; posted here by mode: report`
        : `measured by ${source}; posted by mode: report`,
    },
    stacks.map((s) => s.label ?? s.result.stack.name),
    pr,
    docs.map(({ file, doc }) => ({ source: docs.length > 1 ? shortName(file) : basename(file), doc })),
  );
  let resultPath = files[0]!;
  if (docs.length > 1) {
    // One document for the output `result`, written where this run chooses (never where a Result says).
    resultPath = join(plan.runnerTemp, "loadgate-report.json");
    mkdirSync(plan.runnerTemp, { recursive: true });
    writeFileSync(resultPath, `${JSON.stringify(mergedDocument(docs), null, 2)}\n`);
  }
  setResultOutputs(
    headline,
    stacks.map((s) => s.result),
    resultPath,
  );
  // The gate jobs decided; a report job in the pull request's own workflow (a matrix's final job)
  // carries the worst of their verdicts, so it can be the one required check. From workflow_run (the
  // fork recipe) it does not: the fork's own run already failed its check, and a red run on the
  // default branch would only be noise.
  if (compared && plan.event.name !== "workflow_run") decideFailure(plan, headline as Headline);
}

function warnAboutNamedPullRequests(plan: ActionPlan, docs: ReadResult[], pr: { number: number } | null): void {
  for (const { file, doc } of docs) {
    if (doc.pullRequest && doc.pullRequest.number !== pr?.number) {
      core.warning(
        `The Result ${docs.length > 1 ? `${relative(plan.workspace, file)} ` : ""}names pull request #${doc.pullRequest.number}; ignored: mode: report takes the pull request from the event${pr ? ` (#${pr.number})` : ""}, never from the artifact.`,
      );
    }
  }
  if (!pr) {
    core.warning(
      "mode: report found no pull request for this event (a workflow_run of a pull request, or a pull_request event): the job summary has the table, no comment was posted.",
    );
  }
}
