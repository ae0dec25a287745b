// Pure: the verdict on the database work per request (two work records, the work gate), and its rows
// in a comparison. The counts do not depend on the CPU: they compare across runners, on the same
// PostgreSQL major version and the same data (work.dataHash).

import { GATED_WORK, type Gate, type GatedWork, type WorkLimit } from "../compare/gate.js";
import { type MetricVerdict, pct } from "../compare/metrics.js";
import { decide, type Verdict } from "../compare/rule.js";
import type { WorkRecord } from "../result/types.js";

/** A growth limit stands down when either side's chunks wander by more than this share of it (as the cost gate does). */
export const MAX_WORK_SPREAD_SHARE_OF_LIMIT = 0.5;

/** Counts are ratios of whole numbers: 11 / 10 − 1 must not read as more than +10%. */
const EPSILON = 1e-9;

const NAMES: Readonly<Record<GatedWork, string>> = {
  statements: "SQL statements",
  rows: "rows",
  pages: "shared buffer pages",
  connections: "connections opened",
};

/** Why two work records cannot be compared (empty: they can). */
export function workDifferences(base: WorkRecord, head: WorkRecord): string[] {
  const diffs: string[] = [];
  if (base.postgresMajor !== head.postgresMajor)
    diffs.push(`PostgreSQL ${base.postgresMajor ?? "none"} → ${head.postgresMajor ?? "none"}`);
  if (base.dataHash !== head.dataHash)
    diffs.push(
      "the database's tables held other numbers of rows when the app started (work.dataHash differs), so the counts are of other data",
    );
  return diffs;
}

/** A side's chunk values of one count (per request), without the chunks that could not count it. */
const chunksOf = (w: WorkRecord, m: GatedWork) => w.chunks.map((c) => c[m]).filter((v): v is number => v !== null);

/** (max − min) / median of a side's chunks (median > 0): 0 where they agree. */
const relativeSpread = (values: readonly number[], median: number) =>
  (Math.max(...values) - Math.min(...values)) / median;

/** head / base − 1 on counts per request; from zero: 0 when both are zero, +∞ when the head is not. */
const ratio = (head: number, base: number) => (base > 0 ? head / base - 1 : head > 0 ? Number.POSITIVE_INFINITY : 0);

/**
 * A growth limit: the change of the medians, with the interval every chunk pair spans (the lowest head
 * chunk over the highest base chunk … the highest over the lowest), by the one decision rule. Where
 * all chunks agree the interval is the change itself, and any change beyond the limit is decided
 * exactly; where they disagree the change must clear the chunks' range. A count whose chunks wander
 * by more than half the limit is shown, not gated.
 */
function growthRow(
  metric: GatedWork,
  limit: number,
  base: readonly number[],
  head: readonly number[],
  medians: { base: number; head: number },
): { row: MetricVerdict; note?: string } {
  const change = ratio(medians.head, medians.base);
  const lo = ratio(Math.min(...head), Math.max(...base));
  const hi = ratio(Math.max(...head), Math.min(...base));
  // A side whose typical request does none (median 0, a pool's rare reconnect) has no relative
  // spread: its chunks' range still bounds the interval.
  const spread = Math.max(
    medians.base > 0 ? relativeSpread(base, medians.base) : 0,
    medians.head > 0 ? relativeSpread(head, medians.head) : 0,
  );
  const gated = spread <= limit * MAX_WORK_SPREAD_SHARE_OF_LIMIT;
  // Both typically zero: nothing grew, whatever a stray chunk did.
  const verdict = medians.base === 0 && medians.head === 0 ? "pass" : decide(change, lo, hi, limit + EPSILON);
  const row = workRow(metric, gated ? limit : null, medians, { change, lo, hi }, verdict, head.length);
  if (gated) return { row };
  const bound =
    limit > 0 ? `more than half their limit (+${pct(limit, 0)})` : "and their limit is +0% (exact counts only)";
  return {
    row,
    note: `The ${NAMES[metric]} per request wander from chunk to chunk (by ${pct(spread, 1)}), ${bound}: the row is shown but not gated. ${limit > 0 ? "Raise" : "Set"} gate.${metric}${limit > 0 ? "" : ' (e.g. "+10%")'} or count more requests per chunk (work.chunk-requests).`,
  };
}

/** A ceiling: every head chunk at or above it is a regression, every one below a pass; chunks on both sides decide nothing. */
function ceilingRow(
  metric: GatedWork,
  max: number,
  head: readonly number[],
  medians: { base: number; head: number },
): MetricVerdict {
  const verdict: Verdict = Math.min(...head) >= max ? "regression" : Math.max(...head) < max ? "pass" : "inconclusive";
  const at = (v: number) => v / max - 1;
  const ci = { change: at(medians.head), lo: at(Math.min(...head)), hi: at(Math.max(...head)) };
  return { ...workRow(metric, max, medians, ci, verdict, head.length), absolute: true };
}

