import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { absoluteOnly } from "../../src/compare/absolute.js";
import { DEFAULT_GATE, type Gate, NO_SLO } from "../../src/compare/gate.js";
import type { MetricVerdict } from "../../src/compare/metrics.js";
import { type AbPair, compareAbPairs } from "../../src/compare/pairs.js";
import { DEFAULT_RISK, testedCount } from "../../src/compare/risk.js";
import { sloVerdicts } from "../../src/compare/slo.js";
import { planAction } from "../../src/config/action-plan.js";
import { parseLatencySlo, parseMetricGate, parseRateSlo } from "../../src/config/gate-forms.js";
import { loadStackFile } from "../../src/config/stack-file.js";
import { formatChange, formatConfidence, formatLimit } from "../../src/report/format.js";
import { renderMarkdown } from "../../src/report/markdown.js";
import { studentTQuantile } from "../../src/stats/distributions.js";
import { compareWithBaseline } from "../../src/verdict/stored.js";
import { around, result, trial } from "../support/results.js";
import { tempDir } from "../support/temp.js";
import { messageOf } from "../support/user-error.js";

const row = (c: { metrics: MetricVerdict[] }, m: string) => c.metrics.find((x) => x.metric === m);

describe("threshold forms", () => {
  it("reads relative limits, SLOs and lists of both", () => {
    expect(parseMetricGate("p99", "+10%")).toEqual({ gate: { relative: 0.1, slo: null } });
    expect(parseMetricGate("p99", "<50ms")).toEqual({ gate: { relative: null, slo: 50 } });
    expect(parseMetricGate("p99", ["+10%", "<0.2s"])).toEqual({ gate: { relative: 0.1, slo: 200 } });
    expect(parseMetricGate("throughput", ">1000/s")).toEqual({ gate: { relative: null, slo: 1000 } });
    expect(parseMetricGate("throughput", [">1000/s", "-5%"])).toEqual({ gate: { relative: -0.05, slo: 1000 } });
  });
  it("refuses what is not one, and two of a kind", () => {
    for (const bad of ["50ms", "<50", "< ms", "<0ms", "+10", "ten%", "-10%", ">5/s"])
      expect(parseMetricGate("p99", bad)).toHaveProperty("problem", expect.stringContaining(JSON.stringify(bad)));
    for (const bad of ["+5%", ">0/s", "1000/s", ">1000", "<50ms"])
      expect(parseMetricGate("throughput", bad)).toHaveProperty("problem");
    expect(parseMetricGate("p99", ["+10%", "+20%"])).toEqual({ problem: expect.stringMatching(/two relative limits/) });
    expect(parseMetricGate("p99", ["<10ms", "<20ms"])).toEqual({ problem: expect.stringMatching(/two SLOs/) });
    expect(parseLatencySlo("<1.5s")).toBe(1500);
    expect(parseRateSlo(">12.5/s")).toBe(12.5);
  });
});

