import type { StackResult } from "../result/types.js";
import { formatMs, formatRps } from "./format.js";
import { textTable } from "./table.js";

/** The study's table, ordered by P99 (the headline number), best first. */
export function studyTable(results: readonly StackResult[]): string {
  const ordered = [...results].sort((a, b) => a.summary.latency.p99.median - b.summary.latency.p99.median);
  const header = ["Webserver", "Framework", "Workers", "P50 (ms)", "P99 (ms)", "Throughput (req/s)", "Errors"];
  const rows = ordered.map((r) => [
    r.stack.webserver,
    r.stack.framework || "–",
    r.workers === null ? "–" : String(r.workers),
    formatMs(r.summary.latency.p50.median),
    formatMs(r.summary.latency.p99.median),
    formatRps(r.summary.throughput.median),
    String(r.summary.errors),
  ]);
  return textTable(header, rows, [false, false, true, true, true, true, true]);
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
  return textTable(
    header,
    rows,
    header.map((_, i) => i > 0),
  );
}
