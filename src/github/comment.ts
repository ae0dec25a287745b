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
  action: "created" | "updated";
  url: string;
  id: number;
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
}

/** Finds the comment carrying `marker` and updates it, or creates one: never a second comment. */
export async function upsertComment(
  api: CommentApi,
  target: CommentTarget,
  marker: string,
  body: string,
): Promise<CommentOutcome> {
  const params = { owner: target.owner, repo: target.repo, issue_number: target.issueNumber, per_page: 100 };
  const comments = await api.paginate<CommentData>("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", params);
  const mine = comments.find((c) => c.body?.includes(marker));
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
