/**
 * A fake of the few GitHub REST endpoints loadgate uses to keep one sticky PR comment, good enough for the
 * real Octokit client from `@actions/github`:
 *
 *   const gh = await startFakeGitHub({ requireToken: "t" });
 *   const octokit = getOctokit("t", { baseUrl: gh.url });
 *
 * (`@actions/github` reads GITHUB_API_URL once, when the module is first imported, so pass `baseUrl`
 * explicitly or set the variable before the first import.)
 *
 * Routes:
 *   GET   /user                                                  the token's user (403 for GITHUB_TOKEN, as GitHub)
 *   GET   /repos/{owner}/{repo}                                  repository (default_branch, full_name, ...)
 *   GET   /repos/{owner}/{repo}/pulls                            open pull requests; ?head=owner:branch filters, as GitHub's
 *   GET   /repos/{owner}/{repo}/issues/{issue_number}/comments   list, oldest first; per_page (≤100, default 30)
 *                                                                and page; a `Link` header when paginated
 *   POST  /repos/{owner}/{repo}/issues/{issue_number}/comments   {body} → 201 comment
 *   GET   /repos/{owner}/{repo}/issues/comments/{comment_id}     one comment
 *   PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}     {body} → 200 comment
 *   GET   /repos/{owner}/{repo}/issues                           issues, newest first; state (open (default), closed,
 *                                                                all), creator; per_page and page, as the comments
 *   POST  /repos/{owner}/{repo}/issues                           {title, body} → 201 issue (as `actor`)
 *   PATCH /repos/{owner}/{repo}/issues/{issue_number}            {title?, body?, state?} → 200 issue
 * Anything else answers 404 {"message":"Not Found"}, like GitHub.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { listen, type RunningFake, sendJson } from "./http.js";

export interface FakeUser {
  login: string;
  id: number;
  type: "Bot" | "User";
}

/** GITHUB_TOKEN acts as this user; comments it writes carry it. */
export const GITHUB_ACTIONS_BOT: FakeUser = { login: "github-actions[bot]", id: 41898282, type: "Bot" };

export interface StoredComment {
  id: number;
  owner: string;
  repo: string;
  issueNumber: number;
  body: string;
  user: FakeUser;
  createdAt: string;
  updatedAt: string;
}

export interface SeedComment {
  owner: string;
  repo: string;
  issueNumber: number;
  body: string;
  /** Defaults to a human user, `octocat`. */
  user?: FakeUser;
}

export interface SeedPull {
  number: number;
  /** The head commit, branch and repository (a fork's is "owner/repo" of the fork). */
  headSha: string;
  headRef: string;
  headRepo: string;
}

export interface FakeGitHubOptions {
  /** POST and PATCH answer 403 as GitHub does for a token without `issues: write` / `pull-requests: write`. */
  forbidWrites?: boolean;
  /** Requests without `authorization: token <t>` or `Bearer <t>` get 401 Bad credentials. */
  requireToken?: string;
  /** Author of comments created through the API. Default: github-actions[bot]. */
  actor?: FakeUser;
  /** Comments that exist before the test starts, in creation order. */
  comments?: SeedComment[];
  /** Open pull requests of the repository, for GET /repos/{owner}/{repo}/pulls. */
  pulls?: SeedPull[];
  /** `default_branch` of every repository. Default: main. */
  defaultBranch?: string;
}

export interface RecordedGitHubRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  /** Parsed JSON body, or undefined when there was none. */
  body: unknown;
  /** Status the fake answered with. */
  status: number;
}

export interface StoredIssue {
  number: number;
  owner: string;
  repo: string;
  title: string;
  body: string;
  state: "open" | "closed";
  user: FakeUser;
  createdAt: string;
  updatedAt: string;
}

export interface FakeGitHubState {
  requests: RecordedGitHubRequest[];
  /** Issues opened through the API, by number. */
  issues: Map<number, StoredIssue>;
  /** Every comment by id, whatever its repository and issue. */
  comments: Map<number, StoredComment>;
  /** Comments of one issue, oldest first, as the list endpoint returns them. */
  commentsOn(owner: string, repo: string, issueNumber: number): StoredComment[];
}

