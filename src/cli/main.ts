import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { planAb } from "../ab/plan.js";
import { FileBaselineStore } from "../baseline/file-store.js";
import { nextHistory } from "../baseline/history.js";
import { CAPACITY_DEFAULTS } from "../capacity/search.js";
import { DEFAULT_COST_LIMIT } from "../compare/cost.js";
import { sloCount } from "../compare/slo.js";
import { absoluteOnly, type Comparison, compareWithBaseline, DEFAULT_RISK, errorRateOver } from "../compare/verdict.js";
import { checkRunFolder, planRun, runtimeOf } from "../config/cli-plan.js";
import { parseDuration } from "../config/duration.js";
import type { RunPlan } from "../config/plan.js";
import { DEFAULT_GATE } from "../config/stack-spec.js";
import { builtInStacksDir, planStudy } from "../config/study-plan.js";
import { runAb } from "../engine/ab.js";
import { measureCapacity, PROBE_SECONDS, PROBE_WARMUP } from "../engine/capacity.js";
import { needsOf, prepareStack, untimedResult } from "../engine/prepare.js";
import { holdStack, runStacks, runTarget } from "../engine/run.js";
import { runStudy } from "../engine/study.js";
import { ExitCode, exitCodeOf, messageOf, UserError } from "../errors.js";
import type { Progress } from "../load/types.js";
import { formatMeasured } from "../report/format.js";
import { capacityTable, latencyChart, runReport, verdictReport } from "../report/terminal.js";
import { machineFacts, withBaselineKey } from "../result/environment.js";
import { readResultFile } from "../result/read.js";
import { type ResultDocument, SCHEMA_VERSION, type StackResult } from "../result/types.js";
import { requireBinaries } from "../stack/binaries.js";
import { studyMarkdown, studyTextTable } from "../study/table.js";
import { VERSION } from "../version.js";
import { takeFlag } from "./flags.js";
import { GLOBAL_HELP, helpFor } from "./help.js";
import { writeOutput } from "./output.js";
import { progressLine } from "./progress.js";
import { reportCommand } from "./report-command.js";

export { VERSION };

export interface CliIo {
  argv: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTTY: boolean;
  signal?: AbortSignal;
}

/** A Result document of this run around `results` (and, for an A/B, its commit and verdicts). */
function resultDocument(results: ResultDocument["results"], extra: Partial<ResultDocument> = {}): ResultDocument {
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: "loadgate", version: VERSION },
    createdAt: new Date().toISOString(),
    ...extra,
    results,
  };
}

/** Runs one CLI command and returns its exit code. Never throws. */
export async function main(io: CliIo): Promise<number> {
  // Help is answered before anything else, so `<command> ... --help` never starts a stack.
  const help = helpFor(io.argv);
  if (help) {
    io.stdout(help.text);
    return ExitCode.ok;
  }
  const [command, ...rest] = io.argv;
  try {
    switch (command) {
      case "run":
        return await runCommand(rest, io);
      case "up":
        return await upCommand(rest, io);
      case "cost":
        return await runCommand(rest, io, true);
      case "study":
        return await studyCommand(rest, io);
      case "capacity":
        return await capacityCommand(rest, io);
      case "compare":
        return compareCommand(rest, io);
      case "ab":
        return await abCommand(rest, io);
      case "report":
        return reportCommand(rest, io);
      case undefined:
        io.stdout(GLOBAL_HELP);
        return ExitCode.badInput;
      case "--version":
      case "-V":
        io.stdout(`${VERSION}\n`);
        return ExitCode.ok;
      default:
        // `help <x>` with no command x: helpFor had no text for it.
        throw new UserError(
          `Unknown command "${["help", "--help", "-h"].includes(command) ? rest[0] : command}". Commands: run, cost, ab, study, capacity, compare, report, up. See "loadgate --help".`,
        );
    }
  } catch (err) {
    const code = exitCodeOf(err);
    io.stderr(`loadgate: ${messageOf(err)}\n`);
    if (
      code === ExitCode.stackFailed &&
      // An interrupted run stops with the signal's reason: that is not a bug.
      !io.signal?.aborted &&
      !(err instanceof Error && "exitCode" in err) &&
      err instanceof Error &&
      err.stack
    ) {
      // Not a user mistake nor a stack failure we recognised: a bug. Keep the trace for the report.
      io.stderr(`${err.stack}\n`);
    }
    return code;
  }
}

