// Pure: the study's published table beside the measured one, as text and as Markdown.

import { markdownTable } from "markdown-table";
import type { StackResult } from "../result/types.js";
import { STUDY_CORES, STUDY_MACHINE, type StudyRow } from "../study/rows.js";
import { escapeText } from "./escape-markdown.js";
import { formatMs, formatRps } from "./format.js";
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

/** The terminal table: published (the study's machine) and measured (this one), ordered by measured P99. */
export function studyTextTable(outcomes: readonly StudyOutcome[], cores: number): string {
  const ordered = orderedOutcomes(outcomes);
  const table = textTable(
    HEADER(cores),
    ordered.map(cells),
    HEADER(cores).map((_, i) => i > 1),
  );
  return [
    `Published: ${STUDY_MACHINE}, ApacheBench, 100 connections. Measured: this machine, ${cores} CPUs, loadgate's client, closed loop.`,
    table,
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
    `Published: the study's ${STUDY_MACHINE}. Measured: ${escapeText(machine)}, ${cores} CPUs, ${escapeText(date)}; ordered by measured P99.`,
    "",
    body,
    ...skippedLines(outcomes).map((l) => `\n${escapeText(l)}`),
  ].join("\n");
}

function skippedLines(outcomes: readonly StudyOutcome[]): string[] {
  return outcomes.filter((o) => o.skipped).map((o) => `skipped ${o.row.stack}: ${o.skipped}`);
}
