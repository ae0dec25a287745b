// loadgate ab with the work count: once per side (not per pair), its rows in the verdict and the report.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ResultDocument } from "../../src/result/types.js";
import { tempDir } from "../support/temp.js";
import { scratchRepo } from "./git-repo.js";
import { expectNothingLeft, queryingStack, runCli } from "./helpers.js";

const WORK = "work:\n  chunks: 2\n  chunk-requests: 5\n";
const LOAD = ["--duration", "0.3", "--warmup", "0.1", "--connections", "2"];

describe("loadgate ab: the work count", () => {
  it("counts each side once, in the first block; an N+1 in the head fails on its statements row", async () => {
    const { repo, git } = scratchRepo("lg-ab-work-");
    // The querying tiny stack with absolute paths: both sides read the same schema, so the data is the same.
    const stackOf = (queries: number) => readFileSync(join(queryingStack(queries, WORK), "stack.yml"), "utf8");
    writeFileSync(join(repo, "stack.yml"), stackOf(1));
    git("add", ".");
    git("commit", "-q", "-m", "one query");
    git("tag", "one");
    writeFileSync(join(repo, "stack.yml"), stackOf(11));
    git("commit", "-q", "-am", "eleven queries");
    const json = join(tempDir("lg-ab-work-out-"), "ab.json");
    const run = await runCli(
      ["ab", "one", "HEAD", "stack.yml", "--min-pairs", "2", "--max-pairs", "2", ...LOAD, "--json", json],
      { cwd: repo },
    );
    expect(run.code, run.stderr.slice(-3000)).toBe(1);
    expectNothingLeft(run);
    // Once per side, not once per pair.
    expect(run.stdout).toContain("2 pairs in 1 blocks");
    expect(run.stderr.match(/\[tiny\] \[base\] work count: per request/g)).toHaveLength(1);
    expect(run.stderr.match(/\[tiny\] \[head\] work count: per request/g)).toHaveLength(1);
    expect(run.stdout).toMatch(/SQL statements per request +1 +11 .*regression/);
    expect(run.stdout).toMatch(/1\.00 → 11\.00 calls per request; likely N\+1/);
    const doc = JSON.parse(readFileSync(json, "utf8")) as ResultDocument;
    expect(doc.results[0].work?.perRequest.statements).toBe(11);
    expect(doc.reports?.[0].baseline?.work?.perRequest.statements).toBe(1);
    // Each side's CPU over its measured windows, for the app's CPU per request in the joining line.
    for (const side of [doc.results[0], doc.reports?.[0].baseline]) {
      expect(side?.cpu?.seconds.app).toBeGreaterThan(0);
      expect(side?.cpu?.wallSeconds).toBeGreaterThan(0);
    }
  });
});