const DOCS = {
  rest: "https://docs.github.com/rest",
  create: "https://docs.github.com/rest/issues/comments#create-an-issue-comment",
  update: "https://docs.github.com/rest/issues/comments#update-an-issue-comment",
  list: "https://docs.github.com/rest/issues/comments#list-issue-comments",
  get: "https://docs.github.com/rest/issues/comments#get-an-issue-comment",
  repo: "https://docs.github.com/rest/repos/repos#get-a-repository",
  createIssue: "https://docs.github.com/rest/issues/issues#create-an-issue",
  updateIssue: "https://docs.github.com/rest/issues/issues#update-an-issue",
};

/** GitHub timestamps have no milliseconds: 2024-05-01T10:00:00Z. */
function githubTime(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<RunningFake<FakeGitHubState>> {
  const actor = options.actor ?? GITHUB_ACTIONS_BOT;
  const defaultBranch = options.defaultBranch ?? "main";
  const comments = new Map<number, StoredComment>();
  let nextId = 1_000_001;
  let nextIssue = 101;

  const addComment = (owner: string, repo: string, issueNumber: number, body: string, user: FakeUser) => {
    const now = githubTime();
    const comment: StoredComment = {
      id: nextId++,
      owner,
      repo,
      issueNumber,
      body,
      user,
      createdAt: now,
      updatedAt: now,
    };
    comments.set(comment.id, comment);
    return comment;
  };
  for (const seed of options.comments ?? []) {
    addComment(
      seed.owner,
      seed.repo,
      seed.issueNumber,
      seed.body,
      seed.user ?? { login: "octocat", id: 583231, type: "User" },
    );
  }

  const issues = new Map<number, StoredIssue>();
  const state: FakeGitHubState = {
    requests: [],
    issues,
    comments,
    commentsOn: (owner, repo, issueNumber) =>
      [...comments.values()]
        .filter((c) => c.owner === owner && c.repo === repo && c.issueNumber === issueNumber)
        .sort((a, b) => a.id - b.id),
  };

  let baseUrl = "";
  const toJson = (c: StoredComment) => ({
    id: c.id,
    node_id: `IC_fake${c.id}`,
    url: `${baseUrl}/repos/${c.owner}/${c.repo}/issues/comments/${c.id}`,
    html_url: `https://github.com/${c.owner}/${c.repo}/issues/${c.issueNumber}#issuecomment-${c.id}`,
    issue_url: `${baseUrl}/repos/${c.owner}/${c.repo}/issues/${c.issueNumber}`,
    body: c.body,
    user: {
      login: c.user.login,
      id: c.user.id,
      type: c.user.type,
      site_admin: false,
    },
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    author_association: c.user.type === "Bot" ? "NONE" : "OWNER",
  });

  const issueJson = (i: StoredIssue) => ({
    id: 2_000_000 + i.number,
    number: i.number,
    url: `${baseUrl}/repos/${i.owner}/${i.repo}/issues/${i.number}`,
    html_url: `https://github.com/${i.owner}/${i.repo}/issues/${i.number}`,
    title: i.title,
    body: i.body,
    state: i.state,
    user: { login: i.user.login, id: i.user.id, type: i.user.type, site_admin: false },
    created_at: i.createdAt,
    updated_at: i.updatedAt,
  });

  /** One page of `all` as GitHub pages lists: per_page (≤100, default 30), page, a `Link` header when there are more. */
  const paged = <T>(url: URL, all: T[]) => {
    const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get("per_page") ?? 30) || 30));
    const page = Math.max(1, Number(url.searchParams.get("page") ?? 1) || 1);
    const lastPage = Math.max(1, Math.ceil(all.length / perPage));
    const slice = all.slice((page - 1) * perPage, page * perPage);
    const headers: Record<string, string> = {};
    if (lastPage > 1) {
      const link = (p: number, rel: string) => {
        const u = new URL(`${baseUrl}${url.pathname}`);
        for (const [k, v] of url.searchParams) u.searchParams.set(k, v);
        u.searchParams.set("per_page", String(perPage));
        u.searchParams.set("page", String(p));
        return `<${u.href}>; rel="${rel}"`;
      };
      const parts: string[] = [];
      if (page > 1) parts.push(link(page - 1, "prev"));
      if (page < lastPage) parts.push(link(page + 1, "next"), link(lastPage, "last"));
      if (page > 1) parts.push(link(1, "first"));
      headers.link = parts.join(", ");
    }
    return { slice, headers };
  };

  const fake = await listen(state, (req: IncomingMessage, res: ServerResponse, raw: Buffer) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const method = req.method ?? "GET";
    let body: unknown;
    let badJson = false;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString("utf8"));
      } catch {
        badJson = true;
      }
    }
    const record: RecordedGitHubRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: req.headers.authorization,
      body: badJson ? raw.toString("utf8") : body,
      status: 0,
    };
    state.requests.push(record);
    const reply = (status: number, value: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      sendJson(res, status, value, headers);
    };
    const error = (status: number, message: string, documentationUrl = DOCS.rest) =>
      reply(status, { message, documentation_url: documentationUrl, status: String(status) });

    if (options.requireToken !== undefined) {
      const match = /^(?:token|bearer)\s+(.+)$/i.exec(req.headers.authorization ?? "");
      if (!match || match[1] !== options.requireToken) return error(401, "Bad credentials");
    }

    const seg = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    // GET /user: a user's token (a PAT) learns who it is; GITHUB_TOKEN (the Actions bot) may not ask.
    if (seg.length === 1 && seg[0] === "user" && method === "GET") {
      const who = options.actor ?? GITHUB_ACTIONS_BOT;
      if (who.type === "Bot") return error(403, "Resource not accessible by integration");
      return reply(200, { login: who.login, id: who.id, type: who.type });
    }
    if (seg[0] !== "repos" || seg.length < 3) return error(404, "Not Found");
    const [, owner, repo] = seg;
    const isNumber = (s: string | undefined) => s !== undefined && /^\d+$/.test(s);

    // GET /repos/{owner}/{repo}/pulls?state=open&head=owner:branch
    if (seg.length === 4 && seg[3] === "pulls" && method === "GET") {
      const head = url.searchParams.get("head");
      const pulls = (options.pulls ?? []).filter((p) => {
        if (!head) return true;
        const [headOwner, ...branch] = head.split(":");
        return p.headRepo.split("/")[0] === headOwner && p.headRef === branch.join(":");
      });
      return reply(
        200,
        pulls.map((p) => ({
          number: p.number,
          state: "open",
          head: {
            sha: p.headSha,
            ref: p.headRef,
            label: `${p.headRepo.split("/")[0]}:${p.headRef}`,
            repo: { full_name: p.headRepo, fork: p.headRepo !== `${owner}/${repo}` },
          },
          base: { ref: defaultBranch, repo: { full_name: `${owner}/${repo}` } },
        })),
      );
    }
    // GET /repos/{owner}/{repo}
    if (seg.length === 3) {
      if (method !== "GET") return error(404, "Not Found");
      return reply(200, {
        id: 123456,
        node_id: "R_fake",
        name: repo,
        full_name: `${owner}/${repo}`,
        owner: { login: owner, id: 1, type: "Organization" },
        private: false,
        html_url: `https://github.com/${owner}/${repo}`,
        url: `${baseUrl}/repos/${owner}/${repo}`,
        default_branch: defaultBranch,
        visibility: "public",
      });
    }

    // /repos/{owner}/{repo}/issues: list (newest first) and create
    if (seg.length === 4 && seg[3] === "issues") {
      if (method === "GET") {
        const want = url.searchParams.get("state") ?? "open";
        const creator = url.searchParams.get("creator");
        const all = [...issues.values()]
          .filter((i) => i.owner === owner && i.repo === repo && (want === "all" || i.state === want))
          .filter((i) => !creator || i.user.login === creator)
          .sort((a, b) => b.number - a.number);
        const { slice, headers } = paged(url, all);
        return reply(200, slice.map(issueJson), headers);
      }
      if (method === "POST") {
        if (options.forbidWrites) return error(403, "Resource not accessible by integration", DOCS.createIssue);
        if (badJson) return error(400, "Problems parsing JSON", DOCS.createIssue);
        const b = (body ?? {}) as { title?: unknown; body?: unknown };
        if (typeof b.title !== "string" || !b.title) return error(422, "Validation Failed", DOCS.createIssue);
        const now = githubTime();
        const issue: StoredIssue = {
          number: nextIssue++,
          owner,
          repo,
          title: b.title,
          body: typeof b.body === "string" ? b.body : "",
          state: "open",
          user: actor,
          createdAt: now,
          updatedAt: now,
        };
        issues.set(issue.number, issue);
        return reply(201, issueJson(issue));
      }
      return error(404, "Not Found");
    }

    // PATCH /repos/{owner}/{repo}/issues/{issue_number}
    if (seg.length === 5 && seg[3] === "issues" && isNumber(seg[4]) && method === "PATCH") {
      if (options.forbidWrites) return error(403, "Resource not accessible by integration", DOCS.updateIssue);
      if (badJson) return error(400, "Problems parsing JSON", DOCS.updateIssue);
      const issue = issues.get(Number(seg[4]));
      if (!issue || issue.owner !== owner || issue.repo !== repo) return error(404, "Not Found", DOCS.updateIssue);
      const b = (body ?? {}) as { title?: unknown; body?: unknown; state?: unknown };
      if (typeof b.title === "string") issue.title = b.title;
      if (typeof b.body === "string") issue.body = b.body;
      if (b.state === "open" || b.state === "closed") issue.state = b.state;
      issue.updatedAt = githubTime();
      return reply(200, issueJson(issue));
    }

    // /repos/{owner}/{repo}/issues/{issue_number}/comments
    if (seg.length === 6 && seg[3] === "issues" && isNumber(seg[4]) && seg[5] === "comments") {
      const issueNumber = Number(seg[4]);
      if (method === "GET") {
        const { slice, headers } = paged(url, state.commentsOn(owner, repo, issueNumber));
        return reply(200, slice.map(toJson), headers);
      }
      if (method === "POST") {
        if (options.forbidWrites) return error(403, "Resource not accessible by integration", DOCS.create);
        const text = (body as { body?: unknown } | undefined)?.body;
        if (badJson) return error(400, "Problems parsing JSON", DOCS.create);
        if (typeof text !== "string") return error(422, 'Invalid request.\n\n"body" wasn\'t supplied.', DOCS.create);
        return reply(201, toJson(addComment(owner, repo, issueNumber, text, actor)));
      }
      return error(404, "Not Found");
    }

    // /repos/{owner}/{repo}/issues/comments/{comment_id}
    if (seg.length === 6 && seg[3] === "issues" && seg[4] === "comments" && isNumber(seg[5])) {
      const comment = comments.get(Number(seg[5]));
      const found = comment && comment.owner === owner && comment.repo === repo ? comment : undefined;
      if (method === "GET") {
        return found ? reply(200, toJson(found)) : error(404, "Not Found", DOCS.get);
      }
      if (method === "PATCH") {
        if (options.forbidWrites) return error(403, "Resource not accessible by integration", DOCS.update);
        if (badJson) return error(400, "Problems parsing JSON", DOCS.update);
        const text = (body as { body?: unknown } | undefined)?.body;
        if (typeof text !== "string") return error(422, 'Invalid request.\n\n"body" wasn\'t supplied.', DOCS.update);
        if (!found) return error(404, "Not Found", DOCS.update);
        found.body = text;
        found.updatedAt = githubTime();
        return reply(200, toJson(found));
      }
      return error(404, "Not Found");
    }

    return error(404, "Not Found");
  });
  baseUrl = fake.url;
  return fake;
}