describe("SLO verdicts on this run alone", () => {
  const alpha = 0.025;
  it("pass when the whole interval is inside, a breach when the whole interval is past, inconclusive astride", () => {
    const units = (p99: number[]) => ({ p99, throughput: p99.map(() => 1000) });
    const [inside] = sloVerdicts(units([40, 41, 39, 40.5, 39.5]), { p99Ms: 50, throughput: null }, alpha);
    expect(inside).toMatchObject({ metric: "p99Slo", verdict: "pass", threshold: 50, n: 5 });
    const [past] = sloVerdicts(units([60, 61, 59, 60.5, 59.5]), { p99Ms: 50, throughput: null }, alpha);
    expect(past?.verdict).toBe("regression");
    const [astride] = sloVerdicts(units([45, 55, 48, 53, 50]), { p99Ms: 50, throughput: null }, alpha);
    expect(astride?.verdict).toBe("inconclusive");
  });
  it("uses a one-sample Student's t interval of the log values at the metric's α", () => {
    const p99 = [40, 44, 42, 46, 43];
    const [v] = sloVerdicts({ p99, throughput: [] }, { p99Ms: 50, throughput: null }, alpha);
    const logs = p99.map((x) => Math.log(x / 50));
    const m = logs.reduce((a, b) => a + b, 0) / logs.length;
    const sd = Math.sqrt(logs.reduce((a, b) => a + (b - m) ** 2, 0) / (logs.length - 1));
    const half = studentTQuantile(1 - alpha, 4) * (sd / Math.sqrt(5));
    expect(v?.change).toBeCloseTo(Math.exp(m) - 1, 10);
    expect(v?.ci.hi).toBeCloseTo(Math.exp(m + half) - 1, 10);
    expect(v?.ci.confidence).toBeCloseTo(0.95, 10);
  });
  it("throughput: below its SLO is the breach; a trial that served nothing breaches it", () => {
    const slo = { p99Ms: null, throughput: 1000 };
    expect(sloVerdicts({ p99: [], throughput: [800, 810, 790] }, slo, alpha)[0]?.verdict).toBe("regression");
    expect(sloVerdicts({ p99: [], throughput: [1500, 1510, 1490] }, slo, alpha)[0]?.verdict).toBe("pass");
    expect(sloVerdicts({ p99: [], throughput: [1500, 0, 1490] }, slo, alpha)[0]?.verdict).toBe("regression");
  });
  it("one unit has no interval: its value decides", () => {
    const [v] = sloVerdicts({ p99: [51], throughput: [] }, { p99Ms: 50, throughput: null }, alpha);
    expect(v).toMatchObject({ verdict: "regression", n: 1 });
    expect(formatConfidence(v!)).toBe("–");
    expect(formatChange(v!)).toBe("+2.0% vs SLO");
  });
});

describe("SLOs in comparisons", () => {
  const slo: Gate = {
    ...DEFAULT_GATE,
    p99: 0.1,
    throughput: -0.05,
    errorRate: 0.01,
    slo: { p99Ms: 50, throughput: 900 },
  };
  it("count as tested metrics and add a row each beside the relative ones", () => {
    expect(testedCount(slo)).toBe(4);
    expect(testedCount({ ...slo, p99: null })).toBe(3);
    const c = compareWithBaseline(result(around(1000, 40)), result(around(1000, 40)), slo);
    expect(row(c, "p99Slo")).toMatchObject({ verdict: "pass", gated: true });
    expect(row(c, "throughputSlo")).toMatchObject({ verdict: "pass", gated: true });
    expect(row(c, "p99")).toMatchObject({ gated: true });
    expect(c.notes.join(" ")).toMatch(/4 tested metrics/);
  });
  it("an SLO alone: the relative row is shown, not gated, and the SLO decides", () => {
    const onlySlo: Gate = { ...slo, p99: null, throughput: null, slo: { p99Ms: 50, throughput: null } };
    // P99 doubled against the baseline, yet within the SLO: a pass.
    const c = compareWithBaseline(result(around(1000, 20)), result(around(1000, 40)), onlySlo);
    expect(row(c, "p99")).toMatchObject({ gated: false, threshold: null });
    expect(row(c, "p99Slo")?.verdict).toBe("pass");
    expect(c.headline).toBe("pass");
    // Past the SLO: a regression however the baseline looked.
    const worse = compareWithBaseline(result(around(1000, 60)), result(around(1000, 60)), onlySlo);
    expect(worse.headline).toBe("regression");
  });
  it("with no baseline, or one from another machine, the SLOs and the error rate still decide", () => {
    const head = result(around(1000, 60));
    const none = absoluteOnly(head, slo, DEFAULT_RISK, "no baseline yet");
    expect(none).toMatchObject({ headline: "regression", method: "absolute" });
    expect(none.metrics.map((m) => m.metric)).toEqual(["throughputSlo", "p99Slo", "errorRate"]);
    expect(none.notes[0]).toMatch(/no baseline yet/);
    expect(formatChange(none.metrics[2])).toBe("–");
    const elsewhere = compareWithBaseline(result(around(1000, 40), { cpuModel: "Other CPU" }), head, slo);
    expect(elsewhere).toMatchObject({ headline: "regression", method: "absolute" });
    // Without SLOs there is still nothing to decide.
    expect(absoluteOnly(head, { ...slo, slo: NO_SLO }, DEFAULT_RISK, "x").headline).toBe("no-baseline");
  });
  it("same-runner A/B: the head's blocks are the units", () => {
    const pairs: AbPair[] = [];
    for (let b = 0; b < 8; b++)
      for (let k = 0; k < 2; k++)
        pairs.push({ block: b, base: trial(k, 1000, 40 + b * 0.3), head: trial(k, 1000, 60 + b * 0.3 + k) });
    const c = compareAbPairs(pairs, { ...slo, p99: 0.1 });
    expect(row(c, "p99Slo")).toMatchObject({ verdict: "regression", n: 8 });
    expect(c.notes.join(" ")).toMatch(/8 blocks/);
  });
  it("are shown with the SLO, the value and its interval in the metric's unit", () => {
    const c = compareWithBaseline(result(around(1000, 40)), result(around(1000, 40)), slo);
    const p = row(c, "p99Slo")!;
    expect(formatLimit(p)).toBe("< 50.0 ms");
    expect(formatChange(p)).toMatch(/^-20\.\d% vs SLO \(\d+\.\d … \d+\.\d ms\)$/);
    expect(formatLimit(row(c, "throughputSlo")!)).toBe("> 900/s");
    const md = renderMarkdown(
      {
        title: "t",
        headline: c.headline,
        decidedBy: "d",
        stacks: [{ result: result(around(1000, 40)), comparison: c, baseline: null, baselineLabel: "abc1234" }],
      },
      "<!-- marker -->",
    );
    expect(md).toMatch(
      /\| P99 SLO \(ms\) +\| +– \| +39\.9 \| +-20\.0% vs SLO \(39\.6 … 40\.4 ms\) \| +97\.5% \| ✅ pass \(limit < 50\.0 ms\) +\|/,
    );
  });
});

