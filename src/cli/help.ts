// Pure: the CLI's help. `loadgate --help` is the overview; `loadgate <command> --help` (or
// `loadgate help <command>`) lists every flag of one command with its meaning and its default. The
// defaults are the constants the code runs with, imported, so the help cannot drift from them.

import {
  AB_DEFAULT_MAX_PAIRS,
  AB_DEFAULT_MAX_TIME,
  AB_DEFAULT_MIN_PAIRS,
  AB_DEFAULT_WARMUP_SECONDS,
  AB_DEFAULT_WINDOW_SECONDS,
} from "../ab/plan.js";
import { PROBE_SECONDS, PROBE_WARMUP } from "../capacity/run.js";
import { CAPACITY_DEFAULTS } from "../capacity/search.js";
import { DEFAULT_COST_LIMIT, DEFAULT_GATE } from "../compare/gate.js";
import { TARGET_DEFAULTS } from "../config/apply.js";
import type { RUN_OPTIONS } from "../config/cli-plan.js";
import { SWEEP_DEFAULT_BUDGET } from "../config/plan.js";
import { STACK_DEFAULTS } from "../config/stack-spec.js";
import { STUDY_DEFAULTS, type STUDY_OPTIONS } from "../config/study-plan.js";
import { STUDY_ROWS } from "../study/rows.js";
import { VERSION } from "../version.js";
import type { AB_OPTIONS } from "./ab.js";
import { REPORT_FORMATS } from "./report.js";

export const COMMANDS = ["run", "cost", "ab", "study", "capacity", "compare", "report", "up", "help"] as const;
export type CommandName = (typeof COMMANDS)[number];

type RunFlag = Exclude<keyof typeof RUN_OPTIONS, "help">;
type AbFlag = Exclude<keyof typeof AB_OPTIONS, "help">;
type StudyFlag = Exclude<keyof typeof STUDY_OPTIONS, "help">;

/** One flag: `--name ARG   text (default: …)`. */
interface FlagHelp {
  arg?: string;
  text: string;
  default?: string;
}

/** Flags a command parses but does not use, or refuses (exit 2), and why. */
interface FlagNote {
  flags: readonly string[];
  why: string;
}

interface CommandSpec {
  summary: string;
  usage: readonly string[];
  about?: string;
  args?: readonly (readonly [string, string])[];
  flags: readonly (readonly [string, FlagHelp])[];
  refused?: FlagNote;
  ignored?: FlagNote;
  exit: readonly (readonly [number, string])[];
  readme: string;
}

const WIDTH = 100;
const COLUMN = 26;

/** 0.01 → "1%". */
const pct = (fraction: number) => `${Number((fraction * 100).toFixed(4))}%`;

/** Words of `text` in lines of at most `width` - `indent` characters, each after `indent` spaces. */
function wrap(text: string, indent: number, first = indent): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const room = WIDTH - (lines.length === 0 ? first : indent);
    if (line && line.length + 1 + word.length > room) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l, i) => (i === 0 ? l : `${" ".repeat(indent)}${l}`));
}

/** A two-column entry: the name, then its text wrapped under the second column. */
function entry(name: string, text: string, column = COLUMN): string {
  const head = `  ${name}`;
  const body = wrap(text, column).join("\n");
  return head.length >= column - 1 ? `${head}\n${" ".repeat(column)}${body}` : `${head.padEnd(column)}${body}`;
}

function flagEntry(name: string, f: FlagHelp): string {
  const flag = `--${name}${f.arg ? ` ${f.arg}` : ""}`;
  return entry(flag, `${f.text}${f.default === undefined ? "" : ` (default: ${f.default})`}`);
}

function note(label: string, n: FlagNote | undefined): string[] {
  if (!n) return [];
  const flags = n.flags.map((f) => `--${f}`).join(", ");
  return ["", ...wrap(`${label}: ${flags}: ${n.why}`, 2, 0)];
}

function render(command: CommandName, spec: CommandSpec): string {
  const out = [`loadgate ${command}: ${spec.summary}`, "", "Usage:", ...spec.usage.map((u) => `  ${u}`)];
  if (spec.about) out.push("", ...wrap(spec.about, 0));
  if (spec.args?.length) out.push("", "Arguments:", ...spec.args.map(([name, text]) => entry(name, text)));
  out.push("", "Flags:", ...spec.flags.map(([name, f]) => flagEntry(name, f)));
  out.push(entry("-h, --help", "print this help"));
  out.push(...note("Refused (exit 2)", spec.refused), ...note("Accepted, no effect", spec.ignored));
  out.push("", "Exit codes:", ...spec.exit.map(([code, text]) => entry(String(code), text, 8)));
  out.push("", ...wrap(`See ${spec.readme}`, 0));
  return `${out.join("\n")}\n`;
}

