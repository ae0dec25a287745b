import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { escapeHtml } from "../../src/report/escape-html.js";
import { renderHtml } from "../../src/report/html.js";
import { readResultFile } from "../../src/result/read.js";
import { runMain } from "../support/cli.js";
import { mermaidCharts } from "../support/mermaid-xychart.js";
import { baselineDocument, gateDocument, HOSTILE, writeDocuments } from "../support/report-fixtures.js";

function cli(argv: string[], cwd: string) {
  return runMain(argv, { cwd });
}

/** The elements of one kind of chart: per series its key and number of points. */
function seriesOf(html: string, chart: string): { key: string; points: number }[][] {
  const charts = [...html.matchAll(new RegExp(`<svg class="chart" data-chart="${chart}"[\\s\\S]*?</svg>`, "g"))];
  return charts.map((m) =>
    [...m[0].matchAll(/<g class="series" data-series="([^"]+)"[^>]*>([\s\S]*?)<\/g>/g)].map((s) => ({
      key: s[1],
      points: s[2].match(/<circle class="point/g)?.length ?? 0,
    })),
  );
}

describe("HTML report", () => {
  const { files } = writeDocuments({ "gate.json": gateDocument(), "base.json": baselineDocument() });
  const html = renderHtml({
    version: "test",
    documents: Object.entries(files).map(([name, f]) => ({ source: name, doc: readResultFile(f) })),
  });

  it("is self-contained: no script, nothing that loads from elsewhere, a policy that forbids it", () => {
    // The hostile text mentions a URL; shown escaped, it is text. Everything else is the renderer's markup.
    expect(html).toContain(escapeHtml(HOSTILE));
    const markup = html.replaceAll(escapeHtml(HOSTILE), "");
    expect(markup).not.toMatch(/https?:\/\//);
    expect(markup).not.toMatch(/<script|<img|<link|<iframe|<object|<embed|@import|url\(|\ssrc=|\shref=/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
  });

  it("shows text from a Result as text, escaped by the one escaper", () => {
    expect(html).not.toContain("<script");
    expect(html).toContain(escapeHtml(HOSTILE));
    expect(html).toContain(`data-stack="${escapeHtml(HOSTILE)}"`);
    expect(escapeHtml(`<a href='x'>&"`)).toBe("&#60;a href=&#39;x&#39;&#62;&#38;&#34;");
  });

  it("draws a percentile chart per stack (base and head where the Result has both), the sweep and the trends", () => {
    expect(seriesOf(html, "percentiles")).toEqual([
      [
        { key: "base", points: 4 },
        { key: "head", points: 4 },
      ],
      [{ key: "head", points: 4 }],
    ]);
    expect(seriesOf(html, "sweep-throughput")).toEqual([[{ key: "sweep", points: 5 }]]);
    expect(seriesOf(html, "sweep-p99")).toEqual([[{ key: "sweep", points: 5 }]]);
    // Main's six earlier baselines and the baseline itself; the baseline file: its three and itself.
    expect(seriesOf(html, "trend-p99")).toEqual([[{ key: "main", points: 7 }], [{ key: "main", points: 4 }]]);
    expect(seriesOf(html, "trend-throughput")).toEqual([[{ key: "main", points: 7 }], [{ key: "main", points: 4 }]]);
  });

  it("holds the verdict table and every trial of both sides", () => {
    expect(html).toMatch(/<th>Baseline \(abc1234 shop&#34;&#62;/);
    const trialRows = html.match(/<tr><td>(base|head)<\/td><td class="num">\d+<\/td>/g) ?? [];
    expect(trialRows).toHaveLength(5 + 7 + 4);
  });
});

describe("loadgate report", () => {
  const { dir, files } = writeDocuments({ "gate.json": gateDocument(), "base.json": baselineDocument() });

  it("--format html writes the file named by --out", async () => {
    const run = await cli(["report", "gate.json", "base.json", "--format", "html", "--out", "out/report.html"], dir);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("HTML report written to out/report.html\n");
    const html = readFileSync(join(dir, "out/report.html"), "utf8");
    expect(html).toMatch(/^<!doctype html>/);
    expect(seriesOf(html, "percentiles")).toHaveLength(2);
  });

  it("--format markdown prints the comment with its Mermaid chart; terminal (the default) the tables and chart", async () => {
    const md = await cli(["report", files["gate.json"], "--format", "markdown"], dir);
    expect(md.code).toBe(0);
    const [chart] = mermaidCharts(md.stdout);
    expect(chart.series.map((s) => s.kind)).toEqual(["bar", "line"]);
    expect(md.stdout).not.toContain("<script");
    const text = await cli(["report", files["gate.json"], files["base.json"]], dir);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Latency \(ms\)\s+base \(abc1234/);
    expect(text.stdout).toMatch(/Latency \(ms\)\s+this run/);
  });

  it("bad input: exit 2 with the file and the field, never a stack trace", async () => {
    const broken = gateDocument() as unknown as { results: { trials: { latency: { p99: unknown } }[] }[] };
    broken.results[0].trials[2].latency.p99 = "fast";
    writeFileSync(join(dir, "broken.json"), JSON.stringify(broken));
    const cases: [string[], RegExp][] = [
      [["report", "broken.json"], /broken\.json: results\[0\]\.trials\[2\]\.latency\.p99: expected a number/],
      [["report", "missing.json"], /missing\.json: cannot read \(ENOENT\)/],
      [["report", "gate.json", "--format", "html"], /--format html needs --out FILE/],
      [["report", "gate.json", "--format", "pdf"], /--format: expected terminal, markdown, html, got "pdf"/],
      [["report"], /give at least one Result file/],
      [["report", "gate.json", "--colour"], /unknown flag --colour/],
    ];
    for (const [argv, message] of cases) {
      const run = await cli(argv, dir);
      expect(run.code, argv.join(" ")).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
