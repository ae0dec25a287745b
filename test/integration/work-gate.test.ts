// The work gate against real parts: a stored baseline's statements per request judged exactly, across runners.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ResultDocument } from "../../src/result/types.js";
import { tempDir } from "../support/temp.js";
import { type CliRun, expectNothingLeft, queryingStack, runCli } from "./helpers.js";

const WORK = "work:\n  chunks: 3\n  chunk-requests: 10\n";

const out = tempDir("lg-work-gate-out-");
const baselineFile = join(out, "baseline.json");

function run(queries: number, ...flags: string[]): Promise<CliRun> {
  const timing = ["--duration", "1", "--warmup", "0.5", "--trials", "1"];
  return runCli(["run", queryingStack(queries, WORK), ...timing, ...flags]);
}

describe("the work gate", () => {
  it("fails an N+1 against a stored baseline from another runner: 1 → 11 statements per request", async () => {
    const saved = await run(1, "--save-baseline", baselineFile);
    expect(saved.code, saved.stderr).toBe(0);
    // Another runner: the timings cannot be compared, the counts can.
    const doc = JSON.parse(readFileSync(baselineFile, "utf8")) as ResultDocument;
    doc.results[0].environment = { ...doc.results[0].environment, id: "another", cpuModel: "Another CPU" };
    writeFileSync(baselineFile, JSON.stringify(doc));

    const n1 = await run(11, "--baseline", baselineFile);
    expect(n1.code, n1.stderr).toBe(1);
    expectNothingLeft(n1);
    expect(n1.stdout).toMatch(/Timings were not compared: the baseline was measured in another environment/);
    expect(n1.stdout).toMatch(/SQL statements per request\s+1\s+11\s.*regression/);
  }, 120_000);

  it("passes the same counts", async () => {
    const same = await run(1, "--baseline", baselineFile);
    expect(same.code, `${same.stdout}\n${same.stderr}`).toBe(0);
    expect(same.stdout).toMatch(/SQL statements per request.*pass/);
    expect(same.stdout).not.toMatch(/regression/);
  }, 120_000);
});
