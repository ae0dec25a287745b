import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { assertServes, servesNothingMessage } from "../../src/engine/serves-nothing.js";
import { StackError, UserError } from "../../src/errors.js";
import { PhaseRecorder } from "../../src/load/recorder.js";
import { parseResultDocument } from "../../src/result/read.js";
import { type ResultDocument, SCHEMA_VERSION, type StackResult, type Trial } from "../../src/result/types.js";
import { summarizeTrials } from "../../src/stats/summary.js";
import { around, result } from "../support/results.js";
import { tempDir } from "../support/temp.js";

/** A trial as the recorder makes it when every request failed: 500s, a timeout, a refused connection. */
function failedTrial(index: number): { trial: Trial; histogram: PhaseRecorder["histogram"] } {
  const r = new PhaseRecorder();
  for (let i = 0; i < 120; i++) r.recordResponse(500, 2.5);
  r.recordError(true);
  r.recordError(false);
  return { trial: r.toTrial(index, 2), histogram: r.histogram };
}

function servedTrial(index: number): { trial: Trial; histogram: PhaseRecorder["histogram"] } {
  const r = new PhaseRecorder();
  for (let i = 0; i < 200; i++) r.recordResponse(200, 1 + (i % 10) / 10);
  r.recordResponse(503, 1);
  return { trial: r.toTrial(index, 2), histogram: r.histogram };
}

function withTrials(made: { trial: Trial; histogram: PhaseRecorder["histogram"] }[]): StackResult {
  const trials = made.map((m) => m.trial);
  return {
    ...result(around(1000, 20, made.length)),
    trials,
    summary: summarizeTrials(
      trials,
      made.map((m) => m.histogram),
    ),
  };
}

function document(r: StackResult): ResultDocument {
  return { schemaVersion: SCHEMA_VERSION, tool: { name: "loadgate", version: "test" }, createdAt: "now", results: [r] };
}

/** Written the way `--json` writes it. */
const written = (r: StackResult) => `${JSON.stringify(document(r), null, 2)}\n`;

describe("a side that serves nothing", () => {
  it("says which trials, how many errors of which kind, and the app's log", () => {
    const trials = [servedTrial(0).trial, failedTrial(1).trial, failedTrial(2).trial];
    const message = servesNothingMessage(
      trials,
      "stack shop",
      { file: "/tmp/run/app.log", text: "Traceback\nKeyError: 'x'" },
      ["GET /test"],
    );
    expect(message).toBe(
      "stack shop served nothing: trials 2, 3 of 3 got no successful (2xx) response, only 244 failed requests (connection errors 2, timeouts 2, non-2xx 240). Check that the app answers GET /test with 2xx.\n--- last lines of the app's log /tmp/run/app.log ---\nTraceback\nKeyError: 'x'\n---",
    );
    expect(servesNothingMessage([servedTrial(0).trial], "stack shop")).toBeUndefined();
    expect(() => assertServes([servedTrial(0).trial], "x")).not.toThrow();
  });

  it("throws a StackError (exit 3) naming the side, also for a window with no response at all", () => {
    const silent = new PhaseRecorder().toTrial(0, 2);
    let thrown: unknown;
    try {
      assertServes([silent], "the head (feature)");
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(StackError);
    expect((thrown as StackError).exitCode).toBe(3);
    expect((thrown as StackError).message).toBe(
      "the head (feature) served nothing: its trial got no successful (2xx) response and no failed one either: no request completed in the window. Check that the app answers with 2xx.",
    );
  });
});

describe("a Result with trials that got no successful response", () => {
  it("is written as valid JSON with null for the missing latencies, never NaN or Infinity", () => {
    const r = withTrials([failedTrial(0), failedTrial(1)]);
    const text = written(r);
    expect(text).not.toMatch(/NaN|Infinity/);
    const json = JSON.parse(text);
    expect(json.results[0].trials[0].latency).toEqual({
      p50: null,
      p90: null,
      p99: null,
      p999: null,
      max: null,
      mean: null,
      stdev: null,
    });
    expect(json.results[0].trials[0].throughput).toBe(0);
    expect(json.results[0].trials[0].errorRate).toBe(1);
    expect(json.results[0].summary.latency.p99).toMatchObject({ median: null, ci: { lo: null, hi: null } });
    expect(json.results[0].summary.throughput.median).toBe(0);
  });

  it("round-trips through write → read: the missing values come back as NaN, the rest unchanged", () => {
    const r = withTrials([failedTrial(0), failedTrial(1)]);
    const back = parseResultDocument(written(r), "r.json").results[0];
    expect(back.trials[0].latency.p99).toBeNaN();
    expect(back.trials[1].latency.stdev).toBeNaN();
    expect(back.trials[0].errors).toEqual({ connection: 1, timeouts: 1, non2xx: 120, total: 122 });
    expect(back.summary.latency.p99.median).toBeNaN();
    expect(back.summary.latency.p99.values).toEqual([Number.NaN, Number.NaN]);
    expect(back.summary.throughput.median).toBe(0);
    expect(back.summary.errors).toBe(244);
    // Read again after writing what was read: the same bytes.
    expect(written(back)).toBe(written(r));
  });

  it("takes the medians over the trials that have a latency, so one empty trial cannot scramble them", () => {
    const r = withTrials([servedTrial(0), failedTrial(1), servedTrial(2)]);
    expect(r.summary.latency.p99.median).toBeCloseTo(r.trials[0].latency.p99, 6);
    expect(r.summary.latency.p99.values[1]).toBeNaN();
    const back = parseResultDocument(written(r), "r.json").results[0];
    expect(back.summary.latency.p99.median).toBe(r.summary.latency.p99.median);
    expect(back.summary.latency.p99.values[1]).toBeNaN();
  });

  it("loadgate compare reads it back, as the current run and as the baseline", async () => {
    const dir = tempDir("lg-zero-");
    const failed = join(dir, "failed.json");
    const good = join(dir, "good.json");
    writeFileSync(failed, written(withTrials([failedTrial(0), failedTrial(1), failedTrial(2)])));
    writeFileSync(good, written(withTrials([servedTrial(0), servedTrial(1), servedTrial(2)])));
    for (const [a, b] of [
      [good, failed],
      [failed, good],
    ]) {
      let stdout = "";
      let stderr = "";
      const code = await main({
        argv: ["compare", a, b],
        cwd: dir,
        env: {},
        stdout: (t) => {
          stdout += t;
        },
        stderr: (t) => {
          stderr += t;
        },
        isTTY: false,
      });
      expect(stderr).toBe("");
      expect([0, 1]).toContain(code);
      expect(stdout).toContain("demo");
    }
  });

  it("the reader still refuses a latency that is neither a number nor null", () => {
    const json = JSON.parse(written(withTrials([failedTrial(0)])));
    json.results[0].summary.latency.p99.median = "fast";
    expect(() => parseResultDocument(JSON.stringify(json), "bad.json")).toThrow(UserError);
    expect(() => parseResultDocument(JSON.stringify(json), "bad.json")).toThrow(
      'bad.json: results[0].summary.latency.p99.median: expected a number or null, found "fast"',
    );
  });
});
