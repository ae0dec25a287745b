// Work records for unit tests: one set of counts per request, and a record of chunks summarized the
// way the count summarizes them (src/work/summary.ts).
import type { WorkCounts, WorkRecord } from "../../src/result/types.js";
import { summarize } from "../../src/work/summary.js";

/** Counts per request from the statements: rows = statements, pages = 3 × statements, no connection opened. */
export const workCounts = (statements: number, o: Partial<WorkCounts> = {}): WorkCounts => ({
  statements,
  control: 0,
  nested: 0,
  rows: statements,
  pages: 3 * statements,
  transactions: 1,
  connections: 0,
  serverConnections: 0,
  responseBytes: 48,
  ...o,
});

/**
 * A record of these chunks on PostgreSQL 15 and one data hash. `rowsWritten` is left out (a Result
 * from before it was counted) unless `o` gives it.
 */
export function workRecord(chunks: readonly WorkCounts[], o: Partial<WorkRecord> = {}): WorkRecord {
  const { perRequest, spread } = summarize(chunks);
  return {
    chunkRequests: 50,
    chunks: [...chunks],
    perRequest,
    spread,
    statements: [],
    statementsOmitted: 0,
    unavailable: {},
    postgresMajor: 15,
    dataHash: "a".repeat(64),
    seconds: 2,
    warnings: [],
    ...o,
  };
}

/** A record whose `n` chunks all agree on `statements` per request (exact). */
export const steadyWork = (statements: number, o: Partial<WorkRecord> = {}, c: Partial<WorkCounts> = {}, n = 2) =>
  workRecord(
    Array.from({ length: n }, () => workCounts(statements, c)),
    o,
  );
