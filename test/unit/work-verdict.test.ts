// The verdict on the database work per request: exact where the chunks agree, past their range where
// they do not, ceilings, and counts compared across runners only on the same PostgreSQL and data.
import { describe, expect, it } from "vitest";
import { DEFAULT_GATE, DEFAULT_WORK_GATE, type Gate, type WorkGate } from "../../src/compare/gate.js";
import type { Comparison, MetricVerdict } from "../../src/compare/metrics.js";
import { DEFAULT_RISK } from "../../src/compare/risk.js";
import { parseWorkLimit } from "../../src/config/gate-forms.js";
import { formatChange, formatLimit } from "../../src/report/format.js";
import type { WorkCounts, WorkRecord } from "../../src/result/types.js";
import { withWorkRows } from "../../src/verdict/ab.js";
import { compareWithBaseline, withoutBaseline } from "../../src/verdict/stored.js";
import { addWork } from "../../src/work/verdict.js";
import { around, result } from "../support/results.js";
import { workCounts, workRecord } from "../support/work-records.js";

const counts = (statements: number, o: Partial<WorkCounts> = {}) =>
  workCounts(statements, { responseBytes: 100, ...o });

/** A work record from its chunks' statements per request (rows = statements, pages = 3 × statements). */
const work = (chunks: number[], o: Partial<WorkRecord> = {}, c: Partial<WorkCounts> = {}): WorkRecord =>
  workRecord(
    chunks.map((s) => counts(s, c)),
    o,
  );

const only = (w: Partial<WorkGate>): Pick<Gate, "work"> => ({
  work: { statements: null, rows: null, pages: null, connections: null, ...w },
});

function judge(base: WorkRecord | undefined, head: WorkRecord, gate: Pick<Gate, "work">) {
  const metrics: MetricVerdict[] = [];
  const notes: string[] = [];
  addWork(metrics, notes, base, head, gate);
  return { metrics, notes, row: (m: string) => metrics.find((x) => x.metric === m) };
}

describe("the work gate's forms", () => {
  it("reads a growth, a ceiling and off; refuses anything else with the forms it takes", () => {
    expect(parseWorkLimit("+10%")).toEqual({ limit: { kind: "growth", limit: 0.1 } });
    expect(parseWorkLimit("+0%")).toEqual({ limit: { kind: "growth", limit: 0 } });
    expect(parseWorkLimit("<4")).toEqual({ limit: { kind: "below", max: 4 } });
    expect(parseWorkLimit("<2.5")).toEqual({ limit: { kind: "below", max: 2.5 } });
    expect(parseWorkLimit("off")).toEqual({ limit: null });
    for (const bad of ["10%", "-5%", "<0", "<4ms", ">4", "4"]) expect(parseWorkLimit(bad)).toHaveProperty("problem");
  });
});

