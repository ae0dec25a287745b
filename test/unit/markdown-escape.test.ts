// Issue 26: what a Result says reaches the comment, the job summary and the HTML report as inert
// text: no mention, reference, link, bare URL, HTML or new block, and numbers only as the code
// formats them.

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { publish } from "../../src/action/publish.js";
import type { ActionPlan } from "../../src/config/action-plan.js";
import { escapeText } from "../../src/report/escape-markdown.js";
import { renderHtml } from "../../src/report/html.js";
import { commentMarker, type ReportInput, renderMarkdown } from "../../src/report/markdown.js";
import { readResultFile } from "../../src/result/read.js";
import type { StackResult } from "../../src/result/types.js";
import { runMain } from "../support/cli.js";
import { LIVE, PAYLOAD } from "../support/forged.js";
import { gateDocument } from "../support/report-fixtures.js";
import { around, result } from "../support/results.js";
import { tempDir } from "../support/temp.js";

/** Nothing GitHub would turn into a mention, a reference, a link, HTML or a heading of the file's own. */
function expectInert(markdown: string): void {
  // As GitHub reads it: the escaper's entity is the zero-width space it stands for.
  const md = markdown.replaceAll("&#8203;", "\u200b");
  expect(md).not.toMatch(/@[A-Za-z0-9]/);
  expect(md).not.toMatch(/#\d/);
  expect(md).not.toMatch(/GH-\d/i);
  expect(md).not.toMatch(/https?:\/\//);
  expect(md).not.toMatch(/www\./i);
  expect(md).not.toContain("\r");
  expect(md).not.toMatch(/<img|<script/i);
  expect(md).not.toMatch(/^#+ (H|Approved)/m);
  expect(md).not.toMatch(/(^|[^\\])\[(go|merge now)(\\)?\]\(/);
}

/** A Result whose every name and text field holds live Markdown. */
function hostileResult(): StackResult {
  const r = result(around(1000, 20, 5));
  return {
    ...r,
    stack: { name: LIVE, file: LIVE, webserver: LIVE, framework: LIVE },
    environment: { ...r.environment, cpuModel: LIVE, os: LIVE, versions: { [LIVE]: LIVE } },
    cpu: { wallSeconds: 10, cores: 4, seconds: { [LIVE]: 1 }, share: { [LIVE]: 0.25 }, loadGeneratorCores: 0.1 },
    placement: { pinned: true, loadGenerator: LIVE, stack: "1-3" },
    warnings: [LIVE, PAYLOAD],
    sweep: { points: [{ workers: 2, throughput: 900, p99: 20, seconds: 5 }], chosen: 2, reason: LIVE, seconds: 5 },
  };
}

function input(r: StackResult): ReportInput {
  return {
    title: `Result of ${LIVE}`,
    headline: "measured",
    decidedBy: LIVE,
    stacks: [{ result: r, comparison: null, baseline: null, baselineLabel: LIVE, label: LIVE }],
  };
}

describe("the one Markdown escaper", () => {
  it("makes mentions, references, bare URLs, a lone \\r and HTML inert, and keeps the text readable", () => {
    const out = escapeText(LIVE);
    expectInert(out);
    expect(out).toContain("@&#8203;octocat @&#8203;org/team #&#8203;123 GH&#8203;-7 owner/repo#&#8203;9");
    expect(out).toContain("https:&#8203;//evil.example/a www&#8203;.evil.example a@&#8203;b.io #&#8203;#&#8203; H");
    expect(out).toContain("&lt;img src=x onerror=y()&gt; \\[go\\](https:&#8203;//evil.example/b)");
    expect(escapeText(PAYLOAD)).toBe(
      "0 #&#8203;#&#8203; Approved by @&#8203;octocat \\[merge now\\](https:&#8203;//evil.example/x)",
    );
  });
  it("escapes an entity of the file's own and a block marker at the start", () => {
    expect(escapeText("&#64;octocat")).toBe("&amp;#&#8203;64;octocat");
    expect(escapeText("- item")).toBe("\\- item");
    expect(escapeText("12. item")).toBe("12\\. item");
    expect(escapeText("=====")).toBe("\\=====");
  });
});

describe("the comment and the job summary", () => {
  it("show names, warnings and labels from a Result as inert text", () => {
    const md = renderMarkdown(input(hostileResult()), commentMarker([LIVE]));
    expectInert(md);
    expect(md).toContain("@&#8203;octocat");
  });

  it("print numbers as the code formats them, never a string the file held", () => {
    // biome-ignore lint/suspicious/noExplicitAny: a forged Result, past the reader.
    const r = hostileResult() as unknown as Record<string, any>;
    r.warnings = [];
    r.summary.errors = PAYLOAD;
    r.trials[0].index = PAYLOAD;
    r.trials[0].errors.total = PAYLOAD;
    r.summary.pooled = { trials: PAYLOAD, requests: PAYLOAD, latency: { p50: 1, p90: 1, p99: 1, p999: 1, max: 1 } };
    r.environment.logicalCores = PAYLOAD;
    r.environment.memoryBytes = PAYLOAD;
    r.load = { ...r.load, connections: PAYLOAD, warmupSeconds: PAYLOAD, trials: PAYLOAD, durationSeconds: PAYLOAD };
    r.workers = PAYLOAD;
    r.cpu.cores = PAYLOAD;
    r.cpu.share = { app: PAYLOAD };
    const md = renderMarkdown(input(r as unknown as StackResult), commentMarker(["x"]));
    expectInert(md);
    expect(md).not.toContain("Approved");
    r.load = { ...r.load, mode: "open-loop", rate: PAYLOAD };
    const open = renderMarkdown(input(r as unknown as StackResult), commentMarker(["x"]));
    expect(open).toContain("- Load: – req/s open loop, warmup – s, – × – s; workers –");
    expect(open).not.toContain("Approved");
  });

  describe("the job summary the Action writes", () => {
    const saved = { ...process.env };
    afterEach(() => {
      process.env = { ...saved };
    });
    it("is the same escaped Markdown", async () => {
      const dir = tempDir("lg-summary-");
      const summary = join(dir, "summary.md");
      writeFileSync(summary, "");
      process.env.GITHUB_STEP_SUMMARY = summary;
      process.env.GITHUB_OUTPUT = join(dir, "output");
      writeFileSync(process.env.GITHUB_OUTPUT, "");
      const plan = { reportArtifact: false, comment: "never", runnerTemp: dir } as unknown as ActionPlan;
      await publish(plan, input(hostileResult()), [LIVE], null, []);
      const written = readFileSync(summary, "utf8");
      expect(written).toContain("loadgate: measured only");
      expectInert(written);
    });
  });
});

describe("the HTML report", () => {
  it("shows the same text escaped: no tag, attribute or link of the file's own", () => {
    const doc = gateDocument();
    doc.results[0] = { ...hostileResult(), placement: { pinned: true, loadGenerator: "0", stack: "1-3" } };
    const html = renderHtml({ version: "t", documents: [{ source: LIVE, doc }] });
    expect(html).not.toMatch(/<img|<a[\s>]|\shref=|onerror=y\(\)>/i);
    expect(html).toContain("&#60;img src=x onerror=y()&#62;");
  });
});

describe("loadgate report refuses a forged Result with exit 2, never a crash", () => {
  const dir = tempDir("lg-forged-");
  const write = (name: string, text: string) => writeFileSync(join(dir, name), text);
  const good = JSON.stringify(gateDocument());
  write("deep.json", good.replace('"load":{', `"load":{"deep":${"[".repeat(2_000_000)}${"]".repeat(2_000_000)},`));
  const noPlacement = gateDocument() as unknown as { results: Record<string, unknown>[] };
  delete noPlacement.results[0]!.placement;
  write("no-placement.json", JSON.stringify(noPlacement));
  const errors = gateDocument() as unknown as { results: { summary: Record<string, unknown> }[] };
  errors.results[0]!.summary.errors = PAYLOAD;
  write("errors.json", JSON.stringify(errors));

  const cases: [string, RegExp][] = [
    ["deep.json", /deep\.json: nested more than 16 levels deep/],
    ["no-placement.json", /no-placement\.json: results\[0\]\.placement: missing/],
    ["errors.json", /errors\.json: results\[0\]\.summary\.errors: expected a number/],
  ];
  for (const [file, message] of cases) {
    for (const format of ["markdown", "html", "terminal"]) {
      it(`${file} as ${format}`, async () => {
        const run = await runMain(["report", file, "--format", format, "--out", "out.txt"], { cwd: dir });
        expect(run.code).toBe(2);
        expect(run.stderr).toMatch(message);
        expect(run.stderr).not.toMatch(/\n\s+at /);
      });
    }
  }
  it("the gate Result the forgeries start from is reported", async () => {
    write("good.json", good);
    expect((await runMain(["report", "good.json", "--format", "markdown"], { cwd: dir })).code).toBe(0);
    expect(readResultFile(join(dir, "good.json")).results).toHaveLength(1);
  });
});
