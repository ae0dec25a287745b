// Pure: pg_stat_statements rows of the app's role → per-chunk counts and the statement table.

import type { WorkStatement } from "../result/types.js";

/** One row of pg_stat_statements (the app's role), cumulative since the reset. */
export interface StatementRow {
  queryid: string;
  toplevel: boolean;
  calls: number;
  rows: number;
  /** shared_blks_hit + shared_blks_read */
  pages: number;
  query: string;
}

/** The columns read, as one JSON array (json_agg keeps the text's tabs and newlines as data). */
export const STATEMENTS_SQL = `select coalesce(json_agg(s), '[]') from (select queryid::text as queryid, toplevel, calls, rows, shared_blks_hit + shared_blks_read as pages, query from pg_stat_statements where userid = (select oid from pg_roles where rolname = 'loadgate')) s`;

/**
 * Transaction and session control: statements a driver, pool or pooler sends around the app's own
 * (autocommit switches, pool resets, PgBouncer's SETs of client parameters). Counted apart, not gated
 * (they follow the driver, not the app's queries).
 */
const CONTROL =
  /^\s*(begin|start\s+transaction|commit|end|rollback|abort|savepoint|release|set|reset|show|discard|deallocate|prepare\s+transaction|commit\s+prepared|rollback\s+prepared|listen|unlisten)\b/i;

export function isControl(query: string): boolean {
  return CONTROL.test(query.replace(/^\s*(--[^\n]*\n|\/\*[\s\S]*?\*\/)\s*/g, ""));
}

/**
 * Statements that change rows: INSERT, UPDATE, DELETE, MERGE, COPY … FROM, and a WITH whose body
 * does one of them. A function that writes is seen by its nested statements (track = all).
 */
const WRITE = /^\s*(insert|update|delete|merge)\b|^\s*copy\s+(?!\()[\s\S]*?\bfrom\b/i;
const WRITING_WITH =
  /^\s*with\b[\s\S]*\b(insert\s+into|update\s+(only\s+)?\S+(\s+(as\s+)?\w+)?\s+set|delete\s+from|merge\s+into)\b/i;

export function isWrite(query: string): boolean {
  const q = query.replace(/^\s*(--[^\n]*\n|\/\*[\s\S]*?\*\/)\s*/g, "");
  return WRITE.test(q) || WRITING_WITH.test(q);
}

/** Rows the writing statements changed (any level: a trigger's or a function's writes count too). */
export function rowsWrittenOf(delta: readonly StatementRow[]): number {
  return delta.filter((r) => isWrite(r.query)).reduce((sum, r) => sum + r.rows, 0);
}

/** Reads the psql output of STATEMENTS_SQL; throws on anything but the array it asks for. */
export function parseStatementRows(output: string): StatementRow[] {
  const data = JSON.parse(output.trim()) as unknown;
  if (!Array.isArray(data)) throw new Error("pg_stat_statements: expected a JSON array");
  return data.map((r: Record<string, unknown>) => ({
    queryid: String(r.queryid),
    toplevel: r.toplevel !== false,
    calls: Number(r.calls),
    rows: Number(r.rows),
    pages: Number(r.pages),
    query: String(r.query ?? ""),
  }));
}

const keyOf = (r: StatementRow) => `${r.queryid}/${r.toplevel ? "t" : "n"}`;

/** What happened between two snapshots: each statement's calls, rows and pages in between. */
export function statementDelta(before: readonly StatementRow[], after: readonly StatementRow[]): StatementRow[] {
  const prior = new Map(before.map((r) => [keyOf(r), r]));
  const out: StatementRow[] = [];
  for (const r of after) {
    const b = prior.get(keyOf(r));
    const d = {
      ...r,
      calls: r.calls - (b?.calls ?? 0),
      rows: r.rows - (b?.rows ?? 0),
      pages: r.pages - (b?.pages ?? 0),
    };
    if (d.calls > 0) out.push(d);
  }
  return out;
}

/** A chunk's statement counts (totals over the chunk, not yet per request). */
export interface StatementTotals {
  statements: number;
  control: number;
  nested: number;
  rows: number;
  pages: number;
}

/** Top-level rows and pages only: a top-level statement's counters already hold what it ran nested. */
export function totalsOf(delta: readonly StatementRow[]): StatementTotals {
  const t: StatementTotals = { statements: 0, control: 0, nested: 0, rows: 0, pages: 0 };
  for (const r of delta) {
    if (!r.toplevel) {
      t.nested += r.calls;
      continue;
    }
    if (isControl(r.query)) t.control += r.calls;
    else {
      t.statements += r.calls;
      t.rows += r.rows;
    }
    t.pages += r.pages;
  }
  return t;
}

export const STATEMENT_LIMIT = 20;
const TEXT_LIMIT = 500;

/** The statement table: per request, the most called first (then by text), at most STATEMENT_LIMIT. */
export function statementTable(
  delta: readonly StatementRow[],
  requests: number,
): { statements: WorkStatement[]; omitted: number } {
  const all = delta
    .map((r) => ({
      queryid: r.queryid,
      text: r.query.length > TEXT_LIMIT ? `${r.query.slice(0, TEXT_LIMIT - 1)}…` : r.query,
      toplevel: r.toplevel,
      control: isControl(r.query),
      calls: r.calls / requests,
      rows: r.rows / requests,
      pages: r.pages / requests,
    }))
    .sort((a, b) => b.calls - a.calls || a.text.localeCompare(b.text));
  return { statements: all.slice(0, STATEMENT_LIMIT), omitted: Math.max(0, all.length - STATEMENT_LIMIT) };
}