// ---- Flags -----------------------------------------------------------------------------------------

const D = STACK_DEFAULTS;

/** Every flag of `loadgate run` (RUN_OPTIONS): the type makes a new flag without help a compile error. */
const RUN_FLAGS: Record<RunFlag, FlagHelp> = {
  duration: {
    arg: "S",
    text: "seconds of each measured trial: 10, 10s, 500ms, 2m",
    default: `the stack file's load.duration, ${D.durationSeconds} s if it gives none`,
  },
  warmup: {
    arg: "S",
    text: "seconds of unrecorded load before the trials",
    default: `the stack file's load.warmup, ${D.warmupSeconds} s if it gives none`,
  },
  trials: {
    arg: "N",
    text: "measured trials, 1 to 1000",
    default: `the stack file's load.trials, ${D.trials} if it gives none`,
  },
  connections: {
    arg: "N",
    text: "connections, 1 to 10000; closed loop: each sends its next request when the last is answered",
    default: `the stack file's load.connections, ${D.connections} if it gives none`,
  },
  rate: {
    arg: "R",
    text: "open loop: R requests per second on a uniform schedule, over the --connections (native client only)",
    default: "the stack file's load.rate; without one, closed loop",
  },
  workers: {
    arg: "N|auto",
    text: "fills {workers} in the app command, 1 to 512; auto: the worker sweep chooses the count before the trials",
    default: `the stack file's app.workers, ${D.workers} if it gives none`,
  },
  "sweep-time": {
    arg: "S",
    text: "the worker sweep's time budget (with --workers auto or app.workers: auto)",
    default: `${SWEEP_DEFAULT_BUDGET} s`,
  },
  client: {
    arg: "native|autocannon",
    text: "the HTTP client: loadgate's own, or autocannon (closed loop only; kept to compare)",
    default: "native",
  },
  pin: {
    text: "the load generator on CPU 0, the stack on the other CPUs (taskset; needs 2 CPUs)",
    default: "off; on when the stack file's load.pin is true",
  },
  target: {
    arg: "URL",
    text:
      "measure a service already running on this machine (http only; 127.0.0.1, ::1 or localhost) " +
      "instead of stacks",
    default:
      `none; a target's load is ${TARGET_DEFAULTS.connections} connections, ${TARGET_DEFAULTS.warmupSeconds} s ` +
      `warmup, ${TARGET_DEFAULTS.trials} trials of ${TARGET_DEFAULTS.durationSeconds} s`,
  },
  "max-error-rate": {
    arg: "P",
    text:
      "the most requests that may fail (connection errors, timeouts, non-2xx), 0% to 100%, e.g. 1%; " +
      "more fails the gate (exit 1), with or without --baseline",
    default: `the stack file's gate.error-rate, <${pct(DEFAULT_GATE.errorRate)} if it gives none`,
  },
  cost: {
    text: "also count the app's instructions per request under valgrind (the cost run) and gate them",
    default: "off; on when the stack file's gate has cost",
  },
  "cost-limit": {
    arg: "+N%",
    text: "the cost gate's limit: how much instructions per request may grow (turns --cost on)",
    default: `the stack file's gate.cost, +${pct(DEFAULT_COST_LIMIT)} if it gives none`,
  },
  json: { arg: "FILE", text: "write the Result document (JSON) to FILE", default: "none, not written" },
  baseline: {
    arg: "FILE",
    text: "compare with a Result written earlier (--json or --save-baseline); exit 1 on a regression",
    default: "none: no comparison; absolute SLOs and the error rate are still judged",
  },
  "save-baseline": {
    arg: "FILE",
    text: "write this run as a baseline file, with the history of --baseline if given",
    default: "none, not written",
  },
  "baseline-key": {
    arg: "NAME",
    text:
      "compare and save baselines under NAME, a class of machines you vouch for " +
      '(1 to 64 letters, digits, ".", "_", "-")',
    default: "this machine: its CPU, cores, memory, OS and versions",
  },
  install: {
    text: "install missing system packages (apt-get, as root or with passwordless sudo) and Python requirements (pip)",
    default: "off; a missing one is bad input, exit 2",
  },
};

