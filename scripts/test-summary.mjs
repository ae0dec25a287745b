// Prints vitest's totals as one plain closing line ("tests: N passed, N failed, N skipped").
import { readFileSync } from "node:fs";

const report = JSON.parse(readFileSync(".vitest-report.json", "utf8"));
const skipped = report.numPendingTests + report.numTodoTests;
console.log(`tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`);
process.exitCode = report.numFailedTests > 0 || report.numTotalTests === 0 ? 1 : 0;
