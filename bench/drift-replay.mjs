// bench/drift-replay: drift detection on a real series. Measures the tiny fixture stack (the full chain:
// PostgreSQL, PgBouncer, nginx, the standard-library app) `--runs` times in a row on this machine, each
// a fresh `loadgate run`, with a 10% longer service time from run `--step-at` on (the app sleeps
// TINY_DELAY_MS per request: 10 ms, then 11 ms; same stack file, so the same environment). The Results
// are stored as a data-branch history would hold them (appendEntry), then read back and searched for
// change points exactly as `loadgate history` and the Action do (seriesFromText, detectStack).
//
//   npm run build && node --import tsx bench/drift-replay.mjs [--runs 30] [--step-at 20] [--out FILE]
//
// Prints each run's medians and every change point found, with where the step really was.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { appendEntry, serialize } from "../src/baseline/branch-data.ts";
import { detectStack } from "../src/drift/detect.ts";
import { seriesFromText } from "../src/drift/source.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "30" },
    "step-at": { type: "string", default: "20" },
    out: { type: "string" },
  },
});
const RUNS = Number(values.runs);
const STEP_AT = Number(values["step-at"]);
const ROOT = resolve(import.meta.dirname, "..");
const work = mkdtempSync(join(tmpdir(), "lg-drift-replay-"));
const started = Date.now();

let history;
const rows = [];
try {
  for (let i = 1; i <= RUNS; i++) {
    const delay = i > STEP_AT ? "11" : "10";
    const json = join(work, `run-${i}.json`);
    const r = spawnSync(
      process.execPath,
      [
        join(ROOT, "dist/cli.js"),
        "run",
        "test/fixtures/tiny",
        "--warmup",
        "1",
        "--duration",
        "3",
        "--trials",
        "3",
      ].concat(["--json", json]),
      { cwd: ROOT, env: { ...process.env, TINY_DELAY_MS: delay }, encoding: "utf8", timeout: 180_000 },
    );
    if (r.status !== 0) throw new Error(`run ${i} exited ${r.status}: ${(r.stderr ?? "").slice(-2000)}`);
    const doc = JSON.parse(readFileSync(json, "utf8"));
    const result = doc.results[0];
    const sha = `run${String(i).padStart(2, "0")}`.padEnd(40, "0");
    history = appendEntry(history, result.stack.name, {
      sha,
      ref: "refs/heads/main",
      createdAt: new Date(Date.UTC(2026, 0, i)).toISOString(),
      toolVersion: doc.tool.version,
      result,
    });
    const s = result.summary;
    rows.push([i, delay, s.throughput.median, s.latency.p50.median, s.latency.p99.median]);
    console.error(`run ${i}/${RUNS}: ${delay} ms delay, ${s.throughput.median.toFixed(0)} req/s`);
  }
  const file = values.out ?? join(work, "tiny.json");
  writeFileSync(file, serialize(history));
  const drift = detectStack(seriesFromText(readFileSync(file, "utf8"), file, history.stack));

  console.log(`| run | delay (ms) | throughput (req/s) | P50 (ms) | P99 (ms) |`);
  console.log(`| --- | --- | --- | --- | --- |`);
  for (const [i, d, t, p50, p99] of rows)
    console.log(`| ${i} | ${d} | ${t.toFixed(0)} | ${p50.toFixed(2)} | ${p99.toFixed(2)} |`);
  console.log("");
  console.log(`The step: from run ${STEP_AT + 1} on (service time +10%).`);
  for (const s of drift.series) {
    const found = s.changePoints
      .map(
        (c) =>
          `at run ${c.index + 1} (${c.before.sha.slice(0, 5)} → ${c.after.sha.slice(0, 5)}): ` +
          `${(c.change.estimate * 100).toFixed(1)}% (${(c.change.lo * 100).toFixed(1)} … ${(c.change.hi * 100).toFixed(1)}%), p = ${c.p.toFixed(3)}`,
      )
      .join("; ");
    console.log(
      `- ${s.metric} (minimum effect ${(s.minEffect * 100).toFixed(0)}%): ${s.tooFew ?? (found || "no change point")}`,
    );
  }
  console.log(`(${((Date.now() - started) / 1000).toFixed(0)} s)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
