// The HTML report in a real browser: Debian's Chromium, driven by playwright-core, with the network
// cut off. The page must load with no request beyond its own file, run no script, and show the charts
// with as many series and points as the Results hold; a screenshot is written for a person to look at.

import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import type { ResultDocument, StackResult } from "../../src/result/types.js";
import { baselineDocument, gateDocument, HOSTILE, writeDocuments } from "../support/report-fixtures.js";

/**
 * Debian's package (scripts/install-system-deps.sh and .ci/run install it), or a Chromium or Chrome
 * already installed (GitHub's Ubuntu runners); LOADGATE_CHROMIUM overrides.
 */
const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];
const CHROMIUM = process.env.LOADGATE_CHROMIUM ?? CANDIDATES.find((p) => existsSync(p)) ?? CANDIDATES[0];

const KEYS = ["p50", "p90", "p99", "p999"] as const;

/** What each chart should show, from the Results themselves. */
function expected(docs: ResultDocument[]) {
  const percentiles: { series: number; points: number }[] = [];
  const trend: number[] = [];
  const sweep: number[] = [];
  for (const doc of docs) {
    for (const r of doc.results) {
      const base = doc.reports?.find((x) => x.stack === r.stack.name)?.baseline ?? null;
      const has = (x: StackResult | null, k: (typeof KEYS)[number]) =>
        x !== null && Number.isFinite(x.summary.latency[k].median);
      const points = KEYS.filter((k) => has(r, k) && (base === null || has(base, k))).length;
      percentiles.push({ series: base ? 2 : 1, points });
      const history = r.history?.length ? r.history : (base?.history ?? []);
      if (history.length > 0) trend.push(history.length + 1);
      if (r.sweep?.points.length) sweep.push(r.sweep.points.length);
    }
  }
  return { percentiles, trend, sweep };
}

describe("the HTML report in Chromium, offline", () => {
  let browser: Browser;
  const docs = [gateDocument(), baselineDocument()];
  const { dir } = writeDocuments({ "gate.json": docs[0], "base.json": docs[1] });
  const file = join(dir, "report.html");
  const screenshot = join(dir, "report.png");

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium is not at ${process.env.LOADGATE_CHROMIUM ?? CANDIDATES.join(" nor ")}: the HTML report is checked in a real browser. Install Debian's package (apt-get install chromium, or bash scripts/install-system-deps.sh), or set LOADGATE_CHROMIUM to a Chromium binary.`,
      );
    }
    let err = "";
    const code = await main({
      argv: ["report", "gate.json", "base.json", "--format", "html", "--out", file],
      cwd: dir,
      env: {},
      stdout: () => undefined,
      stderr: (t) => {
        err += t;
      },
      isTTY: false,
    });
    expect(err).toBe("");
    expect(code).toBe(0);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("loads from its file alone, runs no script, and draws every chart with the Results' series and points", async () => {
    const context = await browser.newContext({ offline: true, viewport: { width: 1200, height: 900 } });
    // Anything but the file itself is refused and remembered; there must be nothing to remember.
    const attempted: string[] = [];
    await context.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith("file:") || url.startsWith("data:")) return route.continue();
      attempted.push(url);
      return route.abort();
    });
    const page = await context.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    page.on("request", (r) => {
      requests.push(r.url());
    });
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => {
      errors.push(e.message);
    });
    const url = pathToFileURL(file).href;
    await page.goto(url, { waitUntil: "load" });

    expect(attempted).toEqual([]);
    expect(requests).toEqual([url]);
    expect(errors).toEqual([]);
    expect(await page.title()).toBe("loadgate report");
    expect(await page.locator("script").count()).toBe(0);
    // The forged stack name is a heading's text, not markup.
    expect(await page.locator("section.stack h3").first().textContent()).toContain(HOSTILE);

    const charts = await page.$$eval("svg.chart", (svgs) =>
      svgs.map((svg) => {
        const box = svg.getBoundingClientRect();
        const view = (svg as SVGSVGElement).viewBox.baseVal;
        const series = [...svg.querySelectorAll("g.series")].map((g) => {
          const points = [...g.querySelectorAll("circle.point")].map((c) => ({
            cx: Number(c.getAttribute("cx")),
            cy: Number(c.getAttribute("cy")),
          }));
          return {
            key: g.getAttribute("data-series"),
            points: points.length,
            inside: points.every((p) => p.cx > 0 && p.cx < view.width && p.cy > 0 && p.cy < view.height),
            line: g.querySelector("path.line")?.getAttribute("d") ?? "",
          };
        });
        const legend = [...svg.querySelectorAll("g.legend-item")].map((l) => l.getAttribute("data-series"));
        return { kind: svg.getAttribute("data-chart"), width: box.width, height: box.height, series, legend };
      }),
    );
    const want = expected(docs);
    const of = (kind: string) => charts.filter((c) => c.kind === kind);
    expect(of("percentiles").map((c) => ({ series: c.series.length, points: c.series[0].points }))).toEqual(
      want.percentiles,
    );
    // Base and head are told apart: two series, each in the legend, the base dashed.
    const compared = of("percentiles")[0];
    expect(compared.series.map((s) => s.key)).toEqual(["base", "head"]);
    expect(compared.legend).toEqual(["base", "head"]);
    expect(compared.series.every((s) => s.points === compared.series[0].points)).toBe(true);
    expect(await page.locator('svg[data-chart="percentiles"] g.series[data-series="base"] path.dashed').count()).toBe(
      1,
    );
    expect(of("trend-p99").map((c) => c.series[0].points)).toEqual(want.trend);
    expect(of("trend-throughput").map((c) => c.series[0].points)).toEqual(want.trend);
    expect(of("sweep-throughput").map((c) => c.series[0].points)).toEqual(want.sweep);
    for (const c of charts) {
      expect(c.width, c.kind ?? "").toBeGreaterThan(200);
      expect(c.height, c.kind ?? "").toBeGreaterThan(100);
      for (const s of c.series) {
        expect(s.inside, `${c.kind} ${s.key}`).toBe(true);
        expect(s.line, `${c.kind} ${s.key}`).toMatch(/^M[\d.]+ [\d.]+(L[\d.]+ [\d.]+)*$/);
      }
    }

    await page.screenshot({ path: screenshot, fullPage: true });
    console.info(`screenshot of the HTML report: ${screenshot}`);
    expect(readFileSync(screenshot).subarray(1, 4).toString()).toBe("PNG");
    expect(statSync(screenshot).size).toBeGreaterThan(20_000);
    await context.close();
  });
});
