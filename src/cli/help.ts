// Pure: the CLI's help. `loadgate --help` is the overview; `loadgate <command> --help` (or
// `loadgate help <command>`) lists every flag of one command with its meaning and its default. The
// defaults are the constants the code runs with, imported, so the help cannot drift from them.

import { UserError } from "../errors.js";
import { VERSION } from "../version.js";
import { AB, COMPARE, REPORT, STUDY } from "./help/compare.js";
import { HISTORY } from "./help/history.js";
import { INIT } from "./help/init.js";
import { CAPACITY, COST, RUN, UP, WORK } from "./help/measure.js";
import { COMMANDS, type CommandName, type CommandSpec, entry, README, render } from "./help/render.js";

export { COMMANDS, type CommandName };

const HELP: CommandSpec = {
  summary: "the overview of the commands, or one command's flags",
  usage: ["loadgate help [<command>]", "loadgate <command> --help"],
  args: [["<command>", `one of ${COMMANDS.join(", ")} (default: the overview)`]],
  flags: [],
  exit: [
    [0, "printed"],
    [2, "no such command"],
  ],
  readme: README("The CLI"),
};

const SPECS: Record<CommandName, CommandSpec> = {
  init: INIT,
  run: RUN,
  cost: COST,
  work: WORK,
  ab: AB,
  study: STUDY,
  capacity: CAPACITY,
  compare: COMPARE,
  report: REPORT,
  history: HISTORY,
  up: UP,
  help: HELP,
};

/** Each command's usage: synopsis, every flag with its meaning and default, exit codes, where to read more. */
export const COMMAND_HELP = Object.freeze(
  Object.fromEntries(COMMANDS.map((c) => [c, render(c, SPECS[c])])) as Record<CommandName, string>,
);

/** `loadgate`, `loadgate --help`, `loadgate help`: one line per command. */
export const GLOBAL_HELP = [
  `loadgate ${VERSION}: performance regression gating of web services`,
  "",
  "Usage: loadgate <command> [arguments] [flags]",
  "",
  "Commands:",
  ...COMMANDS.map((c) => entry(c, SPECS[c].summary, 12)),
  "",
  '"loadgate <command> --help" (or "loadgate help <command>") for its flags and their defaults;',
  '"loadgate --version" for the version.',
  "",
  "Exit codes: 0 passed; 1 a gate failed; 2 bad input; 3 the stack failed; 130 interrupted.",
  "See docs/cli.md, docs/stack-file.md and docs/action.md (docs/README.md lists every page).",
  "",
].join("\n");

const HELP_FLAGS = new Set(["--help", "-h"]);
const HELP_WORDS = new Set(["help", ...HELP_FLAGS]);

const isCommand = (word: string | undefined): word is CommandName => COMMANDS.includes(word as CommandName);

/**
 * The text to print when `argv` (command first) asks for help: `help [<command>]`, `--help`, `-h`, or
 * `--help` / `-h` anywhere after a command (before a `--`). undefined: not a help request, or help on
 * a command that does not exist (main then says so).
 */
export function helpFor(argv: readonly string[]): { text: string } | undefined {
  const [first, ...rest] = argv;
  if (first === undefined) return undefined;
  if (HELP_WORDS.has(first)) {
    const subject = rest[0];
    if (subject === undefined) return { text: GLOBAL_HELP };
    if (isCommand(subject)) return { text: COMMAND_HELP[subject] };
    // `help --help`, `help nosuch -h`: the help command's own help.
    return rest.some((a) => HELP_FLAGS.has(a)) ? { text: COMMAND_HELP.help } : undefined;
  }
  if (!isCommand(first)) return undefined;
  const end = rest.indexOf("--");
  const flags = end === -1 ? rest : rest.slice(0, end);
  return flags.some((a) => HELP_FLAGS.has(a)) ? { text: COMMAND_HELP[first] } : undefined;
}

/**
 * A UserError for the first flag of `argv` that `command` parses but refuses (its help's "Refused"
 * notes), with the reason; nothing when none is given. Flags after `--` are positionals.
 */
export function refusedFlag(command: CommandName, argv: readonly string[]): UserError | undefined {
  const end = argv.indexOf("--");
  for (const arg of end === -1 ? argv : argv.slice(0, end)) {
    if (!arg.startsWith("--")) continue;
    const name = arg.slice(2).split("=")[0];
    const note = SPECS[command].refused?.find((n) => n.flags.includes(name));
    if (note)
      return new UserError(`loadgate ${command}: --${name} is refused: ${note.why}. See "loadgate ${command} --help".`);
  }
  return undefined;
}