const RUN_ORDER: readonly RunFlag[] = [
  "duration",
  "warmup",
  "trials",
  "connections",
  "rate",
  "workers",
  "sweep-time",
  "client",
  "pin",
  "target",
  "max-error-rate",
  "cost",
  "cost-limit",
  "json",
  "baseline",
  "save-baseline",
  "baseline-key",
  "install",
];

/** The run flags named, in RUN_ORDER, with some texts replaced. */
function runFlags(
  names: readonly RunFlag[],
  replace: Partial<Record<string, FlagHelp>> = {},
): (readonly [string, FlagHelp])[] {
  return RUN_ORDER.filter((n) => names.includes(n)).map((n) => [n, replace[n] ?? RUN_FLAGS[n]] as const);
}

const allRunFlagsBut = (...not: RunFlag[]) => RUN_ORDER.filter((n) => !not.includes(n));

const EXIT = {
  ok: [0, "ran and passed"],
  gate: [1, "a gate failed: a regression, an SLO breached, more failed requests than gate.error-rate allows"],
  bad: [2, "bad input: a flag, the stack file, a file given, a missing program"],
  stack: [3, "the stack failed: a component did not start, crashed, stopped answering or served nothing"],
  interrupted: [130, "interrupted (Ctrl-C, SIGTERM)"],
} as const;

const README = (section: string) =>
  section === "The CLI" ? 'README.md, "The CLI".' : `README.md, "${section}" (and "The CLI" for every command).`;

// ---- Commands --------------------------------------------------------------------------------------

const STACK_ARG = ["<stack>", "a folder holding stack.yml, or the stack file itself"] as const;

const RUN: CommandSpec = {
  summary: "measure stacks (or a running service) and gate them",
  usage: ["loadgate run <stack>... [flags]", "loadgate run --target http://127.0.0.1:PORT/path [flags]"],
  about:
    "Brings each stack up, sends a warmup and then the measured trials, and brings it down. The gate judges " +
    "the stack file's absolute SLOs and error rate, and with --baseline the change against a stored Result.",
  args: [STACK_ARG],
  flags: runFlags(RUN_ORDER),
  exit: [EXIT.ok, EXIT.gate, EXIT.bad, EXIT.stack, EXIT.interrupted],
  readme: README("Measurement"),
};

const COST_REFUSED: RunFlag[] = [
  "duration",
  "warmup",
  "trials",
  "connections",
  "rate",
  "workers",
  "client",
  "pin",
  "target",
  "max-error-rate",
];

const COST: CommandSpec = {
  summary: "the cost run alone: the app's instructions per request under valgrind",
  usage: ["loadgate cost <stack>... [flags]"],
  about:
    "Brings each stack up with the app (one worker) under valgrind (callgrind), sends requests one at a time " +
    "and counts instructions per request per chunk; no timed trials. Set the run in the stack file's cost section.",
  args: [STACK_ARG],
  flags: runFlags(allRunFlagsBut(...COST_REFUSED, "cost", "sweep-time"), {
    baseline: {
      arg: "FILE",
      text: "compare instructions per request with a Result written earlier; exit 1 on a cost regression",
      default: "none: instructions per request are printed, not judged",
    },
  }),
  refused: { flags: COST_REFUSED, why: "flags of timed runs; the cost run sends requests one at a time to one worker" },
  ignored: { flags: ["cost", "sweep-time"], why: "the cost run is on already, with one worker" },
  exit: [EXIT.ok, [1, "the cost gate failed (with --baseline)"], EXIT.bad, EXIT.stack, EXIT.interrupted],
  readme: README("Cost gate: instructions per request under valgrind"),
};

/** Replaced texts of ab, where the flags differ from run's. */
const AB_FLAGS: Record<Exclude<AbFlag, RunFlag> | "trials" | "duration" | "warmup" | "workers", FlagHelp> = {
  trials: {
    arg: "N",
    text: "the fewest pairs (a base and a head window each) measured before the first look, 2 to 200",
    default: `${AB_DEFAULT_MIN_PAIRS}`,
  },
  "max-pairs": {
    arg: "N",
    text: "the most pairs when the verdict stays undecided, 2 to 200",
    default: `${AB_DEFAULT_MAX_PAIRS}, or --trials if that is more`,
  },
  "max-time": {
    arg: "S",
    text: "bound on the whole A/B run (900, 900s, 15m); a block that would not fit is not started",
    default: `${AB_DEFAULT_MAX_TIME} s`,
  },
  duration: {
    arg: "S",
    text: "seconds of each measured window",
    default: `${AB_DEFAULT_WINDOW_SECONDS} s, not the stack file's load.duration`,
  },
  warmup: {
    arg: "S",
    text: "seconds of unrecorded load before each window",
    default: `${AB_DEFAULT_WARMUP_SECONDS} s, not the stack file's load.warmup`,
  },
  workers: {
    arg: "N|auto",
    text: "fills {workers} in the app command, 1 to 512; auto: one sweep on the base, both sides use its count",
    default: `the stack file's app.workers, ${D.workers} if it gives none`,
  },
};