function workRow(
  metric: GatedWork,
  threshold: number | null,
  medians: { base: number; head: number },
  c: { change: number; lo: number; hi: number },
  verdict: Verdict,
  n: number,
): MetricVerdict {
  return {
    metric,
    gated: threshold !== null,
    threshold,
    baseline: medians.base,
    current: medians.head,
    change: c.change,
    ci: { lo: c.lo, hi: c.hi, confidence: 1 },
    requested: 1,
    n,
    verdict,
  };
}

/** One gated count's row, or why there is none. */
function workVerdict(
  metric: GatedWork,
  limit: WorkLimit,
  base: WorkRecord | undefined,
  head: WorkRecord,
): { row?: MetricVerdict; note?: string } {
  const b = base ? chunksOf(base, metric) : [];
  const h = chunksOf(head, metric);
  const mb = base?.perRequest[metric] ?? null;
  const mh = head.perRequest[metric];
  if (h.length === 0 || mh === null) return {};
  if (limit.kind === "below") return { row: ceilingRow(metric, limit.max, h, { base: mb ?? Number.NaN, head: mh }) };
  if (b.length === 0 || mb === null || !base)
    return { note: `gate.${metric} was not judged: the baseline did not count ${NAMES[metric]}.` };
  const { value, note } = growthLimit(metric, limit, base, head);
  const judged = growthRow(metric, value, b, h, { base: mb, head: mh });
  // The wider limit is worth a word only where it made the difference: a growth the read-only one would not pass.
  const told = note && limit.readOnly !== undefined && judged.row.change > limit.readOnly + EPSILON ? note : undefined;
  return { row: judged.row, note: [told, judged.note].filter(Boolean).join(" ") || undefined };
}

/**
 * The growth a count may make: the read-only limit where both sides' apps changed no row during
 * their counts (their data is the data they started with), else the limit; a note when the app's
 * writes chose the wider one.
 */
export function growthLimit(
  metric: GatedWork,
  limit: Extract<WorkLimit, { kind: "growth" }>,
  base: Pick<WorkRecord, "rowsWritten">,
  head: Pick<WorkRecord, "rowsWritten">,
): { value: number; note?: string } {
  if (limit.readOnly === undefined) return { value: limit.limit };
  if (base.rowsWritten === 0 && head.rowsWritten === 0) return { value: limit.readOnly };
  const written = [base.rowsWritten, head.rowsWritten].filter((v): v is number => typeof v === "number" && v > 0);
  const why =
    written.length > 0
      ? `the app wrote rows during the count (${fmtRows(Math.max(...written))} per request), so its tables grew by what each run's throughput allowed`
      : "the baseline does not say whether the app wrote rows";
  return {
    value: limit.limit,
    note: `gate.${metric} allows +${pct(limit.limit, 0)} here, not the +${pct(limit.readOnly, 0)} of an app that writes nothing: ${why}.`,
  };
}

const fmtRows = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2));

/**
 * The work rows a comparison gains: one per gated count both sides counted (a ceiling needs this run
 * only). Not across PostgreSQL majors or other data: a note says why instead. No interval to share a
 * false-alarm rate with: the rule is exact where the chunks agree.
 */
export function addWork(
  metrics: MetricVerdict[],
  notes: string[],
  base: WorkRecord | undefined,
  head: WorkRecord | undefined,
  gate: Pick<Gate, "work">,
): void {
  const g = gate.work;
  if (!g || !head || !GATED_WORK.some((m) => g[m] !== null)) return;
  const diffs = base ? workDifferences(base, head) : [];
  if (!base || diffs.length > 0) {
    const growth = GATED_WORK.filter((m) => g[m]?.kind === "growth" && head.perRequest[m] !== null);
    if (growth.length > 0)
      notes.push(
        base
          ? `The database work was not compared with the baseline: ${diffs.join("; ")}.`
          : "The baseline has no work count: the database work is compared from the next baseline on.",
      );
  }
  const comparable = base && diffs.length === 0 ? base : undefined;
  for (const m of GATED_WORK) {
    const limit = g[m];
    if (!limit || (limit.kind === "growth" && !comparable)) continue;
    const v = workVerdict(m, limit, comparable, head);
    if (v.row) metrics.push(v.row);
    if (v.note) notes.push(v.note);
  }
}
