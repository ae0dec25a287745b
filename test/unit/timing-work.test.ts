// The line that joins timing and work when the timing moved, in the terminal, the comment and the HTML
// report; and the matrix table's work column.
import { describe, expect, it } from "vitest";
import type { Comparison, MetricVerdict } from "../../src/compare/metrics.js";
import { renderHtml } from "../../src/report/html.js";
import { overviewTable, renderMarkdown, type StackReport } from "../../src/report/markdown.js";
import { appCpuPerRequest, timingWorkLine, timingWorkText, workCell } from "../../src/report/timing-work.js";
import type { CpuAccount, StackResult, WorkRecord } from "../../src/result/types.js";
import { runMain } from "../support/cli.js";
import { baselineDocument, gateDocument, writeDocuments } from "../support/report-fixtures.js";
import { around, result } from "../support/results.js";
import { steadyWork } from "../support/work-records.js";

const work = (statements: number, o: Partial<WorkRecord> = {}) => steadyWork(statements, o, { control: 1 });

/** The app's CPU seconds over the measured trials (5 trials of 10 s at `throughput`: 10 × throughput × 5 responses). */
const cpu = (appSeconds: number): CpuAccount => ({
  wallSeconds: 50,
  cores: 4,
  seconds: { app: appSeconds, postgres: 5 },
  share: {},
  loadGeneratorCores: 0.3,
});

function side(throughput: number, appSeconds: number | null, w?: WorkRecord): StackResult {
  const r = result(around(throughput, 20));
  return { ...r, cpu: appSeconds === null ? null : cpu(appSeconds), ...(w ? { work: w } : {}) };
}

const row = (metric: MetricVerdict["metric"], change: number, verdict: MetricVerdict["verdict"]): MetricVerdict => ({
  metric,
  gated: true,
  threshold: metric === "throughput" ? -0.05 : 0.1,
  baseline: 1,
  current: 1 + change,
  change,
  ci: { lo: change - 0.02, hi: change + 0.02, confidence: 0.95 },
  requested: 0.95,
  n: 5,
  verdict,
});

const comparison = (...metrics: MetricVerdict[]): Comparison => ({
  headline: metrics.some((m) => m.verdict === "regression") ? "regression" : "pass",
  method: "stored-baseline",
  metrics,
  notes: [],
});

const slower = comparison(row("throughput", -0.12, "regression"), row("p99", 0.04, "pass"));

describe("the line joining timing and work", () => {
  it("names what moved, the app's CPU per request and the counts that changed", () => {
    // 1000 req/s for 50 s: 50,000 responses; 10 s of app CPU is 0.2 ms each. 880 req/s: 44,000, 9.768 s → +11%.
    const base = side(1000, 10, work(1));
    const head = side(880, 9.768, work(11));
    expect(appCpuPerRequest(base)).toBeCloseTo(10 / 50_000, 12);
    expect(timingWorkLine(slower, base, head)).toBe(
      "throughput -12.0%; app CPU per request +11.0%; SQL statements per request 1 → 11; rows per request 1 → 11; shared buffer pages per request 3 → 33",
    );
  });

  it("has only the parts both sides measured; says when the database work did not change", () => {
    const base = side(1000, null, work(2));
    const head = side(880, 10, work(2));
    expect(timingWorkLine(slower, base, head)).toBe("throughput -12.0%; database work per request unchanged");
    // Another PostgreSQL major: the counts are not compared, so they are not in the line.
    const other = side(880, null, work(11, { postgresMajor: 16 }));
    expect(timingWorkLine(slower, base, other)).toBe("throughput -12.0%");
    // No work count on a side: the timing alone.
    expect(timingWorkLine(slower, side(1000, null), side(880, null, work(1)))).toBe("throughput -12.0%");
    // The cost row's change, when the comparison has one.
    const withCost = comparison(row("p99", 0.3, "regression"), { ...row("cost", 0.08, "regression") });
    expect(timingWorkLine(withCost, base, head)).toBe(
      "P99 +30.0%; app instructions per request +8.0%; database work per request unchanged",
    );
  });

  it("is absent when no timing row moved, or there is no baseline", () => {
    const base = side(1000, 10, work(1));
    const head = side(990, 10, work(11));
    const quiet = comparison(row("throughput", -0.01, "pass"), row("p99", 0.02, "inconclusive"));
    expect(timingWorkLine(quiet, base, head)).toBeUndefined();
    expect(timingWorkLine(slower, null, head)).toBeUndefined();
    expect(timingWorkLine(null, base, head)).toBeUndefined();
    // An improvement moved the timing too.
    expect(timingWorkLine(comparison(row("throughput", 0.2, "improvement")), base, head)).toMatch(
      /^throughput \+20\.0%; app CPU per request /,
    );
  });

  it("stands under the verdict in the terminal, the comment and the HTML report", () => {
    const base = side(1000, 10, work(1));
    const head = side(880, 9.768, work(11));
    const line =
      "throughput -12.0%; app CPU per request +11.0%; SQL statements per request 1 → 11; rows per request 1 → 11; shared buffer pages per request 3 → 33";
    const text = timingWorkText(slower, base, head)!;
    expect(text.split("\n")[0]).toBe(`timing and work: ${line}`);
    expect(text).toContain("Database work per request against the baseline:");
    const report: StackReport = { result: head, comparison: slower, baseline: base, baselineLabel: "abc1234" };
    const md = renderMarkdown({ title: "t", headline: "regression", stacks: [report], decidedBy: "d" }, "<!-- m -->");
    // Through the comment's escaper: numbers, names and the arrow stay as they are.
    expect(md).toContain(`**Timing and work:** ${line}`);
    const table = md.indexOf("| Metric");
    expect(md.indexOf("**Timing and work:**")).toBeGreaterThan(table);
    const html = renderHtml({
      version: "test",
      documents: [
        {
          source: "r.json",
          doc: {
            schemaVersion: 2,
            tool: { name: "loadgate", version: "test" },
            createdAt: "2026-01-01T00:00:00Z",
            results: [head],
            reports: [{ stack: head.stack.name, baselineLabel: "abc1234", baseline: base, comparison: slower }],
          },
        },
      ],
    });
    expect(html).toContain(`<p class="note"><strong>Timing and work:</strong> ${line}</p>`);
  });
});

