// Pure: the help of the commands that compare or show: ab, study, compare, report.

import {
  AB_DEFAULT_MAX_PAIRS,
  AB_DEFAULT_MAX_TIME,
  AB_DEFAULT_MIN_PAIRS,
  AB_DEFAULT_WARMUP_SECONDS,
  AB_DEFAULT_WINDOW_SECONDS,
} from "../../ab/plan.js";
import { DEFAULT_COST_LIMIT, DEFAULT_GATE } from "../../compare/gate.js";
import { AS_PUBLISHED, STUDY_DEFAULTS } from "../../config/study-plan.js";
import { STUDY_ROWS } from "../../study/rows.js";
import { REPORT_FORMATS } from "../report.js";
import {
  type AbFlag,
  type CommandSpec,
  EXIT,
  type FlagHelp,
  pct,
  README,
  type RunFlag,
  type StudyFlag,
} from "./render.js";
import { allRunFlagsBut, D, RUN_FLAGS, runFlags } from "./run-flags.js";

const AB_FLAGS: Record<Exclude<AbFlag, RunFlag> | "duration" | "warmup" | "workers", FlagHelp> = {
  "min-pairs": {
    arg: "N",
    text: "the fewest pairs (a base and a head window each) measured before the first look, 2 to 200",
    default: `${AB_DEFAULT_MIN_PAIRS}`,
  },
  "max-pairs": {
    arg: "N",
    text: "the most pairs when the verdict stays undecided, 2 to 200",
    default: `${AB_DEFAULT_MAX_PAIRS}, or --min-pairs if that is more`,
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
/** An A/B's windows are timed: many short windows on fresh instances (bench/gate-power). */
const AB_TIMED: RunFlag[] = ["total-requests"];

export const AB: CommandSpec = {
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
    ...(["min-pairs", "max-pairs", "max-time", "duration", "warmup"] as const).map((n) => [n, AB_FLAGS[n]] as const),
    ...runFlags(allRunFlagsBut(...AB_IGNORED, ...AB_TIMED, "trials", "duration", "warmup"), {
      workers: AB_FLAGS.workers,
    }),
  ],
  refused: [
    { flags: AB_IGNORED, why: "the base commit is the baseline, and an A/B runs unpinned" },
    { flags: ["trials"], why: "an A/B counts pairs, not trials: give --min-pairs N" },
    {
      flags: AB_TIMED,
      why: "an A/B's windows are timed (--duration); a stack file's load.total-requests is set aside",
    },
  ],
  exit: [EXIT.ok, [1, "a regression of the head against the base"], EXIT.bad, EXIT.stack, EXIT.interrupted],
  readme: README("Same-runner A/B"),
};

const STUDY_FLAGS: Record<StudyFlag, FlagHelp> = {
  "as-published": {
    text:
      `the load of the study's rig: ${AS_PUBLISHED.connections} connections, a new connection per request, ` +
      `${AS_PUBLISHED.totalRequests.toLocaleString("en-US")} requests in ${AS_PUBLISHED.trials} trial, each row's workers swept ` +
      `(workers auto), the load generator pinned where there are ${AS_PUBLISHED.pinFromCores} or more CPUs; the flags below change each part`,
    default: "off: the short defaults, connections kept open, the stack files' workers",
  },
  duration: {
    ...RUN_FLAGS.duration,
    default: `${STUDY_DEFAULTS.durationSeconds} s, not the stack files'; refused with --as-published`,
  },
  warmup: { ...RUN_FLAGS.warmup, default: `${STUDY_DEFAULTS.warmupSeconds} s, not the stack files'` },
  trials: {
    ...RUN_FLAGS.trials,
    default: `${STUDY_DEFAULTS.trials}, not the stack files'; ${AS_PUBLISHED.trials} with --as-published`,
  },
  "total-requests": {
    ...RUN_FLAGS["total-requests"],
    default: `none: timed trials; ${AS_PUBLISHED.totalRequests} with --as-published, fewer for a quick run`,
  },
  connections: {
    ...RUN_FLAGS.connections,
    default: `each row's load.connections; ${AS_PUBLISHED.connections} with --as-published`,
  },
  workers: {
    arg: "N|auto",
    text: "fills {workers} in every row's app command, 1 to 512; auto: each row's worker sweep chooses its count",
    default: "each row's app.workers; auto with --as-published",
  },
  "sweep-time": RUN_FLAGS["sweep-time"],
  "no-keepalive": {
    ...RUN_FLAGS["no-keepalive"],
    default: "connections kept open, as the stack files say; a new one per request with --as-published",
  },
  pin: {
    ...RUN_FLAGS.pin,
    default: `off; with --as-published on where there are ${AS_PUBLISHED.pinFromCores} or more CPUs`,
  },
  json: RUN_FLAGS.json,
  markdown: {
    arg: "FILE",
    text: "write both tables and the ρ lines as Markdown to FILE",
    default: "none, not written",
  },
  install: RUN_FLAGS.install,
};

export const STUDY: CommandSpec = {
  summary: 'the built-in stacks of "Async Python is not faster", beside its published table',
  usage: ["loadgate study [<row>...] [flags]", "loadgate study --as-published [--total-requests N] [<row>...] [flags]"],
  about:
    `Runs every row (or the rows named) with short trials, or with the rig's load (--as-published), then prints ` +
    `the study's table beside the one measured here and Spearman's ρ of the P99 order and of the throughput ` +
    `order (1: the study's order). The stack files' own load is the full-length run: --warmup ${D.warmupSeconds} ` +
    `--duration ${D.durationSeconds} --trials ${D.trials}.`,
  args: [
    ["<row>", `a built-in stack (default: all ${STUDY_ROWS.length}): ${STUDY_ROWS.map((r) => r.stack).join(", ")}`],
  ],
  flags: (Object.keys(STUDY_FLAGS) as StudyFlag[]).map((n) => [n, STUDY_FLAGS[n]] as const),
  exit: [[0, "every row ran"], EXIT.bad, [3, "a row failed while running"], EXIT.interrupted],
  readme: README("The study: `loadgate study`"),
};

const GATE_OF = "the --stack file's gate (the default gate without one)";

export const COMPARE: CommandSpec = {
  summary: "the verdict of each stack of one Result file against another",
  usage: ["loadgate compare <baseline.json> <result.json> [--stack <stack>]... [flags]"],
  about:
    "Judges each stack of the second file against the same-named stack of the first, with the history the " +
    "baseline file carries. The gate is the stack file's given with --stack (as run judges it), else the " +
    `default gate: P99 +${pct(DEFAULT_GATE.p99 ?? 0)}, throughput ${pct(DEFAULT_GATE.throughput ?? 0)}, ` +
    `errors <${pct(DEFAULT_GATE.errorRate)}, and cost +${pct(DEFAULT_COST_LIMIT)} when both files have a cost run.`,
  args: [
    ["<baseline.json>", "a Result written earlier (--json, --save-baseline, the Action's result)"],
    ["<result.json>", "the Result to judge"],
  ],
  flags: [
    [
      "stack",
      {
        arg: "FILE",
        text: "a stack file (or its folder) whose gate judges the stack of its name; repeat for several stacks",
        default: "none: the default gate",
      },
    ],
    ["p99-threshold", { ...RUN_FLAGS["p99-threshold"], default: `${GATE_OF}'s p99` }],
    ["throughput-threshold", { ...RUN_FLAGS["throughput-threshold"], default: `${GATE_OF}'s throughput` }],
    ...(["statements", "rows", "pages", "connections"] as const).map(
      (m) => [`${m}-threshold`, { ...RUN_FLAGS[`${m}-threshold`], default: `${GATE_OF}'s ${m}` }] as const,
    ),
    ["max-error-rate", { ...RUN_FLAGS["max-error-rate"], default: `${GATE_OF}'s error-rate` }],
    [
      "cost-limit",
      {
        ...RUN_FLAGS["cost-limit"],
        text: "the cost gate's limit, when both files have a cost run",
        default: `${GATE_OF}'s cost, +${pct(DEFAULT_COST_LIMIT)} if it gives none`,
      },
    ],
    ["no-cost", { text: "no cost gate, even when both files have a cost run", default: "off" }],
  ],
  exit: [[0, "no regression"], [1, "a regression"], EXIT.bad],
  readme: README("Verdicts"),
};

export const REPORT: CommandSpec = {
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
