// loadgate capacity against a real stack (Gunicorn + Flask behind nginx, PgBouncer, PostgreSQL).
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ResultDocument } from "../../src/result/types.js";
import { expectNothingLeft, runCli } from "./helpers.js";

describe("loadgate capacity", () => {
  it("finds the highest open-loop rate within the P99 SLO in a bounded number of probes", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "lg-cap-")), "cap.json");
    const run = await runCli(
      ["capacity", "stacks/gunicorn-flask", "--install", "--slo-p99", "100ms", "--max-probes", "3", "--json", out],
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
    expect(run.stdout).toMatch(/gunicorn-flask\s+≤ 100 ms\s+\d+\s+\d+/);
    expectNothingLeft(run);
  }, 600_000);

  it("without --slo-p99: a clear error, exit 2", async () => {
    const run = await runCli(["capacity", "stacks/gunicorn-flask"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/needs --slo-p99, the P99 the service must keep, e\.g\. --slo-p99 50ms/);
  });
});
