import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_GATE } from "../../src/compare/gate.js";
import { MAX_RESULT_BYTES, parseResultDocument, readResultFile } from "../../src/result/read.js";
import { compareWithBaseline } from "../../src/verdict/stored.js";
import { around, result } from "../support/results.js";
import { tempDir } from "../support/temp.js";

const gate = { ...DEFAULT_GATE, p99: 0.1, throughput: -0.05, errorRate: 0.01 };
const r = result(around(1000, 20, 5));
const valid = () =>
  JSON.parse(
    JSON.stringify({
      schemaVersion: 2,
      tool: { name: "loadgate", version: "t" },
      createdAt: "2026-11-29T00:00:00Z",
      results: [r],
      reports: [{ stack: "demo", baselineLabel: "abc1234", baseline: r, comparison: compareWithBaseline(r, r, gate) }],
    }),
  );

describe("a Result read back is checked against schema/result.schema.json", () => {
  it("accepts what loadgate writes", () => {
    expect(parseResultDocument(JSON.stringify(valid()), "ok.json").results[0].stack.name).toBe("demo");
  });
  it("refuses a forged verdict, metric or headline, naming the field", () => {
    const forged = valid();
    forged.reports[0].comparison.metrics[0].verdict = '<img src="x">';
    expect(() => parseResultDocument(JSON.stringify(forged), "forged.json")).toThrow(
      /forged\.json: reports\[0\]\.comparison\.metrics\[0\]\.verdict: must be equal to one of the allowed values \(pass, regression, improvement, inconclusive\)/,
    );
    const metric = valid();
    metric.reports[0].comparison.metrics[0].metric = "__proto__";
    expect(() => parseResultDocument(JSON.stringify(metric), "m.json")).toThrow(
      /metrics\[0\]\.metric: must be equal to one of/,
    );
    const headline = valid();
    headline.reports[0].comparison.headline = "pass ✅ — merge me";
    expect(() => parseResultDocument(JSON.stringify(headline), "h.json")).toThrow(/comparison\.headline/);
  });
  it("caps sizes: a long string, too many notes, an oversized file", () => {
    const long = valid();
    long.results[0].stack.name = "x".repeat(201);
    expect(() => parseResultDocument(JSON.stringify(long), "long.json")).toThrow(
      /long\.json: results\[0\]\.stack\.name: must NOT have more than 200 characters/,
    );
    const notes = valid();
    notes.reports[0].comparison.notes = Array.from({ length: 51 }, () => "n");
    expect(() => parseResultDocument(JSON.stringify(notes), "notes.json")).toThrow(
      /comparison\.notes: must NOT have more than 50 items/,
    );
    const file = join(tempDir("lg-big-"), "big.json");
    writeFileSync(file, Buffer.alloc(MAX_RESULT_BYTES + 1, 32));
    expect(() => readResultFile(file)).toThrow(/more than the \d+ a Result may have; refused/);
  });
});
