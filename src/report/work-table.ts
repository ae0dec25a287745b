// Pure: the work count as the terminal's "Database work per request" table, one per stack.

import type { StackResult, WorkMetric, WorkRecord } from "../result/types.js";
import { formatPercent } from "./format.js";
import { textTable } from "./table.js";
import { changeSummary, type WorkChanges, workChanges } from "./work-changes.js";

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

/** A statement's text on one line, cut to `max` characters. */
export const oneLine = (text: string, max = 120) => {
  // Control characters (a terminal's escape sequences among them) are data: each becomes a space.
  const flat = String(text)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this removes.
    .replace(/[\s\u0000-\u001f\u007f-\u009f]+/g, " ")
    .trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/** A count's change: "+10.0%", "from 0", "0.0%"; "–" where there is nothing to compare. */
export function workChangeText(change: number | null): string {
  if (change === null) return "–";
  if (change === Number.POSITIVE_INFINITY) return "from 0";
  return formatPercent(change);
}

/** The rows both sides (or this run) counted. */
export const countedRows = (c: WorkChanges) => c.rows.filter((r) => r.base !== null || r.head !== null);

/** The longest statement text a report shows (the Result keeps 500 characters). */
export const STATEMENT_TEXT_LIMIT = 200;

/** The terminal's "Database work per request" against the baseline, and the statements that changed. */
export function workComparisonText(base: WorkRecord | undefined, head: WorkRecord | undefined): string | undefined {
  if (!head || !base) return undefined;
  const c = workChanges(base, head);
  const rows = countedRows(c).map((r) => [
    WORK_LABELS[r.metric],
    formatWork(r.base),
    formatWork(r.head),
    workChangeText(r.change),
  ]);
  const lines = [
    "Database work per request against the baseline:",
    textTable(["Count", "Baseline", "This run", "Change"], rows, [false, true, true, true]),
  ];
  if (c.notCompared.length > 0) lines.push(`not compared: ${c.notCompared.join("; ")}`);
  if (c.statements.length > 0) {
    lines.push("Statements that changed (per request):");
    for (const s of c.statements) lines.push(`  ${changeSummary(s)}: ${oneLine(s.text)}`);
    if (c.partial)
      lines.push("  (each side lists its 20 most called statements: a new or gone one may be beyond the other's list)");
  }
  return lines.join("\n");
}