const AB_IGNORED: RunFlag[] = ["baseline", "save-baseline", "baseline-key", "target", "pin"];

const AB: CommandSpec = {
  summary: "two commits side by side on this machine, measured until decided",
  usage: ["loadgate ab <base-ref> [<head-ref>] <stack>... [flags]"],
  about:
    "Builds both commits' stacks and measures them interleaved in blocks of two pairs (ABBA, BAAB), each window " +
    "on fresh instances, until the verdict is decided or --max-pairs / --max-time is reached.",
  args: [
    ["<base-ref>", "the base commit (a branch, tag or sha)"],
    ["<head-ref>", "the head commit (default: the working tree, with its uncommitted changes)"],
    ["<stack>", "a folder holding stack.yml, or the file, inside the repository"],
  ],
  flags: [
    ...(["trials", "max-pairs", "max-time", "duration", "warmup"] as const).map((n) => [n, AB_FLAGS[n]] as const),
    ...runFlags(allRunFlagsBut(...AB_IGNORED, "trials", "duration", "warmup"), { workers: AB_FLAGS.workers }),
  ],
  ignored: { flags: AB_IGNORED, why: "the base commit is the baseline, and an A/B runs unpinned" },
  exit: [EXIT.ok, [1, "a regression of the head against the base"], EXIT.bad, EXIT.stack, EXIT.interrupted],
  readme: README("Same-runner A/B"),
};

const CAPACITY_REFUSED: RunFlag[] = ["duration", "warmup", "trials", "rate", "target", "baseline", "save-baseline"];
const CAPACITY_IGNORED: RunFlag[] = ["pin", "baseline-key", "max-error-rate", "cost", "cost-limit", "sweep-time"];

const CAPACITY: CommandSpec = {
  summary: "the highest open-loop rate at which P99 stays within an SLO",
  usage: ["loadgate capacity <stack>... --slo-p99 50ms [flags]"],
  about:
    "Per stack: a closed-loop trial for its throughput, then open-loop probes (each a " +
    `${PROBE_WARMUP}-s warmup and a ${PROBE_SECONDS}-s window) until the highest rate with P99 within the SLO ` +
    "and no failed request is bracketed.",
  args: [STACK_ARG],
  flags: [
    [
      "slo-p99",
      {
        arg: "D",
        text: "the P99 the service must keep, e.g. 50ms",
        default: "the stack file's capacity.slo-p99; required if it gives none",
      },
    ],
    [
      "max-probes",
      {
        arg: "N",
        text: "the most open-loop probes, 1 to 50",
        default: `the stack file's capacity.max-probes, ${CAPACITY_DEFAULTS.maxProbes} if it gives none`,
      },
    ],
    ...runFlags(allRunFlagsBut(...CAPACITY_REFUSED, ...CAPACITY_IGNORED), {
      workers: {
        arg: "N",
        text: "fills {workers} in the app command, 1 to 512 (auto runs one worker: capacity does not sweep)",
        default: `the stack file's app.workers, ${D.workers} if it gives none`,
      },
      connections: {
        arg: "N",
        text: "connections of the closed-loop trial and of the open-loop probes, 1 to 10000",
        default: `the stack file's load.connections, ${D.connections} if it gives none`,
      },
      client: { arg: "native|autocannon", text: "the closed-loop trial's HTTP client", default: "native" },
    }),
  ],
  refused: { flags: CAPACITY_REFUSED, why: "each probe's rate and windows are the search's" },
  ignored: { flags: CAPACITY_IGNORED, why: "capacity measures and prints; it gates nothing" },
  exit: [[0, "measured"], EXIT.bad, EXIT.stack, EXIT.interrupted],
  readme: README("Capacity at an SLO: `loadgate capacity`"),
};

