// The GitHub edge for drift's issue: one issue per marker, found again among the issues the token's
// account opened (open or closed), updated (and reopened) rather than duplicated.

import type { CommentApi } from "./comment.js";

export interface IssueOutcome {
  action: "created" | "updated";
  number: number;
  url: string;
}

interface IssueData {
  number: number;
  html_url: string;
  body?: string | null;
  user?: { login?: string } | null;
  /** Set on pull requests, which the issues list includes. */
  pull_request?: unknown;
}

/**
 * Finds the issue carrying `marker` that `author` opened (anyone can paste a marker into an issue of
 * their own) and updates its title and body, reopening it; or opens one. Never a second issue.
 */
export async function upsertIssue(
  api: CommentApi,
  repo: { owner: string; repo: string },
  marker: string,
  issue: { title: string; body: string },
  author: string,
): Promise<IssueOutcome> {
  const all = await api.paginate<IssueData>("GET /repos/{owner}/{repo}/issues", {
    ...repo,
    state: "all",
    creator: author,
    per_page: 100,
  });
  const mine = all.find((i) => !i.pull_request && i.body?.includes(marker) && i.user?.login === author);
  if (mine) {
    const { data } = await api.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", {
      ...repo,
      issue_number: mine.number,
      title: issue.title,
      body: issue.body,
      state: "open",
    });
    const d = data as IssueData;
    return { action: "updated", number: d.number, url: d.html_url };
  }
  const { data } = await api.request("POST /repos/{owner}/{repo}/issues", { ...repo, ...issue });
  const d = data as IssueData;
  return { action: "created", number: d.number, url: d.html_url };
}
