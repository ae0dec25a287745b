// Pure: the work count as the terminal's "Database work per request" table, one per stack.

import type { StackResult, WorkMetric, WorkRecord } from "../result/types.js";
import { textTable } from "./table.js";

/** The names a user sees for each count, in the order they are shown. */
export const WORK_LABELS: Readonly<Record<WorkMetric, string>> = Object.freeze({
  statements: "SQL statements",
  control: "transaction control (BEGIN, COMMIT, SET, …)",
  nested: "nested statements",
  rows: "rows",
  pages: "shared buffer pages (hit + read)",
  transactions: "transactions",
  connections: "connections opened",
  serverConnections: "PostgreSQL sessions started",
  responseBytes: "response bytes",
});

/** A count per request: whole numbers as they are, others to two decimals. */
export function formatWork(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return "–";
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

/** Where a count's chunks disagree: their range; "exact" where they agree. */
export function spreadText(w: WorkRecord, m: WorkMetric): string {
  const s = w.spread[m];
  if (s === undefined) return "";
  return s === 0 ? "exact" : `chunks ${formatWork(s)} apart`;
}

export function workTable(r: StackResult): string | undefined {
  const w = r.work;
  if (!w) return undefined;
  const rows = (Object.keys(WORK_LABELS) as WorkMetric[]).map((m) => {
    const why = w.unavailable[m];
    return [WORK_LABELS[m], why ? "–" : formatWork(w.perRequest[m]), why ? `not counted: ${why}` : spreadText(w, m)];
  });
  const title = `Database work per request, ${r.stack.name} (${w.chunks.length} × ${w.chunkRequests} requests one at a time, ${w.seconds.toFixed(1)} s):`;
  return [title, textTable(["Count", "Per request", ""], rows, [false, true, false])].join("\n");
}

/** The statements of the app's role, the most called first, as text lines for the terminal. */
export function statementLines(w: WorkRecord, limit = 10): string[] {
  const lines = w.statements
    .slice(0, limit)
    .map(
      (s) =>
        `${formatWork(s.calls)} calls, ${formatWork(s.rows)} rows, ${formatWork(s.pages)} pages${s.toplevel ? "" : " (nested)"}: ${oneLine(s.text)}`,
    );
  const more = w.statements.length - Math.min(limit, w.statements.length) + w.statementsOmitted;
  return more > 0 ? [...lines, `… and ${more} more`] : lines;
}

const oneLine = (text: string) => {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 120 ? `${flat.slice(0, 119)}…` : flat;
};
