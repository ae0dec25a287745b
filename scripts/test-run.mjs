// The test suite's runs of vitest: the unit tests first (they start no process; two workers), then
// the two integration lanes side by side, each its own vitest process running one file at a time
// (vitest runs every project of one process in a single queue on a 2-CPU machine): the files that
// judge timing, and the rest with the browser test (CHECKS_LANE in vitest.config.ts). Ends with one
// plain line of totals; exit 1 when a test failed or none ran.
//
//   node scripts/test-run.mjs               unit, then both lanes
//   node scripts/test-run.mjs integration   both lanes only
import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";

const VITEST = "node_modules/vitest/vitest.mjs";

/** One vitest process: its output passed through, its JSON report read back. */
function vitest(name, args) {
  const report = `.vitest-report-${name}.json`;
  rmSync(report, { force: true });
  const argv = [VITEST, "run", ...args, "--reporter=default", "--reporter=json", `--outputFile=${report}`];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, argv, { stdio: "inherit" });
    child.on("close", (code) => {
      try {
        resolve({ name, code, report: JSON.parse(readFileSync(report, "utf8")) });
      } catch {
        resolve({ name, code: code ?? 1, report: null });
      }
    });
  });
}

const runs = [];
if (process.argv[2] !== "integration") runs.push(await vitest("unit", ["--project", "unit", "--maxWorkers=2"]));
runs.push(
  ...(await Promise.all([
    vitest("timing", ["--project", "integration"]),
    vitest("checks", ["--project", "integration-checks", "--project", "browser"]),
  ])),
);

const sum = (key) => runs.reduce((n, r) => n + (r.report?.[key] ?? 0), 0);
const passed = sum("numPassedTests");
const failed = sum("numFailedTests");
const skipped = sum("numPendingTests") + sum("numTodoTests");
const broken = runs.filter((r) => r.report === null || (r.code !== 0 && r.report.numFailedTests === 0));
for (const r of broken)
  console.log(`vitest (${r.name}) exited with ${r.code} and no failed test: see its output above`);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = failed > 0 || passed + failed === 0 || broken.length > 0 ? 1 : 0;
