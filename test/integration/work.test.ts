// The work count against real parts: PostgreSQL, PgBouncer, nginx and the tiny app querying through psql.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ResultDocument, StackResult } from "../../src/result/types.js";
import { tempDir } from "../support/temp.js";
import { expectNothingLeft, queryingStack, runCli } from "./helpers.js";

const queryingStackOf = (queries: number, extraEnv = "") =>
  queryingStack(queries, "work:\n  chunks: 3\n  chunk-requests: 15\n", extraEnv);

async function run(stack: string, ...flags: string[]): Promise<{ result: StackResult; stdout: string }> {
  const out = tempDir("lg-work-out-");
  const r = await runCli(["run", stack, "--duration", "1", "--warmup", "0.5", "--json", join(out, "r.json"), ...flags]);
  expect(r.code, r.stderr).toBe(0);
  expectNothingLeft(r);
  const doc = JSON.parse(readFileSync(join(out, "r.json"), "utf8")) as ResultDocument;
  return { result: doc.results[0], stdout: r.stdout };
}

describe("the work count", () => {
  it("counts the app's statements, rows, pages and connections per request exactly, without loadgate's own", async () => {
    const { result, stdout } = await run(queryingStackOf(1));
    const w = result.work!;
    expect(stdout).toMatch(/Database work per request, tiny/);
    expect(w.chunks).toHaveLength(3);
    expect(w.chunkRequests).toBe(15);
    expect(w.perRequest.statements).toBe(1);
    expect(w.spread.statements).toBe(0);
    expect(w.perRequest.rows).toBe(1);
    // psql connects once per request: one login at PgBouncer; PgBouncer keeps its server connections.
    expect(w.perRequest.connections).toBe(1);
    expect(w.perRequest.serverConnections).toBe(0);
    expect(w.perRequest.transactions).toBe(1);
    expect(w.perRequest.pages).toBeGreaterThan(0);
    expect(w.perRequest.responseBytes).toBeGreaterThan(0);
    expect(w.postgresMajor).toBeGreaterThanOrEqual(13);
    expect(w.dataHash).toMatch(/^[0-9a-f]{64}$/);
    // A read-only app: no row written, so gate.rows holds it to its exact rows.
    expect(w.rowsWritten).toBe(0);
    const texts = w.statements.map((s) => s.text);
    expect(texts).toContain("select a from t where a = $1");
    expect(w.statements.find((s) => s.text === "select a from t where a = $1")?.calls).toBe(1);
    // loadgate's own statements (schema, prewarm, reset, reads) run as loadgate_admin: none here.
    expect(texts.join("\n")).not.toMatch(/pg_stat_statements|pg_prewarm|analyze|create table/i);
    expect(w.seconds).toBeLessThan(10);
  }, 180_000);

  it("sees an N+1: eleven statements per request instead of one, and the rows an update writes; --no-work turns the count off", async () => {
    const { result } = await run(queryingStackOf(11, ', TINY_WRITES: "1"'));
    expect(result.work!.perRequest.statements).toBe(12);
    expect(result.work!.perRequest.rows).toBe(12);
    expect(result.work!.statements[0].calls).toBe(11);
    expect(result.work!.statements[0].text).toBe("select a from t where a = $1");
    expect(result.work!.rowsWritten).toBe(1);
    const off = await run(queryingStackOf(1), "--no-work");
    expect(off.result.work).toBeUndefined();
    expect(off.stdout).not.toMatch(/Database work per request/);
  }, 240_000);
});
