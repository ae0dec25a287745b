import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../support/temp.js";
import { expectNothingLeft, runCli } from "./helpers.js";

// The study's rows on real PostgreSQL, PgBouncer, nginx and Gunicorn/Uvicorn, with their pinned
// requirements installed by pip into a cached virtualenv (the first run installs, the second does not).
describe.each(["gunicorn-flask", "uvicorn-starlette"])("built-in stack %s", (name) => {
  it("runs end to end, writes the contract's JSON, and leaves nothing behind", async () => {
    const out = join(tempDir("lg-builtin-"), "out.json");
    // A one-second window: enough for throughput, both percentiles and PostgreSQL's CPU to be measured.
    const args = ["run", `stacks/${name}`, "--duration", "1", "--warmup", "0.5", "--trials", "1", "--json", out];
    const first = await runCli([...args, "--install"], { timeoutMs: 600_000 });
    expect(first.code, first.stderr.slice(-3000)).toBe(0);
    const doc = JSON.parse(readFileSync(out, "utf8"));
    const r = doc.results[0];
    expect(r.stack.name).toBe(name);
    expect(r.workers).toBeGreaterThan(0);
    expect(r.environment.versions.python).toMatch(/^3\./);
    expect(r.summary.throughput.median).toBeGreaterThan(0);
    expect(r.summary.latency.p50.median).toBeLessThanOrEqual(r.summary.latency.p99.median);
    expect(r.summary.errors).toBe(0);
    expect(r.cpu.seconds.postgres).toBeGreaterThan(0);
    expect(first.stderr).toMatch(/prewarmed \d+ MiB/);
    expectNothingLeft(first);

    const second = await runCli([...args, "--install", "--trials", "1", "--duration", "1"], { timeoutMs: 300_000 });
    expect(second.code, second.stderr.slice(-3000)).toBe(0);
    expect(second.stderr).not.toContain("Creating a virtualenv");
    expectNothingLeft(second);
  }, 900_000);
});