async function runCommand(argv: string[], io: CliIo, costOnly = false): Promise<number> {
  if (costOnly) {
    const timing = [
      "--duration",
      "--warmup",
      "--trials",
      "--connections",
      "--rate",
      "--workers",
      "--client",
      "--pin",
      "--target",
      "--max-error-rate",
    ];
    const given = argv.find((a) => timing.includes(a.split("=")[0]));
    if (given) {
      throw new UserError(
        `loadgate cost: ${given.split("=")[0]} is a flag of timed runs; the cost run sends requests one at a time to one worker. Set cost.* in the stack file (see the README's "Cost gate").`,
      );
    }
  }
  const plan0 = planRun(
    costOnly ? [...argv, "--cost"] : argv,
    { cwd: io.cwd, env: io.env, isTTY: io.isTTY },
    VERSION,
    costOnly ? "cost" : "run",
  );
  // A baseline file that cannot serve is refused before anything is measured.
  checkBaselineFile(plan0);
  const plan = reuseBaselineWorkers(costOnly ? { ...plan0, costOnly: true } : plan0, io);
  let lastProgress = "";
  const engineHooks = {
    log: (line: string) => {
      if (lastProgress && io.isTTY) io.stderr("\n");
      lastProgress = "";
      io.stderr(`${line}\n`);
    },
    onProgress: (stack: string, p: Progress) => {
      lastProgress = progressLine(stack, p);
      io.stderr(io.isTTY ? `\r${lastProgress}\x1b[K` : `${lastProgress}\n`);
    },
    signal: io.signal,
  };
  // --baseline-key: baselines are compared and saved under the key, not the machine.
  const results = (
    plan.target ? [await runTarget(plan, plan.target, engineHooks)] : await runStacks(plan, engineHooks)
  ).map((r) => withBaselineKey(r, plan.baselineKey));
  for (const r of results) {
    const asked = plan0.stacks.find((s) => s.spec.name === r.stack.name);
    if (asked?.sweep && !r.sweep && r.workers !== null) {
      r.sweep = {
        points: [],
        chosen: r.workers,
        reason: "the baseline's count",
        seconds: 0,
        reusedFrom: "the baseline",
      };
    }
  }
  if (lastProgress && io.isTTY) io.stderr("\n");
  const doc = resultDocument(results);
  if (plan.jsonOut) writeOutput(plan.jsonOut, JSON.stringify(doc, null, 2));
  // The stack file's gate with --max-error-rate laid over it; a --target has the defaults.
  const gateOf = (i: number) => plan.stacks[i]?.gate ?? plan.target?.gate ?? DEFAULT_GATE;
  // Absolute SLOs decide even with no baseline to compare with, and so does an error rate over its
  // limit: a run whose requests failed measured errors, not the service.
  const withSlos = results.some((_, i) => sloCount(gateOf(i).slo) > 0);
  const overErrors = results.filter((r, i) => errorRateOver(r, gateOf(i))).map((r) => r.stack.name);
  const judged = Boolean(plan.baselineFile) || withSlos || overErrors.length > 0;
  // With verdicts, each stack's latency chart goes under its verdict instead of under the run's table.
  io.stdout(`\n${runReport(results, !judged)}\n`);
  if (plan.jsonOut) io.stdout(`\nResult written to ${plan.jsonOut}\n`);
  const store = new FileBaselineStore(plan.baselineFile, plan.saveBaseline);
  let code: number = ExitCode.ok;
  if (judged) {
    const verdicts: string[] = [];
    for (const [i, r] of results.entries()) {
      const stored = plan.baselineFile ? await store.restore(r.stack.name) : undefined;
      const baseline = stored?.doc.results[0];
      const gate = gateOf(i);
      const risk = { ...DEFAULT_RISK, stacks: results.length };
      const comparison: Comparison = baseline
        ? compareWithBaseline(baseline, r, gate, baseline.history ?? [], risk)
        : absoluteOnly(
            r,
            gate,
            risk,
            plan.baselineFile ? `${plan.baselineFile} has no stack named ${r.stack.name}` : "no --baseline given",
          );
      const age = stored ? ageLine(stored.doc) : "";
      verdicts.push(`${verdictReport(r.stack.name, comparison, latencyChart(r, baseline ?? null))}${age}`);
      if (comparison.headline === "regression") code = ExitCode.regression;
    }
    io.stdout(`\n${verdicts.join("\n\n")}\n`);
  }
  if (overErrors.length > 0) {
    io.stderr(
      `loadgate: the gate failed: ${overErrors.join(", ")}: more requests failed than gate.error-rate allows (see the error counts by kind above).${plan.saveBaseline ? ` No baseline written to ${plan.saveBaseline}: a run made of errors is no baseline.` : ""}\n`,
    );
    return ExitCode.regression;
  }
  if (plan.saveBaseline) {
    const previous = plan.baselineFile ? readResultFile(plan.baselineFile) : undefined;
    const withHistory = {
      ...doc,
      results: doc.results.map((r) => {
        const prev = previous?.results.find(
          (p) => p.stack.name === r.stack.name && p.environment.id === r.environment.id,
        );
        return { ...r, history: nextHistory(prev, previous?.commit?.sha, previous?.createdAt ?? "") };
      }),
    };
    await store.save("", "", "", withHistory);
    io.stdout(`Baseline written to ${plan.saveBaseline}\n`);
  }
  return code;
}

