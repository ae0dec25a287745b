// Pure: the comment's "Database work per request" section: base, head and change per count, and in a
// collapsed block the statements that changed. Statement texts come from the Result: every one goes
// through escapeText (codeOrText only where it is plain), every number through the formatters.

import { markdownTable } from "markdown-table";
import type { StackResult } from "../result/types.js";
import { codeOrText, escapeText } from "./escape-markdown.js";
import { formatInt } from "./format.js";
import { changeSummary, type WorkChanges, workChanges } from "./work-changes.js";
import { countedRows, formatWork, oneLine, STATEMENT_TEXT_LIMIT, WORK_LABELS, workChangeText } from "./work-table.js";

function statementsBlock(c: WorkChanges, details: boolean): string[] {
  if (c.statements.length === 0) return [];
  const summary = `<summary>Statements that changed (${formatInt(c.statements.length)})</summary>`;
  if (!details)
    return [
      `<details>${summary}\n\nOmitted: the comment would exceed GitHub's size limit. See the Result JSON.\n\n</details>`,
    ];
  const items = c.statements.map((s) => `- ${changeSummary(s)}: ${codeOrText(oneLine(s.text, STATEMENT_TEXT_LIMIT))}`);
  const partial = c.partial
    ? ["", "Each side lists its 20 most called statements: a new or gone one may be beyond the other's list."]
    : [];
  return [`<details>${summary}\n`, ...items, ...partial, "\n</details>"];
}

/** The section, or undefined when this run has no work count. */
export function workMarkdown(
  result: StackResult,
  baseline: StackResult | null,
  baselineLabel: string | null,
  details = true,
): string | undefined {
  const head = result.work;
  if (!head) return undefined;
  const c = workChanges(baseline?.work, head);
  const rows = countedRows(c).map((r) => [
    escapeText(WORK_LABELS[r.metric]),
    formatWork(r.base),
    formatWork(r.head),
    workChangeText(r.change),
  ]);
  const header = ["Count", `Baseline (${escapeText(baselineLabel ?? "none")})`, "This PR", "Change"];
  const parts = [
    `**Database work per request** (${formatInt(head.chunks.length)} × ${formatInt(head.chunkRequests)} requests one at a time; docs/work.md)`,
    "",
    markdownTable([header, ...rows], { align: ["l", "r", "r", "r"] }),
  ];
  if (c.notCompared.length > 0) parts.push("", `Not compared: ${c.notCompared.map(escapeText).join("; ")}.`);
  const block = statementsBlock(c, details);
  if (block.length > 0) parts.push("", ...block);
  return parts.join("\n");
}
