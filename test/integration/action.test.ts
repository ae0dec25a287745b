import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeCacheService, startFakeCacheService } from "../fakes/cache-service.js";
import { type FakeGitHubState, GITHUB_ACTIONS_BOT, startFakeGitHub } from "../fakes/github-api.js";
import type { RunningFake } from "../fakes/http.js";
import { tempDir } from "../support/temp.js";
import { pullRequestEvent, pushEvent, runAction } from "./action-helpers.js";
import { gitIn } from "./git-repo.js";
import { expectNothingLeft, markedProcesses, TINY_APP, TINY_PASS_ENV } from "./helpers.js";

// The tiny standard-library app through nginx: quick, and slowed on purpose with TINY_DELAY_MS.
const STACK = (app: string) => `name: shop
pooler: none
database: none
proxy: { nginx: { worker_processes: 1, keepalive: 8 } }
app:
  webserver: http.server
  framework: stdlib
  command: python3 ${app} {port}
${TINY_PASS_ENV}  ready: { http: /test, timeout: 5s }
load:
  connections: 4
  warmup: 0.2s
  duration: 0.5s
  trials: 3
gate:
  p99: "+10%"
  throughput: "-5%"
`;

let cache: FakeCacheService;
let gh: RunningFake<FakeGitHubState>;
let workspace: string;

beforeAll(async () => {
  cache = await startFakeCacheService();
  gh = await startFakeGitHub({ requireToken: "ghs_test" });
  workspace = tempDir("lg-ws-");
  writeFileSync(join(workspace, "stack.yml"), STACK(TINY_APP));
});
afterAll(async () => {
  await cache.close();
  await gh.close();
});

const base = () => ({
  inputs: { stack: "stack.yml", "github-token": "ghs_test", compare: "baseline" },
  workspace,
  apiUrl: gh.url,
  cacheEnv: cache.env,
});