/** "baseline: commit abc1234, measured 2026-11-20 08:12 UTC, 9.8 days ago", under the verdict. */
function ageLine(doc: ResultDocument): string {
  const when = formatMeasured(doc.createdAt, (Date.now() - Date.parse(doc.createdAt)) / 1000);
  return when ? `\nbaseline: commit ${doc.commit?.sha.slice(0, 7) ?? "unknown"}, ${when}` : "";
}

async function upCommand(argv: string[], io: CliIo): Promise<number> {
  const plan = planRun(argv, { cwd: io.cwd, env: io.env, isTTY: io.isTTY }, VERSION, "up");
  if (plan.stacks.length !== 1) throw new UserError("loadgate up takes exactly one stack.");
  await holdStack(plan, {
    log: (line) => io.stderr(`${line}\n`),
    signal: io.signal,
    onReady: (url) => io.stdout(`ready ${url}\n`),
  });
  return ExitCode.ok;
}

function compareCommand(argv: string[], io: CliIo): number {
  if (argv.length !== 2 || argv.some((a) => a.startsWith("-"))) {
    throw new UserError("Usage: loadgate compare <baseline.json> <result.json>");
  }
  const [baselineFile, resultFile] = argv.map((a) => resolve(io.cwd, a));
  const baseline = readResultFile(baselineFile);
  const current = readResultFile(resultFile);
  let code: number = ExitCode.ok;
  const out: string[] = [];
  for (const r of current.results) {
    const b = baseline.results.find((x) => x.stack.name === r.stack.name);
    // Cost runs on both sides are compared at the default cost limit.
    const gate = { ...DEFAULT_GATE, cost: b?.cost && r.cost ? DEFAULT_COST_LIMIT : null };
    const c: Comparison = b
      ? compareWithBaseline(b, r, gate, b.history ?? [], { ...DEFAULT_RISK, stacks: current.results.length })
      : {
          headline: "no-baseline",
          method: "stored-baseline",
          metrics: [],
          reason: `${argv[0]} has no stack named ${r.stack.name}`,
          notes: [],
        };
    if (c.headline === "regression") code = ExitCode.regression;
    out.push(verdictReport(r.stack.name, c, latencyChart(r, b ?? null)));
  }
  io.stdout(`${out.join("\n\n")}\n`);
  return code;
}

async function abCommand(argv: string[], io: CliIo): Promise<number> {
  const ab = await planAb(argv, io.cwd);
  checkRunFolder(io);
  const run = { ...runtimeOf({ cwd: io.cwd, env: io.env, isTTY: io.isTTY }, VERSION), install: ab.install };
  const outcomes = await runAb(ab, run, {
    log: (line) => io.stderr(`${line}\n`),
    onProgress: (stack, p) => {
      if (io.isTTY) io.stderr(`\r${progressLine(stack, p)}\x1b[K`);
    },
    signal: io.signal,
  });
  if (io.isTTY) io.stderr("\n");
  let code: number = ExitCode.ok;
  const lines: string[] = [];
  for (const o of outcomes) {
    lines.push(
      verdictReport(
        `${o.head.stack.name} (${o.pairs} pairs, ${ab.baseRef} → ${ab.headRef ?? "working tree"})`,
        o.comparison,
        latencyChart(o.head, o.base, { base: `base (${ab.baseRef})`, head: `head (${ab.headRef ?? "working tree"})` }),
      ),
    );
    if (o.comparison.headline === "regression") code = ExitCode.regression;
  }
  io.stdout(`${lines.join("\n\n")}\n`);
  if (ab.jsonOut) {
    const doc = resultDocument(
      outcomes.map((o) => o.head),
      {
        commit: { sha: ab.headSha ?? "working-tree", ref: ab.headRef ?? "working tree" },
        reports: outcomes.map((o) => ({
          stack: o.head.stack.name,
          baselineLabel: ab.baseSha.slice(0, 7),
          baseline: o.base,
          comparison: o.comparison,
        })),
      },
    );
    writeOutput(ab.jsonOut, JSON.stringify(doc, null, 2));
    io.stdout(`Result written to ${ab.jsonOut}\n`);
  }
  return code;
}

