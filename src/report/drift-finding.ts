// Pure: what a baseline run on main says about drift: per stack the new change points, the one line
// its annotation carries, and the job summary's section.

import type { ChangePoint } from "../drift/detect.js";
import { MIN_POINTS } from "../drift/detect.js";
import type { MetricName } from "../drift/series.js";
import { changeRows, driftLine } from "./drift-text.js";
import { codeOrText, escapeText } from "./escape-markdown.js";

export interface DriftFinding {
  stack: string;
  source: string;
  /** Change points that the newest baseline made appear. */
  found: ChangePoint[];
  /** The series long enough to look in. */
  looked: MetricName[];
  /** Points in the longest series when none was long enough to look in; null otherwise. */
  tooFew: number | null;
  /** The annotation's text, when something was found. */
  line: string | null;
}

export function findingOf(
  stack: string,
  source: string,
  found: ChangePoint[],
  looked: MetricName[],
  tooFew: number | null,
): DriftFinding {
  return { stack, source, found, looked, tooFew, line: found.length > 0 ? driftLine(stack, found, looked) : null };
}

/** The job summary's section: the new change points of every stack, or that there were none. */
export function driftSummary(findings: readonly DriftFinding[]): string {
  const out = ["### Drift on the default branch", ""];
  for (const f of findings) {
    if (f.tooFew !== null) {
      out.push(
        `- ${escapeText(f.stack)}: ${f.tooFew} baseline(s) so far; change points are looked for from ${MIN_POINTS}.`,
      );
    } else if (f.found.length === 0) {
      out.push(`- ${escapeText(f.stack)}: no new change point (${f.looked.length} series, ${escapeText(f.source)}).`);
    } else {
      out.push(`- ${escapeText(f.stack)}: **${escapeText(f.line ?? "")}**`, "");
      out.push(
        "  | metric | commits (before → after) | level | change (95% interval) | p |",
        "  | --- | --- | --- | --- | --- |",
      );
      for (const r of changeRows(f.found)) out.push(`  | ${r.join(" | ")} |`);
    }
  }
  out.push("", "See `loadgate history <stack>` for the whole series (docs/drift.md).");
  return `${out.join("\n")}\n`;
}

/** The hidden marker that finds a stack's drift issue again (the name encoded: it cannot close the comment). */
export function driftMarker(stack: string): string {
  return `<!-- loadgate:drift stack=${encodeURIComponent(stack)} -->`;
}

/** The issue of a stack with new change points: its title, and a body that says what stepped and where. */
export function driftIssue(f: DriftFinding, at: { sha: string; runUrl: string }): { title: string; body: string } {
  const body = [
    driftMarker(f.stack),
    `loadgate found a step in the baselines of **${escapeText(f.stack)}** on the default branch (baseline of ${at.sha.slice(0, 7)}, [run](${at.runUrl})):`,
    "",
    `**${escapeText(f.line ?? "")}**`,
    "",
    "| metric | commits (before → after) | level | change (95% interval) | p |",
    "| --- | --- | --- | --- | --- |",
    ...changeRows(f.found).map((r) => `| ${r.join(" | ")} |`),
    "",
    `Series: ${escapeText(f.source)}. ${codeOrText(`loadgate history ${f.stack}`)} charts the whole series; docs/drift.md says how steps are found. This issue is updated (and reopened) when the next step is found.`,
  ];
  return { title: `loadgate: performance stepped on the default branch (${f.stack})`, body: `${body.join("\n")}\n` };
}