const STUDY_FLAGS: Record<StudyFlag, FlagHelp> = {
  duration: { ...RUN_FLAGS.duration, default: `${STUDY_DEFAULTS.durationSeconds} s, not the stack files'` },
  warmup: { ...RUN_FLAGS.warmup, default: `${STUDY_DEFAULTS.warmupSeconds} s, not the stack files'` },
  trials: { ...RUN_FLAGS.trials, default: `${STUDY_DEFAULTS.trials}, not the stack files'` },
  connections: { ...RUN_FLAGS.connections, default: "each row's load.connections" },
  workers: {
    arg: "N",
    text: "fills {workers} in every row's app command, 1 to 512 (auto runs one worker: study does not sweep)",
    default: "each row's app.workers",
  },
  json: RUN_FLAGS.json,
  markdown: { arg: "FILE", text: "write both tables as Markdown to FILE", default: "none, not written" },
  install: RUN_FLAGS.install,
};

const STUDY: CommandSpec = {
  summary: 'the built-in stacks of "Async Python is not faster", beside its published table',
  usage: ["loadgate study [<row>...] [flags]"],
  about:
    `Runs every row (or the rows named) with short trials, then prints the study's table beside the one ` +
    `measured here. The stack files' own load is the full-length run: --warmup ${D.warmupSeconds} ` +
    `--duration ${D.durationSeconds} --trials ${D.trials}.`,
  args: [
    ["<row>", `a built-in stack (default: all ${STUDY_ROWS.length}): ${STUDY_ROWS.map((r) => r.stack).join(", ")}`],
  ],
  flags: (Object.keys(STUDY_FLAGS) as StudyFlag[]).map((n) => [n, STUDY_FLAGS[n]] as const),
  exit: [[0, "every row ran"], EXIT.bad, [3, "a row failed while running"], EXIT.interrupted],
  readme: README("The study: `loadgate study`"),
};

const COMPARE: CommandSpec = {
  summary: "the verdict of each stack of one Result file against another",
  usage: ["loadgate compare <baseline.json> <result.json>"],
  about:
    `Judges each stack of the second file against the same-named stack of the first with the default gate ` +
    `(P99 +${pct(DEFAULT_GATE.p99 ?? 0)}, throughput ${pct(DEFAULT_GATE.throughput ?? 0)}, ` +
    `errors <${pct(DEFAULT_GATE.errorRate)}, and cost +${pct(DEFAULT_COST_LIMIT)} when both files have a ` +
    "cost run) and the history the baseline file carries. No flags.",
  args: [
    ["<baseline.json>", "a Result written earlier (--json, --save-baseline, the Action's result)"],
    ["<result.json>", "the Result to judge"],
  ],
  flags: [],
  exit: [[0, "no regression"], [1, "a regression"], EXIT.bad],
  readme: README("Verdicts"),
};

const REPORT: CommandSpec = {
  summary: "Result files shown again, measuring and judging nothing",
  usage: ["loadgate report <result.json>... [flags]"],
  args: [["<result.json>", "a Result file written earlier (--json, the Action's result output)"]],
  flags: [
    [
      "format",
      {
        arg: REPORT_FORMATS.join("|"),
        text: "the terminal tables and charts, the pull request comment's Markdown, or one self-contained HTML file",
        default: REPORT_FORMATS[0],
      },
    ],
    ["out", { arg: "FILE", text: "write to FILE; required with --format html", default: "print to stdout" }],
  ],
  exit: [
    [0, "shown"],
    [2, "bad input: a file missing, not JSON or not a Result; a bad flag"],
  ],
  readme: README("Reports and charts"),
};

const UP_USED: RunFlag[] = ["workers", "install"];
const UP_IGNORED = allRunFlagsBut(...UP_USED, "target");

const UP: CommandSpec = {
  summary: "bring one stack up and keep it up until Ctrl-C",
  usage: ["loadgate up <stack> [flags]"],
  about: 'Prints "ready <url>" on stdout once the stack answers, and brings it down on Ctrl-C or SIGTERM.',
  args: [STACK_ARG],
  flags: runFlags(UP_USED, {
    workers: {
      arg: "N",
      text: "fills {workers} in the app command, 1 to 512 (auto runs one worker: up does not sweep)",
      default: `the stack file's app.workers, ${D.workers} if it gives none`,
    },
  }),
  refused: { flags: ["target"], why: "up takes exactly one stack" },
  ignored: { flags: UP_IGNORED, why: "the flags of a measured run; up sends no load" },
  exit: [[0, "stopped by Ctrl-C or SIGTERM"], EXIT.bad, EXIT.stack],
  readme: README("The CLI"),
};

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
  run: RUN,
  cost: COST,
  ab: AB,
  study: STUDY,
  capacity: CAPACITY,
  compare: COMPARE,
  report: REPORT,
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
  'See README.md: "The CLI", "The stack file", "The GitHub Action".',
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
