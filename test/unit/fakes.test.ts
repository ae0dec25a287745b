import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { restoreCache, saveCache } from "@actions/cache";
import { getOctokit } from "@actions/github";
// A transitive dependency of @actions/cache: used here only to drive the multi-block upload path.
import { BlockBlobClient } from "@azure/storage-blob";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type CapturedLog, captureActionsLog } from "../fakes/actions-log.js";
import {
  type FakeCacheOptions,
  type FakeCacheService,
  startFakeCacheService,
  TWIRP_PREFIX,
} from "../fakes/cache-service.js";
import { startFakeGitHub } from "../fakes/github-api.js";
import { tempDir } from "../support/temp.js";

const OWNER = "acme";
const REPO = "shop";

describe("fake GitHub API, driven by the real @actions/github Octokit", () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (closers.length) await closers.pop()!();
  });
  const start = async (options: Parameters<typeof startFakeGitHub>[0]) => {
    const gh = await startFakeGitHub(options);
    closers.push(gh.close);
    return gh;
  };

  it("lists, creates and updates issue comments", async () => {
    const gh = await start({
      requireToken: "ghs_secret",
      comments: [{ owner: OWNER, repo: REPO, issueNumber: 7, body: "LGTM" }],
    });
    const octokit = getOctokit("ghs_secret", { baseUrl: gh.url });

    const before = await octokit.rest.issues.listComments({ owner: OWNER, repo: REPO, issue_number: 7 });
    expect(before.data.map((c) => [c.body, c.user?.login, c.user?.type])).toEqual([["LGTM", "octocat", "User"]]);

    const created = await octokit.rest.issues.createComment({
      owner: OWNER,
      repo: REPO,
      issue_number: 7,
      body: "<!-- loadgate -->\nP99 +3%",
    });
    expect(created.status).toBe(201);
    expect(created.data.user?.login).toBe("github-actions[bot]");
    expect(created.data.html_url).toContain(`#issuecomment-${created.data.id}`);

    const updated = await octokit.rest.issues.updateComment({
      owner: OWNER,
      repo: REPO,
      comment_id: created.data.id,
      body: "<!-- loadgate -->\nP99 -1%",
    });
    expect(updated.status).toBe(200);
    expect(updated.data.body).toBe("<!-- loadgate -->\nP99 -1%");

    const after = await octokit.rest.issues.listComments({ owner: OWNER, repo: REPO, issue_number: 7 });
    expect(after.data.map((c) => c.body)).toEqual(["LGTM", "<!-- loadgate -->\nP99 -1%"]);
    // Other issues are separate.
    const other = await octokit.rest.issues.listComments({ owner: OWNER, repo: REPO, issue_number: 8 });
    expect(other.data).toEqual([]);

    expect(gh.state.comments.get(created.data.id)?.body).toBe("<!-- loadgate -->\nP99 -1%");
    expect(gh.state.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      `GET /repos/${OWNER}/${REPO}/issues/7/comments 200`,
      `POST /repos/${OWNER}/${REPO}/issues/7/comments 201`,
      `PATCH /repos/${OWNER}/${REPO}/issues/comments/${created.data.id} 200`,
      `GET /repos/${OWNER}/${REPO}/issues/7/comments 200`,
      `GET /repos/${OWNER}/${REPO}/issues/8/comments 200`,
    ]);
    expect(gh.state.requests[1].body).toEqual({ body: "<!-- loadgate -->\nP99 +3%" });
    expect(gh.state.requests[0].authorization).toBe("token ghs_secret");
  });

  it("paginates with Link headers that octokit.paginate follows", async () => {
    const gh = await start({
      comments: Array.from({ length: 5 }, (_, i) => ({ owner: OWNER, repo: REPO, issueNumber: 3, body: `c${i}` })),
    });
    const octokit = getOctokit("t", { baseUrl: gh.url });

    const first = await octokit.rest.issues.listComments({ owner: OWNER, repo: REPO, issue_number: 3, per_page: 2 });
    expect(first.data.map((c) => c.body)).toEqual(["c0", "c1"]);
    expect(first.headers.link).toContain(`page=2>; rel="next"`);
    expect(first.headers.link).toContain(`page=3>; rel="last"`);

    const all = await octokit.paginate(octokit.rest.issues.listComments, {
      owner: OWNER,
      repo: REPO,
      issue_number: 3,
      per_page: 2,
    });
    expect(all.map((c) => c.body)).toEqual(["c0", "c1", "c2", "c3", "c4"]);
    const pages = gh.state.requests.slice(1).map((r) => r.query.page ?? "1");
    expect(pages).toEqual(["1", "2", "3"]);
  });

  it("answers 403 on writes when forbidWrites is set, leaving comments untouched", async () => {
    const gh = await start({
      forbidWrites: true,
      comments: [{ owner: OWNER, repo: REPO, issueNumber: 1, body: "old" }],
    });
    const octokit = getOctokit("t", { baseUrl: gh.url });
    const [existing] = gh.state.commentsOn(OWNER, REPO, 1);

    await expect(
      octokit.rest.issues.createComment({ owner: OWNER, repo: REPO, issue_number: 1, body: "new" }),
    ).rejects.toMatchObject({
      status: 403,
      message: expect.stringContaining("Resource not accessible by integration"),
    });
    await expect(
      octokit.rest.issues.updateComment({ owner: OWNER, repo: REPO, comment_id: existing.id, body: "new" }),
    ).rejects.toMatchObject({ status: 403 });

    const res = await fetch(`${gh.url}/repos/${OWNER}/${REPO}/issues/1/comments`, {
      method: "POST",
      body: JSON.stringify({ body: "new" }),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      message: "Resource not accessible by integration",
      documentation_url: "https://docs.github.com/rest/issues/comments#create-an-issue-comment",
      status: "403",
    });
    expect(gh.state.commentsOn(OWNER, REPO, 1).map((c) => c.body)).toEqual(["old"]);
  });

  it("rejects a wrong token, accepts Bearer, serves the repository and 404s unknown routes", async () => {
    const gh = await start({ requireToken: "right" });
    await expect(
      getOctokit("wrong", { baseUrl: gh.url }).rest.issues.listComments({ owner: OWNER, repo: REPO, issue_number: 1 }),
    ).rejects.toMatchObject({ status: 401, message: expect.stringContaining("Bad credentials") });

    const bearer = await fetch(`${gh.url}/repos/${OWNER}/${REPO}/issues/1/comments`, {
      headers: { authorization: "Bearer right" },
    });
    expect(bearer.status).toBe(200);

    const octokit = getOctokit("right", { baseUrl: gh.url });
    const repo = await octokit.rest.repos.get({ owner: OWNER, repo: REPO });
    expect(repo.data).toMatchObject({ default_branch: "main", full_name: `${OWNER}/${REPO}` });

    await expect(
      octokit.request("GET /repos/{owner}/{repo}/releases", { owner: OWNER, repo: REPO }),
    ).rejects.toMatchObject({ status: 404 });
  });
});

