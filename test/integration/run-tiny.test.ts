import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { removeAfterAll } from "../support/temp.js";
import { bareStack, expectNothingLeft, ROOT, runCli, tinyStack } from "./helpers.js";

describe("loadgate run on the full chain (PostgreSQL → PgBouncer → app → nginx)", () => {
  it("measures the stack, prints the table, writes the Result, and leaves nothing behind", async () => {
    const out = removeAfterAll(join(tmpdir(), `lg-tiny-${process.pid}.json`));
    const run = await runCli(["run", join(ROOT, "test/fixtures/tiny"), "--json", out]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /Webserver\s+Framework\s+Workers\s+P50 \(ms\)\s+P99 \(ms\)\s+P99 pooled \(ms\)\s+Throughput \(req\/s\)\s+Errors/,
    );
    expect(run.stderr).toMatch(/postgres started/);
    expect(run.stderr).toMatch(/pgbouncer started/);
    expect(run.stderr).toMatch(/nginx started/);
    expect(run.stderr).toMatch(/trial 2 .* req\/s {2}errors \d+ {2}p99 [\d.]+ ms/);
    const doc = JSON.parse(readFileSync(out, "utf8"));
    expect(doc.schemaVersion).toBe(2);
    const r = doc.results[0];
    expect(r.stack.name).toBe("tiny");
    expect(r.workers).toBe(1);
    expect(r.environment.id).toMatch(/^[0-9a-f]{12}$/);
    expect(r.environment.versions.postgresql).toMatch(/^\d+/);
    expect(r.trials).toHaveLength(2);
    expect(r.summary.throughput.median).toBeGreaterThan(0);
    expect(r.summary.latency.p50.median).toBeLessThanOrEqual(r.summary.latency.p99.median);
    expect(r.summary.errors).toBe(0);
    // Pooled percentiles of both trials' responses, and how many responses each trial's P99 rests on.
    expect(r.summary.pooled.trials).toBe(2);
    expect(r.summary.pooled.requests).toBe(r.trials[0].requests + r.trials[1].requests);
    expect(r.summary.pooled.latency.p50).toBeLessThanOrEqual(r.summary.pooled.latency.p99);
    expect(r.trials[0].tail.p99).toBe(Math.floor(r.trials[0].requests / 100));
    expectNothingLeft(run);
  });

  it("runs with database, pooler and proxy all set to none", async () => {
    const run = await runCli(["run", tinyStack(bareStack())]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/postgres started/);
    expectNothingLeft(run);
  });

  it("gates on an absolute SLO with no baseline: a breach exits 1, a kept SLO 0", async () => {
    // Every answer waits 20 ms: P99 cannot be below 5 ms, and is well below 500 ms. Five trials, so
    // one slow trial on a busy machine does not widen the t interval past a decision.
    const stack = (p99: string) =>
      tinyStack(
        (app) => `name: slo
database: none
pooler: none
proxy: none
app:
  command: python3 ${app} {port}
  env: { TINY_DELAY_MS: "20" }
  ready: { http: /test, timeout: 4s }
load: { connections: 2, warmup: 0.2s, duration: 0.3s, trials: 5 }
gate: { p99: "${p99}", throughput: ["-5%", ">1/s"] }
`,
      );
    const breach = await runCli(["run", stack("<5ms")]);
    expect(breach.code, breach.stderr).toBe(1);
    expect(breach.stdout).toMatch(/P99 SLO \(ms\).*regression/);
    expect(breach.stdout).toMatch(/Throughput SLO \(req\/s\).*pass/);
    expect(breach.stdout).toMatch(/no --baseline given/);
    expectNothingLeft(breach);
    const kept = await runCli(["run", stack("<500ms")]);
    expect(kept.code, kept.stdout).toBe(0);
    expect(kept.stdout).toMatch(/P99 SLO \(ms\).*pass/);
    expectNothingLeft(kept);
  });
});
