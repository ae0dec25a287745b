// `loadgate study [<row>...]`: the built-in stacks of "Async Python is not faster", short by
// default, the study's published table beside the one measured here.

import { AS_PUBLISHED, planStudy, type StudyPlan } from "../config/study-plan.js";
import { needsOf } from "../engine/prepare.js";
import { ExitCode } from "../errors.js";
import { resultDocument } from "../modes/document.js";
import { runStudy } from "../modes/study.js";
import { studyMarkdown, studyTextTable } from "../report/study-table.js";
import { machineFacts } from "../result/environment.js";
import { requireBinaries } from "../stack/binaries.js";
import { builtInStacksDir } from "../study/stacks-dir.js";
import { VERSION } from "../version.js";
import type { CliIo } from "./io.js";
import { writeOutput } from "./output.js";

/** What every row runs, for the first line: its load, the sweep and where the load generator runs. */
function studyPlanLine(plan: StudyPlan, cores: number): string {
  const first = plan.rows[0]?.stack;
  if (!first) return "no rows";
  const l = first.load;
  const trials = l.totalRequests === null ? `${l.trials} × ${l.durationSeconds} s` : `${l.totalRequests} requests`;
  const conns = `${l.connections} connections${l.keepalive ? "" : ", a new connection per request"}`;
  const sweep = first.sweep ? `, workers swept first (within ${first.sweep.budgetSeconds} s each)` : "";
  const where = plan.run.pin
    ? "; the load generator on CPU 0"
    : plan.asPublished
      ? `; the load generator shares this machine's ${cores} CPUs with the stack (pinned from ${AS_PUBLISHED.pinFromCores} CPUs; --pin pins it anyway)`
      : "";
  return `${plan.rows.length} rows, each ${conns}: ${l.warmupSeconds} s warmup + ${trials}${sweep}${where}`;
}

export async function studyCommand(argv: string[], io: CliIo): Promise<number> {
  const plan = planStudy(argv, { cwd: io.cwd, env: io.env, isTTY: io.isTTY }, VERSION, builtInStacksDir());
  const log = (line: string) => io.stderr(`${line}\n`);
  requireBinaries(needsOf(plan.rows.map((r) => r.stack)), plan.run.binarySearch, plan.run.install, log);
  log(`loadgate study: ${studyPlanLine(plan, machineFacts().logicalCores)}`);
  const study = await runStudy(plan.run, plan.rows, { log, signal: io.signal });
  const facts = machineFacts();
  io.stdout(`\n${studyTextTable(study.outcomes, facts.logicalCores)}\n`);
  io.stdout(
    `\nMeasured in ${study.measureSeconds.toFixed(0)} s${study.installSeconds >= 1 ? `; installs took ${study.installSeconds.toFixed(0)} s more (first runs only, not counted)` : ""}.\n`,
  );
  const results = study.outcomes.flatMap((o) => (o.result ? [o.result] : []));
  if (plan.jsonOut && results.length > 0) {
    writeOutput(plan.jsonOut, JSON.stringify(resultDocument(results), null, 2));
    io.stdout(`Result written to ${plan.jsonOut}\n`);
  }
  if (plan.markdownOut) {
    const md = studyMarkdown(study.outcomes, facts.logicalCores, facts.cpuModel, new Date().toISOString().slice(0, 10));
    writeOutput(plan.markdownOut, md);
    io.stdout(`Markdown written to ${plan.markdownOut}\n`);
  }
  if (study.failed.length > 0) {
    log(`loadgate: ${study.failed.length} row(s) failed while running: ${study.failed.join(", ")} (see above).`);
    return ExitCode.stackFailed;
  }
  return ExitCode.ok;
}
