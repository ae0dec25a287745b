import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { expectNothingLeft, markedProcesses, runCli, TINY_APP } from "./helpers.js";

const stack = (delayMs: number) => `name: shop
database: none
pooler: none
proxy: none
app:
  webserver: http.server
  framework: stdlib
  command: python3 ${TINY_APP} {port}
  env: { TINY_DELAY_MS: "${delayMs}" }
  ready: { http: /test, timeout: 5s }
load:
  connections: 4
  warmup: 0.5s
  duration: 1s
`;

let repo: string;
const git = (...args: string[]) =>
  execFileSync("git", args, {
    cwd: repo,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@t",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@t",
    },
  }).trim();

beforeAll(() => {
  // A repository with three commits: fast, slow on purpose (20 ms per request), and the same slow code again.
  repo = mkdtempSync(join(tmpdir(), "lg-ab-repo-"));
  git("init", "-q", "-b", "main");
  writeFileSync(join(repo, "stack.yml"), stack(0));
  git("add", ".");
  git("commit", "-q", "-m", "fast");
  git("tag", "fast");
  writeFileSync(join(repo, "stack.yml"), stack(20));
  git("commit", "-q", "-am", "slow");
  git("tag", "slow");
  writeFileSync(join(repo, "README"), "docs only\n");
  git("add", ".");
  git("commit", "-q", "-m", "docs");
  git("tag", "slow-again");
});

describe("loadgate ab: both commits side by side, interleaved", () => {
  it("a commit that slows the app down is a regression: exit 1", async () => {
    const out = join(repo, "..", `ab-${process.pid}.json`);
    const run = await runCli(["ab", "fast", "slow", "stack.yml", "--trials", "4", "--json", out], { cwd: repo });
    expect(run.code, run.stderr.slice(-3000)).toBe(1);
    expect(run.stdout).toMatch(/shop \(4 pairs, fast → slow\): REGRESSION/);
    expect(run.stderr).toMatch(/block 2\/2/);
    const doc = JSON.parse(readFileSync(out, "utf8"));
    expect(doc.reports[0].comparison.method).toBe("same-runner-ab");
    expect(doc.reports[0].baseline.trials).toHaveLength(4);
    expect(doc.results[0].trials).toHaveLength(4);
    expect(git("worktree", "list").split("\n")).toHaveLength(1); // worktrees removed
    expectNothingLeft(run);
  });

  it("two commits with identical code give no regression", async () => {
    const run = await runCli(["ab", "slow", "slow-again", "stack.yml", "--trials", "4"], { cwd: repo });
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    expect(run.stdout).not.toContain("REGRESSION");
    expect(markedProcesses()).toEqual([]);
  });

  it("the working tree is the head by default; an unknown base ref is a clear error", async () => {
    const bad = await runCli(["ab", "no-such-ref", "stack.yml"], { cwd: repo });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('base ref "no-such-ref" is not a commit in this repository');
    expect(bad.stderr).toContain("fetch-depth: 0");
  });
});
