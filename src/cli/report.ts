// `loadgate report <result.json>... [--format terminal|markdown|html] [--out FILE]`: Result files
// written earlier, shown again: as the terminal tables and charts, as the PR comment's Markdown, or as
// one self-contained HTML file. Reads and validates each file as every other command does; measures
// nothing and gates nothing (exit 0), bad input is exit 2.

import { resolve } from "node:path";
import { ExitCode, UserError } from "../errors.js";
import { type ReadResult, reportsOf } from "../modes/report.js";
import { renderHtml } from "../report/html.js";
import { commentMarker, renderMarkdown, type StackReport } from "../report/markdown.js";
import { stackReportsOf } from "../report/stack-reports.js";
import { latencyChart, runReport, verdictReport } from "../report/terminal.js";
import { timingWorkText } from "../report/timing-work.js";
import { readResultFiles } from "../result/read-many.js";
import type { ResultDocument } from "../result/types.js";
import { VERSION } from "../version.js";
import { takeFlag } from "./flags.js";
import type { CliIo } from "./io.js";
import { writeOutput } from "./output.js";

export const REPORT_FORMATS = ["terminal", "markdown", "html"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const USAGE =
  'Usage: loadgate report <result.json>... [--format terminal|markdown|html] [--out FILE] (see "loadgate report --help")';

interface Read {
  source: string;
  doc: ResultDocument;
}

/** A stack's verdict with the base-against-head chart, the line joining timing and work, and the work table. */
function judgedText(s: StackReport): string {
  const verdict = verdictReport(
    s.result.stack.name,
    s.comparison!,
    latencyChart(s.result, s.baseline, { base: `base (${s.baselineLabel ?? "baseline"})`, head: "head (this run)" }),
  );
  const work = timingWorkText(s.comparison, s.baseline, s.result);
  return work ? `${verdict}\n\n${work}` : verdict;
}

/** Per file: its verdicts with the base-against-head chart when it carries them, else the run's table and charts. */
function terminalReport(docs: Read[]): string {
  return docs
    .map(({ source, doc }) => {
      const reports = stackReportsOf(doc);
      const body = reports.some((s) => s.comparison)
        ? reports.map((s) => (s.comparison ? judgedText(s) : runReport([s.result]))).join("\n\n")
        : runReport(doc.results);
      return `${source}${doc.commit ? ` (commit ${doc.commit.sha.slice(0, 12)})` : ""}:\n\n${body}`;
    })
    .join("\n\n");
}

/** All files' stacks in one comment, as the Action would post it (mode: report). */
function markdownReport(docs: Read[]): string {
  const read: ReadResult[] = docs.map(({ source, doc }) => ({ file: source, doc }));
  const { stacks, headline, compared } = reportsOf(read);
  return renderMarkdown(
    {
      title: `Result of ${docs.map(({ source, doc }) => doc.commit?.sha.slice(0, 7) ?? source).join(", ")}`,
      headline,
      stacks,
      decidedBy: compared ? "the verdicts the Result files carry" : "measured only (nothing compared)",
    },
    commentMarker(stacks.map((s) => s.label ?? s.result.stack.name)),
  );
}

export function reportCommand(argv: string[], io: CliIo): number {
  const format = takeFlag(argv, "--format");
  const out = takeFlag(format.rest, "--out");
  const files = out.rest;
  const unknown = files.find((a) => a.startsWith("-"));
  if (unknown) throw new UserError(`loadgate report: unknown flag ${unknown}. ${USAGE}`);
  if (files.length === 0) throw new UserError(`loadgate report: give at least one Result file. ${USAGE}`);
  const f = (format.value ?? "terminal") as ReportFormat;
  if (!REPORT_FORMATS.includes(f)) {
    throw new UserError(
      `--format: expected ${REPORT_FORMATS.join(", ")}, got ${JSON.stringify(format.value)}. ${USAGE}`,
    );
  }
  if (f === "html" && !out.value) {
    throw new UserError(`loadgate report --format html needs --out FILE (the HTML file to write). ${USAGE}`);
  }
  const docs: Read[] = readResultFiles(files.map((file) => resolve(io.cwd, file))).map(({ doc }, i) => ({
    source: files[i] as string,
    doc,
  }));
  const text =
    f === "html"
      ? renderHtml({ version: VERSION, documents: docs })
      : f === "markdown"
        ? markdownReport(docs)
        : terminalReport(docs);
  if (out.value) {
    const file = resolve(io.cwd, out.value);
    writeOutput(file, text);
    io.stdout(`${f === "html" ? "HTML report" : "Report"} written to ${out.value}\n`);
  } else io.stdout(text.endsWith("\n") ? text : `${text}\n`);
  return ExitCode.ok;
}
