import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeCacheService, startFakeCacheService } from "../fakes/cache-service.js";
import { type FakeGitHubState, startFakeGitHub } from "../fakes/github-api.js";
import type { RunningFake } from "../fakes/http.js";
import { pullRequestEvent, runAction } from "./action-helpers.js";
import { delayedStack, scratchRepo } from "./git-repo.js";
import { markedProcesses } from "./helpers.js";

let cache: FakeCacheService;
let gh: RunningFake<FakeGitHubState>;
let repo: string;
let baseSha: string;
let headSha: string;
let git: (...args: string[]) => string;

beforeAll(async () => {
  cache = await startFakeCacheService();
  gh = await startFakeGitHub({ requireToken: "ghs_test" });
  // main has the fast app; the pull request's branch slows it down by 20 ms per request.
  ({ repo, git } = scratchRepo("lg-action-ab-"));
  writeFileSync(join(repo, "stack.yml"), delayedStack(0));
  git("add", ".");
  git("commit", "-q", "-m", "fast");
  baseSha = git("rev-parse", "HEAD");
  git("checkout", "-q", "-b", "feature");
  writeFileSync(join(repo, "stack.yml"), delayedStack(20));
  git("commit", "-q", "-am", "slow");
  headSha = git("rev-parse", "HEAD");
});
afterAll(async () => {
  await cache.close();
  await gh.close();
});

// Windows of 0.3 s after 0.1 s: a 20 ms slowdown of a ~2 ms answer is decided at the first look.
describe("the Action with compare: merge-base", () => {
  it("measures the pull request against its merge base on this runner and fails on the slowdown", async () => {
    const run = await runAction({
      inputs: {
        stack: "stack.yml",
        "github-token": "ghs_test",
        compare: "merge-base",
        trials: "4",
        "max-pairs": "14",
        duration: "0.3",
        warmup: "0.1",
      },
      workspace: repo,
      apiUrl: gh.url,
      cacheEnv: cache.env,
      event: { name: "pull_request", payload: pullRequestEvent(21, headSha, baseSha) },
      sha: headSha,
    });
    expect(run.code, run.stdout.slice(-3000)).toBe(1);
    expect(run.outputs.verdict).toBe("regression");
    expect(run.summary).toContain(`decided by same-runner A/B against the merge base ${baseSha.slice(0, 7)}`);
    expect(run.summary).toContain(`Baseline (merge base ${baseSha.slice(0, 7)})`);
    expect(gh.state.commentsOn("acme", "shop", 21)).toHaveLength(1);
    expect(git("worktree", "list").split("\n")).toHaveLength(1);
    expect(markedProcesses()).toEqual([]);
  });

  it("a merge queue is gated: merge_group (mode auto) measures the queued commit against the queue's base", async () => {
    const comments = gh.state.comments.size;
    const run = await runAction({
      inputs: {
        stack: "stack.yml",
        "github-token": "ghs_test",
        trials: "4",
        "max-pairs": "14",
        duration: "0.3",
        warmup: "0.1",
      },
      workspace: repo,
      apiUrl: gh.url,
      cacheEnv: cache.env,
      event: {
        name: "merge_group",
        payload: {
          action: "checks_requested",
          merge_group: {
            head_sha: headSha,
            head_ref: "refs/heads/gh-readonly-queue/main/pr-21-0123456789abcdef",
            base_sha: baseSha,
            base_ref: "refs/heads/main",
          },
          repository: { full_name: "acme/shop", default_branch: "main", name: "shop", owner: { login: "acme" } },
        },
      },
      sha: headSha,
    });
    expect(run.stdout).toContain("auto: merge_group event (the merge queue is gated)");
    expect(run.code, run.stdout.slice(-3000)).toBe(1);
    expect(run.outputs.verdict).toBe("regression");
    expect(run.summary).toContain(`decided by same-runner A/B against the merge base ${baseSha.slice(0, 7)}`);
    expect(gh.state.comments.size).toBe(comments); // no pull request to comment on: the summary and the check
    expect(markedProcesses()).toEqual([]);
  });

  it("a shallow checkout without the base commit gets one clear error naming fetch-depth: 0", async () => {
    const run = await runAction({
      inputs: { stack: "stack.yml", "github-token": "ghs_test", compare: "merge-base" },
      workspace: repo,
      apiUrl: gh.url,
      cacheEnv: cache.env,
      event: {
        name: "pull_request",
        payload: pullRequestEvent(22, headSha, "0123456789abcdef0123456789abcdef01234567"),
      },
      sha: headSha,
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("is not in this checkout");
    expect(run.stdout).toContain("fetch-depth: 0");
  });
});