describe("SLOs in the stack file and the inputs", () => {
  const stack = (gate: string) => {
    const dir = tempDir("lg-slo-");
    const file = join(dir, "stack.yml");
    writeFileSync(
      file,
      `name: demo\ndatabase: none\npooler: none\nproxy: none\napp:\n  command: python3 -m http.server {port}\n  ready: { http: / }\ngate:\n${gate}\n`,
    );
    return file;
  };
  it("reads p99 and throughput as a relative limit, an SLO or a list; the default stays +10% / -5%", () => {
    expect(loadStackFile(stack('  p99: "<50ms"')).gate).toMatchObject({
      p99: null,
      throughput: -0.05,
      slo: { p99Ms: 50, throughput: null },
    });
    expect(loadStackFile(stack('  p99: ["+10%", "<50ms"]\n  throughput: ">1000/s"')).gate).toMatchObject({
      p99: 0.1,
      throughput: null,
      slo: { p99Ms: 50, throughput: 1000 },
    });
    expect(loadStackFile(stack('  error-rate: "<1%"')).gate).toMatchObject({ p99: 0.1, slo: { p99Ms: null } });
  });
  it("names the file, line, field and the forms it takes when a value is not one", () => {
    const bad = messageOf(() => loadStackFile(stack('  p99: ["+10%", "50ms"]')));
    expect(bad).toMatch(/stack\.yml:9/);
    expect(bad).toMatch(/gate\.p99\[1\]/);
    expect(bad).toContain('an SLO like "<50ms"');
    const twice = messageOf(() => loadStackFile(stack('  p99: ["+10%", "+5%"]')));
    expect(twice).toMatch(/gate\.p99.*two relative limits/);
    expect(messageOf(() => loadStackFile(stack('  throughput: "<1000/s"')))).toMatch(/an SLO like ">1000\/s"/);
  });
  it("inputs p99-threshold and throughput-threshold take the same forms, comma-separated", () => {
    const plan = (inputs: Record<string, string>) => {
      const all: Record<string, string> = { mode: "report", "result-file": "r.json", ...inputs };
      return planAction((name) => all[name] ?? "", { GITHUB_WORKSPACE: tmpdir(), PATH: process.env.PATH });
    };
    expect(plan({ "p99-threshold": "+10%, <50ms" }).overrides.p99).toEqual({ relative: 0.1, slo: 50 });
    expect(plan({ "throughput-threshold": ">1000/s" }).overrides.throughput).toEqual({ relative: null, slo: 1000 });
    expect(messageOf(() => plan({ "p99-threshold": "50ms" }))).toMatch(
      /^Input p99-threshold: expected a growth like "\+10%" \(how much P99 may grow against the baseline\), an SLO like "<50ms"/,
    );
  });
});