/**
 * Environment `@actions/cache` 6 needs (all read at call time, so stubbing per test works):
 *   ACTIONS_CACHE_SERVICE_V2, ACTIONS_RESULTS_URL, ACTIONS_RUNTIME_TOKEN  → the fake (fake.env)
 *   RUNNER_TEMP       archive scratch directory (default /home/actions/temp, not writable here)
 *   GITHUB_WORKSPACE  tar archives paths relative to it (default: cwd)
 *   GITHUB_SERVER_URL must look like github.com, or the client assumes GHES and falls back to the v1 protocol
 *   ACTIONS_CACHE_MODE cleared: "read"/"none" would skip saves and restores before any request
 */
// @actions/cache packs and unpacks with tar and zstd: processes, so npm run test:unit leaves it out.
describe("fake cache service, driven by the real @actions/cache", { tags: ["spawns"] }, () => {
  let dirs: string[] = [];
  let fake: FakeCacheService | undefined;
  let log: CapturedLog;
  let workspace: string;
  let file: string;

  beforeEach(() => {
    log = captureActionsLog();
    workspace = tempDir("lg-ws-");
    const runnerTemp = tempDir("lg-runner-temp-");
    dirs = [workspace, runnerTemp];
    mkdirSync(join(workspace, "baseline"));
    file = join(workspace, "baseline", "result.json");
    vi.stubEnv("RUNNER_TEMP", runnerTemp);
    vi.stubEnv("GITHUB_WORKSPACE", workspace);
    vi.stubEnv("GITHUB_SERVER_URL", "https://github.com");
    vi.stubEnv("ACTIONS_CACHE_MODE", undefined);
    vi.stubEnv("RUNNER_DEBUG", undefined);
  });

  afterEach(async () => {
    vi.unstubAllEnvs();
    log.restore();
    await fake?.close();
    fake = undefined;
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const useFake = async (options: FakeCacheOptions = {}) => {
    fake = await startFakeCacheService(options);
    for (const [name, value] of Object.entries(fake.env)) vi.stubEnv(name, value);
    return fake;
  };
  /** Saves `content` in `file` under `key`. */
  const save = async (key: string, content: string, paths = [file]) => {
    writeFileSync(file, content);
    return saveCache(paths, key);
  };
  /** Deletes `file`, restores and returns [matched key, restored content]. */
  const restore = async (key: string, restoreKeys?: string[], paths = [file]) => {
    rmSync(file, { force: true });
    const matched = await restoreCache(paths, key, restoreKeys);
    let content: string | undefined;
    try {
      content = readFileSync(file, "utf8");
    } catch {
      content = undefined;
    }
    return [matched, content] as const;
  };

  it("round-trips a file through saveCache and restoreCache", { timeout: 30_000 }, async () => {
    const cache = await useFake();
    const payload = JSON.stringify({ p99: 12.5, noise: randomBytes(2048).toString("base64") });

    const id = await save("loadgate-baseline-main-abc", payload);
    expect(id).toBeGreaterThan(0);
    const [entry] = cache.state.entries;
    expect(entry).toMatchObject({ id, key: "loadgate-baseline-main-abc", finalized: true });
    expect(entry.version).toMatch(/^[0-9a-f]{64}$/);
    expect(entry.size).toBe(entry.data?.length);
    expect(entry.size).toBeGreaterThan(0);

    expect(await restore("loadgate-baseline-main-abc")).toEqual(["loadgate-baseline-main-abc", payload]);

    // The wire protocol, as the real client spoke it.
    const [create] = cache.state.calls("CreateCacheEntry");
    expect(create.path).toBe(`${TWIRP_PREFIX}CreateCacheEntry`);
    expect(create.headers.authorization).toBe("Bearer fake-runtime-token");
    expect(create.body).toEqual({ key: "loadgate-baseline-main-abc", version: entry.version });
    const [finalize] = cache.state.calls("FinalizeCacheEntryUpload");
    expect(finalize.body).toEqual({ key: entry.key, version: entry.version, size_bytes: String(entry.size) });
    const [lookup] = cache.state.calls("GetCacheEntryDownloadURL");
    expect(lookup.body).toEqual({ key: entry.key, version: entry.version });
    const blob = cache.state.requests.filter((r) => r.kind === "blob");
    expect(blob.map((r) => [r.method, r.query.comp, r.headers["x-ms-blob-type"], r.status])).toEqual([
      ["PUT", undefined, "BlockBlob", 201],
      ["GET", undefined, undefined, 200],
    ]);
    expect(blob[0].bytes).toBe(entry.size);
  });

  it("reports a miss when nothing matches", { timeout: 30_000 }, async () => {
    const cache = await useFake();
    await save("loadgate-baseline-main", "x");
    expect(await restore("other-key", ["other-"])).toEqual([undefined, undefined]);
    const lookups = cache.state.calls("GetCacheEntryDownloadURL");
    expect(lookups.at(-1)?.body).toMatchObject({ key: "other-key", restore_keys: ["other-"] });
    expect(cache.state.requests.filter((r) => r.kind === "blob" && r.method === "GET")).toEqual([]);
  });

  it("restores the newest entry for a prefix, but an exact key match first", { timeout: 30_000 }, async () => {
    await useFake();
    // Creation order a, c, a-2, b: the newest (b) is neither the first nor the last key in sort order,
    // and a-2 is a newer entry that "deps-a" is a prefix of.
    await save("deps-a", "A");
    await save("deps-c", "C");
    await save("deps-a-2", "A2");
    await save("deps-b", "B");

    expect(await restore("deps-zzz", ["nomatch-", "deps-"])).toEqual(["deps-b", "B"]);
    expect(await restore("deps-")).toEqual(["deps-b", "B"]);
    expect(await restore("deps-a", ["deps-"])).toEqual(["deps-a", "A"]);
    expect(await restore("deps-a-")).toEqual(["deps-a-2", "A2"]);
    expect(log.text()).toContain("Cache hit for restore-key: deps-b");
  });

  it("never overwrites an existing key", { timeout: 30_000 }, async () => {
    const cache = await useFake();
    expect(await save("loadgate-baseline", "first")).toBeGreaterThan(0);
    expect(await save("loadgate-baseline", "second")).toBe(-1);

    expect(log.text()).toContain("Failed to save: Unable to reserve cache with key loadgate-baseline");
    const creates = cache.state.calls("CreateCacheEntry");
    expect(creates.map((r) => r.status)).toEqual([200, 409]);
    expect(cache.state.entries.map((e) => e.key)).toEqual(["loadgate-baseline"]);
    expect(await restore("loadgate-baseline")).toEqual(["loadgate-baseline", "first"]);
  });

  it("keys entries by version: other paths neither see nor collide with an entry", { timeout: 30_000 }, async () => {
    const cache = await useFake();
    const otherPaths = [file, join(workspace, "baseline", "extra.json")];
    await save("loadgate-baseline", "one path");

    expect(await restore("loadgate-baseline", [], otherPaths)).toEqual([undefined, undefined]);
    expect(await save("loadgate-baseline", "two paths", otherPaths)).toBeGreaterThan(0);
    expect(cache.state.entries).toHaveLength(2);
    expect(new Set(cache.state.entries.map((e) => e.version)).size).toBe(2);

    expect(await restore("loadgate-baseline", [], otherPaths)).toEqual(["loadgate-baseline", "two paths"]);
    expect(await restore("loadgate-baseline")).toEqual(["loadgate-baseline", "one path"]);
  });

  it("models read-only and read-denied tokens", { timeout: 30_000 }, async () => {
    const cache = await useFake({ denyWrites: true, denyReads: true });
    expect(await save("k", "x")).toBe(-1);
    expect(cache.state.entries).toEqual([]);
    expect(log.text()).toContain("cache write denied: token has no writable scopes");

    expect(await restore("k")).toEqual([undefined, undefined]);
    expect(log.text()).toContain("cache read denied: token has no readable scopes");
    expect(cache.state.calls("GetCacheEntryDownloadURL").map((r) => r.status)).toEqual([403]);
  });

  it("assembles multi-block uploads (Put Block + Put Block List) and serves ranges", { timeout: 30_000 }, async () => {
    const cache = await useFake();
    const rpc = async (method: string, body: unknown) => {
      const res = await fetch(`${cache.url}${TWIRP_PREFIX}${method}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer t" },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, string | boolean> };
    };
    const data = randomBytes(10_000);

    const created = await rpc("CreateCacheEntry", { key: "big", version: "v1" });
    expect(created.body.ok).toBe(true);
    // The same options saveCache uses, except a tiny single-shot limit and block size to force blocks.
    await new BlockBlobClient(String(created.body.signed_upload_url)).uploadData(data, {
      blockSize: 4096,
      maxSingleShotSize: 1024,
      concurrency: 2,
    });
    const blockPuts = cache.state.requests.filter((r) => r.kind === "blob").map((r) => r.query.comp);
    expect(blockPuts).toEqual(["block", "block", "block", "blocklist"]);

    expect((await rpc("FinalizeCacheEntryUpload", { key: "big", version: "v1", size_bytes: "10000" })).body).toEqual({
      ok: true,
      entry_id: "1",
    });
    expect((await rpc("CreateCacheEntry", { key: "big", version: "v1" })).status).toBe(409);
    const found = await rpc("GetCacheEntryDownloadURL", { key: "bi", restore_keys: [], version: "v1" });
    expect(found.body).toMatchObject({ ok: true, matched_key: "big" });
    expect((await rpc("GetCacheEntryDownloadURL", { key: "big", version: "v2" })).body.ok).toBe(false);

    const url = String(found.body.signed_download_url);
    const whole = await fetch(url);
    expect(Buffer.from(await whole.arrayBuffer()).equals(data)).toBe(true);
    const part = await fetch(url, { headers: { "x-ms-range": "bytes=100-199" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe("bytes 100-199/10000");
    expect(Buffer.from(await part.arrayBuffer()).equals(data.subarray(100, 200))).toBe(true);
    // The upload URL cannot be used to read, nor to write once finalized.
    expect((await fetch(String(created.body.signed_upload_url))).status).toBe(403);
  });
});
