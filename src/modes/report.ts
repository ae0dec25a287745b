// Mode: report. Result files written earlier (a fork's run, a matrix's jobs, `--json`) shown again
// with the verdicts they carry; shared by `loadgate report` and the Action's mode: report.

import { basename, dirname } from "node:path";
import { overallHeadline } from "../compare/metrics.js";
import type { RunHeadline, StackReport } from "../report/markdown.js";
import { stackReportsOf } from "../report/stack-reports.js";
import type { ResultDocument } from "../result/types.js";

export interface ReadResult {
  /** The file it was read from. */
  file: string;
  doc: ResultDocument;
}

export interface Reported {
  stacks: StackReport[];
  /** The worst verdict the files carry, or "measured" when none carries one. */
  headline: RunHeadline;
  compared: boolean;
}

/** The name a file is shown by among several: its folder (an artifact's) and its name. */
export const shortName = (file: string) => `${basename(dirname(file))}/${basename(file)}`;

/**
 * Every file's stacks, each with the verdict it carries. A stack measured in one file keeps its
 * plain name; one measured in several (two matrix jobs) is told apart by its file.
 */
export function reportsOf(docs: readonly ReadResult[]): Reported {
  const stacks: StackReport[] = docs.flatMap(({ file, doc }) =>
    stackReportsOf(doc).map((s) => ({
      ...s,
      label: docs.length > 1 ? `${s.result.stack.name}, from ${shortName(file)}` : undefined,
    })),
  );
  const count = new Map<string, number>();
  for (const s of stacks) count.set(s.result.stack.name, (count.get(s.result.stack.name) ?? 0) + 1);
  for (const s of stacks) if (count.get(s.result.stack.name) === 1) s.label = undefined;
  const compared = stacks.some((s) => s.comparison);
  const headline: RunHeadline = compared
    ? overallHeadline(stacks.map((s) => s.comparison?.headline ?? "no-baseline"))
    : "measured";
  return { stacks, headline, compared };
}

/** One document of several files' Results, written where the caller chooses (never where a Result says). */
export function mergedDocument(docs: readonly ReadResult[]): ResultDocument {
  return {
    ...docs[0]!.doc,
    createdAt: new Date().toISOString(),
    pullRequest: undefined,
    results: docs.flatMap(({ doc }) => doc.results),
    reports: docs.flatMap(({ doc }) => doc.reports ?? []),
  };
}
