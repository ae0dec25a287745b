// workers: auto against a real stack (Gunicorn + Flask behind nginx, PgBouncer, PostgreSQL) at a small budget.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ResultDocument } from "../../src/result/types.js";
import { tempDir } from "../support/temp.js";
import { scratchRepo } from "./git-repo.js";
import { expectNothingLeft, runCli, TINY_APP } from "./helpers.js";

describe("workers: auto", () => {
  it("sweeps from one worker within the budget, uses the best count, and a run against that baseline reuses it", async () => {
    const dir = tempDir("lg-sweep-");
    const short = ["--warmup", "0.5", "--duration", "1", "--trials", "1"];
    const first = await runCli(
      [
        "run",
        "stacks/gunicorn-flask",
        "--install",
        "--workers",
        "auto",
        "--sweep-time",
        // Enough for two points on a loaded CI machine; the sweep usually stops at the knee first.
        "25",
        ...short,
        "--json",
        join(dir, "a.json"),
        "--save-baseline",
        join(dir, "b.json"),
      ],
      { timeoutMs: 600_000 },
    );
    expect(first.code, first.stderr.slice(-3000)).toBe(0);
    const r = (JSON.parse(readFileSync(join(dir, "a.json"), "utf8")) as ResultDocument).results[0];
    const sweep = r.sweep!;
    expect(sweep.points[0].workers).toBe(1);
    expect(sweep.points.length).toBeGreaterThanOrEqual(2);
    expect(sweep.points.map((p) => p.workers)).toEqual([1, 2, 3, 4, 6, 8].slice(0, sweep.points.length));
    const best = sweep.points.reduce((b, p) => (p.throughput > b.throughput ? p : b));
    expect(sweep.chosen).toBe(best.workers);
    expect(r.workers).toBe(sweep.chosen);
    expect(sweep.reason).toMatch(/did not raise throughput|P99 got worse|time budget of 25 s|upper bound/);
    expect(first.stdout).toMatch(new RegExp(`workers: auto chose ${sweep.chosen} in \\d+ s \\(1: \\d+ req/s`));
    expectNothingLeft(first);

    // Against that baseline, both sides use one count: no second sweep.
    const second = await runCli(
      [
        "run",
        "stacks/gunicorn-flask",
        "--workers",
        "auto",
        ...short,
        "--json",
        join(dir, "c.json"),
        "--baseline",
        join(dir, "b.json"),
      ],
      { timeoutMs: 600_000 },
    );
    expect(second.code === 0 || second.code === 1, second.stderr.slice(-3000)).toBe(true);
    expect(second.stderr).toContain(`workers: auto: ${sweep.chosen}, the baseline's count`);
    expect(second.stderr).not.toMatch(/workers 1: \d+ req\/s/);
    const c = (JSON.parse(readFileSync(join(dir, "c.json"), "utf8")) as ResultDocument).results[0];
    expect(c.workers).toBe(sweep.chosen);
    expect(c.sweep?.reusedFrom).toBe("the baseline");
    expectNothingLeft(second);
  }, 900_000);
});

describe("workers: auto in a same-runner A/B", () => {
  it("sweeps once, on the base, and measures the head with the same count", async () => {
    const { repo, git } = scratchRepo("lg-ab-sweep-");
    const stack = (delay: number) => `name: shop
database: none
pooler: none
proxy: none
app:
  command: python3 ${TINY_APP} {port}
  workers: auto
  env: { TINY_DELAY_MS: "${delay}" }
  ready: { http: /test, timeout: 5s }
load:
  connections: 4
  warmup: 0.3s
  duration: 0.5s
`;
    writeFileSync(join(repo, "stack.yml"), stack(0));
    git("add", ".");
    git("commit", "-q", "-m", "base");
    writeFileSync(join(repo, "stack.yml"), stack(1));
    git("commit", "-q", "-am", "head");
    const out = join(repo, "ab.json");
    const run = await runCli(
      [
        "ab",
        "HEAD~1",
        "HEAD",
        "stack.yml",
        "--min-pairs",
        "2",
        "--max-pairs",
        "2",
        "--sweep-time",
        // Two points or more on a loaded CI machine (about 2 s each); the tiny app may keep gaining
        // up to the budget, so the budget is the test's length.
        "10",
        "--json",
        out,
      ],
      { cwd: repo, timeoutMs: 300_000 },
    );
    expect(run.code === 0 || run.code === 1, run.stderr.slice(-3000)).toBe(true);
    const doc = JSON.parse(readFileSync(out, "utf8")) as ResultDocument;
    const base = doc.reports![0].baseline!;
    const head = doc.results[0];
    expect(base.sweep?.points.length).toBeGreaterThanOrEqual(2);
    expect(base.sweep?.points[0].workers).toBe(1);
    expect(head.sweep?.reusedFrom).toBe("the base (same-runner A/B)");
    expect(head.workers).toBe(base.sweep?.chosen);
    expect(base.workers).toBe(base.sweep?.chosen);
    expect((run.stderr.match(/workers: auto chose/g) ?? []).length).toBe(1);
    expectNothingLeft(run);
  }, 300_000);
});
