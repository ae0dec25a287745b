// The CLI's dispatcher: argv's first word chooses the command (one file each); help is answered
// before anything starts; every failure becomes a message and an exit code, never a throw.

import { ExitCode, exitCodeOf, messageOf, UserError } from "../errors.js";
import { VERSION } from "../version.js";
import { abCommand } from "./ab.js";
import { capacityCommand } from "./capacity.js";
import { compareCommand } from "./compare.js";
import { GLOBAL_HELP, helpFor } from "./help.js";
import { historyCommand } from "./history.js";
import { initCommand } from "./init.js";
import type { CliIo } from "./io.js";
import { reportCommand } from "./report.js";
import { runCommand } from "./run.js";
import { studyCommand } from "./study.js";
import { upCommand } from "./up.js";

export type { CliIo };
export { VERSION };

const COMMANDS: Record<string, (argv: string[], io: CliIo) => number | Promise<number>> = {
  run: (argv, io) => runCommand(argv, io),
  cost: (argv, io) => runCommand(argv, io, "cost"),
  work: (argv, io) => runCommand(argv, io, "work"),
  up: upCommand,
  study: studyCommand,
  capacity: capacityCommand,
  compare: compareCommand,
  ab: abCommand,
  report: reportCommand,
  history: historyCommand,
  init: initCommand,
};

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
    if (command === undefined) {
      io.stdout(GLOBAL_HELP);
      return ExitCode.badInput;
    }
    if (command === "--version" || command === "-V") {
      io.stdout(`${VERSION}\n`);
      return ExitCode.ok;
    }
    const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (!run) {
      // `help <x>` with no command x: helpFor had no text for it.
      throw new UserError(
        `Unknown command "${["help", "--help", "-h"].includes(command) ? rest[0] : command}". Commands: init, run, cost, work, ab, study, capacity, compare, report, history, up. See "loadgate --help".`,
      );
    }
    return await run(rest, io);
  } catch (err) {
    return failed(err, io);
  }
}

/** The message of a failure on stderr, and its exit code; a stack trace only for what looks like a bug. */
function failed(err: unknown, io: CliIo): number {
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
