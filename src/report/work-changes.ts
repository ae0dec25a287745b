// Pure: base against head on the database work per request, for the reports to draw: each count's
// change, and the statements that changed (new, gone, calls or pages per call), with what the change
// likely is (an N+1, a lost index). The texts stay data: each renderer escapes them.

import type { WorkMetric, WorkRecord, WorkStatement } from "../result/types.js";
import { WORK_METRICS } from "../work/summary.js";
import { workDifferences } from "../work/verdict.js";

/** Pages per call this many times the baseline's read as a likely lost index (a lookup became a scan). */
export const LOST_INDEX_FACTOR = 4;

export interface WorkCountRow {
  metric: WorkMetric;
  /** null: not counted on that side (or no baseline). */
  base: number | null;
  head: number | null;
  /** head / base − 1; +∞ from zero; null where there is nothing to compare. */
  change: number | null;
}

export interface StatementChange {
  text: string;
  toplevel: boolean;
  kind: "new" | "gone" | "changed";
  /** Calls per request on each side (null: absent there). */
  calls: { base: number | null; head: number | null };
  /** Pages per call on each side (null: absent there, or no call). */
  pagesPerCall: { base: number | null; head: number | null };
  likelyNPlusOne: boolean;
  likelyLostIndex: boolean;
}

export interface WorkChanges {
  rows: WorkCountRow[];
  /** Why base and head are not compared (another PostgreSQL major, other data); empty when they are. */
  notCompared: string[];
  statements: StatementChange[];
  /** A side listed only its first statements: a "new" or "gone" one may be beyond the other's list. */
  partial: boolean;
}

const change = (base: number | null, head: number | null): number | null => {
  if (base === null || head === null) return null;
  if (base > 0) return head / base - 1;
  return head > 0 ? Number.POSITIVE_INFINITY : 0;
};

const keyOf = (s: WorkStatement) => `${s.toplevel ? "t" : "n"}:${s.text}`;
const perCall = (s: WorkStatement | undefined) => (s && s.calls > 0 ? s.pages / s.calls : null);
const same = (a: number, b: number) => Math.abs(a - b) < 1e-9;

/** One statement's change, or undefined when its calls and pages per call stayed put. */
function statementChange(b: WorkStatement | undefined, h: WorkStatement | undefined): StatementChange | undefined {
  const s = (h ?? b) as WorkStatement;
  const calls = { base: b?.calls ?? null, head: h?.calls ?? null };
  const pagesPerCall = { base: perCall(b), head: perCall(h) };
  const grew = (calls.head ?? 0) - (calls.base ?? 0);
  const whole = Math.round(grew);
  // A new statement counts from two calls per request: an ORM's lazy load that replaced a join or an
  // eager load is new, once per row of the list (one call alone is just a new query).
  const likelyNPlusOne = h !== undefined && whole >= (b ? 1 : 2) && Math.abs(grew - whole) < 0.005;
  const likelyLostIndex =
    pagesPerCall.base !== null &&
    pagesPerCall.head !== null &&
    pagesPerCall.base > 0 &&
    pagesPerCall.head >= LOST_INDEX_FACTOR * pagesPerCall.base;
  const kind = !b ? "new" : !h ? "gone" : "changed";
  if (kind === "changed" && same(calls.base ?? 0, calls.head ?? 0) && !likelyLostIndex) return undefined;
  return { text: s.text, toplevel: s.toplevel, kind, calls, pagesPerCall, likelyNPlusOne, likelyLostIndex };
}

const ORDER = { new: 0, changed: 1, gone: 2 } as const;

/** Base against head; without a base, the head's counts alone (no change, no statements). */
export function workChanges(base: WorkRecord | undefined, head: WorkRecord): WorkChanges {
  const notCompared = base ? workDifferences(base, head) : [];
  const comparable = base && notCompared.length === 0 ? base : undefined;
  const rows = WORK_METRICS.map((metric) => {
    const h = head.unavailable[metric] ? null : head.perRequest[metric];
    const b = !base || base.unavailable[metric] ? null : base.perRequest[metric];
    return { metric, base: b, head: h, change: comparable ? change(b, h) : null };
  });
  if (!comparable) return { rows, notCompared, statements: [], partial: false };
  const before = new Map(comparable.statements.map((s) => [keyOf(s), s]));
  const after = new Map(head.statements.map((s) => [keyOf(s), s]));
  const statements: StatementChange[] = [];
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const c = statementChange(before.get(key), after.get(key));
    if (c) statements.push(c);
  }
  statements.sort(
    (x, y) =>
      ORDER[x.kind] - ORDER[y.kind] ||
      Math.abs((y.calls.head ?? 0) - (y.calls.base ?? 0)) - Math.abs((x.calls.head ?? 0) - (x.calls.base ?? 0)) ||
      x.text.localeCompare(y.text),
  );
  const partial = comparable.statementsOmitted > 0 || head.statementsOmitted > 0;
  return { rows, notCompared, statements, partial };
}

/** "1.00 → 11.00"; "new: 11.00"; "gone (was 1.00)". Numbers only: no text from the Result. */
export function callsText(c: StatementChange): string {
  const f = (v: number | null) => (v === null ? "–" : v.toFixed(2));
  if (c.kind === "new") return `new, ${f(c.calls.head)} calls per request`;
  if (c.kind === "gone") return `gone, was ${f(c.calls.base)} calls per request`;
  return `${f(c.calls.base)} → ${f(c.calls.head)} calls per request`;
}

/** "pages per call 3.00 → 120.00" where they changed, else "". */
export function pagesText(c: StatementChange): string {
  const { base, head } = c.pagesPerCall;
  if (base === null || head === null || same(base, head)) return "";
  return `pages per call ${base.toFixed(2)} → ${head.toFixed(2)}`;
}

/** The flags a statement's change carries: "likely N+1", "likely lost index". */
export function flagsOf(c: StatementChange): string[] {
  return [...(c.likelyNPlusOne ? ["likely N+1"] : []), ...(c.likelyLostIndex ? ["likely lost index"] : [])];
}

/** The line that says what a changed statement did, without its text: calls, pages per call, flags. */
export function changeSummary(c: StatementChange): string {
  return [callsText(c), pagesText(c), ...flagsOf(c), ...(c.toplevel ? [] : ["nested"])].filter(Boolean).join("; ");
}
