// Pure: a stack's drift as text: a column chart per series with its change points marked, a table
// of the change points, the Markdown of both, and the one line an annotation carries.

import type { ChangePoint, SeriesDrift, StackDrift } from "../drift/detect.js";
import { METRIC_KIND, METRIC_LABEL, type MetricName } from "../drift/series.js";
import { escapeText } from "./escape-markdown.js";
import { formatCount, formatMs, formatPercent, formatRps } from "./format.js";

/** Points drawn per chart (the newest): one column each, so a chart fits 100 columns. */
export const CHART_POINTS = 80;
const ROWS = 5;
const EIGHTHS = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];

export function formatLevel(metric: MetricName, v: number): string {
  if (metric === "throughput") return `${formatRps(v)} req/s`;
  if (METRIC_KIND[metric] === "count") return metric === "instructions" ? formatCount(v) : v.toFixed(2);
  return `${formatMs(v)} ms`;
}

const short = (sha: string) => sha.slice(0, 7);

/** "P99 +14.0% (+9.1% … +19.2%) between 3f2a1c0 and 8d0e4b2". */
export function describeChange(c: ChangePoint): string {
  const size = `${formatPercent(c.change.estimate)} (${formatPercent(c.change.lo)} … ${formatPercent(c.change.hi)})`;
  return `${METRIC_LABEL[c.metric]} ${size} between ${short(c.before.sha)} and ${short(c.after.sha)}`;
}

/**
 * The annotation's line for a stack's new change points: each described, then the series that did
 * not step ("throughput unchanged"), so a reader knows the others were looked at.
 */
export function driftLine(stack: string, found: readonly ChangePoint[], looked: readonly MetricName[]): string {
  const stepped = new Set(found.map((c) => c.metric));
  const unchanged = looked.filter((m) => !stepped.has(m)).map((m) => `${METRIC_LABEL[m]} unchanged`);
  return `${stack}: ${[...found.map(describeChange), ...unchanged].join("; ")}`;
}

/** A column chart of a series (its newest CHART_POINTS points), `^` under the first point after each change. */
export function seriesChart(s: SeriesDrift): string {
  const shown = s.points.slice(-CHART_POINTS);
  const offset = s.points.length - shown.length;
  const values = shown.map((p) => p.value);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const span = hi - lo || 1;
  // Each column's height in eighths of a cell, at least one eighth so every point shows.
  const heights = values.map((v) => 1 + Math.round(((v - lo) / span) * (ROWS * 8 - 1)));
  const top = formatLevel(s.metric, hi);
  const bottom = formatLevel(s.metric, lo);
  const width = Math.max(top.length, bottom.length);
  const lines: string[] = [];
  for (let row = ROWS - 1; row >= 0; row--) {
    const cells = heights.map((h) => EIGHTHS[Math.max(0, Math.min(8, h - row * 8))]).join("");
    const label = row === ROWS - 1 ? top : row === 0 ? bottom : "";
    lines.push(`${label.padStart(width)} ┤${cells}`.trimEnd());
  }
  const marks = Array<string>(shown.length).fill(" ");
  for (const c of s.changePoints) if (c.index - offset >= 0) marks[c.index - offset] = "^";
  lines.push(`${" ".repeat(width)} └${marks.join("")}`.trimEnd());
  return lines.join("\n");
}

function seriesHeading(s: SeriesDrift): string {
  const n = s.points.length;
  const span = n > CHART_POINTS ? `the newest ${CHART_POINTS} of ${n} baselines` : `${n} baselines`;
  const min = `steps under ${formatPercent(s.minEffect, false, 0)} not reported`;
  return `${METRIC_LABEL[s.metric]} (${span}, oldest left; ${min})`;
}

/** The change points as table rows: metric, commits, level before → after, change with its interval, p. */
export function changeRows(cps: readonly ChangePoint[]): string[][] {
  return cps.map((c) => [
    METRIC_LABEL[c.metric],
    `${short(c.before.sha)} → ${short(c.after.sha)}`,
    `${formatLevel(c.metric, c.levelBefore)} → ${formatLevel(c.metric, c.levelAfter)}`,
    `${formatPercent(c.change.estimate)} (${formatPercent(c.change.lo)} … ${formatPercent(c.change.hi)})`,
    c.p.toFixed(3),
  ]);
}

const HEADERS = ["metric", "commits (before → after)", "level", "change (95% interval)", "p"];

function textTable(rows: string[][]): string {
  const all = [HEADERS, ...rows];
  const widths = HEADERS.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  return all
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]))
        .join("   ")
        .trimEnd(),
    )
    .join("\n");
}

/** The terminal report of one stack: a chart per series, then the table of change points. */
export function historyReport(d: StackDrift): string {
  const out = [`History of ${d.stack} (${d.source})`];
  for (const s of d.series) {
    out.push("", seriesHeading(s));
    out.push(s.tooFew ? `  not looked at: ${s.tooFew}` : seriesChart(s));
  }
  const cps = d.series.flatMap((s) => s.changePoints);
  out.push("", cps.length === 0 ? "No change points." : `Change points (^ above):\n${textTable(changeRows(cps))}`);
  for (const n of d.notes) out.push(`Note: ${n}`);
  return `${out.join("\n")}\n`;
}

/** The Markdown of one stack's drift: the table of change points and what was looked at. */
export function historyMarkdown(d: StackDrift): string {
  const out = [`### History of ${escapeText(d.stack)}`, ""];
  const cps = d.series.flatMap((s) => s.changePoints);
  if (cps.length === 0) out.push("No change points.");
  else {
    out.push(`| ${HEADERS.join(" | ")} |`, `| ${HEADERS.map(() => "---").join(" | ")} |`);
    for (const r of changeRows(cps)) out.push(`| ${r.join(" | ")} |`);
  }
  out.push("");
  for (const s of d.series) {
    const what = s.tooFew
      ? `not looked at: ${s.tooFew}`
      : `${s.points.length} baselines, ${s.changePoints.length} change point(s)`;
    out.push(`- ${METRIC_LABEL[s.metric]}: ${what} (steps under ${formatPercent(s.minEffect, false, 0)} not reported)`);
  }
  for (const n of d.notes) out.push(`- ${escapeText(n)}`);
  return `${out.join("\n")}\n`;
}
