// The pull request a `mode: report` run comments on: from the event, never from the artifact (a
// fork's workflow wrote the artifact, so it must not choose where the repository's token writes).

import * as github from "@actions/github";
import type { ActionPlan } from "../config/action-plan.js";

/**
 * A workflow_run lists its pull requests only for branches of this repository; for a fork's it is
 * empty, so the open pull request whose head is the run's branch (in the fork) and commit is found
 * through the API.
 */
export async function pullRequestForReport(plan: ActionPlan): Promise<{ number: number; fork: string | null } | null> {
  const pr = plan.event.pullRequest;
  if (pr) return { number: pr.number, fork: pr.fromFork ? pr.headRepo : null };
  const wr = plan.event.workflowRun;
  if (!wr) return null;
  const listed = wr.pullRequests.find((p) => p.headSha === wr.headSha);
  if (listed) return { number: listed.number, fork: null };
  if (!plan.token || !wr.headRepo || !wr.headBranch || !wr.headSha) return null;
  const { owner, repo } = plan.event.repository;
  const octokit = github.getOctokit(plan.token, { baseUrl: plan.apiUrl });
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/pulls", {
    owner,
    repo,
    state: "open",
    head: `${wr.headRepo.split("/")[0]}:${wr.headBranch}`,
    per_page: 100,
  });
  const match = (data as { number: number; head?: { sha?: string } }[]).find((p) => p.head?.sha === wr.headSha);
  return match ? { number: match.number, fork: wr.headRepo !== `${owner}/${repo}` ? wr.headRepo : null } : null;
}
