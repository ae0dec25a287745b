import { describe, expect, it } from "vitest";
import { DEFAULT_GATE } from "../../src/compare/gate.js";
import { COMMENT_LIMIT, commentMarker, renderMarkdown, type StackReport } from "../../src/report/markdown.js";
import { niceCeil, percentileMermaid } from "../../src/report/mermaid.js";
import { PERCENTILES, percentileChartData } from "../../src/report/percentiles.js";
import { runReport, verdictReport } from "../../src/report/terminal.js";
import { BAR_CELLS, bar, percentileTerminalChart } from "../../src/report/terminal-chart.js";
import type { StackResult } from "../../src/result/types.js";
import { summarizeTrials } from "../../src/stats/summary.js";
import { compareWithBaseline } from "../../src/verdict/stored.js";
import { mermaidCharts, parseXyChart } from "../support/mermaid-xychart.js";
import { around, result } from "../support/results.js";

const gate = { ...DEFAULT_GATE, p99: 0.1, throughput: -0.05, errorRate: 0.01 };
const base = result(around(1000, 20));
const head = result(around(900, 26));
const medians = (r: StackResult) => PERCENTILES.map((p) => r.summary.latency[p.key].median);

function report(s: Partial<StackReport> = {}, stacks = 1): string {
  const comparison = compareWithBaseline(base, head, gate);
  const one: StackReport = { result: head, baseline: base, baselineLabel: "1234567", comparison, ...s };
  return renderMarkdown(
    { title: "Commit abc", headline: "regression", decidedBy: "d", stacks: Array.from({ length: stacks }, () => one) },
    commentMarker(["demo"]),
  );
}

/** A Result with `n` trials, so its per-trial details are long. */
function longResult(n: number): StackResult {
  return result(around(1000, 20, n));
}