describe("the work verdict", () => {
  const statements = only({ statements: { kind: "growth", limit: 0.1 } });

  it("is exact where every chunk agrees: 1 → 11 statements is a regression, 1 → 1 a pass, 10 → 11 (+10%) within the limit", () => {
    const n1 = judge(work([1, 1, 1, 1]), work([11, 11, 11, 11]), statements).row("statements")!;
    expect(n1).toMatchObject({ gated: true, verdict: "regression", baseline: 1, current: 11, change: 10 });
    expect(n1.ci).toMatchObject({ lo: 10, hi: 10 });
    expect(formatChange(n1)).toBe("+1000.0% (exact)");
    expect(judge(work([1, 1, 1]), work([1, 1, 1]), statements).row("statements")!.verdict).toBe("pass");
    expect(judge(work([10, 10, 10]), work([11, 11, 11]), statements).row("statements")!.verdict).toBe("pass");
    expect(judge(work([10, 10, 10]), work([11.02, 11.02]), statements).row("statements")!.verdict).toBe("regression");
    expect(judge(work([11, 11, 11]), work([1, 1, 1]), statements).row("statements")!.verdict).toBe("improvement");
  });

  it("where the chunks disagree, a change must clear their range; a count wandering past half the limit is shown, not gated", () => {
    // Chunks 20 … 20.8 apart by 4% (within half of 10%): 20 → 26 clears them.
    const base = work([20, 20.4, 20.8, 20.2]);
    expect(judge(base, work([26, 26.4, 26.2, 26]), statements).row("statements")!.verdict).toBe("regression");
    // Overlapping ranges with a median change past the limit: not decided.
    const r = judge(work([100, 100, 100, 105]), work([105, 110.2, 110.2, 110.2]), statements);
    expect(r.row("statements")).toMatchObject({ gated: true, verdict: "inconclusive" });
    // A wandering count (a cache): shown, not gated, and a note says why.
    const wandering = judge(work([10, 14, 10, 12]), work([30, 30, 30, 30]), statements);
    expect(wandering.row("statements")).toMatchObject({ gated: false, threshold: null });
    expect(wandering.notes.join(" ")).toMatch(/SQL statements per request wander.*not gated.*gate\.statements/);
  });

  it("from zero: a connection per request where the pool opened none is a regression; zero to zero a pass", () => {
    const conns = only({ connections: { kind: "growth", limit: 0.1 } });
    const pooled = work([1, 1, 1], {}, { connections: 0 });
    const perRequest = work([1, 1, 1], {}, { connections: 1 });
    const row = judge(pooled, perRequest, conns).row("connections")!;
    expect(row).toMatchObject({ gated: true, verdict: "regression", baseline: 0, current: 1 });
    expect(formatChange(row)).toBe("from 0 (exact)");
    expect(judge(pooled, pooled, conns).row("connections")!.verdict).toBe("pass");
    // A pool's stray reconnect in one chunk of either side: still a gated pass, with no note.
    const once = work([1, 1, 1], {}, { connections: 0 });
    once.chunks[1] = { ...once.chunks[1], connections: 0.02 };
    for (const [b, h] of [
      [pooled, once],
      [once, pooled],
    ]) {
      const r = judge(b, h, conns);
      expect(r.row("connections")).toMatchObject({ gated: true, verdict: "pass" });
      expect(r.notes).toEqual([]);
    }
    // From a pool that reconnected once to a connection per request: every head chunk clears the base's.
    expect(judge(once, perRequest, conns).row("connections")!.verdict).toBe("regression");
  });

  it("rows by default: exact for an app that writes nothing (11 → 12 fails), +20% where it writes, and the note says why", () => {
    const rows = only({ rows: DEFAULT_WORK_GATE.rows });
    const page = (n: number, rowsWritten: number | null | undefined) =>
      work([2, 2, 2], rowsWritten === undefined ? {} : { rowsWritten }, { rows: n });
    // Read-only on both sides: one more row of eleven is the code asking for it.
    const readOnly = judge(page(11, 0), page(12, 0), rows);
    expect(readOnly.row("rows")).toMatchObject({ gated: true, threshold: 0, verdict: "regression" });
    expect(judge(page(11, 0), page(11, 0), rows).row("rows")).toMatchObject({ verdict: "pass", threshold: 0 });
    // Either side wrote rows: the tables grew by what the runner's throughput allowed, +20% applies.
    for (const [b, h] of [
      [0, 1],
      [1, 0],
      [2, 2],
    ]) {
      const written = judge(page(11, b), page(12, h), rows);
      expect(written.row("rows")).toMatchObject({ threshold: 0.2, verdict: "pass" });
      expect(written.notes.join(" ")).toMatch(
        /gate\.rows allows \+20% here, not the \+0%.*wrote rows during the count \(\d+ per request\)/,
      );
    }
    // A baseline from before rowsWritten was counted: the wider limit, and the note says so.
    const old = judge(page(11, undefined), page(12, 0), rows);
    expect(old.row("rows")).toMatchObject({ threshold: 0.2, verdict: "pass" });
    expect(old.notes.join(" ")).toContain("the baseline does not say whether the app wrote rows");
    // No note where the wider limit made no difference.
    expect(judge(page(11, 1), page(11, 1), rows).notes).toEqual([]);
    // Wandering rows of a read-only app are shown, not gated (an exact limit needs exact counts).
    const wander = work([2, 2, 2], { rowsWritten: 0 });
    wander.chunks[0] = { ...wander.chunks[0], rows: 2.5 };
    const shown = judge(wander, page(2, 0), rows);
    expect(shown.row("rows")).toMatchObject({ gated: false });
    expect(shown.notes.join(" ")).toMatch(/rows per request wander.*\+0% \(exact counts only\).*Set gate\.rows/);
    // A limit the stack file gives applies whatever the app did.
    const given = only({ rows: { kind: "growth", limit: 0.05 } });
    expect(judge(page(11, 3), page(12, 3), given).row("rows")).toMatchObject({
      threshold: 0.05,
      verdict: "regression",
    });
  });

  it("a ceiling judges this run alone: every chunk at or over it fails, every one under passes, a straddle decides nothing", () => {
    const ceiling = only({ statements: { kind: "below", max: 4 } });
    const over = judge(undefined, work([4, 4, 4]), ceiling).row("statements")!;
    expect(over).toMatchObject({ gated: true, verdict: "regression", threshold: 4, absolute: true });
    expect(formatLimit(over)).toBe("< 4 per request");
    expect(formatChange(over)).toBe("0.0% vs ceiling");
    expect(judge(undefined, work([3, 3.5, 3]), ceiling).row("statements")!.verdict).toBe("pass");
    expect(judge(undefined, work([3, 4.5, 3]), ceiling).row("statements")!.verdict).toBe("inconclusive");
  });

  it("compares nothing across PostgreSQL majors or other data, and says why", () => {
    const other = judge(work([1, 1]), work([11, 11], { dataHash: "b".repeat(64) }), statements);
    expect(other.metrics).toEqual([]);
    expect(other.notes.join(" ")).toMatch(/not compared.*work\.dataHash differs/);
    const pg = judge(work([1, 1]), work([11, 11], { postgresMajor: 16 }), statements);
    expect(pg.metrics).toEqual([]);
    expect(pg.notes.join(" ")).toMatch(/PostgreSQL 15 → 16/);
    // A ceiling needs no baseline: it still decides.
    const ceiling = judge(
      work([1, 1]),
      work([11, 11], { dataHash: "b".repeat(64) }),
      only({ statements: { kind: "below", max: 4 } }),
    );
    expect(ceiling.row("statements")!.verdict).toBe("regression");
  });

  it("skips counts the stack cannot count (database: none) without a note", () => {
    const none = work([1, 1], {}, { statements: null, rows: null, pages: null, connections: null });
    none.chunks = none.chunks.map((c) => ({ ...c, statements: null, rows: null, pages: null, connections: null }));
    none.perRequest = { ...none.perRequest, statements: null, rows: null, pages: null, connections: null };
    const r = judge(none, none, { work: DEFAULT_WORK_GATE });
    expect(r.metrics).toEqual([]);
    expect(r.notes).toEqual([]);
    // Nor a note that the baseline had no work count, when this run counted nothing gated either.
    expect(judge(undefined, none, { work: DEFAULT_WORK_GATE }).notes).toEqual([]);
    expect(judge(undefined, work([1]), { work: DEFAULT_WORK_GATE }).notes.join(" ")).toMatch(
      /baseline has no work count/,
    );
  });
});

