// loadgate capacity against real stacks: the tiny app behind nginx, PgBouncer and PostgreSQL, and
// the tiny app alone.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ResultDocument } from "../../src/result/types.js";
import { tempDir } from "../support/temp.js";
import { scratchRepo } from "./git-repo.js";
import { bareStack, expectNothingLeft, runCli, TINY_APP, tinyStack } from "./helpers.js";

describe("loadgate capacity", () => {
  it("finds the highest open-loop rate within the P99 SLO in a bounded number of probes", async () => {
    const out = join(tempDir("lg-cap-"), "cap.json");
    const run = await runCli(
      ["capacity", "test/fixtures/tiny", "--slo-p99", "100ms", "--max-probes", "3", "--json", out],
      { timeoutMs: 600_000 },
    );
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    const c = (JSON.parse(readFileSync(out, "utf8")) as ResultDocument).results[0].capacity!;
    expect(c.sloP99Ms).toBe(100);
    expect(c.closedLoopThroughput).toBeGreaterThan(0);
    expect(c.probes.length).toBeGreaterThanOrEqual(1);
    expect(c.probes.length).toBeLessThanOrEqual(3);
    const passed = c.probes.filter((p) => p.pass).map((p) => p.rate);
    expect(c.rate).toBe(passed.length ? Math.max(...passed) : 0);
    for (const p of c.probes) expect(p.pass).toBe(p.p99 <= 100 && p.errors === 0 && p.achieved >= 0.95 * p.rate);
    expect(run.stdout).toMatch(/tiny\s+≤ 100 ms\s+\d+\s+\d+/);
    expectNothingLeft(run);
  }, 600_000);

  it("without --slo-p99: a clear error, exit 2", async () => {
    const run = await runCli(["capacity", "stacks/gunicorn-flask"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/needs --slo-p99, the P99 the service must keep, e\.g\. --slo-p99 50ms/);
  });

  it("gate.capacity in the stack file: run measures it after the trials and --baseline judges it", async () => {
    const dir = tempDir("lg-capgate-");
    // A floor no stack on this machine reaches: the capacity row is a regression, exit 1. One probe: the
    // search itself is the first test's; this one is about the gate's wiring.
    const stack = tinyStack(
      bareStack(
        'gate:\n  capacity: ">1000000/s"\ncapacity: { slo-p99: 200ms, max-probes: 1, probe-warmup: 0.3s, probe-duration: 1s }\n',
      ),
    );
    const base = await runCli(["run", stack, "--json", join(dir, "a.json"), "--save-baseline", join(dir, "b.json")]);
    expect(base.code, base.stderr.slice(-3000)).toBe(0);
    const a = (JSON.parse(readFileSync(join(dir, "a.json"), "utf8")) as ResultDocument).results[0];
    expect(a.trials.length).toBe(2);
    expect(a.capacity?.sloP99Ms).toBe(200);
    expect(a.capacity?.probes.length).toBeLessThanOrEqual(1);
    expectNothingLeft(base);
    const head = await runCli(["run", stack, "--baseline", join(dir, "b.json")]);
    expect(head.code, head.stderr.slice(-3000)).toBe(1);
    expect(head.stdout).toMatch(
      /Capacity within the P99 SLO \(req\/s\)\s+[\d.]+\s+[\d.]+\s+[-+\d.%]+\s+–\s+> 1000000\/s\s+regression/,
    );
    expectNothingLeft(head);
  }, 600_000);

  it("ab with gate.capacity: one search per side after the blocks, and the capacity row in the verdict", async () => {
    const { repo, git } = scratchRepo("lg-ab-cap-");
    const stack = `name: shop
database: none
pooler: none
proxy: none
app:
  command: python3 ${TINY_APP} {port}
  ready: { http: /test, timeout: 5s }
load:
  connections: 4
  warmup: 0.3s
  duration: 0.5s
gate:
  capacity: ">1000000/s"
capacity: { slo-p99: 200ms, max-probes: 1, probe-warmup: 0.3s, probe-duration: 1s }
`;
    writeFileSync(join(repo, "stack.yml"), stack);
    git("add", ".");
    git("commit", "-q", "-m", "base");
    writeFileSync(join(repo, "stack.yml"), stack.replace("name: shop", "name: shop\ndescription: the same code"));
    git("commit", "-q", "-am", "head");
    const out = join(repo, "ab.json");
    const run = await runCli(
      ["ab", "HEAD~1", "HEAD", "stack.yml", "--min-pairs", "2", "--max-pairs", "2", "--json", out],
      {
        cwd: repo,
        timeoutMs: 300_000,
      },
    );
    expect(run.code, run.stderr.slice(-3000)).toBe(1);
    expect(run.stdout).toMatch(/Capacity within the P99 SLO \(req\/s\).*> 1000000\/s\s+regression/);
    const doc = JSON.parse(readFileSync(out, "utf8")) as ResultDocument;
    expect(doc.reports![0].baseline!.capacity?.probes).toHaveLength(1);
    expect(doc.results[0].capacity?.probes).toHaveLength(1);
    expectNothingLeft(run);
  }, 300_000);
});