describe("Mermaid percentile chart in the comment", () => {
  it("draws the head as bars and the base as a line, with a caption saying which is which", () => {
    const md = report();
    const [chart, ...more] = mermaidCharts(md);
    expect(more).toHaveLength(0);
    expect(chart.categories).toEqual(["P50", "P90", "P99", "P99.9"]);
    expect(chart.series.map((s) => [s.kind, s.name, s.values.length])).toEqual([
      ["bar", "head", 4],
      ["line", "base", 4],
    ]);
    expect(chart.series[0].values).toEqual(medians(head).map((v) => Number(v.toFixed(3))));
    expect(chart.series[1].values).toEqual(medians(base).map((v) => Number(v.toFixed(3))));
    expect(chart.yRange?.min).toBe(0);
    expect(chart.yRange?.max).toBeGreaterThanOrEqual(Math.max(...medians(head), ...medians(base)));
    expect(md).toContain("**bars: this PR (head)**; **line: the baseline (base, 1234567)**");
    // Under the table, before the per-trial details.
    expect(md.indexOf("```mermaid")).toBeGreaterThan(md.indexOf("| Metric"));
    expect(md.indexOf("```mermaid")).toBeLessThan(md.indexOf("<details>"));
  });

  it("draws the head alone when there is no baseline", () => {
    const md = report({ baseline: null, baselineLabel: null, comparison: null });
    const [chart] = mermaidCharts(md);
    expect(chart.series.map((s) => [s.kind, s.name, s.values.length])).toEqual([["bar", "head", 4]]);
    expect(md).toContain("**bars: this run**; no baseline to draw");
  });

  it("leaves out a percentile either side lacks, and draws nothing for a Result without trials", () => {
    const trials = head.trials.map((t) => ({ ...t, latency: { ...t.latency, p999: Number.NaN } }));
    const partial = { ...head, trials, summary: summarizeTrials(trials) };
    const [chart] = mermaidCharts(report({ result: partial }));
    expect(chart.categories).toEqual(["P50", "P90", "P99"]);
    expect(chart.series.every((s) => s.values.length === 3)).toBe(true);
    const untimed = { ...head, trials: [] };
    expect(mermaidCharts(report({ result: untimed, baseline: null }))).toEqual([]);
  });

  it("puts nothing from the Result but numbers in the block; the label in the caption is escaped", () => {
    const forged = { ...head, stack: { ...head.stack, name: 'x"]\n```\n<script>' } };
    const md = report({ result: forged, baselineLabel: "a`b`|<img src=x>" });
    const block = /```mermaid\n([\s\S]*?)\n```/.exec(md)![1];
    expect(block).not.toMatch(/script|img|x"\]/);
    expect(md).not.toContain("<img");
    expect(md).toContain("a\\`b\\`\\|&lt;img src=x&gt;");
    expect(mermaidCharts(md)).toHaveLength(1);
  });

  it("refuses numbers Mermaid cannot read instead of writing an exponent", () => {
    const data = percentileChartData(head, base)!;
    expect(percentileMermaid({ ...data, series: [{ side: "head", values: [1, 2, 3, 1e300] }] })).toBeUndefined();
    const small = percentileMermaid({ labels: ["P50"], series: [{ side: "head", values: [0.0004] }] })!;
    expect(parseXyChart(small.split("\n").slice(1, -1).join("\n")).series[0].values).toEqual([0]);
    expect([niceCeil(0.8), niceCeil(23), niceCeil(41), niceCeil(100), niceCeil(0)]).toEqual([1, 25, 50, 100, 1]);
  });

  it("stays under GitHub's limit: drops the per-trial details first, then the charts, never half a chart", () => {
    // Details make these too long; without them they fit, charts and all.
    const long = longResult(300);
    const medium = report({ result: long, baseline: long }, 8);
    expect(medium.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(medium).toContain("Omitted: the comment would exceed GitHub's size limit");
    expect(mermaidCharts(medium)).toHaveLength(8);
    // Too many stacks even without details: no chart, and no block left open by the cut.
    const big = report({ result: { ...head, warnings: ["w".repeat(3000)] } }, 60);
    expect(big.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(mermaidCharts(big)).toHaveLength(0);
    const fits = report({}, 10);
    expect(fits.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(fits).not.toContain("Omitted");
    expect(mermaidCharts(fits)).toHaveLength(10);
  });
});

describe("terminal percentile chart", () => {
  it("draws bars in eighths of a cell, the largest value filling the width", () => {
    expect(bar(10, 10)).toBe("█".repeat(BAR_CELLS));
    expect(bar(5, 10, 4)).toBe("██");
    expect(bar(1, 10, 4)).toBe("▍"); // 3.2 eighths → 3
    expect(bar(0.001, 10)).toBe("▏");
    expect(bar(0, 10)).toBe("");
    expect(bar(Number.NaN, 10)).toBe("");
  });

  it("a header and one row per percentile, base and head side by side with the change", () => {
    const text = percentileTerminalChart(percentileChartData(head, base)!, {
      base: "base (1234567)",
      head: "head (working tree)",
    });
    const lines = text.split("\n");
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^Latency \(ms\)\s+base \(1234567\)\s+head \(working tree\)\s+change$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(["P50", "P90", "P99", "P99.9"]);
    // The largest value of either side fills the bar; the rows carry both values and the change.
    expect(lines[4]).toContain("█".repeat(BAR_CELLS));
    expect(lines[4]).toMatch(/\+30\.0%$/);
    expect(lines.every((l) => !l.includes("\x1b"))).toBe(true);
  });

  it("sits under the run table, or under the verdict when there is a baseline", () => {
    const run = runReport([head]);
    expect(run.indexOf("Latency (ms)")).toBeGreaterThan(run.indexOf("Throughput (req/s)"));
    expect(run.split("\n").filter((l) => /^\s+P(50|90|99|99\.9)\s+█/.test(l))).toHaveLength(4);
    expect(runReport([head], false)).not.toContain("Latency (ms)");
    // Two stacks share one scale: the slower one's P99.9 fills the bar, the faster one's does not.
    const both = runReport([base, head])
      .split("\n")
      .filter((l) => /^\s+P99\.9\s/.test(l));
    expect(both.map((l) => (l.match(/█/g) ?? []).length)).toEqual([15, BAR_CELLS]);
    const c = compareWithBaseline(base, head, gate);
    const v = verdictReport("demo", c, "CHART").split("\n");
    expect(v.indexOf("CHART")).toBeGreaterThan(v.findIndex((l) => l.startsWith("Metric")));
  });
});
