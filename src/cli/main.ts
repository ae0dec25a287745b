import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { planRun } from "../config/cli-plan.js";
import { holdStack, runStacks, runTarget } from "../engine/run.js";
import { ExitCode, exitCodeOf, messageOf, UserError } from "../errors.js";
import type { Progress } from "../load/closed-loop.js";
import { runReport } from "../report/terminal.js";
import { type ResultDocument, SCHEMA_VERSION } from "../result/types.js";
import { VERSION } from "../version.js";
import { progressLine } from "./progress.js";

export { VERSION };

const USAGE = `loadgate ${VERSION}: performance regression gating of web services

Usage:
  loadgate run <stack-dir or stack.yml>... [--duration S] [--warmup S] [--trials N]
               [--connections N] [--rate R] [--workers N] [--json FILE] [--install] [--pin]
  loadgate run --target http://127.0.0.1:PORT/path [the same load and output flags]
  loadgate up <stack-dir or stack.yml> [--install] [--workers N]
               brings one stack up, prints "ready <url>", keeps it up until Ctrl-C

Exit codes: 0 ran and passed; 1 a gate failed; 2 bad input; 3 the stack failed.
See the README for the stack file and every flag.`;

export interface CliIo {
  argv: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTTY: boolean;
  signal?: AbortSignal;
}

/** Runs one CLI command and returns its exit code. Never throws. */
export async function main(io: CliIo): Promise<number> {
  const [command, ...rest] = io.argv;
  try {
    switch (command) {
      case "run":
        return await runCommand(rest, io);
      case "up":
        return await upCommand(rest, io);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        io.stdout(`${USAGE}\n`);
        return command === undefined ? ExitCode.badInput : ExitCode.ok;
      case "--version":
      case "-V":
        io.stdout(`${VERSION}\n`);
        return ExitCode.ok;
      default:
        throw new UserError(`Unknown command "${command}". Commands: run. See "loadgate --help".`);
    }
  } catch (err) {
    const code = exitCodeOf(err);
    io.stderr(`loadgate: ${messageOf(err)}\n`);
    if (
      code === ExitCode.stackFailed &&
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

async function runCommand(argv: string[], io: CliIo): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    io.stdout(`${USAGE}\n`);
    return ExitCode.ok;
  }
  const plan = planRun(argv, { cwd: io.cwd, env: io.env, isTTY: io.isTTY }, VERSION);
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
  const results = plan.target ? [await runTarget(plan, plan.target, engineHooks)] : await runStacks(plan, engineHooks);
  if (lastProgress && io.isTTY) io.stderr("\n");
  const doc: ResultDocument = {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: "loadgate", version: VERSION },
    createdAt: new Date().toISOString(),
    results,
  };
  if (plan.jsonOut) {
    mkdirSync(dirname(plan.jsonOut), { recursive: true });
    writeFileSync(plan.jsonOut, `${JSON.stringify(doc, null, 2)}\n`);
  }
  io.stdout(`\n${runReport(results)}\n`);
  if (plan.jsonOut) io.stdout(`\nResult written to ${plan.jsonOut}\n`);
  return ExitCode.ok;
}

async function upCommand(argv: string[], io: CliIo): Promise<number> {
  const plan = planRun(argv, { cwd: io.cwd, env: io.env, isTTY: io.isTTY }, VERSION);
  if (plan.stacks.length !== 1) throw new UserError("loadgate up takes exactly one stack.");
  await holdStack(plan, {
    log: (line) => io.stderr(`${line}\n`),
    signal: io.signal,
    onReady: (url) => io.stdout(`ready ${url}\n`),
  });
  return ExitCode.ok;
}
