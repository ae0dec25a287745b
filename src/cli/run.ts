// `loadgate run <stack>... | --target URL`, `loadgate cost <stack>...` and `loadgate work <stack>...`: measure, judge against
// --baseline FILE or the absolute limits, store --save-baseline FILE; exit 1 on a failed gate.

import { existsSync } from "node:fs";
import { FileBaselineStore } from "../baseline/file-store.js";
import { planRun } from "../config/cli-plan.js";
import type { RunPlan } from "../config/plan.js";
import { ExitCode, UserError } from "../errors.js";
import { storeBaselines } from "../modes/baseline.js";
import { resultDocument } from "../modes/document.js";
import { hasVerdicts, judgeAll, overErrorRate } from "../modes/judge.js";
import { markReusedWorkers, measureAll, withBaselineWorkers, workOnlyPlan } from "../modes/measure.js";
import { formatMeasured } from "../report/format.js";
import { latencyChart, runReport, verdictReport } from "../report/terminal.js";
import { timingWorkText } from "../report/timing-work.js";
import { readResultFile } from "../result/read.js";
import type { ResultDocument } from "../result/types.js";
import { VERSION } from "../version.js";
import { COST_REFUSED } from "./help/measure.js";
import { refusedFlag } from "./help.js";
import { type CliIo, modeIo } from "./io.js";
import { writeOutput } from "./output.js";

/** Flags of timed runs that a cost run refuses: it sends requests one at a time to one worker. */
const TIMING_FLAGS = COST_REFUSED.map((f) => `--${f}`);

export async function runCommand(argv: string[], io: CliIo, only: "cost" | "work" | null = null): Promise<number> {
  const given = only === "cost" ? argv.find((a) => TIMING_FLAGS.includes(a.split("=")[0])) : undefined;
  if (given) {
    throw new UserError(
      `loadgate cost: ${given.split("=")[0]} is a flag of timed runs; the cost run sends requests one at a time to one worker. Set cost.* in the stack file (see docs/stack-file.md, "Every field").`,
    );
  }
  const refused = only ? refusedFlag(only, argv) : undefined;
  if (refused) throw refused;
  const asked = planRun(
    only === "cost" ? [...argv, "--cost"] : argv,
    { cwd: io.cwd, env: io.env, isTTY: io.isTTY },
    VERSION,
    only ?? "run",
  );
  // A baseline file that cannot serve is refused before anything is measured.
  checkBaselineFile(asked);
  const hooks = modeIo(io);
  let plan: RunPlan = only === "cost" ? { ...asked, costOnly: true } : only === "work" ? workOnlyPlan(asked) : asked;
  if (plan.baselineFile && existsSync(plan.baselineFile) && plan.stacks.some((s) => s.sweep)) {
    plan = withBaselineWorkers(plan, readResultFile(plan.baselineFile), hooks.log);
  }
  const results = await measureAll(plan, hooks);
  if (!plan.workOnly) markReusedWorkers(results, asked);
  hooks.finish();
  const doc = resultDocument(results);
  if (plan.jsonOut) writeOutput(plan.jsonOut, JSON.stringify(doc, null, 2));
  return await judgeAndStore(plan, doc, io);
}

/** The verdicts (when there is anything to judge), the error-rate gate, then --save-baseline. */
async function judgeAndStore(plan: RunPlan, doc: ResultDocument, io: CliIo): Promise<number> {
  const results = doc.results;
  const gates = plan.target ? [plan.target.gate] : plan.stacks.map((s) => s.gate);
  const judged = hasVerdicts(results, gates, Boolean(plan.baselineFile));
  // With verdicts, each stack's latency chart goes under its verdict instead of under the run's table.
  io.stdout(`\n${runReport(results, !judged)}\n`);
  if (plan.jsonOut) io.stdout(`\nResult written to ${plan.jsonOut}\n`);
  const store = new FileBaselineStore(plan.baselineFile, plan.saveBaseline);
  let code: number = ExitCode.ok;
  if (judged) {
    const missing = (stack: string) =>
      plan.baselineFile ? `${plan.baselineFile} has no stack named ${stack}` : "no --baseline given";
    const verdicts = (await judgeAll(results, gates, store, missing)).map(
      ({ result, comparison, baseline, stored }) => {
        if (comparison.headline === "regression") code = ExitCode.regression;
        const age = stored ? ageLine(stored.doc) : "";
        const work = timingWorkText(comparison, baseline, result);
        return `${verdictReport(result.stack.name, comparison, latencyChart(result, baseline))}${age}${work ? `\n\n${work}` : ""}`;
      },
    );
    io.stdout(`\n${verdicts.join("\n\n")}\n`);
  }
  const overErrors = overErrorRate(results, gates);
  if (overErrors.length > 0) {
    io.stderr(
      `loadgate: the gate failed: ${overErrors.join(", ")}: more requests failed than gate.error-rate allows (see the error counts by kind above).${plan.saveBaseline ? ` No baseline written to ${plan.saveBaseline} for ${overErrors.join(", ")}: a run made of errors is no baseline.` : ""}\n`,
    );
    code = ExitCode.regression;
  }
  if (plan.saveBaseline) {
    const stored = await storeBaselines(doc, gates, store, "");
    if (stored.saved.length > 0) io.stdout(`Baseline written to ${plan.saveBaseline}\n`);
  }
  return code;
}

/** "baseline: commit abc1234, measured 2026-11-20 08:12 UTC, 9.8 days ago", under the verdict. */
function ageLine(doc: ResultDocument): string {
  const when = formatMeasured(doc.createdAt, (Date.now() - Date.parse(doc.createdAt)) / 1000);
  return when ? `\nbaseline: commit ${doc.commit?.sha.slice(0, 7) ?? "unknown"}, ${when}` : "";
}

/**
 * --baseline FILE, checked before the run: readable, a Result of this schemaVersion, and holding at
 * least one of the stacks this run measures. A missing file is allowed only when --save-baseline
 * names the same file (the first run of a series).
 */
function checkBaselineFile(plan: RunPlan): void {
  const file = plan.baselineFile;
  if (!file) return;
  if (!existsSync(file)) {
    if (plan.saveBaseline === file) return;
    throw new UserError(
      `--baseline ${file}: no such file. Create it with a first run: --save-baseline ${file} (or give both flags the same file to start a series).`,
    );
  }
  const doc = readResultFile(file);
  const measured = plan.target ? [] : plan.stacks.map((s) => s.spec.name);
  const stored = doc.results.map((r) => r.stack.name);
  if (measured.length > 0 && !measured.some((n) => stored.includes(n))) {
    throw new UserError(
      `--baseline ${file}: results[].stack.name: it holds ${stored.map((n) => JSON.stringify(n)).join(", ")}, and this run measures ${measured.map((n) => JSON.stringify(n)).join(", ")}: a baseline of another stack. Give the baseline written for this stack file, or start one with --save-baseline.`,
    );
  }
}
