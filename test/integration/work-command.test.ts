// `loadgate work`: the stack up, warmed, its work count alone (no timed trials), printed, saved as a
// baseline and judged against one.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ResultDocument } from "../../src/result/types.js";
import { tempDir } from "../support/temp.js";
import { expectNothingLeft, queryingStack, runCli } from "./helpers.js";

const WORK = "work:\n  chunks: 3\n  chunk-requests: 10\n";
const out = tempDir("lg-work-command-");
const baseline = join(out, "baseline.json");

describe("loadgate work", () => {
  it("counts alone after the warmup: the table, a Result without trials, a baseline", async () => {
    const json = join(out, "r.json");
    const run = await runCli([
      "work",
      queryingStack(1, WORK),
      "--warmup",
      "0.3",
      "--connections",
      "2",
      "--json",
      json,
      "--save-baseline",
      baseline,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expectNothingLeft(run);
    expect(run.stdout).toMatch(/Database work per request, tiny \(3 × 10 requests one at a time/);
    expect(run.stdout).toMatch(/SQL statements +1 +exact/);
    expect(run.stdout).not.toMatch(/Throughput|P99/);
    expect(run.stderr).toMatch(/work count: per request 1 statements/);
    const doc = JSON.parse(readFileSync(json, "utf8")) as ResultDocument;
    expect(doc.results[0].trials).toEqual([]);
    expect(doc.results[0].work?.perRequest.statements).toBe(1);
    expect(doc.results[0].work?.chunks).toHaveLength(3);
    expect(JSON.parse(readFileSync(baseline, "utf8")).results[0].work.perRequest.statements).toBe(1);
  });

  it("against that baseline an N+1 fails (exit 1), named; a limit flag turns a row off", async () => {
    const run = await runCli([
      "work",
      queryingStack(11, WORK),
      "--warmup",
      "0",
      "--baseline",
      baseline,
      "--rows-threshold",
      "off",
    ]);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(1);
    expectNothingLeft(run);
    expect(run.stdout).toMatch(/tiny: REGRESSION/);
    expect(run.stdout).toMatch(/SQL statements per request +1 +11 .*regression/);
    expect(run.stdout).not.toMatch(/Rows per request/);
    expect(run.stdout).toContain("note: Only the database work was compared: this run has no timed trials");
    expect(run.stdout).toMatch(/1\.00 → 11\.00 calls per request; likely N\+1: select a from t where a = \$1/);
  });
});
