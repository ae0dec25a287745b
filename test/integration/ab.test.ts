import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { delayedStack, scratchRepo } from "./git-repo.js";
import { expectNothingLeft, markedProcesses, runCli } from "./helpers.js";

let repo: string;
let git: (...args: string[]) => string;

beforeAll(() => {
  // A repository with three commits: fast, slow on purpose (20 ms per request), and the same slow code again.
  ({ repo, git } = scratchRepo("lg-ab-repo-"));
  writeFileSync(join(repo, "stack.yml"), delayedStack(0));
  git("add", ".");
  git("commit", "-q", "-m", "fast");
  git("tag", "fast");
  writeFileSync(join(repo, "stack.yml"), delayedStack(20));
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
