// Drift on main through the Action (dist/main.js): a data branch holding a series with a step; the
// baseline run that makes the step show warns with the right commits, says so in the job summary,
// sets the output drift, and the next baseline does not report the same step again.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BranchEntry, type BranchHistory, parseBranchHistory, serialize } from "../../src/baseline/branch-data.js";
import type { MetricSummary } from "../../src/result/types.js";
import { type FakeCacheService, startFakeCacheService } from "../fakes/cache-service.js";
import { type FakeGitHubState, startFakeGitHub } from "../fakes/github-api.js";
import type { RunningFake } from "../fakes/http.js";
import { shaOf } from "../support/drift-history.js";
import { tempDir } from "../support/temp.js";
import { pushEvent, runAction } from "./action-helpers.js";
import { gitIn as git } from "./git-repo.js";
import { markedProcesses, TINY_APP } from "./helpers.js";

const STACK = `name: shop
pooler: none
database: none
proxy: none
app:
  webserver: http.server
  framework: stdlib
  command: python3 ${TINY_APP} {port}
  ready: { http: /test, timeout: 5s }
load:
  connections: 4
  warmup: 0.5s
  duration: 1s
  trials: 3
`;

let cache: FakeCacheService;
let gh: RunningFake<FakeGitHubState>;
beforeAll(async () => {
  cache = await startFakeCacheService();
  gh = await startFakeGitHub({ requireToken: "ghs_test" });
});
afterAll(async () => {
  await cache.close();
  await gh.close();
});

/** The seeded series' level before its step, as a fraction of this machine's first baseline. */
const PRE_STEP = 0.2;

/** A metric's figures times f (median, interval and values alike). */
const scaled = (m: MetricSummary, f: number): MetricSummary => ({
  ...m,
  median: m.median * f,
  ci: { ...m.ci, lo: m.ci.lo * f, hi: m.ci.hi * f },
  values: m.values.map((v) => v * f),
});

/** An entry like `real` (its environment, so it is the same series) whose P50 and P99 are `f` times, throughput 1/f. */
function entryLike(real: BranchEntry, i: number, f: number): BranchEntry {
  const s = real.result.summary;
  const summary = {
    ...s,
    throughput: scaled(s.throughput, 1 / f),
    latency: { ...s.latency, p50: scaled(s.latency.p50, f), p99: scaled(s.latency.p99, f) },
  };
  return {
    ...real,
    sha: shaOf(i),
    createdAt: new Date(Date.UTC(2025, 0, 1 + i)).toISOString(),
    result: { ...real.result, summary },
  };
}

describe("drift on main (baseline-store: branch)", () => {
  it("the baseline that makes a step show names its commits in a warning and the summary; output drift", async () => {
    const root = tempDir("lg-drift-ws-");
    git(root, "init", "-q", "--bare", "-b", "main", "origin.git");
    git(root, "clone", "-q", join(root, "origin.git"), "ws");
    const ws = join(root, "ws");
    writeFileSync(join(ws, "stack.yml"), STACK);
    git(ws, "add", "stack.yml");
    git(ws, "commit", "-q", "-m", "app");
    git(ws, "push", "-q", "origin", "main");
    const inputs = { stack: "stack.yml", "github-token": "ghs_test", "baseline-store": "branch", drift: "issue" };
    const onMain = (sha: string) =>
      runAction({
        inputs,
        workspace: ws,
        apiUrl: gh.url,
        cacheEnv: cache.env,
        event: { name: "push", payload: pushEvent(sha) },
        sha,
      });

    // 1. The first baseline: too few points to look in.
    const first = await onMain("1".repeat(40));
    expect(first.code, first.stdout).toBe(0);
    expect(first.outputs.drift).toBe("none");
    expect(first.summary).toContain("shop: 1 baseline(s) so far; change points are looked for from 8.");

    // 2. The data branch rewritten as main's history: 12 baselines at a fifth of the P99 and P50 (and
    // five times the throughput) of this machine's first, then 3 at its level; the next real baseline
    // is the 4th after the step. A fifth, not a half: a 1-s trial's P99 on a busy runner can come out
    // at half the first run's (it did in CI), and then the 4th point would sit at the old level.
    const show = (ref: string) => git(root, "-C", "origin.git", "show", ref);
    const real = parseBranchHistory(show("loadgate-data:baselines/shop.json"), "stored").entries[0];
    const h: BranchHistory = {
      ...parseBranchHistory(show("loadgate-data:baselines/shop.json"), "stored"),
      entries: Array.from({ length: 15 }, (_, i) => entryLike(real, i, i < 12 ? PRE_STEP : 1)),
    };
    const pushStep = (dir: string) => {
      git(root, "clone", "-q", "-b", "loadgate-data", join(root, "origin.git"), dir);
      writeFileSync(join(root, dir, "baselines/shop.json"), serialize(h));
      git(join(root, dir), "commit", "-q", "-am", "a series with a step");
      git(join(root, dir), "push", "-q", "origin", "loadgate-data");
    };
    pushStep("data");

    const second = await onMain("2".repeat(40));
    expect(second.code, second.stdout).toBe(0);
    expect(second.outputs.drift).toBe("found");
    const warning = second.stdout
      .split("\n")
      .find((l) => l.startsWith("::warning title=loadgate%3A performance stepped on the default branch (shop)::"))
      ?.replace(/%25/g, "%");
    expect(warning, second.stdout).toMatch(
      /shop: .*P99 \+\d+\.\d% \(\+\d+\.\d% … \+\d+\.\d%\) between aaaa011 and aaaa012/,
    );
    expect(second.summary).toContain("### Drift on the default branch");
    expect(second.summary).toMatch(/\| P99 \| aaaa011 → aaaa012 \|/);
    // drift: issue: exactly one issue, with the finding and its marker.
    expect([...gh.state.issues.values()]).toHaveLength(1);
    const issue = [...gh.state.issues.values()][0];
    expect(issue.title).toBe("loadgate: performance stepped on the default branch (shop)");
    expect(issue.body).toContain("<!-- loadgate:drift stack=shop -->");
    expect(issue.body).toMatch(/\| P99 \| aaaa011 → aaaa012 \|/);
    expect(second.stdout).toContain(
      `Drift issue created for shop: ${issue.number > 0 ? "https://github.com/acme/shop/issues/" : ""}`,
    );

    // 3. The next baseline: the same step is not reported again.
    const third = await onMain("3".repeat(40));
    expect(third.code, third.stdout).toBe(0);
    expect(third.outputs.drift).toBe("none");
    expect(third.stdout).not.toContain("performance stepped");
    expect(third.summary).toMatch(/shop: no new change point \(\d series, loadgate-data:baselines\/shop\.json\)/);
    expect(gh.state.issues.size).toBe(1);

    // 4. The step found again (the history rewritten once more): the same issue is updated, not a second one.
    pushStep("data-again");
    const fourth = await onMain("4".repeat(40));
    expect(fourth.code, fourth.stdout).toBe(0);
    expect(fourth.outputs.drift).toBe("found");
    expect(fourth.stdout).toContain(
      `Drift issue updated for shop: https://github.com/acme/shop/issues/${issue.number}`,
    );
    expect(gh.state.issues.size).toBe(1);
    expect(gh.state.issues.get(issue.number)?.body).toContain("baseline of 4444444");
    expect(markedProcesses()).toEqual([]);
  }, 240_000);
});
