// Pure: a compact latency-by-percentile chart for the terminal, printed under the table: one row per
// percentile, a bar per side on one scale, plain text (no colour, no cursor movement), so it reads
// the same in a CI log as in a terminal.

import { formatMs, formatPercent } from "./format.js";
import type { PercentileChartData, Side } from "./percentiles.js";

/** Cells of the longest bar. */
export const BAR_CELLS = 20;

const EIGHTHS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];

/** A horizontal bar of `v` on a scale where `top` fills BAR_CELLS cells, in eighths of a cell; a value above 0 shows at least ▏. */
export function bar(v: number, top: number, cells = BAR_CELLS): string {
  if (!(v > 0) || !(top > 0)) return "";
  const eighths = Math.max(1, Math.round((Math.min(v, top) / top) * cells * 8));
  return "█".repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
}

/**
 * The chart: a header naming each side's column, then per percentile each side's bar and value
 * (base first) and, with a base, the change. `names` are the column headers, e.g. "base (1a2b3c4)".
 * `scaleTop` (ms) fills a whole bar; by default the largest value drawn, or give one for charts that
 * should share a scale (several stacks of one run).
 */
export function percentileTerminalChart(
  data: PercentileChartData,
  names: Record<Side, string>,
  scaleTop?: number,
): string {
  const top = Math.max(scaleTop ?? 0, ...data.series.flatMap((s) => s.values));
  const base = data.series.find((s) => s.side === "base");
  const head = data.series.find((s) => s.side === "head");
  const title = "Latency (ms)";
  const labelWidth = Math.max(title.length, ...data.labels.map((l) => l.length));
  const columns = data.series.map((s) => {
    const values = s.values.map(formatMs);
    const valueWidth = Math.max(...values.map((v) => v.length));
    const width = Math.max(BAR_CELLS + 1 + valueWidth, names[s.side].length);
    return {
      header: names[s.side].padEnd(width),
      cells: s.values.map((v, i) => `${bar(v, top).padEnd(BAR_CELLS)} ${values[i].padStart(valueWidth)}`.padEnd(width)),
    };
  });
  const changes = data.labels.map((_, i) =>
    base && head && base.values[i] > 0 ? formatPercent(head.values[i] / base.values[i] - 1) : "",
  );
  const changeWidth = Math.max("change".length, ...changes.map((c) => c.length));
  const lines = [
    [title.padEnd(labelWidth), ...columns.map((c) => c.header), base ? "change".padStart(changeWidth) : ""],
    ...data.labels.map((label, i) => [
      label.padEnd(labelWidth),
      ...columns.map((c) => c.cells[i]),
      base ? changes[i].padStart(changeWidth) : "",
    ]),
  ];
  return lines.map((cells) => cells.join("   ").trimEnd()).join("\n");
}