describe("the Action (dist/main.js) against local fakes of the GitHub API and the cache service", () => {
  it("a push to main measures and saves a baseline", async () => {
    const run = await runAction({
      ...base(),
      event: { name: "push", payload: pushEvent("a".repeat(40)) },
      sha: "a".repeat(40),
    });
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toContain("auto: push to the default branch main");
    expect(run.stdout).toMatch(/::group::shop: up/);
    expect(run.stdout).toMatch(/Saved the baseline of shop as loadgate-1-shop-[0-9a-f]{12}-a{40}/);
    expect(cache.state.entries.some((e) => e.key.startsWith("loadgate-1-shop-") && e.finalized)).toBe(true);
    // Nothing was compared: the verdict and the summary say what happened, not "no regression".
    expect(run.outputs.verdict).toBe("baseline-stored");
    expect(run.summary).toContain("📦 loadgate: baseline stored for the default branch (nothing compared)");
    expect(run.summary).not.toContain("no regression");
    expect(Number(run.outputs["p99-ms"])).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(run.outputs.result, "utf8")).results[0].stack.name).toBe("shop");
    expect(gh.state.comments.size).toBe(0); // no comment on a push
    expect(markedProcesses()).toEqual([]);
  });

  it("a pull request restores the baseline, posts one comment, and a second run updates it", async () => {
    const event = { name: "pull_request", payload: pullRequestEvent(7, "b".repeat(40), "a".repeat(40)) };
    // Same code on both sides, but separate runs on a busy test machine can differ by more than the
    // threshold (the run-to-run spread the README describes): this test is about restore and the comment.
    const inputs = { ...base().inputs, "fail-on-regression": "false" };
    const first = await runAction({ ...base(), inputs, event, sha: "c".repeat(40) });
    expect(first.code, first.stdout).toBe(0);
    expect(first.stdout).toMatch(/shop: (pass|inconclusive|improvement|regression) \(baseline loadgate-1-shop-/);
    expect(first.summary).toContain("<!-- loadgate:comment stacks=shop -->");
    expect(first.summary).toMatch(/\| Metric +\| +Baseline \(aaaaaaa\) +\| +This PR/);
    expect(first.outputs["comment-url"]).toMatch(/^https?:\/\//);
    expect(gh.state.commentsOn("acme", "shop", 7)).toHaveLength(1);

    const second = await runAction({ ...base(), inputs, event, sha: "c".repeat(40) });
    expect(second.code, second.stdout).toBe(0);
    expect(second.stdout).toContain("Comment updated");
    expect(gh.state.commentsOn("acme", "shop", 7)).toHaveLength(1);
  });

  it("a stack slowed on purpose fails the step with regression", async () => {
    const event = { name: "pull_request", payload: pullRequestEvent(8, "d".repeat(40), "a".repeat(40)) };
    const run = await runAction({ ...base(), event, sha: "d".repeat(40), extraEnv: { TINY_DELAY_MS: "15" } });
    expect(run.code).toBe(1);
    expect(run.outputs.verdict).toBe("regression");
    expect(run.stdout).toContain("::error::loadgate: performance regression beyond the threshold");
    const body = [...gh.state.comments.values()].find((c) => c.issueNumber === 8)!.body;
    expect(body).toContain("❌ loadgate: regression beyond the threshold");
  });

  it("comment: on-change moves loadgate's own earlier comment to the new verdict, never one someone else wrote, and creates none on a pass", async () => {
    const marker = "<!-- loadgate:comment stacks=shop -->";
    const mallory = { login: "mallory", id: 666, type: "User" as const };
    const own = await startFakeGitHub({
      requireToken: "ghs_test",
      comments: [
        {
          owner: "acme",
          repo: "shop",
          issueNumber: 31,
          body: `${marker}\nmallory's copy of the marker`,
          user: mallory,
        },
        {
          owner: "acme",
          repo: "shop",
          issueNumber: 31,
          body: `${marker}\n## ❌ loadgate: regression`,
          user: GITHUB_ACTIONS_BOT,
        },
      ],
    });
    try {
      // Limits no run of the same code can break: the verdict is pass.
      const inputs = {
        ...base().inputs,
        comment: "on-change",
        "p99-threshold": "+1000%",
        "throughput-threshold": "-99%",
      };
      const pr = (n: number, sha: string) => ({
        name: "pull_request",
        payload: pullRequestEvent(n, sha, "a".repeat(40)),
      });
      const fixed = await runAction({
        ...base(),
        apiUrl: own.url,
        inputs,
        event: pr(31, "e".repeat(40)),
        sha: "e".repeat(40),
      });
      expect(fixed.code, fixed.stdout).toBe(0);
      expect(fixed.outputs.verdict).toBe("pass");
      const comments = own.state.commentsOn("acme", "shop", 31);
      expect(comments).toHaveLength(2);
      expect(comments.find((c) => c.user.login === "github-actions[bot]")!.body).toContain(
        "✅ loadgate: no regression",
      );
      expect(comments.find((c) => c.user.login === "mallory")!.body).toBe(`${marker}\nmallory's copy of the marker`);
      expect(fixed.stdout).toContain("Comment updated");

      const quiet = await runAction({
        ...base(),
        apiUrl: own.url,
        inputs,
        event: pr(32, "f".repeat(40)),
        sha: "f".repeat(40),
      });
      expect(quiet.code, quiet.stdout).toBe(0);
      expect(own.state.commentsOn("acme", "shop", 32)).toHaveLength(0);
      expect(quiet.stdout).toContain("No comment: comment is on-change, the verdict is pass");
    } finally {
      await own.close();
    }
  });

  it("no baseline: verdict no-baseline, passes by default, fails with fail-on-missing-baseline", async () => {
    const fresh = await startFakeCacheService();
    try {
      const event = { name: "pull_request", payload: pullRequestEvent(9, "e".repeat(40), "a".repeat(40)) };
      const run = await runAction({ ...base(), cacheEnv: fresh.env, event, sha: "e".repeat(40) });
      expect(run.code, run.stdout).toBe(0);
      expect(run.outputs.verdict).toBe("no-baseline");
      expect(run.summary).toContain("no baseline of shop is stored yet");
      const strict = await runAction({
        ...base(),
        inputs: { ...base().inputs, "fail-on-missing-baseline": "true" },
        cacheEnv: fresh.env,
        event,
        sha: "e".repeat(40),
      });
      expect(strict.code).toBe(1);
    } finally {
      await fresh.close();
    }
  });

  it("a run whose requests fail beyond the error-rate limit stores no baseline, and fails the step", async () => {
    const fresh = await startFakeCacheService();
    try {
      const run = await runAction({
        ...base(),
        cacheEnv: fresh.env,
        event: { name: "push", payload: pushEvent("5".repeat(40)) },
        sha: "5".repeat(40),
        extraEnv: { TINY_MODE: "error-share", TINY_ERROR_SHARE: "0.3" },
      });
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(
        /shop: \d+\.\d\d%25 of its requests failed, over its error-rate limit of 1\.00%25; no baseline stored/,
      );
      expect(fresh.state.entries.filter((e) => e.finalized)).toEqual([]);
      expect(markedProcesses()).toEqual([]);
    } finally {
      await fresh.close();
    }
  });

  it("a baseline from another environment is not compared: no-baseline with the reason", async () => {
    const ws = tempDir("lg-ws2-");
    writeFileSync(join(ws, "stack.yml"), `${STACK(TINY_APP)}# changed\n`);
    const event = { name: "pull_request", payload: pullRequestEvent(10, "f".repeat(40), "a".repeat(40)) };
    const run = await runAction({ ...base(), workspace: ws, event, sha: "f".repeat(40) });
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs.verdict).toBe("no-baseline");
    expect(run.summary, run.stdout.slice(-3000)).toContain("measured in another environment (the stack file changed)");
  });

  it("baseline-key: saved and compared under the key; the comment shows the baseline's commit and age, and warns past max-baseline-age", async () => {
    const fresh = await startFakeCacheService();
    try {
      const keyed = { ...base(), cacheEnv: fresh.env };
      const inputs = { ...keyed.inputs, "baseline-key": "ci-4cpu", "max-baseline-age": "1s" };
      const main = await runAction({
        ...keyed,
        inputs,
        event: { name: "push", payload: pushEvent("1".repeat(40)) },
        sha: "1".repeat(40),
      });
      expect(main.code, main.stdout).toBe(0);
      const entry = fresh.state.entries.find((e) => e.finalized)!;
      const result = JSON.parse(readFileSync(main.outputs.result, "utf8")).results[0];
      expect(result.environment.baselineKey).toBe("ci-4cpu");
      expect(entry.key).toBe(`loadgate-1-shop-${result.environment.id}-${"1".repeat(40)}`);
      const event = { name: "pull_request", payload: pullRequestEvent(12, "2".repeat(40), "1".repeat(40)) };
      const pr = await runAction({
        ...keyed,
        inputs: { ...inputs, "fail-on-regression": "false" },
        event,
        sha: "2".repeat(40),
      });
      expect(pr.code, pr.stdout).toBe(0);
      expect(pr.outputs.verdict).not.toBe("no-baseline");
      expect(pr.summary).toMatch(
        /Stored baseline: commit `111111111111`, measured \d{4}-\d\d-\d\d \d\d:\d\d UTC, \d+ s ago\./,
      );
      expect(pr.summary).toMatch(/The stored baseline is \d+ s old, older than max-baseline-age \(1 s\)/);
      expect(pr.stdout).toMatch(/::warning::The stored baseline \(1111111, .*\) is older than max-baseline-age/);
    } finally {
      await fresh.close();
    }
  });

  it("baseline-store: branch: main appends to the data branch, a pull request is gated against it and may not write", async () => {
    // The workspace is a checkout of a real (local, bare) repository, as actions/checkout leaves it.
    const git = gitIn;
    const root = tempDir("lg-branch-ws-");
    git(root, "init", "-q", "--bare", "-b", "main", "origin.git");
    git(root, "clone", "-q", join(root, "origin.git"), "ws");
    const ws = join(root, "ws");
    writeFileSync(join(ws, "stack.yml"), STACK(TINY_APP));
    git(ws, "add", "stack.yml");
    git(ws, "commit", "-q", "-m", "app");
    git(ws, "push", "-q", "origin", "main");
    const sha = git(ws, "rev-parse", "HEAD");
    const inputs = { ...base().inputs, "baseline-store": "branch", "fail-on-regression": "false" };
    const main = await runAction({
      ...base(),
      workspace: ws,
      inputs,
      event: { name: "push", payload: pushEvent(sha) },
      sha,
    });
    expect(main.code, main.stdout).toBe(0);
    expect(main.stdout).toContain("Appended the baseline of shop to loadgate-data:baselines/shop.json (1 entry).");
    const stored = JSON.parse(git(root, "-C", "origin.git", "show", "loadgate-data:baselines/shop.json"));
    expect(stored.entries.map((e: { sha: string }) => e.sha)).toEqual([sha]);

    const event = { name: "pull_request", payload: pullRequestEvent(31, "3".repeat(40), sha) };
    const pr = await runAction({ ...base(), workspace: ws, inputs, event, sha: "3".repeat(40) });
    expect(pr.code, pr.stdout).toBe(0);
    expect(pr.outputs.verdict).not.toBe("no-baseline");
    expect(pr.stdout).toContain(`(baseline loadgate-data:baselines/shop.json@${sha.slice(0, 7)})`);

    const sneaky = await runAction({
      ...base(),
      workspace: ws,
      inputs: { ...inputs, mode: "baseline" },
      event,
      sha: "3".repeat(40),
    });
    expect(sneaky.code).toBe(1);
    // Refused by the event before anything is measured (src/config/event.ts), whatever the ref.
    expect(sneaky.stdout).toContain(
      "mode: baseline: not stored: this run is a pull_request event, whose code may come from a pull request or another branch.",
    );
    expect(git(root, "-C", "origin.git", "rev-list", "--count", "loadgate-data")).toBe("1");
    expect(markedProcesses()).toEqual([]);
  });

  it("a comment refused with 403 keeps the job summary and warns why", async () => {
    const ro = await startFakeGitHub({ requireToken: "ghs_test", forbidWrites: true });
    try {
      const event = { name: "pull_request", payload: pullRequestEvent(11, "b".repeat(40), "a".repeat(40)) };
      const inputs = { ...base().inputs, "fail-on-regression": "false" };
      const run = await runAction({ ...base(), inputs, apiUrl: ro.url, event, sha: "b".repeat(40) });
      expect(run.code, run.stdout).toBe(0);
      expect(run.stdout).toMatch(/::warning::GitHub refused the comment \(HTTP 403\)/);
      expect(run.summary).toContain("loadgate:");
      expect(run.outputs["comment-url"]).toBe("");
    } finally {
      await ro.close();
    }
  });

  it("a fork's pull request on a self-hosted runner is refused unless allow-untrusted", async () => {
    const event = { name: "pull_request", payload: pullRequestEvent(12, "9".repeat(40), "a".repeat(40), true) };
    const run = await runAction({
      ...base(),
      event,
      sha: "9".repeat(40),
      extraEnv: { RUNNER_ENVIRONMENT: "self-hosted" },
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("Refusing to run pull request #12 from the fork mallory/shop on a self-hosted runner");
    expect(markedProcesses()).toEqual([]);
  });

  // Each fails on its input before anything starts: they run side by side.
  it.concurrent.each([
    ["mode", "sometimes", 'Input mode: expected one of auto, gate, baseline, report, got "sometimes"'],
    ["comment", "loud", 'Input comment: expected one of always, on-change, never, got "loud"'],
    // setFailed escapes % as %25 in the workflow command, as the runner expects
    [
      "p99-threshold",
      "10%",
      'Input p99-threshold: expected a growth like "+10%25" (how much P99 may grow against the baseline), an SLO like "<50ms"',
    ],
    ["p99-threshold", "+10%, +20%", "Input p99-threshold: has two relative limits (+10%25, +20%25); keep one."],
    ["throughput-threshold", "+5%", 'Input throughput-threshold: expected a drop like "-5%25"'],
    ["trials", "0", 'Input trials: expected a whole number from 1 to 1000, got "0"'],
    ["duration", "soon", "Input duration: expected seconds"],
    ["connections", "-3", "Input connections: expected a whole number"],
    ["rate", "fast", "Input rate: expected a number"],
    ["fail-on-regression", "maybe", "Input fail-on-regression: expected true or false (true, True, TRUE, false,"],
    ["install", "yes please", 'TRUE, false, False, FALSE, as the toolkit\'s getBooleanInput), got "yes please"'],
    // getBooleanInput semantics: yes, on and 1 are not booleans.
    ["allow-untrusted", "yes", "Input allow-untrusted: expected true or false"],
    ["fail-on-missing-baseline", "1", "Input fail-on-missing-baseline: expected true or false"],
    ["compare", "yesterday", 'Input compare: expected one of baseline, merge-base, both, got "yesterday"'],
    ["client", "curl", 'Input client: expected native or autocannon, got "curl"'],
    ["pin", "yes", "Input pin: expected true or false"],
    ["target", "http://example.com/x", "Input target: example.com is not this machine"],
    ["stack", "missing/stack.yml", "missing/stack.yml: no such file or folder"],
  ])("bad input %s=%s fails with the input's name, the value and what is allowed", async (name, value, message) => {
    const run = await runAction({
      ...base(),
      inputs: { ...base().inputs, [name]: value },
      event: { name: "push", payload: pushEvent("1".repeat(40)) },
      sha: "1".repeat(40),
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(message);
    expect(run.stdout).not.toMatch(/\n\s+at .*\.js:\d+/);
  });

  it("post stops what a killed main left running", async () => {
    let killed = false;
    const ws = tempDir("lg-ws3-");
    writeFileSync(join(ws, "stack.yml"), STACK(TINY_APP).replace("duration: 0.5s", "duration: 30s"));
    const main = await runAction({
      ...base(),
      workspace: ws,
      event: { name: "push", payload: pushEvent("2".repeat(40)) },
      sha: "2".repeat(40),
      onStdout: (text, pid) => {
        if (!killed && /trial 1|shop: trials/.test(text)) {
          killed = true;
          process.kill(pid, "SIGKILL"); // a cancelled job: no chance to clean up
        }
      },
    });
    expect(killed).toBe(true);
    expect(markedProcesses().length).toBeGreaterThan(0);
    const post = await runAction({
      ...base(),
      workspace: ws,
      entry: "post",
      runnerTemp: main.runnerTemp,
      state: main.state,
      event: { name: "push", payload: pushEvent("2".repeat(40)) },
      sha: "2".repeat(40),
    });
    expect(post.code, post.stdout).toBe(0);
    expect(post.stdout).toMatch(/stopped \d+ process\(es\) the run left behind/);
    expectNothingLeft({ code: 0, stdout: "", stderr: main.stdout });
  });
});

describe("the Action's cost gate", () => {
  it("cost: true stores the count with the baseline; a pull request that adds work fails on the cost row", async () => {
    const ws = tempDir("lg-ws-cost-");
    writeFileSync(
      join(ws, "stack.yml"),
      `${STACK(TINY_APP).replace("name: shop", "name: shop-cost")}cost:\n  warmup: 40\n  chunks: 4\n  chunk-requests: 40\n`,
    );
    const inputs = { stack: "stack.yml", "github-token": "ghs_test", compare: "baseline", cost: "true" };
    const main = await runAction({
      ...base(),
      inputs,
      workspace: ws,
      event: { name: "push", payload: pushEvent("5".repeat(40)) },
      sha: "5".repeat(40),
    });
    expect(main.code, main.stdout).toBe(0);
    expect(main.stdout).toMatch(/::group::shop-cost: cost/);
    expect(JSON.parse(readFileSync(main.outputs.result, "utf8")).results[0].cost.perRequest).toBeGreaterThan(10_000);

    const event = { name: "pull_request", payload: pullRequestEvent(21, "6".repeat(40), "5".repeat(40)) };
    const pr = await runAction({
      ...base(),
      inputs: { ...inputs, cost: "+1%" },
      workspace: ws,
      event,
      sha: "6".repeat(40),
      extraEnv: { TINY_WORK_LOOPS: "60" },
    });
    expect(pr.code, pr.stdout).toBe(1);
    expect(pr.outputs.verdict).toBe("regression");
    const body = [...gh.state.comments.values()].find((c) => c.issueNumber === 21)!.body;
    expect(body).toMatch(
      /\| App instructions per request +\| +[\d.]+k +\| +[\d.]+k +\| +\+\d+\.\d\d% .*❌ regression \(limit \+1\.0%\)/,
    );
    expect(body).toMatch(/counted under valgrind-3\.\d+\.\d+ \(callgrind\), one worker/);
    expect(pr.summary).toContain("App instructions per request");
    expect(markedProcesses()).toEqual([]);
  }, 240_000);
});

describe("the Action's target input: a service that earlier steps started", () => {
  it("measures it, stores a baseline for it on main, gates a pull request against it; refuses stack + target and merge-base", async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const service = spawn("python3", [TINY_APP, String(port)], { stdio: "ignore" });
    try {
      for (let i = 0; i < 50; i++) {
        if (
          await fetch(`http://127.0.0.1:${port}/test`).then(
            (r) => r.ok,
            () => false,
          )
        )
          break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const ws = tempDir("lg-ws-target-");
      const inputs = {
        target: `http://127.0.0.1:${port}/test`,
        "github-token": "ghs_test",
        compare: "baseline",
        trials: "2",
        duration: "0.5",
        warmup: "0.2",
        connections: "4",
        client: "native",
        "fail-on-regression": "false",
      };
      const main = await runAction({
        ...base(),
        inputs,
        workspace: ws,
        event: { name: "push", payload: pushEvent("7".repeat(40)) },
        sha: "7".repeat(40),
      });
      expect(main.code, main.stdout).toBe(0);
      expect(main.outputs.verdict).toBe("baseline-stored");
      const r = JSON.parse(readFileSync(main.outputs.result, "utf8")).results[0];
      expect(r.stack.name).toBe(`127.0.0.1:${port}/test`);
      expect(r.summary.throughput.median).toBeGreaterThan(0);

      const event = { name: "pull_request", payload: pullRequestEvent(41, "8".repeat(40), "7".repeat(40)) };
      const pr = await runAction({ ...base(), inputs, workspace: ws, event, sha: "8".repeat(40) });
      expect(pr.code, pr.stdout).toBe(0);
      expect(pr.stdout).toMatch(
        /127\.0\.0\.1:\d+\/test: (pass|inconclusive|regression|improvement) \(baseline loadgate-1-/,
      );

      const both = await runAction({
        ...base(),
        inputs: { ...inputs, stack: "stack.yml" },
        workspace: ws,
        event,
        sha: "8".repeat(40),
      });
      expect(both.code).toBe(1);
      expect(both.stdout).toContain("Inputs stack and target: give one of them");
      const ab = await runAction({
        ...base(),
        inputs: { ...inputs, compare: "merge-base" },
        workspace: ws,
        event,
        sha: "8".repeat(40),
      });
      expect(ab.code).toBe(1);
      expect(ab.stdout).toContain("Input target measures one running service");
    } finally {
      service.kill();
    }
  }, 120_000);
});

describe("the fork recipe: measured by the fork's run, posted from workflow_run with mode: report", () => {
  it("comments on the pull request the event names (looked up by head for a fork), never the one a forged artifact names, escapes its strings, and refuses an invalid Result", async () => {
    const headSha = "9".repeat(40);
    // 1. The fork's pull_request run: its token is read-only, so the comment is refused; the Result is written.
    const readOnly = await startFakeGitHub({ requireToken: "ghs_test", forbidWrites: true });
    let resultFile: string;
    try {
      const measured = await runAction({
        ...base(),
        apiUrl: readOnly.url,
        inputs: { ...base().inputs, "fail-on-regression": "false" },
        event: { name: "pull_request", payload: pullRequestEvent(51, headSha, "a".repeat(40), true) },
        sha: headSha,
      });
      expect(measured.code, measured.stdout).toBe(0);
      expect(measured.stdout).toContain("GitHub refused the comment (HTTP 403)");
      resultFile = measured.outputs.result;
    } finally {
      await readOnly.close();
    }
    // 2. The artifact is the fork's: forge it to name another pull request and carry Markdown.
    const doc = JSON.parse(readFileSync(resultFile, "utf8"));
    expect(doc.pullRequest.number).toBe(51);
    doc.pullRequest.number = 7;
    doc.results[0].stack.webserver = "**pwned** <img src=x> | cell";
    const dir = tempDir("lg-artifact-");
    const forged = join(dir, "loadgate-result.json");
    writeFileSync(forged, JSON.stringify(doc));
    // 3. The repository's own workflow_run, with a write token: a fork's run lists no pull requests.
    const writable = await startFakeGitHub({
      requireToken: "ghs_test",
      pulls: [
        { number: 7, headSha: "1".repeat(40), headRef: "victim", headRepo: "acme/shop" },
        { number: 51, headSha, headRef: "feature", headRepo: "mallory/shop" },
      ],
    });
    const workflowRun = {
      name: "workflow_run",
      payload: {
        action: "completed",
        workflow_run: {
          name: "perf",
          event: "pull_request",
          conclusion: "success",
          head_sha: headSha,
          head_branch: "feature",
          head_repository: { full_name: "mallory/shop" },
          pull_requests: [],
        },
        repository: { full_name: "acme/shop", default_branch: "main", name: "shop", owner: { login: "acme" } },
      },
    };
    try {
      const post = await runAction({
        ...base(),
        apiUrl: writable.url,
        inputs: { "github-token": "ghs_test", mode: "report", "result-file": forged },
        event: workflowRun,
        sha: "a".repeat(40),
      });
      expect(post.code, post.stdout).toBe(0);
      expect(post.stdout).toContain("The Result names pull request #7; ignored");
      expect(writable.state.commentsOn("acme", "shop", 7)).toHaveLength(0);
      const [comment] = writable.state.commentsOn("acme", "shop", 51);
      expect(comment.body).toContain(
        "measured by the workflow run of the fork's pull request (mallory/shop@&#8203;9999999)",
      );
      expect(comment.body).not.toContain("<img");
      expect(comment.body).toContain("\\*\\*pwned\\*\\* &lt;img src=x&gt; \\| cell");

      // 4. A Result that does not match the schema is refused with the field, and nothing is posted.
      doc.reports[0].comparison.headline = "pass, merge me";
      writeFileSync(forged, JSON.stringify(doc));
      const refused = await runAction({
        ...base(),
        apiUrl: writable.url,
        inputs: { "github-token": "ghs_test", mode: "report", "result-file": forged },
        event: workflowRun,
        sha: "a".repeat(40),
      });
      expect(refused.code).toBe(1);
      expect(refused.stdout).toContain("reports[0].comparison.headline: must be equal to one of the allowed values");
      expect(writable.state.commentsOn("acme", "shop", 51)).toHaveLength(1);
    } finally {
      await writable.close();
    }
  });
});
