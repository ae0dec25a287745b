import { type Comparison, METRIC_LABELS } from "../compare/metrics.js";
import type { StackResult } from "../result/types.js";
import {
  formatChange,
  formatConfidence,
  formatCount,
  formatInt,
  formatLimit,
  formatMetric,
  formatMs,
  formatPercent,
  formatRps,
} from "./format.js";
import { percentileChartData, type Side } from "./percentiles.js";
import { textTable } from "./table.js";
import { percentileTerminalChart } from "./terminal-chart.js";
import { statementLines, workTable } from "./work-table.js";

/**
 * The table every run prints, one row a stack, ordered by P99 (the headline number: the median of the trials' P99s), best
 * first. When the pooled percentiles are known, the P99 of all trials' responses together stands
 * beside it.
 */
export function runTable(results: readonly StackResult[]): string {
  const ordered = [...results].sort((a, b) => a.summary.latency.p99.median - b.summary.latency.p99.median);
  const pooled = results.some((r) => r.summary.pooled);
  const header = [
    "Webserver",
    "Framework",
    "Workers",
    "P50 (ms)",
    "P99 (ms)",
    ...(pooled ? ["P99 pooled (ms)"] : []),
    "Throughput (req/s)",
    "Errors",
  ];
  const rows = ordered.map((r) => [
    r.stack.webserver,
    r.stack.framework || "–",
    r.workers === null ? "–" : String(r.workers),
    formatMs(r.summary.latency.p50.median),
    formatMs(r.summary.latency.p99.median),
    ...(pooled ? [formatMs(r.summary.pooled?.latency.p99 ?? Number.NaN)] : []),
    formatRps(r.summary.throughput.median),
    String(r.summary.errors),
  ]);
  return textTable(
    header,
    rows,
    header.map((_, i) => i > 1),
  );
}

/** One line per trial, for the terminal after a run. */
export function trialLines(r: StackResult): string {
  const header = [
    "Trial",
    "Throughput (req/s)",
    "P50 (ms)",
    "P90 (ms)",
    "P99 (ms)",
    "P99.9 (ms)",
    "Max (ms)",
    "Errors",
  ];
  const rows = r.trials.map((t) => [
    String(t.index + 1),
    formatRps(t.throughput),
    formatMs(t.latency.p50),
    formatMs(t.latency.p90),
    formatMs(t.latency.p99),
    formatMs(t.latency.p999),
    formatMs(t.latency.max),
    String(t.errors.total),
  ]);
  const p = r.summary.pooled;
  if (p) {
    rows.push([
      "pooled",
      "",
      formatMs(p.latency.p50),
      formatMs(p.latency.p90),
      formatMs(p.latency.p99),
      formatMs(p.latency.p999),
      formatMs(p.latency.max),
      "",
    ]);
  }
  return textTable(
    header,
    rows,
    header.map((_, i) => i > 0),
  );
}

/** "postgres 12.0% · app 61.3% · loadgen 20.1% ..." of the whole machine during the measured trials. */
export function cpuLine(r: StackResult): string | undefined {
  if (!r.cpu) return undefined;
  const parts = Object.entries(r.cpu.share).map(([k, v]) => `${k} ${(v * 100).toFixed(1)}%`);
  return `CPU (share of ${r.cpu.cores} cores): ${parts.join(" · ")}; load generator ${(r.cpu.loadGeneratorCores * 100).toFixed(0)}% of one core`;
}

/** Open loop: corrected latency (from the intended send time) beside the uncorrected figure. */
export function openLoopLine(r: StackResult): string | undefined {
  if (r.load.mode !== "open-loop") return undefined;
  const unc = r.trials.map((t) => t.latencyUncorrected?.p99).filter((v): v is number => v !== undefined);
  const sortedUnc = [...unc].sort((a, b) => a - b);
  const medUnc = sortedUnc.length ? sortedUnc[Math.floor((sortedUnc.length - 1) / 2)] : Number.NaN;
  return `Open loop at ${r.load.rate} req/s: P99 ${formatMs(r.summary.latency.p99.median)} ms corrected for coordinated omission (from each request's intended send time); ${formatMs(medUnc)} ms uncorrected.`;
}

/** The cost runs: the app's instructions per request, how much its chunks wander, and what was counted. */
export function costTable(results: readonly StackResult[]): string {
  const header = ["Stack", "App instructions per request", "Chunk spread", "Counted", "Processes", "Cost run (s)"];
  const rows = results
    .filter((r) => r.cost)
    .map((r) => {
      const c = r.cost!;
      return [
        r.stack.name,
        formatCount(c.perRequest),
        formatPercent(c.spread, false, 2),
        `${c.chunks.length} × ${c.chunkRequests} requests`,
        String(c.processes.length),
        c.seconds.toFixed(0),
      ];
    });
  return textTable(
    header,
    rows,
    header.map((_, i) => i > 0),
  );
}