describe("a stored baseline's work rows", () => {
  it("compare across runners: a baseline from another CPU still judges the counts (and not the timings)", () => {
    const base = { ...result(around(1000, 20)), work: work([1, 1, 1, 1]) };
    const head = { ...result(around(1000, 20), { cpuModel: "Another CPU" }), work: work([11, 11, 11, 11]) };
    const c = compareWithBaseline(base, head, DEFAULT_GATE);
    expect(c.headline).toBe("regression");
    expect(c.metrics.map((m) => m.metric)).toEqual(["statements", "rows", "pages", "connections"]);
    expect(c.metrics.find((m) => m.metric === "statements")!.verdict).toBe("regression");
    expect(c.notes[0]).toMatch(/Timings were not compared: the baseline was measured in another environment/);
    const same = { ...head, work: work([1, 1, 1, 1]) };
    expect(compareWithBaseline(base, same, DEFAULT_GATE).headline).toBe("pass");
  });

  it("join the timing rows on the same runner", () => {
    const base = { ...result(around(1000, 20)), work: work([1, 1, 1, 1]) };
    const head = { ...result(around(1000, 20)), work: work([11, 11, 11, 11]) };
    const c = compareWithBaseline(base, head, DEFAULT_GATE);
    expect(c.metrics.map((m) => m.metric)).toContain("throughput");
    expect(c.metrics.find((m) => m.metric === "statements")!.verdict).toBe("regression");
    expect(c.headline).toBe("regression");
  });

  it("without a baseline, a ceiling still decides; growth limits wait for one", () => {
    const head = { ...result(around(1000, 20)), work: work([11, 11, 11]) };
    const ceiling = { ...DEFAULT_GATE, work: { ...DEFAULT_WORK_GATE, statements: { kind: "below", max: 4 } as const } };
    const c = withoutBaseline(head, ceiling, DEFAULT_RISK, "no --baseline given");
    expect(c).toMatchObject({ headline: "regression", method: "absolute" });
    expect(c.metrics.map((m) => m.metric)).toEqual(["statements"]);
    expect(withoutBaseline(head, DEFAULT_GATE, DEFAULT_RISK, "no --baseline given").headline).toBe("no-baseline");
  });

  it("a work count alone (loadgate work) against a timed baseline: only the counts, and the note says why", () => {
    const base = { ...result(around(1000, 20)), work: work([1, 1, 1, 1]) };
    const alone = { ...result([]), work: work([11, 11, 11, 11]) };
    const c = compareWithBaseline(base, alone, DEFAULT_GATE);
    expect(c.headline).toBe("regression");
    expect(c.metrics.map((m) => m.metric)).toEqual(["statements", "rows", "pages", "connections"]);
    expect(c.notes[0]).toBe(
      "Only the database work was compared: this run has no timed trials (a work count or cost run alone, loadgate work or cost).",
    );
  });
});

describe("the work rows of a same-runner A/B (one count per side)", () => {
  const timing = (): Comparison => ({ headline: "pass", method: "same-runner-ab", metrics: [], notes: [] });

  it("are added when both sides counted; the headline follows them", () => {
    const c = withWorkRows(timing(), DEFAULT_GATE, { base: work([1, 1]), head: work([11, 11]) });
    expect(c.metrics.find((m) => m.metric === "statements")).toMatchObject({
      baseline: 1,
      current: 11,
      verdict: "regression",
    });
    expect(c.headline).toBe("regression");
  });

  it("are not added when a side's count is missing (it failed: the A/B's notes say why)", () => {
    expect(withWorkRows(timing(), DEFAULT_GATE, { head: work([11, 11]) }).metrics).toEqual([]);
    expect(withWorkRows(timing(), DEFAULT_GATE, { base: work([1, 1]) }).headline).toBe("pass");
  });
});
