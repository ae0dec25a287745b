// Pure: the HTML report (`loadgate report --format html`): one self-contained file, readable offline.
// Per Result file and stack: the tables, an inline SVG latency-by-percentile chart (base against head
// when the Result carries its verdict's baseline), the per-trial values, the worker sweep where there
// was one, and, with a history of main's baselines, a trend of P99 and throughput over main's commits.
//
// No script at all, and no reference to anything outside the file (no stylesheet, font, image or
// link); a Content-Security-Policy of default-src 'none' makes the browser refuse any load that a
// forged string might still smuggle in. Every string from a Result or a file name goes through
// escapeHtml, the one escaper, in text and attributes alike.

import { type Comparison, METRIC_LABELS } from "../compare/metrics.js";
import { detectSeries } from "../drift/detect.js";
import type { HistoryPoint, MetricSummary, ResultDocument, StackResult } from "../result/types.js";
import { describeChange } from "./drift-text.js";
import { escapeHtml } from "./escape-html.js";
import {
  formatChange,
  formatConfidence,
  formatCount,
  formatInt,
  formatLimit,
  formatMetric,
  formatMs,
  formatNumber,
  formatPercent,
  formatRps,
  formatShare,
  trialRows,
  trialsText,
} from "./format.js";
import { HEADLINE_TEXT, type RunHeadline, type StackReport } from "./markdown.js";
import { percentileChartData } from "./percentiles.js";
import { stackReportsOf } from "./stack-reports.js";
import { lineChart, type SvgSeries } from "./svg.js";
import { timingWorkLine } from "./timing-work.js";
import { workHtml } from "./work-html.js";

export interface HtmlReportInput {
  /** loadgate's version, for the footer. */
  version: string;
  /** Each Result read, with where it came from (a file name, shown as given). */
  documents: { source: string; doc: ResultDocument }[];
}

