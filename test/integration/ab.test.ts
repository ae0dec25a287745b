import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { removeAfterAll } from "../support/temp.js";
import { delayedStack, scratchRepo } from "./git-repo.js";
import { expectNothingLeft, markedProcesses, runCli } from "./helpers.js";

// A/B windows default to 3 s with a 2-s warmup; the tiny app needs far less to be measured.
const SHORT = ["--duration", "0.5", "--warmup", "0.3"];
// Shorter still where the verdict cannot be close: a 20 ms slowdown of a ~2 ms answer, or a head that
// serves nothing. Two identical commits keep SHORT: there the noise is what the test is about.
const SHORTER = ["--duration", "0.3", "--warmup", "0.1"];

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
  // A head whose app answers 500 to every request (it still answers its readiness probe).
  writeFileSync(
    join(repo, "stack.yml"),
    delayedStack(0)
      .replace('env: { TINY_DELAY_MS: "0" }', 'env: { TINY_DELAY_MS: "0", TINY_MODE: "error-500" }')
      .replace("ready: { http: /test", "ready: { http: /health"),
  );
  git("commit", "-q", "-am", "broken");
  git("tag", "broken");
});

describe("loadgate ab: both commits side by side, interleaved", () => {
  it("a commit that slows the app down is a regression, found at the first look: exit 1", async () => {
    const out = removeAfterAll(join(repo, "..", `ab-${process.pid}.json`));
    const run = await runCli(
      ["ab", "fast", "slow", "stack.yml", "--min-pairs", "4", "--max-pairs", "24", ...SHORTER, "--json", out],
      {
        cwd: repo,
      },
    );
    expect(run.code, run.stderr.slice(-3000)).toBe(1);
    // Looks are planned after 7, 10 and 12 blocks; a 20 ms slowdown is decided at the first.
    expect(run.stdout).toMatch(/shop \(14 pairs, fast → slow\): REGRESSION/);
    expect(run.stdout).toContain(
      "14 pairs in 7 blocks (stopped as soon as decided; looks planned after 14, 20, 24 pairs, 1 taken)",
    );
    expect(run.stderr).toMatch(/block 7\/12/);
    expect(run.stderr).not.toMatch(/block 8\/12/);
    const doc = JSON.parse(readFileSync(out, "utf8"));
    const c = doc.reports[0].comparison;
    expect(c.method).toBe("same-runner-ab");
    expect(c.sequential).toMatchObject({ pairs: 14, blocks: 7, looksTaken: 1, stoppedBecause: "decided" });
    expect(c.sequential.seconds.blocks).toHaveLength(7);
    expect(doc.reports[0].baseline.trials).toHaveLength(14);
    expect(doc.results[0].trials).toHaveLength(14);
    expect(git("worktree", "list").split("\n")).toHaveLength(1); // worktrees removed
    expectNothingLeft(run);
  });

  it("two commits with identical code give no regression", async () => {
    const run = await runCli(
      ["ab", "slow", "slow-again", "stack.yml", "--min-pairs", "12", "--max-pairs", "12", ...SHORT],
      {
        cwd: repo,
      },
    );
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    expect(run.stdout).not.toContain("REGRESSION");
    expect(run.stdout).toContain("12 pairs in 6 blocks");
    expect(markedProcesses()).toEqual([]);
  });

  it("a head that answers 500 to every request fails the run (exit 3) naming the head, nothing left behind", async () => {
    const run = await runCli(
      ["ab", "fast", "broken", "stack.yml", "--min-pairs", "2", "--max-pairs", "2", ...SHORTER],
      {
        cwd: repo,
      },
    );
    expect(run.code, run.stderr.slice(-3000)).toBe(3);
    expect(run.stderr).toMatch(/the head \(broken\) served nothing: .*non-2xx [1-9]\d*/);
    expect(run.stderr).toMatch(/--- last lines of the app's log/);
    expect(run.stdout).not.toContain("PASS");
    expect(git("worktree", "list").split("\n")).toHaveLength(1);
    expectNothingLeft(run);
  });

  it("--max-pairs below --min-pairs, or not a number, is a clear error", async () => {
    const low = await runCli(["ab", "fast", "slow", "stack.yml", "--min-pairs", "10", "--max-pairs", "6"], {
      cwd: repo,
    });
    expect(low.code).toBe(2);
    expect(low.stderr).toContain("--max-pairs 6 is below --min-pairs 10");
    const bad = await runCli(["ab", "fast", "slow", "stack.yml", "--max-pairs", "many"], { cwd: repo });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--max-pairs: a number of A/B pairs, a whole number from 2 to 200, got "many"');
  });

  it("the working tree is the head by default; an unknown base ref is a clear error", async () => {
    const bad = await runCli(["ab", "no-such-ref", "stack.yml"], { cwd: repo });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('base ref "no-such-ref" is not a commit in this repository');
    expect(bad.stderr).toContain("fetch-depth: 0");
  });
});
