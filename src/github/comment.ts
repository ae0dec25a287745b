// The GitHub edge for the sticky comment. Octokit is passed in; nothing here reads the environment.

export interface CommentApi {
  paginate: <T>(route: string, params: Record<string, unknown>) => Promise<T[]>;
  request: (route: string, params: Record<string, unknown>) => Promise<{ data: unknown }>;
}

export interface CommentTarget {
  owner: string;
  repo: string;
  issueNumber: number;
}

export interface CommentOutcome {
  /** skipped: there was no comment to update and the policy did not ask for a new one. */
  action: "created" | "updated" | "skipped";
  url: string;
  id: number;
}

/** GITHUB_TOKEN writes comments as this bot, and cannot ask GET /user who it is. */
export const ACTIONS_BOT = "github-actions[bot]";

/** The login the token writes comments as: GET /user, or the Actions bot for GITHUB_TOKEN (which may not call it). */
export async function commentAuthor(api: CommentApi): Promise<string> {
  try {
    const { data } = await api.request("GET /user", {});
    const login = (data as { login?: unknown }).login;
    return typeof login === "string" && login ? login : ACTIONS_BOT;
  } catch {
    return ACTIONS_BOT;
  }
}

/** Thrown when GitHub refuses to write the comment (a fork's read-only token: 403). */
export class CommentForbiddenError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "CommentForbiddenError";
  }
}

interface CommentData {
  id: number;
  body?: string;
  html_url: string;
  user?: { login?: string } | null;
}

/**
 * Finds loadgate's comment (carrying `marker` and written by `o.author`: anyone can paste a marker
 * into a comment of their own) and updates it, or creates one when `o.create`: never a second comment.
 */
export async function upsertComment(
  api: CommentApi,
  target: CommentTarget,
  marker: string,
  body: string,
  o: { author: string; create: boolean } = { author: ACTIONS_BOT, create: true },
): Promise<CommentOutcome> {
  const params = { owner: target.owner, repo: target.repo, issue_number: target.issueNumber, per_page: 100 };
  const comments = await api.paginate<CommentData>("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", params);
  const mine = comments.find((c) => c.body?.includes(marker) && c.user?.login === o.author);
  if (!mine && !o.create) return { action: "skipped", url: "", id: 0 };
  try {
    if (mine) {
      const { data } = await api.request("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", {
        owner: target.owner,
        repo: target.repo,
        comment_id: mine.id,
        body,
      });
      const d = data as CommentData;
      return { action: "updated", url: d.html_url, id: d.id };
    }
    const { data } = await api.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
      owner: target.owner,
      repo: target.repo,
      issue_number: target.issueNumber,
      body,
    });
    const d = data as CommentData;
    return { action: "created", url: d.html_url, id: d.id };
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status === 403 || status === 401 || status === 404) {
      throw new CommentForbiddenError(status, (err as Error).message);
    }
    throw err;
  }
}