/** The colours of the sides; the styles (solid or dashed) tell them apart without colour too. */
export const COLOURS = { base: "#5b6b82", head: "#d9480f", main: "#1c7ed6", throughput: "#2f9e44" } as const;

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #1f2328; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.3rem; border-bottom: 1px solid #d0d7de; padding-bottom: .3rem; margin-top: 2.5rem; }
h3 { font-size: 1.1rem; margin-top: 2rem; } h4 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; } th, td { border: 1px solid #d0d7de; padding: .25rem .6rem; }
th { background: #f6f8fa; text-align: left; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.meta, .note { color: #57606a; } .warning { color: #9a6700; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; }
svg.chart { border: 1px solid #d0d7de; background: #fff; max-width: 100%; height: auto; font-size: 11px; }
svg .chart-title { font-size: 13px; font-weight: 600; } svg .grid { stroke: #eaeef2; } svg .axis text { fill: #57606a; }
svg .change-point { stroke: #b3261e; stroke-width: 2; stroke-dasharray: 3 3; } svg .line { stroke-width: 2.5; } svg .dashed { stroke-dasharray: 7 4; } svg .hollow { fill: #fff; stroke-width: 2; }
svg .axis-title { fill: #57606a; }
`;

function table(header: string[], rows: string[][], numeric: boolean[]): string {
  const th = header.map((h) => `<th>${escapeHtml(h)}</th>`).join("");
  const tr = rows
    .map((r) => `<tr>${r.map((v, i) => `<td${numeric[i] ? ' class="num"' : ""}>${escapeHtml(v)}</td>`).join("")}</tr>`)
    .join("\n");
  return `<table>\n<thead><tr>${th}</tr></thead>\n<tbody>\n${tr}\n</tbody>\n</table>`;
}

/** "12.3 … 14.1 (95.0%)": a median's interval across trials. */
function interval(m: MetricSummary, fmt: (v: number) => string): string {
  return `${fmt(m.ci.lo)} … ${fmt(m.ci.hi)} (${(m.ci.confidence * 100).toFixed(1)}%)`;
}

function summaryTable(r: StackResult): string {
  const s = r.summary;
  const row = (label: string, m: MetricSummary, fmt: (v: number) => string, pooled?: number) => [
    label,
    fmt(m.median),
    interval(m, fmt),
    pooled === undefined ? "" : fmt(pooled),
    m.values.map(fmt).join(" · "),
  ];
  const p = s.pooled?.latency;
  return table(
    ["Metric", "Median of the trials", "Interval of the median", "Pooled", "Trials"],
    [
      row("P50 (ms)", s.latency.p50, formatMs, p?.p50),
      row("P90 (ms)", s.latency.p90, formatMs, p?.p90),
      row("P99 (ms)", s.latency.p99, formatMs, p?.p99),
      row("P99.9 (ms)", s.latency.p999, formatMs, p?.p999),
      row("Max (ms)", s.latency.max, formatMs, p?.max),
      row("Throughput (req/s)", s.throughput, formatRps),
      row("Error rate", s.errorRate, formatShare),
      ["Errors (all trials)", String(s.errors), "", "", ""],
    ],
    [false, true, true, true, false],
  );
}

function verdictTable(c: Comparison, baselineLabel: string | null): string {
  if (c.metrics.length === 0) return "";
  return table(
    [
      "Metric",
      `Baseline (${baselineLabel ?? "stored"})`,
      "This run",
      "Change (interval)",
      "Confidence",
      "Limit",
      "Verdict",
    ],
    c.metrics.map((m) => [
      METRIC_LABELS[m.metric],
      formatMetric(m.metric, m.baseline),
      formatMetric(m.metric, m.current),
      formatChange(m),
      formatConfidence(m),
      formatLimit(m),
      m.verdict,
    ]),
    [false, true, true, true, true, true, false],
  );
}

/** A label in a chart's legend or axis: the baseline's label may be long, a legend or an axis is not. */
function shortLabel(label: string, max = 32): string {
  return label.length > max ? `${label.slice(0, max - 1)}…` : label;
}

/** The latency-by-percentile chart: the head solid, the base dashed. */
export function percentileSvg(s: StackReport): string | undefined {
  const data = percentileChartData(s.result, s.baseline);
  if (!data) return undefined;
  const series: SvgSeries[] = data.series.map((x) =>
    x.side === "base"
      ? {
          name: `base (${shortLabel(s.baselineLabel ?? "baseline")})`,
          key: "base",
          values: x.values,
          style: "dashed",
          colour: COLOURS.base,
        }
      : { name: "head (this run)", key: "head", values: x.values, style: "solid", colour: COLOURS.head },
  );
  return lineChart({
    kind: "percentiles",
    title: "Latency by percentile (median of the trials)",
    xLabels: data.labels,
    yLabel: "ms",
    series,
  });
}

function trialsTable(s: StackReport): string {
  const latencies = ["p50", "p90", "p99", "p999", "max"] as const;
  const rows = (side: string, r: StackResult) => trialRows(side, r, latencies);
  return table(
    ["Side", "Trial", "Throughput (req/s)", "P50 (ms)", "P90 (ms)", "P99 (ms)", "P99.9 (ms)", "Max (ms)", "Errors"],
    [...(s.baseline && s.baseline.trials.length > 0 ? rows("base", s.baseline) : []), ...rows("head", s.result)],
    [false, true, true, true, true, true, true, true, true],
  );
}

function sweepSection(r: StackResult): string {
  const w = r.sweep;
  if (!w) return "";
  if (w.reusedFrom || w.points.length === 0) {
    return `<h4>Worker sweep</h4>\n<p>workers: auto: ${formatInt(w.chosen)}, the count chosen by the sweep on ${escapeHtml(w.reusedFrom ?? "another run")}.</p>`;
  }
  const labels = w.points.map((p) => String(p.workers));
  const chart = (kind: string, title: string, yLabel: string, values: number[], colour: string, fmt: typeof formatMs) =>
    lineChart({
      kind,
      title,
      xLabels: labels,
      yLabel,
      format: fmt,
      series: [{ name: title, key: "sweep", values, style: "solid", colour }],
    });
  return [
    "<h4>Worker sweep</h4>",
    `<p>workers: auto chose ${formatInt(w.chosen)} in ${formatInt(w.seconds)} s; stopped because ${escapeHtml(w.reason)}. One short trial per count on a fresh stack.</p>`,
    table(
      ["Workers", "Throughput (req/s)", "P99 (ms)", "Seconds", ""],
      w.points.map((p) => [
        String(p.workers),
        formatRps(p.throughput),
        formatMs(p.p99),
        p.seconds.toFixed(1),
        p.workers === w.chosen ? "chosen" : "",
      ]),
      [true, true, true, true, false],
    ),
    '<div class="charts">',
    chart(
      "sweep-throughput",
      "Throughput by worker count",
      "req/s",
      w.points.map((p) => p.throughput),
      COLOURS.throughput,
      formatRps,
    ),
    chart(
      "sweep-p99",
      "P99 by worker count",
      "ms",
      w.points.map((p) => p.p99),
      COLOURS.main,
      formatMs,
    ),
    "</div>",
  ].join("\n");
}

/** A trend point per earlier baseline of main, then the baseline the history belongs to. */
export function trendPoints(
  owner: StackResult,
  ownerLabel: string,
): { label: string; p99: number; throughput: number }[] | undefined {
  const history: HistoryPoint[] = owner.history ?? [];
  if (history.length === 0 || owner.trials.length === 0) return undefined;
  return [
    ...history.map((h) => ({ label: h.sha.slice(0, 7), p99: h.p99, throughput: h.throughput })),
    {
      label: shortLabel(ownerLabel, 12),
      p99: owner.summary.latency.p99.median,
      throughput: owner.summary.throughput.median,
    },
  ];
}

/** The change points of a trend's series (drift detection over the points the Result carries). */
function trendMarks(
  metric: "p99" | "throughput",
  points: { label: string; p99: number; throughput: number }[],
): { index: number; text: string }[] {
  const series = points.map((p) => ({ sha: p.label, createdAt: "", value: p[metric] }));
  // A gap (a value missing or zero) is no series to look in.
  if (!series.every((p) => Number.isFinite(p.value) && p.value > 0)) return [];
  return detectSeries(metric, series).changePoints.map((cp) => ({ index: cp.index, text: describeChange(cp) }));
}

function trendSection(s: StackReport, doc: ResultDocument): string {
  // A baseline carries main's history itself; a gate Result carries it in the baseline it was judged against.
  const own = trendPoints(s.result, doc.commit?.sha.slice(0, 7) ?? "this Result");
  const points = own ?? (s.baseline ? trendPoints(s.baseline, s.baselineLabel ?? "baseline") : undefined);
  if (!points) return "";
  const labels = points.map((p) => p.label);
  const p99Marks = trendMarks("p99", points);
  const throughputMarks = trendMarks("throughput", points);
  const found = [...p99Marks, ...throughputMarks].map((m) => m.text);
  return [
    "<h4>Trend over main's commits</h4>",
    `<p class="note">${points.length} baselines of the default branch, oldest first: per commit the median of its trials.${found.length > 0 ? ` Change points (dashed red lines; docs/drift.md): ${escapeHtml(found.join("; "))}.` : ""}</p>`,
    '<div class="charts">',
    lineChart({
      kind: "trend-p99",
      title: "P99 over main's commits",
      xLabels: labels,
      yLabel: "ms",
      series: [
        { name: "P99 (ms)", key: "main", values: points.map((p) => p.p99), style: "solid", colour: COLOURS.main },
      ],
      marks: p99Marks,
    }),
    lineChart({
      kind: "trend-throughput",
      title: "Throughput over main's commits",
      xLabels: labels,
      yLabel: "req/s",
      format: formatRps,
      series: [
        {
          name: "throughput (req/s)",
          key: "main",
          values: points.map((p) => p.throughput),
          style: "solid",
          colour: COLOURS.throughput,
        },
      ],
      marks: throughputMarks,
    }),
    "</div>",
  ].join("\n");
}

function environmentList(r: StackResult): string {
  const e = r.environment;
  const versions = Object.entries(e.versions)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  const load = `${
    r.load.mode === "open-loop"
      ? `${formatNumber(r.load.rate)} req/s open loop`
      : `${formatInt(r.load.connections)} connections, closed loop`
  }${r.load.keepalive === false ? ", a new connection per request" : ""}`;
  const items = [
    [
      "Environment",
      `${e.id}: ${e.cpuModel}, ${formatInt(e.logicalCores)} CPUs, ${formatInt(e.memoryBytes / 2 ** 30)} GiB, ${e.os}`,
    ],
    ["Versions", versions],
    ["Load", `${load} against ${r.load.target}; warmup ${formatNumber(r.load.warmupSeconds)} s, ${trialsText(r.load)}`],
    ["Workers", formatInt(r.workers)],
    ...(r.cpu
      ? [
          [
            "CPU during the trials",
            Object.entries(r.cpu.share)
              .map(([k, v]) => `${k} ${formatPercent(v, false)}`)
              .join(" · "),
          ],
        ]
      : []),
    ...(r.cost
      ? [
          [
            "App instructions per request",
            `${formatCount(r.cost.perRequest)} (chunk spread ${formatPercent(r.cost.spread, false, 2)}, ${r.cost.valgrind})`,
          ],
        ]
      : []),
    ...(r.capacity
      ? [["Capacity", `${formatRps(r.capacity.rate)} req/s within P99 ≤ ${formatMs(r.capacity.sloP99Ms)} ms`]]
      : []),
  ];
  return `<dl class="meta">\n${items.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join("\n")}\n</dl>`;
}

/** The line joining timing and work under the verdict, when the timing moved. */
function joinedLine(s: StackReport): string {
  const line = timingWorkLine(s.comparison, s.baseline, s.result);
  return line ? `<p class="note"><strong>Timing and work:</strong> ${escapeHtml(line)}</p>` : "";
}

function stackSection(s: StackReport, doc: ResultDocument): string {
  const r = s.result;
  const headline: RunHeadline = s.comparison?.headline ?? "measured";
  const c = s.comparison;
  const notes = [
    ...(c?.reason ? [`No comparison: ${c.reason}.`] : []),
    ...r.warnings,
    ...(r.cost?.warnings ?? []).map((w) => `Cost run: ${w}`),
    ...(c?.notes ?? []),
  ];
  const chart = percentileSvg(s);
  const timed = r.trials.length > 0;
  return [
    `<section class="stack" data-stack="${escapeHtml(r.stack.name)}">`,
    `<h3>${escapeHtml(r.stack.name)} (${escapeHtml(r.stack.webserver)}${r.stack.framework ? ` + ${escapeHtml(r.stack.framework)}` : ""}): ${escapeHtml(headline)}</h3>`,
    `<p class="meta">${escapeHtml(HEADLINE_TEXT[headline])}${s.trend ? ` · trend against the stored baseline: ${escapeHtml(s.trend)}` : ""}</p>`,
    c ? verdictTable(c, s.baselineLabel) : "",
    joinedLine(s),
    timed ? summaryTable(r) : "",
    chart ? `<div class="charts">\n${chart}\n</div>` : "",
    chart && s.baseline
      ? `<p class="note">Head (this run): solid line, filled points. Base (${escapeHtml(s.baselineLabel ?? "the baseline")}): dashed line, hollow points.</p>`
      : "",
    timed ? `<h4>Per-trial values</h4>\n${trialsTable(s)}` : "",
    workHtml(r, s.baseline, s.workBaselineLabel ?? s.baselineLabel),
    sweepSection(r),
    trendSection(s, doc),
    environmentList(r),
    notes.length ? `<ul class="warning">\n${notes.map((n) => `<li>${escapeHtml(n)}</li>`).join("\n")}\n</ul>` : "",
    "</section>",
  ]
    .filter((x) => x !== "")
    .join("\n");
}

export function renderHtml(input: HtmlReportInput): string {
  const docs = input.documents.map(({ source, doc }) => {
    const commit = doc.commit ? ` · commit ${doc.commit.sha.slice(0, 12)} (${doc.commit.ref})` : "";
    return [
      `<section class="document" data-source="${escapeHtml(source)}">`,
      `<h2>${escapeHtml(source)}</h2>`,
      `<p class="meta">Measured ${escapeHtml(doc.createdAt)} by ${escapeHtml(doc.tool.name)} ${escapeHtml(doc.tool.version)}${escapeHtml(commit)}; ${formatInt(doc.results.length)} stack(s).</p>`,
      ...stackReportsOf(doc).map((s) => stackSection(s, doc)),
      "</section>",
    ].join("\n");
  });
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    // Nothing may load: no script, no image, no font, no connection. Only this file's own <style>.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    "<title>loadgate report</title>",
    `<style>${STYLE}</style>`,
    "</head>",
    "<body>",
    "<h1>loadgate report</h1>",
    `<p class="meta">${input.documents.length} Result file(s). Latencies in milliseconds; per metric the median across trials (P99 is the headline). Written by loadgate ${escapeHtml(input.version)}; this file loads nothing from anywhere.</p>`,
    ...docs,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
