// Pure: the latency-by-percentile chart of the PR comment and job summary, as a Mermaid block GitHub renders.
//
// Why bars for the head and a line for the base: Mermaid's `xychart-beta` (the only Mermaid chart with
// numeric axes) had no legend for most of its life. Its grammar accepts a name per series
// (`bar "head" [...]`), but the name was drawn nowhere: Mermaid's docs and maintainers said "a legend
// is currently not possible" (mermaid-js discussion #5207, issue #5292) until May 2026 (mermaid-js
// pull request #7724); Mermaid 12.3, rendered here in Chromium, draws the names as a legend. GitHub
// renders with a Mermaid of its own choosing, which may well be older. Colours alone would need a
// caption naming colours, which depend on the reader's theme; and two bar series are drawn on top of
// each other in one slot, hiding the shorter one. So the two sides differ in shape: the head (this PR)
// as bars, the base as a line over them, and the caption under the chart says which is which. The
// series keep their names, so a Mermaid that draws legends shows them too.
//
// Nothing from a Result but numbers goes into the block: titles and names are fixed text here, so a
// forged Result cannot change the diagram; the caption (Markdown, escaped) carries the baseline's label.

import type { PercentileChartData } from "./percentiles.js";

/** Values at or beyond this many ms are not charted: JavaScript would print them with an exponent, which Mermaid cannot parse. */
const MAX_CHARTED_MS = 1e12;

/** A number as Mermaid's grammar reads it: digits, an optional fraction, no exponent. */
function mermaidNumber(v: number): string {
  return v.toFixed(3).replace(/\.?0+$/, "") || "0";
}

/** The smallest 1, 2, 2.5 or 5 × 10^k at or above v: a round top for the y axis. */
export function niceCeil(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v * (1 - 1e-12)) return m * p;
  return 10 * p;
}

/**
 * The fenced Mermaid block (head as bars, base as a line); undefined when a value cannot be charted.
 * The y axis starts at 0: Mermaid's automatic range starts at the smallest value, which draws the
 * shortest bar with no height.
 */
export function percentileMermaid(data: PercentileChartData): string | undefined {
  const all = data.series.flatMap((s) => s.values);
  if (all.some((v) => !(v >= 0 && v < MAX_CHARTED_MS))) return undefined;
  const top = niceCeil(Math.max(...all) * 1.1);
  const head = data.series.find((s) => s.side === "head");
  const base = data.series.find((s) => s.side === "base");
  const row = (values: number[]) => `[${values.map(mermaidNumber).join(", ")}]`;
  return [
    "```mermaid",
    "xychart-beta",
    '    title "Latency by percentile (ms, lower is better)"',
    `    x-axis "percentile" [${data.labels.map((l) => `"${l}"`).join(", ")}]`,
    `    y-axis "ms" 0 --> ${mermaidNumber(top)}`,
    ...(head ? [`    bar "head" ${row(head.values)}`] : []),
    // After the bars, so the line is drawn over them.
    ...(base ? [`    line "base" ${row(base.values)}`] : []),
    "```",
  ].join("\n");
}
