// Pure: the help of the commands that bring a stack up: run, cost, capacity, up.

import { CAPACITY_DEFAULTS } from "../../capacity/search.js";
import { STACK_DEFAULTS } from "../../config/stack-spec.js";
import { type CommandSpec, EXIT, README, type RunFlag, STACK_ARG } from "./render.js";
import { allRunFlagsBut, D, RUN_ORDER, runFlags } from "./run-flags.js";

export const RUN: CommandSpec = {
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

/** The flags of timed runs that `cost` refuses (src/cli/run.ts says why, naming the flag). */
export const COST_REFUSED: RunFlag[] = [
  "duration",
  "warmup",
  "trials",
  "connections",
  "rate",
  "workers",
  "client",
  "load-threads",
  "no-keepalive",
  "total-requests",
  "pin",
  "target",
  "max-error-rate",
  "p99-threshold",
  "throughput-threshold",
];

/** The work gate's flags: the cost run and capacity search count no database work. */
export const WORK_THRESHOLD_FLAGS: RunFlag[] = [
  "statements-threshold",
  "rows-threshold",
  "pages-threshold",
  "connections-threshold",
];

export const COST: CommandSpec = {
  summary: "the cost run alone: the app's instructions per request under valgrind",
  usage: ["loadgate cost <stack>... [flags]"],
  about:
    "Brings each stack up with the app (one worker) under valgrind (callgrind), sends requests one at a time " +
    "and counts instructions per request per chunk; no timed trials. Set the run in the stack file's cost section.",
  args: [STACK_ARG],
  flags: runFlags(allRunFlagsBut(...COST_REFUSED, ...WORK_THRESHOLD_FLAGS, "cost", "no-cost", "sweep-time"), {
    baseline: {
      arg: "FILE",
      text: "compare instructions per request with a Result written earlier; exit 1 on a cost regression",
      default: "none: instructions per request are printed, not judged",
    },
  }),
  refused: [
    { flags: COST_REFUSED, why: "flags of timed runs; the cost run sends requests one at a time to one worker" },
    { flags: ["cost", "no-cost", "sweep-time"], why: "the cost run is on already, with one worker" },
    { flags: WORK_THRESHOLD_FLAGS, why: "the cost run counts no database work (loadgate work does)" },
  ],
  exit: [EXIT.ok, [1, "the cost gate failed (with --baseline)"], EXIT.bad, EXIT.stack, EXIT.interrupted],
  readme: README("Cost gate: instructions per request under valgrind"),
};

/** The flags of timed runs that `work` refuses: it warms the stack up and counts; nothing is timed. */
const WORK_TIMING: RunFlag[] = [
  "duration",
  "trials",
  "rate",
  "client",
  "pin",
  "max-error-rate",
  "p99-threshold",
  "throughput-threshold",
  "sweep-time",
];
const WORK_OTHERS: RunFlag[] = ["cost", "no-cost", "cost-limit"];
const WORK_USED = allRunFlagsBut(...WORK_TIMING, ...WORK_OTHERS, "target", "no-work");

export const WORK: CommandSpec = {
  summary: "the work count alone: SQL statements, rows, pages and connections per request",
  usage: ["loadgate work <stack>... [flags]"],
  about:
    "Brings each stack up, warms it with the stack file's load.warmup at load.connections, then sends " +
    "work.chunks chunks of work.chunk-requests requests one at a time and counts the app role's SQL statements, " +
    "rows, shared buffer pages and connections per request (docs/work.md); no timed trials. The stack file's " +
    "work section sizes the count (work: false is overridden: the count is what this command is for).",
  args: [STACK_ARG],
  flags: runFlags(WORK_USED, {
    warmup: {
      arg: "S",
      text: "seconds of load before the count, at --connections (pools fill, caches warm); 0: none",
      default: `the stack file's load.warmup, ${D.warmupSeconds} s if it gives none`,
    },
    connections: {
      arg: "N",
      text: "connections of the warmup, 1 to 10000 (the count itself sends one request at a time)",
      default: `the stack file's load.connections, ${D.connections} if it gives none`,
    },
    workers: {
      arg: "N",
      text: "fills {workers} in the app command, 1 to 512 (auto runs one worker: work does not sweep)",
      default: `the stack file's app.workers, ${D.workers} if it gives none`,
    },
    baseline: {
      arg: "FILE",
      text: "compare the counts with a Result written earlier (run, work, --save-baseline); exit 1 on a work regression",
      default: 'none: the counts are printed; only ceilings ("<4") are judged',
    },
  }),
  refused: [
    { flags: WORK_TIMING, why: "flags of timed runs; the work count sends requests one at a time and times nothing" },
    { flags: WORK_OTHERS, why: "the cost run is `loadgate cost`" },
    { flags: ["target"], why: "loadgate counts the work only in a database it owns (a stack's)" },
    { flags: ["no-work"], why: "the work count is what this command runs" },
  ],
  exit: [
    EXIT.ok,
    [1, "the work gate failed (against --baseline, or a ceiling)"],
    EXIT.bad,
    [3, "the stack failed, or a request of the count was not answered 2xx"],
    EXIT.interrupted,
  ],
  readme: README("The count alone: `loadgate work`"),
};

/** The flags of a timed run's windows and baselines that `capacity` refuses (src/cli/capacity.ts says why). */
export const CAPACITY_REFUSED: RunFlag[] = [
  "duration",
  "total-requests",
  "warmup",
  "trials",
  "rate",
  "target",
  "baseline",
  "save-baseline",
];
/** The gate's flags: capacity measures and prints, it gates nothing. */
const CAPACITY_UNGATED: RunFlag[] = [
  "pin",
  "baseline-key",
  "max-error-rate",
  "p99-threshold",
  "throughput-threshold",
  "cost",
  "no-cost",
  "cost-limit",
  "sweep-time",
  ...WORK_THRESHOLD_FLAGS,
];

export const CAPACITY: CommandSpec = {
  summary: "the highest open-loop rate at which P99 stays within an SLO",
  usage: ["loadgate capacity <stack>... --slo-p99 50ms [flags]"],
  about:
    "Per stack: a closed-loop trial for its throughput, then open-loop probes (each a " +
    `${STACK_DEFAULTS.capacityProbeWarmupSeconds}-s warmup and a ${STACK_DEFAULTS.capacityProbeSeconds}-s window by default: capacity.probe-warmup, capacity.probe-duration) until the highest rate with P99 within the SLO ` +
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
    ...runFlags(allRunFlagsBut(...CAPACITY_REFUSED, ...CAPACITY_UNGATED), {
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
  refused: [
    { flags: CAPACITY_REFUSED, why: "each probe's rate and windows are the search's" },
    { flags: CAPACITY_UNGATED, why: "capacity measures and prints; it gates nothing" },
  ],
  exit: [[0, "measured"], EXIT.bad, EXIT.stack, EXIT.interrupted],
  readme: README("Capacity at an SLO: `loadgate capacity`"),
};

const UP_USED: RunFlag[] = ["workers", "install"];
const UP_IGNORED = allRunFlagsBut(...UP_USED, "target");

export const UP: CommandSpec = {
  summary: "bring one stack up and keep it up until Ctrl-C",
  usage: ["loadgate up <stack> [flags]"],
  about:
    'Prints "database <url>" (the app\'s {database_url}, with the run\'s password) and "ready <url>" on stdout once the stack answers, and brings it down on Ctrl-C or SIGTERM.',
  args: [STACK_ARG],
  flags: runFlags(UP_USED, {
    workers: {
      arg: "N",
      text: "fills {workers} in the app command, 1 to 512 (auto runs one worker: up does not sweep)",
      default: `the stack file's app.workers, ${D.workers} if it gives none`,
    },
  }),
  refused: [
    { flags: ["target"], why: "up takes exactly one stack" },
    { flags: UP_IGNORED, why: "the flags of a measured run; up sends no load" },
  ],
  exit: [[0, "stopped by Ctrl-C or SIGTERM"], EXIT.bad, EXIT.stack],
  readme: README("The CLI"),
};
