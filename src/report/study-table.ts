// Pure: the study's published table beside the measured one, as text and as Markdown.

import { markdownTable } from "markdown-table";
import type { StackResult } from "../result/types.js";
import { spearman } from "../stats/rank-correlation.js";
import { STUDY_CORES, STUDY_MACHINE, type StudyRow } from "../study/rows.js";
import { escapeText } from "./escape-markdown.js";
import { formatMs, formatRps, trialsText } from "./format.js";
import { textTable } from "./table.js";

export interface StudyOutcome {
  row: StudyRow;
  /** The measurement, or why the row has none. */
  result?: StackResult;
  skipped?: string;
}

const HEADER = (cores: number) => [
  "Webserver",
  "Framework",
  `Workers (${STUDY_CORES} vCPU)`,
  "P50 (ms)",
  "P99 (ms)",
  "req/s",
  `Workers (${cores} CPU)`,
  "P50 (ms)",
  "P99 (ms)",
  "req/s",
];

/** Measured rows by measured P99 (best first), then the rows without a measurement in the study's order. */
export function orderedOutcomes(outcomes: readonly StudyOutcome[]): StudyOutcome[] {
  const measured = outcomes
    .filter((o) => o.result)
    .sort((a, b) => a.result!.summary.latency.p99.median - b.result!.summary.latency.p99.median);
  return [...measured, ...outcomes.filter((o) => !o.result)];
}

function cells(o: StudyOutcome): string[] {
  const p = o.row.published;
  const r = o.result;
  return [
    o.row.webserver,
    o.row.framework,
    String(p.workers),
    String(p.p50),
    String(p.p99),
    String(p.throughput),
    r ? String(r.workers ?? "–") : "–",
    r ? formatMs(r.summary.latency.p50.median) : "–",
    r ? formatMs(r.summary.latency.p99.median) : "skipped",
    r ? formatRps(r.summary.throughput.median) : "–",
  ];
}

/** How the study agrees with this machine: Spearman's ρ of the P99 order and of the throughput order, over the rows measured. */
export interface StudyAgreement {
  rows: number;
  p99: number;
  throughput: number;
}

export function studyAgreement(outcomes: readonly StudyOutcome[]): StudyAgreement {
  const measured = outcomes.filter((o) => o.result);
  const of = (published: (o: StudyOutcome) => number, here: (r: StackResult) => number) =>
    spearman(
      measured.map(published),
      measured.map((o) => here(o.result!)),
    );
  return {
    rows: measured.length,
    p99: of(
      (o) => o.row.published.p99,
      (r) => r.summary.latency.p99.median,
    ),
    throughput: of(
      (o) => o.row.published.throughput,
      (r) => r.summary.throughput.median,
    ),
  };
}

/** ρ with its sign ("0.23", "−0.41"), or why there is none. */
function formatRho(rho: number): string {
  if (Number.isNaN(rho)) return "– (needs two or more measured rows that differ)";
  return `${rho < 0 ? "−" : ""}${Math.abs(rho).toFixed(2)}`;
}

/** The two ρ lines under the table: 1 is the study's order, 0 no relation, −1 the order reversed. */
export function agreementLines(outcomes: readonly StudyOutcome[]): string[] {
  const a = studyAgreement(outcomes);
  const over = `Spearman, published against measured, ${a.rows} row${a.rows === 1 ? "" : "s"}`;
  return [
    `ρ of the P99 order (${over}): ${formatRho(a.p99)}`,
    `ρ of the throughput order (${over}): ${formatRho(a.throughput)}`,
  ];
}

/** What the measured side ran: "100 connections, a new connection per request, 100,000 requests in 1 trial, workers swept". */
export function measuredLoadText(outcomes: readonly StudyOutcome[]): string {
  const results = outcomes.flatMap((o) => (o.result ? [o.result] : []));
  const first = results[0];
  if (!first) return "nothing measured";
  const l = first.load;
  const conns = `${l.connections} connections${l.keepalive === false ? ", a new connection per request" : " kept open"}`;
  const swept = results.some((r) => r.sweep && !r.sweep.reusedFrom) ? ", workers swept" : "";
  const pinned = first.placement.pinned ? `, load generator on CPU ${first.placement.loadGenerator}` : "";
  return `${conns}, warmup ${l.warmupSeconds} s + ${trialsText(l)}${swept}${pinned}`;
}

/** The terminal table: published (the study's machine) and measured (this one), ordered by measured P99. */
export function studyTextTable(outcomes: readonly StudyOutcome[], cores: number): string {
  const ordered = orderedOutcomes(outcomes);
  const table = textTable(
    HEADER(cores),
    ordered.map(cells),
    HEADER(cores).map((_, i) => i > 1),
  );
  return [
    `Published: ${STUDY_MACHINE}, ApacheBench, 100 connections, a new connection per request, 100,000 requests.`,
    `Measured: this machine, ${cores} CPUs, loadgate's client, ${measuredLoadText(outcomes)}.`,
    table,
    ...agreementLines(outcomes),
    ...skippedLines(outcomes),
  ].join("\n");
}

/** The same as Markdown, for a README or a pull request; every name is escaped. */
export function studyMarkdown(outcomes: readonly StudyOutcome[], cores: number, machine: string, date: string): string {
  const ordered = orderedOutcomes(outcomes);
  const header = HEADER(cores);
  const body = markdownTable([header, ...ordered.map((o) => cells(o).map(escapeText))], {
    align: header.map((_, i) => (i > 1 ? "r" : "l")),
  });
  return [
    `Published: the study's ${STUDY_MACHINE}. Measured: ${escapeText(machine)}, ${cores} CPUs, ${escapeText(date)}, ${escapeText(measuredLoadText(outcomes))}; ordered by measured P99.`,
    "",
    body,
    "",
    ...agreementLines(outcomes).map((l) => `${escapeText(l)}  `),
    ...skippedLines(outcomes).map((l) => `\n${escapeText(l)}`),
  ].join("\n");
}

function skippedLines(outcomes: readonly StudyOutcome[]): string[] {
  return outcomes.filter((o) => o.skipped).map((o) => `skipped ${o.row.stack}: ${o.skipped}`);
}