/** `loadgate study`: the built-in stacks of the study, short by default, both tables. */
async function studyCommand(argv: string[], io: CliIo): Promise<number> {
  const plan = planStudy(argv, { cwd: io.cwd, env: io.env, isTTY: io.isTTY }, VERSION, builtInStacksDir());
  requireBinaries(needsOf(plan.rows.map((r) => r.stack)), plan.run.binarySearch, plan.run.install, (l) =>
    io.stderr(`${l}\n`),
  );
  io.stderr(
    `loadgate study: ${plan.rows.length} rows, each ${plan.rows[0]?.stack.load.warmupSeconds} s warmup + ${plan.rows[0]?.stack.load.trials} × ${plan.rows[0]?.stack.load.durationSeconds} s\n`,
  );
  const study = await runStudy(plan.run, plan.rows, { log: (line) => io.stderr(`${line}\n`), signal: io.signal });
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
    io.stderr(
      `loadgate: ${study.failed.length} row(s) failed while running: ${study.failed.join(", ")} (see above).\n`,
    );
    return ExitCode.stackFailed;
  }
  return ExitCode.ok;
}

/**
 * workers: auto against a baseline: both sides use one count, so a stack whose baseline file has a
 * result for it runs with the baseline's count instead of sweeping again.
 */
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

function reuseBaselineWorkers(plan: RunPlan, io: CliIo): RunPlan {
  if (!plan.baselineFile || !existsSync(plan.baselineFile) || !plan.stacks.some((s) => s.sweep)) return plan;
  const baseline = readResultFile(plan.baselineFile);
  return {
    ...plan,
    stacks: plan.stacks.map((s) => {
      const b = baseline.results.find((r) => r.stack.name === s.spec.name);
      if (!s.sweep || !b?.workers) return s;
      io.stderr(`[${s.spec.name}] workers: auto: ${b.workers}, the baseline's count (both sides use one count)\n`);
      return { ...s, workers: b.workers, sweep: null };
    }),
  };
}

/** `loadgate capacity`: per stack the highest open-loop rate within the P99 SLO, with its probes. */
async function capacityCommand(argv: string[], io: CliIo): Promise<number> {
  const slo = takeFlag(argv, "--slo-p99");
  const probes = takeFlag(slo.rest, "--max-probes");
  const sloMs = slo.value === undefined ? undefined : parseDuration(slo.value) * 1000;
  if (sloMs !== undefined && !(sloMs > 0)) {
    throw new UserError(
      `--slo-p99: expected a duration above zero, the P99 the service must keep (e.g. 50ms), got ${JSON.stringify(slo.value)}.`,
    );
  }
  const maxProbes = probes.value === undefined ? undefined : Number(probes.value);
  if (maxProbes !== undefined && (!Number.isInteger(maxProbes) || maxProbes < 1 || maxProbes > 50)) {
    throw new UserError(`--max-probes: expected a whole number from 1 to 50, got ${JSON.stringify(probes.value)}.`);
  }
  const timing = ["--duration", "--warmup", "--trials", "--rate", "--target", "--baseline", "--save-baseline"];
  const given = probes.rest.find((a) => timing.includes(a.split("=")[0]));
  if (given) {
    throw new UserError(
      `loadgate capacity: ${given.split("=")[0]} does not apply; each probe is a ${PROBE_WARMUP}-s warmup and a ${PROBE_SECONDS}-s open-loop window at the rate the search picks.`,
    );
  }
  const plan = planRun(probes.rest, { cwd: io.cwd, env: io.env, isTTY: io.isTTY }, VERSION, "capacity");
  requireBinaries(needsOf(plan.stacks), plan.binarySearch, plan.install, (l) => io.stderr(`${l}\n`));
  const results: StackResult[] = [];
  const missing = plan.stacks.filter((s) => sloMs === undefined && s.spec.capacity.sloP99Ms === null);
  if (missing.length > 0) {
    throw new UserError(
      `loadgate capacity needs --slo-p99, the P99 the service must keep, e.g. --slo-p99 50ms (or capacity.slo-p99 in the stack file: ${missing.map((s) => s.spec.file).join(", ")}).`,
    );
  }
  for (const s of plan.stacks) {
    const prepared = await prepareStack(plan, s, (l) => io.stderr(`${l}\n`), { signal: io.signal });
    const capacity = await measureCapacity(
      plan,
      prepared,
      { log: (l) => io.stderr(`${l}\n`), signal: io.signal },
      {
        sloP99Ms: sloMs ?? (s.spec.capacity.sloP99Ms as number),
        ceilingFactor: CAPACITY_DEFAULTS.ceilingFactor,
        resolution: CAPACITY_DEFAULTS.resolution,
        maxProbes: maxProbes ?? s.spec.capacity.maxProbes,
      },
    );
    results.push({ ...untimedResult(prepared, { pinned: false, loadGenerator: "all", stack: "all" }), capacity });
  }
  io.stdout(`\n${capacityTable(results)}\n`);
  if (plan.jsonOut) {
    writeOutput(plan.jsonOut, JSON.stringify(resultDocument(results), null, 2));
    io.stdout(`Result written to ${plan.jsonOut}\n`);
  }
  return ExitCode.ok;
}