/** Capacity at an SLO per stack: the answer, the closed-loop throughput it started from, and every probe. */
export function capacityTable(results: readonly StackResult[]): string {
  const rows = results
    .filter((r) => r.capacity)
    .map((r) => {
      const c = r.capacity!;
      return [
        r.stack.name,
        `≤ ${formatMs(c.sloP99Ms)} ms`,
        formatRps(c.rate),
        formatRps(c.closedLoopThroughput),
        c.probes.map((p) => `${formatRps(p.rate)}${p.pass ? "✓" : "✗"}`).join(" "),
      ];
    });
  const table = textTable(
    ["Stack", "SLO: P99", "Capacity (req/s)", "Closed-loop (req/s)", "Probes (✓ pass, ✗ fail)"],
    rows,
    [false, true, true, true, false],
  );
  const reasons = results.filter((r) => r.capacity).map((r) => `${r.stack.name}: ${r.capacity!.reason}`);
  return [
    table,
    "Capacity: the highest open-loop rate at which P99 (from each request's intended send time) stayed within the SLO with no failed request.",
    ...reasons,
  ].join("\n");
}

/** workers: auto: what the sweep tried and chose. */
export function sweepLine(r: StackResult): string | undefined {
  const w = r.sweep;
  if (!w) return undefined;
  if (w.reusedFrom) return `workers: auto: ${formatInt(w.chosen)}, the count chosen by the sweep on ${w.reusedFrom}`;
  const pts = w.points
    .map((p) => `${formatInt(p.workers)}: ${formatRps(p.throughput)} req/s, P99 ${formatMs(p.p99)} ms`)
    .join(" · ");
  return `workers: auto chose ${formatInt(w.chosen)} in ${formatInt(w.seconds)} s (${pts}); stopped because ${w.reason}`;
}

/** The latency-by-percentile chart of a stack (and its base), for under a table; undefined without latencies. */
export function latencyChart(
  head: StackResult,
  base: StackResult | null,
  names: Record<Side, string> = { base: "baseline", head: "this run" },
  scaleTop?: number,
): string | undefined {
  const data = percentileChartData(head, base);
  return data && percentileTerminalChart(data, names, scaleTop);
}

/**
 * Everything printed after a run: the table, then per stack its latency chart (unless `charts` is
 * false: a run against a baseline draws it under the verdict instead), CPU, open-loop and warning lines.
 */
export function runReport(results: readonly StackResult[], charts = true): string {
  const lines: string[] = [];
  // One scale for every stack's chart, so their bars compare as the table's rows do.
  const scaleTop = Math.max(
    0,
    ...results.flatMap((r) => percentileChartData(r, null)?.series.flatMap((s) => s.values) ?? []),
  );
  if (results.some((r) => r.trials.length > 0)) lines.push(runTable(results.filter((r) => r.trials.length > 0)));
  if (results.some((r) => r.summary.pooled)) {
    lines.push("P99: median of the trials' P99s. P99 pooled: the P99 of all measured responses together.");
  }
  if (results.some((r) => r.capacity)) {
    if (lines.length > 0) lines.push("");
    lines.push(capacityTable(results));
  }
  if (results.some((r) => r.cost)) {
    if (lines.length > 0) lines.push("");
    lines.push(costTable(results));
    lines.push(
      "App instructions per request: counted under valgrind (callgrind), one worker, requests one at a time; the median of the chunks. Chunk spread: 1.4826 × MAD / median.",
    );
  }
  for (const r of results) {
    const table = workTable(r);
    if (!table || !r.work) continue;
    if (lines.length > 0) lines.push("");
    lines.push(table, "Statements per request (the app's role):", ...statementLines(r.work).map((l) => `  ${l}`));
  }
  lines.push("");
  for (const r of results) {
    const extra = [
      ...(charts ? (latencyChart(r, null, undefined, scaleTop)?.split("\n") ?? []) : []),
      sweepLine(r),
      cpuLine(r),
      openLoopLine(r),
      ...r.warnings.map((w) => `warning: ${w}`),
      ...(r.cost?.warnings ?? []).map((w) => `cost warning: ${w}`),
    ].filter(Boolean);
    if (extra.length === 0) continue;
    lines.push(`${r.stack.name}:`, ...extra.map((l) => `  ${l}`));
  }
  return lines.join("\n").trimEnd();
}

/** The verdict of one stack against its baseline, as a terminal table with the headline first, and `chart` under it. */
export function verdictReport(name: string, c: Comparison, chart?: string): string {
  const lines = [`${name}: ${c.headline.toUpperCase()}${c.reason ? ` (${c.reason})` : ""}`];
  if (c.metrics.length > 0) {
    const rows = c.metrics.map((m) => [
      METRIC_LABELS[m.metric],
      formatMetric(m.metric, m.baseline),
      formatMetric(m.metric, m.current),
      formatChange(m),
      formatConfidence(m),
      formatLimit(m),
      m.verdict,
    ]);
    lines.push(
      textTable(["Metric", "Baseline", "This run", "Change (interval)", "Confidence", "Limit", "Verdict"], rows, [
        false,
        true,
        true,
        true,
        true,
        true,
        false,
      ]),
    );
  }
  if (chart) lines.push("", chart);
  for (const n of c.notes) lines.push(`note: ${n}`);
  return lines.join("\n");
}
