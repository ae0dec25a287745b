// Pure: the one line that joins timing and work when the timing moved: what moved (throughput, P99),
// then what each request cost on both sides (app CPU, app instructions) and the database work that
// changed, e.g. "throughput -12.0%; app CPU per request +11.0%; SQL statements per request 1 → 11".
// Only the parts both sides measured; numbers only, no text from a Result.

import { GATED_WORK, type GatedWork } from "../compare/gate.js";
import type { Comparison } from "../compare/metrics.js";
import type { StackResult } from "../result/types.js";
import { workDifferences } from "../work/verdict.js";
import { formatPercent } from "./format.js";
import { formatWork, workComparisonText } from "./work-table.js";

const TIMING = { throughput: "throughput", p99: "P99" } as const;

const WORK_NAMES: Readonly<Record<GatedWork, string>> = {
  statements: "SQL statements per request",
  rows: "rows per request",
  pages: "shared buffer pages per request",
  connections: "connections opened per request",
};

/** The app's CPU seconds per successful response over the measured trials; undefined where not measured. */
export function appCpuPerRequest(r: StackResult): number | undefined {
  const seconds = r.cpu?.seconds.app;
  const requests = r.trials.reduce((a, t) => a + t.requests, 0);
  return seconds !== undefined && requests > 0 ? seconds / requests : undefined;
}

/** The matrix table's short names. */
const SHORT_NAMES: Readonly<Record<GatedWork, string>> = {
  statements: "statements",
  rows: "rows",
  pages: "pages",
  connections: "connections",
};

/**
 * "SQL statements per request 1 → 11" per gated count that changed, [] when none did; undefined when
 * the two cannot be compared (a side without a count, another PostgreSQL major or other data).
 */
function changedCounts(
  base: StackResult,
  head: StackResult,
  names: Readonly<Record<GatedWork, string>>,
): string[] | undefined {
  const b = base.work;
  const h = head.work;
  if (!b || !h || workDifferences(b, h).length > 0) return undefined;
  const parts: string[] = [];
  for (const m of GATED_WORK) {
    const x = b.unavailable[m] ? null : b.perRequest[m];
    const y = h.unavailable[m] ? null : h.perRequest[m];
    if (x === null || y === null || Math.abs(x - y) < 1e-9) continue;
    parts.push(`${names[m]} ${formatWork(x)} → ${formatWork(y)}`);
  }
  return parts;
}

function workParts(base: StackResult, head: StackResult): string[] {
  const parts = changedCounts(base, head, WORK_NAMES);
  if (!parts) return [];
  return parts.length > 0 ? parts : ["database work per request unchanged"];
}

/**
 * The matrix table's cell: the gated counts per request that changed against the baseline
 * ("statements 1 → 11"), "unchanged", this run's statements per request ("statements 1") when there
 * is nothing to compare with, "–" without a work count.
 */
export function workCell(base: StackResult | null, head: StackResult): string {
  if (!head.work) return "–";
  const changed = base ? changedCounts(base, head, SHORT_NAMES) : undefined;
  if (changed) return changed.length > 0 ? changed.join("; ") : "unchanged";
  const statements = head.work.unavailable.statements ? null : head.work.perRequest.statements;
  return statements === null ? "–" : `statements ${formatWork(statements)}`;
}

/**
 * The line, or undefined when no timing row moved (regression or improvement) or there is no baseline.
 * The timing parts are the comparison's changes; the others are computed from both Results.
 */
export function timingWorkLine(c: Comparison | null, base: StackResult | null, head: StackResult): string | undefined {
  if (!c || !base) return undefined;
  const moved = c.metrics.filter(
    (m) =>
      (m.metric === "throughput" || m.metric === "p99") && (m.verdict === "regression" || m.verdict === "improvement"),
  );
  if (moved.length === 0) return undefined;
  const parts = moved.map((m) => `${TIMING[m.metric as keyof typeof TIMING]} ${formatPercent(m.change)}`);
  const cpuBase = appCpuPerRequest(base);
  const cpuHead = appCpuPerRequest(head);
  if (cpuBase !== undefined && cpuHead !== undefined && cpuBase > 0)
    parts.push(`app CPU per request ${formatPercent(cpuHead / cpuBase - 1)}`);
  const cost = c.metrics.find((m) => m.metric === "cost");
  if (cost) parts.push(`app instructions per request ${formatPercent(cost.change)}`);
  parts.push(...workParts(base, head));
  return parts.join("; ");
}

/** Under a verdict in the terminal: the line (when the timing moved), then the database work against the baseline. */
export function timingWorkText(c: Comparison | null, base: StackResult | null, head: StackResult): string | undefined {
  const line = timingWorkLine(c, base, head);
  const work = workComparisonText(base?.work, head.work);
  const parts = [...(line ? [`timing and work: ${line}`] : []), ...(work ? [work] : [])];
  return parts.length > 0 ? parts.join("\n\n") : undefined;
}
