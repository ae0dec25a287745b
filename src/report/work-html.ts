// Pure: the HTML report's "Database work per request": base, head and change per count, and in a
// collapsed block the statements that changed. Every text goes through escapeHtml.

import type { StackResult } from "../result/types.js";
import { escapeHtml } from "./escape-html.js";
import { formatInt } from "./format.js";
import { changeSummary, workChanges } from "./work-changes.js";
import { countedRows, formatWork, oneLine, STATEMENT_TEXT_LIMIT, WORK_LABELS, workChangeText } from "./work-table.js";

const cell = (v: string, num: boolean) => `<td${num ? ' class="num"' : ""}>${escapeHtml(v)}</td>`;

/** The section, or "" when this run has no work count. */
export function workHtml(result: StackResult, baseline: StackResult | null, baselineLabel: string | null): string {
  const head = result.work;
  if (!head) return "";
  const c = workChanges(baseline?.work, head);
  const header = ["Count", `Baseline (${baselineLabel ?? "none"})`, "This run", "Change"];
  const rows = countedRows(c).map(
    (r) =>
      `<tr>${cell(WORK_LABELS[r.metric], false)}${cell(formatWork(r.base), true)}${cell(formatWork(r.head), true)}${cell(workChangeText(r.change), true)}</tr>`,
  );
  const parts = [
    `<h4>Database work per request</h4>`,
    `<p class="meta">${formatInt(head.chunks.length)} × ${formatInt(head.chunkRequests)} requests one at a time.</p>`,
    `<table>\n<thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead>\n<tbody>\n${rows.join("\n")}\n</tbody>\n</table>`,
  ];
  if (c.notCompared.length > 0)
    parts.push(`<p class="note">Not compared: ${escapeHtml(c.notCompared.join("; "))}.</p>`);
  if (c.statements.length > 0) {
    const items = c.statements.map(
      (s) =>
        `<li>${escapeHtml(changeSummary(s))}: <code>${escapeHtml(oneLine(s.text, STATEMENT_TEXT_LIMIT))}</code></li>`,
    );
    parts.push(
      `<details><summary>Statements that changed (${formatInt(c.statements.length)})</summary>\n<ul>\n${items.join("\n")}\n</ul>\n</details>`,
    );
  }
  return parts.join("\n");
}