describe("the matrix table's work column", () => {
  it("the gated counts that changed, unchanged, this run's statements without a baseline, – without a count", () => {
    expect(workCell(side(1000, null, work(1)), side(1000, null, work(11)))).toBe(
      "statements 1 → 11; rows 1 → 11; pages 3 → 33",
    );
    expect(workCell(side(1000, null, work(2)), side(1000, null, work(2)))).toBe("unchanged");
    expect(workCell(null, side(1000, null, work(2)))).toBe("statements 2");
    expect(workCell(side(1000, null, work(2, { dataHash: "b".repeat(64) })), side(1000, null, work(3)))).toBe(
      "statements 3",
    );
    expect(workCell(side(1000, null, work(2)), side(1000, null))).toBe("–");
  });

  it("is a column of the overview of several stacks (a run's stacks, mode: report's matrix)", () => {
    const a: StackReport = {
      result: { ...side(880, null, work(11)), stack: { ...side(1, null).stack, name: "a" } },
      comparison: slower,
      baseline: side(1000, null, work(1)),
      baselineLabel: "abc1234",
    };
    const b: StackReport = {
      result: { ...side(900, null), stack: { ...side(1, null).stack, name: "b" } },
      comparison: null,
      baseline: null,
      baselineLabel: null,
    };
    const table = overviewTable([a, b], "regression");
    expect(table).toMatch(/\| Database work per request +\| Verdict/);
    expect(table).toMatch(/\| a .*\| statements 1 → 11; rows 1 → 11; pages 3 → 33 +\| ❌ regression/);
    expect(table).toMatch(/\| b .*\| – +\|/);
  });
});

describe("loadgate report (mode: report's renderer) shows them from a Result that carries its verdict", () => {
  it("the line and the work against the baseline, in the terminal and in the comment's Markdown", async () => {
    const doc = gateDocument();
    doc.results[0].work = work(11);
    doc.reports![0].baseline!.work = work(1);
    doc.reports![0].comparison = slower;
    const { dir, files } = writeDocuments({ "r.json": doc });
    const terminal = await runMain(["report", files["r.json"]], { cwd: dir });
    expect(terminal.code, terminal.stderr).toBe(0);
    expect(terminal.stdout).toMatch(/^timing and work: .*SQL statements per request 1 → 11/m);
    expect(terminal.stdout).toContain("Database work per request against the baseline:");
    const md = await runMain(["report", files["r.json"], "--format", "markdown"], { cwd: dir });
    expect(md.stdout).toMatch(/^\*\*Timing and work:\*\* .*SQL statements per request 1 → 11/m);
    expect(md.stdout).toContain("**Database work per request**");
  });
});

describe("loadgate compare with work counts on both sides", () => {
  it("prints the work against the baseline and fails an N+1 by its statements row (exit 1)", async () => {
    const base = baselineDocument();
    const head = baselineDocument();
    base.results[0].work = work(1, { rowsWritten: 0 });
    head.results[0].work = work(11, { rowsWritten: 0 });
    const { dir, files } = writeDocuments({ "base.json": base, "head.json": head });
    const r = await runMain(["compare", files["base.json"], files["head.json"]], { cwd: dir });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain("Database work per request against the baseline:");
    expect(r.stdout).toMatch(/SQL statements.*1.*11/);
    const same = await runMain(["compare", files["base.json"], files["base.json"]], { cwd: dir });
    expect(same.code, same.stderr).toBe(0);
    expect(same.stdout).toContain("Database work per request against the baseline:");
  });
});
